/**
 * Tables owned by the warning module: attendance as schools record it, the alerts the rules raise
 * (with their evidence and escalation state), the follow-up log of each alert, and wellbeing
 * referrals to a named person (the note encrypted at rest).
 */
import { sql } from 'drizzle-orm';
import { bigserial, customType, date, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => Buffer.from(v),
});
const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * One school day of one student. Unique per student and date: entering or importing the day again
 * corrects the record (each correction is audited with the old and new status).
 */
export const attendance = pgTable(
  'warning_attendance',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    studentId: uuid('student_id').notNull(),
    classId: uuid('class_id').notNull(),
    schoolId: uuid('school_id').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    status: text('status', { enum: ['present', 'absent', 'late', 'excused_absence'] }).notNull(),
    reason: text('reason'),
    recordedBy: uuid('recorded_by').notNull(),
    source: text('source', { enum: ['entry', 'import'] }).notNull(),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [uniqueIndex('warning_attendance_student_date_uq').on(t.studentId, t.date), index('warning_attendance_class_date_idx').on(t.classId, t.date)],
);

/**
 * An alert raised by a rule. At most one active (open, verified or followed up) alert per student
 * and kind: a rule that fires again updates its evidence instead of raising a duplicate.
 * `level`/`dueAt` are the escalation state while the alert waits to be verified.
 */
export const alerts = pgTable(
  'warning_alerts',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    kind: text('kind', { enum: ['attendance', 'homework', 'mastery'] }).notNull(),
    studentId: uuid('student_id').notNull(),
    classId: uuid('class_id').notNull(),
    schoolId: uuid('school_id').notNull(),
    /** The records that triggered the alert (dates, assignments, mastery values): traceable. */
    evidence: jsonb('evidence').notNull(),
    status: text('status', { enum: ['open', 'verified', 'followed_up', 'closed', 'dismissed'] }).notNull().default('open'),
    /** The person responsible now (changes as the alert escalates); null when the school has nobody to own it. */
    ownerId: uuid('owner_id'),
    /** The owner the rule chose when it raised the alert, kept for the record as the alert escalates. */
    originalOwnerId: uuid('original_owner_id'),
    level: text('level', { enum: ['owner', 'head_teacher', 'school_admin'] }).notNull().default('owner'),
    /** When the alert moves up if still unverified; null once verified or at the top level. */
    dueAt: at('due_at'),
    dismissReason: text('dismiss_reason'),
    raisedAt: at('raised_at').notNull(),
    updatedAt: at('updated_at').notNull(),
    closedAt: at('closed_at'),
  },
  (t) => [
    uniqueIndex('warning_alerts_active_uq').on(t.studentId, t.kind).where(sql`status in ('open', 'verified', 'followed_up')`),
    index('warning_alerts_class_idx').on(t.classId, t.status),
    index('warning_alerts_school_idx').on(t.schoolId, t.status),
    index('warning_alerts_owner_idx').on(t.ownerId, t.status),
  ],
);

/** The life of an alert: raised, updated, escalated, verified, followed up, closed, dismissed — who, when, note. */
export const alertActions = pgTable(
  'warning_alert_actions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    alertId: uuid('alert_id')
      .notNull()
      .references(() => alerts.id),
    /** null for the system (a rule or the escalation sweep). */
    actorId: uuid('actor_id'),
    action: text('action', { enum: ['raised', 'updated', 'escalated', 'verified', 'followed_up', 'closed', 'dismissed'] }).notNull(),
    note: text('note'),
    detail: jsonb('detail'),
    at: at('at').notNull(),
  },
  (t) => [index('warning_alert_actions_alert_idx').on(t.alertId, t.id)],
);

/**
 * A wellbeing concern referred by a staff member to a named person of the school. Never created
 * by a rule; visible only to the referrer, the named person and the school's admins.
 */
export const referrals = pgTable(
  'warning_referrals',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    studentId: uuid('student_id').notNull(),
    classId: uuid('class_id').notNull(),
    schoolId: uuid('school_id').notNull(),
    referredBy: uuid('referred_by').notNull(),
    referredTo: uuid('referred_to').notNull(),
    /** AES-256-GCM (DataCipher) of the note. */
    noteEnc: bytea('note_enc').notNull(),
    status: text('status', { enum: ['open', 'closed'] }).notNull().default('open'),
    createdAt: at('created_at').notNull(),
    closedAt: at('closed_at'),
  },
  (t) => [index('warning_referrals_to_idx').on(t.referredTo, t.status), index('warning_referrals_school_idx').on(t.schoolId, t.status)],
);
