/** Tables owned by the learning module: the response log, mastery per student and point, fitted parameters. */
import { pgTable, uuid, text, integer, timestamp, jsonb, real, boolean, bigserial, primaryKey, index } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

const at = (name: string) => timestamp(name, { withTimezone: true });

/** Every marked answer the learner model learnt from: assignments (via events) and practice. */
export const responses = pgTable(
  'learning_responses',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    studentId: uuid('student_id').notNull(),
    subject: text('subject').notNull(),
    itemId: uuid('item_id').notNull(),
    knowledgePoints: jsonb('knowledge_points').notNull(),
    correct: boolean('correct').notNull(),
    source: text('source', { enum: ['assignment', 'practice'] }).notNull(),
    /** submission id + position for assignments: a replayed event never logs twice. */
    sourceKey: text('source_key'),
    answeredAt: at('answered_at').notNull().defaultNow(),
  },
  (t) => [index('learning_responses_student_idx').on(t.studentId, t.subject, t.id), index('learning_responses_subject_idx').on(t.subject, t.id)],
);

/** The current mastery of one knowledge point by one student (BKT posterior and evidence counts). */
export const mastery = pgTable(
  'learning_mastery',
  {
    studentId: uuid('student_id').notNull(),
    subject: text('subject').notNull(),
    code: text('code').notNull(),
    pKnow: real('p_know').notNull(),
    observations: integer('observations').notNull().default(0),
    correct: integer('correct').notNull().default(0),
    lastAt: at('last_at'),
  },
  (t) => [primaryKey({ columns: [t.studentId, t.subject, t.code] })],
);

/** Mastery after each update, for progress over time. */
export const masteryHistory = pgTable(
  'learning_mastery_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    studentId: uuid('student_id').notNull(),
    subject: text('subject').notNull(),
    code: text('code').notNull(),
    pKnow: real('p_know').notNull(),
    at: at('at').notNull().defaultNow(),
  },
  (t) => [index('learning_history_student_idx').on(t.studentId, t.subject, t.at)],
);

/** BKT parameters per knowledge point, fitted in the worker from the response log. */
export const ktParams = pgTable(
  'learning_kt_params',
  {
    subject: text('subject').notNull(),
    code: text('code').notNull(),
    params: jsonb('params').notNull(),
    observations: integer('observations').notNull(),
    fittedAt: at('fitted_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subject, t.code] })],
);

/** A refit of the model parameters: a job with progress. */
export const refits = pgTable('learning_refits', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  subject: text('subject').notNull(),
  status: text('status', { enum: ['queued', 'running', 'done', 'failed'] }).notNull().default('queued'),
  progress: real('progress').notNull().default(0),
  points: integer('points'),
  observations: integer('observations'),
  error: text('error'),
  createdAt: at('created_at').notNull().defaultNow(),
  startedAt: at('started_at'),
  finishedAt: at('finished_at'),
});
