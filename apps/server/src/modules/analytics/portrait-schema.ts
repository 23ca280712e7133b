/** API shapes of the student portrait, the comprehensive-quality records and the teaching check-up. */
import { z } from 'zod';

const n3 = z.number().nullable();
/** A calendar day, YYYY-MM-DD (China time is what schools mean by a date). */
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/** The five domains of 综合素质评价: 德 moral, 智 intellectual, 体 physical, 美 aesthetic, 劳 labour. */
export const QUALITY_DOMAINS = ['moral', 'intellectual', 'physical', 'aesthetic', 'labour'] as const;
export const QualityDomain = z.enum(QUALITY_DOMAINS);

const text = (max: number) => z.string().trim().min(1).max(max);

export const QualityInput = z.object({
  domain: QualityDomain,
  title: text(100),
  description: text(2000),
  /** What the record rests on (an observation, a certificate, a work, a witness): required. */
  evidence: text(2000),
  occurredOn: Day,
});

export const WithdrawInput = z.object({ reason: text(500) });

export const QualityRecord = z.object({
  id: z.string(),
  studentId: z.string(),
  domain: QualityDomain,
  title: z.string(),
  description: z.string(),
  evidence: z.string(),
  occurredOn: z.string(),
  recordedBy: z.object({ id: z.string(), name: z.string() }),
  recordedAt: z.string(),
  /** Withdrawn records are shown to staff only. */
  withdrawn: z.object({ at: z.string(), by: z.string(), reason: z.string() }).nullable(),
  /** The caller recorded it and it is still in force: they may withdraw it. */
  canWithdraw: z.boolean(),
});

export const QualityList = z.object({
  records: z.array(QualityRecord),
  /** The caller may add records (a teacher of the class, its head teacher, the school admin). */
  canRecord: z.boolean(),
});

export const PeriodQuery = z.object({ from: Day.optional(), to: Day.optional() });
export const PortraitQuery = PeriodQuery.extend({ subject: z.string().min(1).max(32).optional() });

export const Portrait = z.object({
  student: z.object({ id: z.string(), name: z.string(), className: z.string() }),
  period: z.object({ from: z.string(), to: z.string() }),
  viewer: z.enum(['self', 'parent', 'staff']),
  mastery: z.object({
    subjects: z.array(z.string()),
    /** Current mastery of every point the student has evidence on. */
    points: z.array(
      z.object({ subject: z.string(), code: z.string(), name: z.string(), pKnow: z.number(), observations: z.number().int(), correct: z.number().int(), lastAt: z.string().nullable() }),
    ),
    /** Mastery after each update in the period, per point (for the line chart). */
    history: z.array(z.object({ subject: z.string(), code: z.string(), at: z.string(), pKnow: z.number() })),
  }),
  homework: z.object({
    totals: z.object({ assigned: z.number().int(), submitted: z.number().int(), onTime: z.number().int(), late: z.number().int(), missing: z.number().int(), pending: z.number().int() }),
    byMonth: z.array(z.object({ month: z.string(), assigned: z.number().int(), onTime: z.number().int(), late: z.number().int(), missing: z.number().int(), pending: z.number().int() })),
    /** The assignments behind the figures (traceable). */
    assignments: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        subject: z.string(),
        dueAt: z.string(),
        status: z.enum(['on_time', 'late', 'missing', 'pending']),
        submittedAt: z.string().nullable(),
        score: n3,
        maxScore: z.number(),
      }),
    ),
  }),
  notebook: z.object({
    totals: z.object({ added: z.number().int(), mastered: z.number().int(), open: z.number().int() }),
    byMonth: z.array(z.object({ month: z.string(), added: z.number().int(), mastered: z.number().int() })),
    entries: z.array(z.object({ id: z.string(), subject: z.string(), knowledgePoints: z.array(z.string()), stem: z.string(), status: z.enum(['open', 'mastered']), addedAt: z.string(), masteredAt: z.string().nullable() })),
  }),
  quality: z.object({
    byDomain: z.array(z.object({ domain: QualityDomain, count: z.number().int() })),
    records: z.array(QualityRecord),
  }),
});

const Stat = z.object({ n: z.number().int(), median: n3, p90: n3 });

export const Checkup = z.object({
  teacher: z.object({ id: z.string(), name: z.string() }),
  period: z.object({ from: z.string(), to: z.string() }),
  coverage: z.array(
    z.object({
      subject: z.string(),
      grade: z.number().int(),
      covered: z.number().int(),
      total: z.number().int(),
      share: n3,
      coveredPoints: z.array(z.object({ code: z.string(), name: z.string(), assignmentIds: z.array(z.string()) })),
      uncovered: z.array(z.object({ code: z.string(), name: z.string() })),
    }),
  ),
  load: z.object({
    assignments: z.number().int(),
    weeks: z.number().int(),
    perWeek: n3,
    itemsPerAssignment: n3,
    byWeek: z.array(z.object({ week: z.string(), count: z.number().int(), assignmentIds: z.array(z.string()) })),
    byClass: z.array(z.object({ classId: z.string(), className: z.string(), assignments: z.number().int(), expected: z.number().int(), submitted: z.number().int(), completion: n3 })),
    list: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        kind: z.string(),
        subject: z.string(),
        grade: z.number().int(),
        openAt: z.string(),
        dueAt: z.string(),
        items: z.number().int(),
        classIds: z.array(z.string()),
        expected: z.number().int(),
        submitted: z.number().int(),
      }),
    ),
  }),
  completion: z.object({ expected: z.number().int(), submitted: z.number().int(), share: n3 }),
  /** Hours: submission to final mark; AI suggestion to the teacher's review. */
  turnaround: z.object({ marking: Stat, review: Stat }),
  masteryTrend: z.array(z.object({ week: z.string(), classId: z.string(), className: z.string(), meanRate: z.number(), responses: z.number().int() })),
  aiUse: z.object({
    aiMarks: z.number().int(),
    marks: z.number().int(),
    reviewed: z.number().int(),
    accepted: z.number().int(),
    changed: z.number().int(),
    pending: z.number().int(),
    engines: z.array(z.object({ engine: z.string(), count: z.number().int() })),
  }),
});

export const TeacherList = z.array(z.object({ id: z.string(), name: z.string() }));

export type QualityDomain = z.infer<typeof QualityDomain>;
export type QualityInput = z.infer<typeof QualityInput>;
export type QualityRecord = z.infer<typeof QualityRecord>;
export type QualityList = z.infer<typeof QualityList>;
export type Portrait = z.infer<typeof Portrait>;
export type Checkup = z.infer<typeof Checkup>;
export type TeacherList = z.infer<typeof TeacherList>;
