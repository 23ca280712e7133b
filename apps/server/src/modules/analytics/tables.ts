/**
 * Tables owned by the analytics module: its own copy of every marked answer (from the
 * `submission.marked` event, one row per question) and the difficulty calibrations it ran.
 */
import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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

/** A difficulty calibration (IRT) of a subject's items: a job with progress and its result. */
export const calibrations = pgTable('analytics_calibrations', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  subject: text('subject').notNull(),
  model: text('model', { enum: ['rasch', '2pl'] }).notNull(),
  minResponses: integer('min_responses').notNull(),
  status: text('status', { enum: ['queued', 'running', 'done', 'failed'] }).notNull().default('queued'),
  progress: real('progress').notNull().default(0),
  requestedBy: uuid('requested_by'),
  /** Responses and students used, items calibrated and skipped (with reasons), fit summary. */
  result: jsonb('result'),
  error: text('error'),
  createdAt: at('created_at').notNull().defaultNow(),
  startedAt: at('started_at'),
  finishedAt: at('finished_at'),
});
