/** API shapes of the warning module (validation, OpenAPI, the web's types). */
import { z } from 'zod';

export const AttendanceStatus = z.enum(['present', 'absent', 'late', 'excused_absence']);
export const AlertKind = z.enum(['attendance', 'homework', 'mastery']);
export const AlertStatus = z.enum(['open', 'verified', 'followed_up', 'closed', 'dismissed']);
export const AlertLevel = z.enum(['owner', 'head_teacher', 'school_admin']);

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'yyyy-mm-dd').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a calendar date');

/** A class's attendance for one school day: every student listed is recorded; nobody is assumed absent. */
export const AttendanceEntry = z.object({
  classId: z.string().uuid(),
  date: IsoDate,
  records: z
    .array(z.object({ studentId: z.string().uuid(), status: AttendanceStatus, reason: z.string().trim().max(200).optional() }))
    .min(1)
    .max(200),
});

export const AttendanceSaved = z.object({ saved: z.number().int(), corrected: z.number().int(), alertsRaised: z.number().int() });

export const AttendanceQuery = z.object({ from: IsoDate, to: IsoDate });
export const AttendanceRecord = z.object({
  studentId: z.string(),
  date: z.string(),
  status: AttendanceStatus,
  reason: z.string().nullable(),
  source: z.enum(['entry', 'import']),
  recordedBy: z.string(),
});
export const ClassAttendance = z.object({
  classId: z.string(),
  from: z.string(),
  to: z.string(),
  students: z.array(z.object({ id: z.string(), name: z.string(), studentNo: z.string() })),
  records: z.array(AttendanceRecord),
});

export const ImportRowError = z.object({
  row: z.number().int(),
  column: z.string().nullable(),
  code: z.string(),
  message: z.object({ zh: z.string(), en: z.string() }),
  value: z.string().nullable(),
});
export type ImportRowError = z.infer<typeof ImportRowError>;

export const AlertQuery = z.object({ status: AlertStatus.optional(), kind: AlertKind.optional(), classId: z.string().uuid().optional() });

export const AlertSummary = z.object({
  id: z.string(),
  kind: AlertKind,
  status: AlertStatus,
  level: AlertLevel,
  student: z.object({ id: z.string(), name: z.string(), studentNo: z.string() }),
  classId: z.string(),
  className: z.string(),
  owner: z.object({ id: z.string(), name: z.string() }).nullable(),
  dueAt: z.string().nullable(),
  raisedAt: z.string(),
  updatedAt: z.string(),
  /** Short machine-readable gist of the evidence (e.g. { count: 3 } days, assignments, points). */
  headline: z.record(z.string(), z.unknown()),
  /** Whether the caller may act on it (owner, head teacher of the class, school admin). */
  canAct: z.boolean(),
});
export type AlertSummary = z.infer<typeof AlertSummary>;

export const AlertDetail = AlertSummary.extend({
  evidence: z.record(z.string(), z.unknown()),
  dismissReason: z.string().nullable(),
  closedAt: z.string().nullable(),
  actions: z.array(
    z.object({
      action: z.string(),
      actor: z.object({ id: z.string(), name: z.string() }).nullable(),
      note: z.string().nullable(),
      detail: z.unknown().nullable(),
      at: z.string(),
    }),
  ),
});
export type AlertDetail = z.infer<typeof AlertDetail>;

export const NoteBody = z.object({ note: z.string().trim().max(2000).optional() });
export const RequiredNoteBody = z.object({ note: z.string().trim().min(1).max(2000) });

export const WarningCounts = z.object({
  schools: z.array(
    z.object({
      schoolId: z.string(),
      schoolName: z.string(),
      byStatus: z.record(AlertStatus, z.number().int()),
      byKind: z.record(AlertKind, z.number().int()),
    }),
  ),
});

export const ReferralInput = z.object({ studentId: z.string().uuid(), referredTo: z.string().uuid(), note: z.string().trim().min(1).max(2000) });
export const Referral = z.object({
  id: z.string(),
  student: z.object({ id: z.string(), name: z.string(), studentNo: z.string() }),
  className: z.string(),
  referredBy: z.object({ id: z.string(), name: z.string() }),
  referredTo: z.object({ id: z.string(), name: z.string() }),
  note: z.string(),
  status: z.enum(['open', 'closed']),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
});
export type Referral = z.infer<typeof Referral>;
export const StaffMember = z.object({ id: z.string(), name: z.string() });
