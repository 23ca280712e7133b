/**
 * Tables owned by the analytics module: its own copy of every marked answer (from the
 * `submission.marked` event, one row per question) and the difficulty calibrations it ran.
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * One question of one marked submission. Unique on (submission, position): a replayed event
 * never counts twice. Reports use only the latest marked attempt of each student per assignment.
 */
export const responseFacts = pgTable(
  'analytics_responses',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    assignmentId: uuid('assignment_id').notNull(),
    submissionId: uuid('submission_id').notNull(),
    studentId: uuid('student_id').notNull(),
    classId: uuid('class_id').notNull(),
    schoolId: uuid('school_id'),
    subject: text('subject').notNull(),
    kind: text('kind').notNull(),
    attempt: integer('attempt').notNull(),
    source: text('source').notNull(),
    itemId: uuid('item_id').notNull(),
    itemVersion: integer('item_version').notNull(),
    position: integer('position').notNull(),
    type: text('type').notNull(),
    knowledgePoints: jsonb('knowledge_points').notNull(),
    score: real('score').notNull(),
    max: real('max').notNull(),
    correct: boolean('correct').notNull(),
    /** Choice items: the option (single) or options (multiple) chosen; null for no answer or other types. */
    chosen: jsonb('chosen'),
    markedAt: at('marked_at').notNull(),
  },
  (t) => [
    uniqueIndex('analytics_responses_submission_uq').on(t.submissionId, t.position),
    index('analytics_responses_assignment_idx').on(t.assignmentId, t.studentId),
    index('analytics_responses_subject_idx').on(t.subject, t.id),
  ],
);

/**
 * Each student's latest marked attempt of an assignment, kept by the consumer beside the answers
 * (one row per student, not per question), so a report on a county-wide exam reads 100,000 rows
 * instead of grouping 500,000.
 */
export const sheets = pgTable(
  'analytics_sheets',
  {
    assignmentId: uuid('assignment_id').notNull(),
    studentId: uuid('student_id').notNull(),
    /** Class and school of the latest attempt. */
    classId: uuid('class_id').notNull(),
    schoolId: uuid('school_id'),
    attempt: integer('attempt').notNull(),
    /** Marked attempts of this student (all, not only the latest). */
    submissions: integer('submissions').notNull(),
    /** [position, score, chosen option(s) or null] per question of the latest attempt, by position. */
    answers: jsonb('answers').notNull(),
    /** The first answer's id: reports list students in the order their answers arrived. */
    firstId: bigint('first_id', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.assignmentId, t.studentId] })],
);

/** A difficulty calibration (IRT) of a subject's items: a job with progress and its result. */
export const calibrations = pgTable('analytics_calibrations', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  subject: text('subject').notNull(),
  model: text('model', { enum: ['rasch', '2pl'] }).notNull(),
  minResponses: integer('min_responses').notNull(),
  status: text('status', { enum: ['queued', 'running', 'done', 'failed'] }).notNull().default('queued'),
  progress: real('progress').notNull().default(0),
  /** Null: started by the automatic check. */
  requestedBy: uuid('requested_by'),
  /** The subject's number of answers when this calibration was asked for (the automatic check compares growth). */
  subjectAnswers: integer('subject_answers'),
  /** Responses and students used, items calibrated and skipped (with reasons), fit summary. */
  result: jsonb('result'),
  error: text('error'),
  createdAt: at('created_at').notNull().defaultNow(),
  startedAt: at('started_at'),
  finishedAt: at('finished_at'),
});

/**
 * A comprehensive-quality record (综合素质评价) of a student in one of the five domains (德智体美劳),
 * written by a teacher of the student's class, a head teacher or a school admin, with its evidence.
 * Never deleted: the recorder withdraws it with a reason (staff still see it, the family no longer).
 */
export const qualityRecords = pgTable(
  'analytics_quality_records',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    studentId: uuid('student_id').notNull(),
    /** The class and school the student was in when it was recorded. */
    classId: uuid('class_id').notNull(),
    schoolId: uuid('school_id').notNull(),
    domain: text('domain', { enum: ['moral', 'intellectual', 'physical', 'aesthetic', 'labour'] }).notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    evidence: text('evidence').notNull(),
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    recordedBy: uuid('recorded_by').notNull(),
    recordedAt: at('recorded_at').notNull().defaultNow(),
    withdrawnAt: at('withdrawn_at'),
    withdrawnBy: uuid('withdrawn_by'),
    withdrawReason: text('withdraw_reason'),
  },
  (t) => [index('analytics_quality_student_idx').on(t.studentId, t.occurredOn)],
);

// ───────────── region cockpit (rollups kept with the facts, and the AI-use statistics) ─────────────

/**
 * One row per marked submission (the first `submission.marked` of it), kept in the same
 * transaction as its answers: participation (students with a marked submission in a period) and
 * the marker that a submission was already rolled up. `week`: the Monday of its China-time week.
 */
export const submissionRollup = pgTable(
  'analytics_submissions',
  {
    submissionId: uuid('submission_id').primaryKey(),
    assignmentId: uuid('assignment_id').notNull(),
    studentId: uuid('student_id').notNull(),
    classId: uuid('class_id').notNull(),
    schoolId: uuid('school_id').notNull(),
    subject: text('subject').notNull(),
    week: date('week', { mode: 'string' }).notNull(),
  },
  (t) => [
    index('analytics_submissions_school_idx').on(t.schoolId, t.week),
    index('analytics_submissions_student_idx').on(t.assignmentId, t.studentId, t.week),
  ],
);

/**
 * Score sums per school, subject, knowledge point, assignment and week: mastery (earned ÷
 * possible) across schools without reading the answers. `students`: distinct students behind the
 * row (for suppressing small groups: a cell is shown when one of its rows has enough).
 */
export const kpRollup = pgTable(
  'analytics_kp_rollup',
  {
    schoolId: uuid('school_id').notNull(),
    subject: text('subject').notNull(),
    kp: text('kp').notNull(),
    assignmentId: uuid('assignment_id').notNull(),
    week: date('week', { mode: 'string' }).notNull(),
    earned: doublePrecision('earned').notNull(),
    possible: doublePrecision('possible').notNull(),
    responses: integer('responses').notNull(),
    students: integer('students').notNull(),
  },
  (t) => [uniqueIndex('analytics_kp_rollup_uq').on(t.schoolId, t.subject, t.kp, t.assignmentId, t.week), index('analytics_kp_rollup_week_idx').on(t.week)],
);

/**
 * Uses of AI features per person and week, copied from the hub's call log (model calls made for
 * the person) and the learning companion (personalised practice) by the periodic AI-use sync.
 * `schoolId`: the school of the gateway key used; null for the platform's own modules and practice.
 */
export const aiUse = pgTable(
  'analytics_ai_use',
  {
    userId: uuid('user_id').notNull(),
    week: date('week', { mode: 'string' }).notNull(),
    source: text('source', { enum: ['model', 'practice', 'review'] }).notNull(),
    schoolId: uuid('school_id'),
    uses: integer('uses').notNull(),
  },
  (t) => [index('analytics_ai_use_week_idx').on(t.week, t.userId)],
);

/**
 * The AI regular-use statistics of each school, recomputed by every sync over the last M complete
 * weeks (`windowEnd`: the Monday of the last one): how many active people of a role used AI in
 * exactly `weeksUsed` of those weeks. Active = enabled accounts; sums are the school's active people.
 */
export const aiRegular = pgTable(
  'analytics_ai_regular',
  {
    schoolId: uuid('school_id').notNull(),
    role: text('role', { enum: ['teacher', 'student'] }).notNull(),
    weeksUsed: integer('weeks_used').notNull(),
    people: integer('people').notNull(),
    windowEnd: date('window_end', { mode: 'string' }).notNull(),
    computedAt: at('computed_at').notNull(),
  },
  (t) => [uniqueIndex('analytics_ai_regular_uq').on(t.schoolId, t.role, t.weeksUsed)],
);

/**
 * The active (enabled) students enrolled in each school, as of the last AI-use sync: the
 * denominator of participation, and its numerator counts only them (students who left are not
 * counted against the school they left).
 */
export const enrolment = pgTable(
  'analytics_enrolment',
  {
    schoolId: uuid('school_id').notNull(),
    studentId: uuid('student_id').notNull(),
  },
  (t) => [uniqueIndex('analytics_enrolment_uq').on(t.studentId, t.schoolId)],
);

/** Active people of each school and role who used AI in each week of the window (the trace of the KPI). */
export const aiSchoolWeeks = pgTable(
  'analytics_ai_school_weeks',
  {
    schoolId: uuid('school_id').notNull(),
    role: text('role', { enum: ['teacher', 'student'] }).notNull(),
    week: date('week', { mode: 'string' }).notNull(),
    users: integer('users').notNull(),
  },
  (t) => [uniqueIndex('analytics_ai_school_weeks_uq').on(t.schoolId, t.role, t.week)],
);
