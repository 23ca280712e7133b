import { sql } from 'drizzle-orm';
import { pgTable, bigint, bigserial, text, jsonb, timestamp, index, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The outbox of domain events (e.g. `submission.marked`). An event is appended in the same
 * transaction as the change it describes, so it exists exactly when the change does; consumers
 * (learner model, analytics) read forward from their own cursor by id.
 */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    type: text('type').notNull(),
    /** What the event is about (e.g. the submission id): at most one event per (type, key). */
    key: text('key').notNull(),
    payload: jsonb('payload').notNull().default(sql`'{}'::jsonb`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('events_type_id_idx').on(t.type, t.id), uniqueIndex('events_type_key_uq').on(t.type, t.key)],
);

/** How far each consumer has read the outbox; moved in the same transaction as the consumer's effects. */
export const eventCursors = pgTable('event_cursors', {
  consumer: text('consumer').primaryKey(),
  lastId: bigint('last_id', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
