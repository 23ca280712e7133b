/** What the warning module needs from other modules (passed in from main.ts), its settings and clock. */
import { DEFAULT_ESCALATION, type EscalationPolicy } from '@zhijiao/engine';

export interface WarningDeps {
  directory: {
    classMembers(classIds: string[]): Promise<{ id: string; name: string; studentNo: string; classId: string }[]>;
    classSchools(classIds: string[]): Promise<Map<string, string>>;
    classNames(classIds: string[]): Promise<Map<string, string>>;
    classStaff(classIds: string[]): Promise<{ userId: string; name: string; role: 'teacher' | 'head_teacher'; classId: string; subject: string | null }[]>;
    schoolAdmins(schoolIds: string[]): Promise<{ userId: string; name: string; schoolId: string }[]>;
    schoolStaff(schoolId: string): Promise<{ userId: string; name: string }[]>;
    studentPlacements(studentIds: string[]): Promise<Map<string, { classId: string; schoolId: string }>>;
    userNames(ids: string[]): Promise<Map<string, string>>;
    regionTree(): Promise<{ regions: { id: string; path: string }[]; schools: { id: string; name: string; path: string }[] }>;
  };
  assessment: {
    missingHomework(
      classIds: string[] | null,
      since: Date,
      now: Date,
    ): Promise<{ studentId: string; classId: string; assignments: { id: string; title: string; subject: string; dueAt: string; authorId: string }[] }[]>;
  };
  learning: {
    masteryHistorySince(since: Date): Promise<{ studentId: string; subject: string; code: string; series: { at: Date; pKnow: number }[] }[]>;
  };
  curriculum: { listSubjects(): Promise<{ code: string; name: string }[]> };
}

/** Rule thresholds and escalation deadlines; every one configurable. */
export interface WarningSettings {
  /** Consecutive unexcused absences (recorded school days) that raise an attendance alert. */
  absenceDays: number;
  /** Missing homework: this many past-due assignments without a submission … */
  homeworkCount: number;
  /** … that fell due within this many days. */
  homeworkWindowDays: number;
  /** Mastery drop: a fall of at least this much (0..1) of a knowledge point's mastery … */
  masteryDrop: number;
  /** … within this many days. */
  masteryWindowDays: number;
  escalation: EscalationPolicy;
  /** How often the sweep (all rules and escalations) runs. */
  sweepMinutes: number;
}

export const DEFAULT_WARNING_SETTINGS: WarningSettings = {
  absenceDays: 3,
  homeworkCount: 2,
  homeworkWindowDays: 14,
  masteryDrop: 0.3,
  masteryWindowDays: 14,
  escalation: DEFAULT_ESCALATION,
  sweepMinutes: 15,
};

/** The module's clock: the real one in production, a controllable one in tests. */
export type Clock = () => Date;

/** The school-day date (yyyy-mm-dd) of an instant, in China Standard Time. */
export const schoolDate = (t: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
