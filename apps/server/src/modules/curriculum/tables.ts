/** Tables owned by the curriculum module: subjects and the versioned knowledge-point graph. */
import { sql } from 'drizzle-orm';
import { pgTable, uuid, text, integer, timestamp, uniqueIndex, index, primaryKey, jsonb, real, boolean } from 'drizzle-orm/pg-core';

export const subjects = pgTable('subjects', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  nameEn: text('name_en').notNull(),
});

/**
 * One version of a subject's graph. Published versions are immutable; edits go into the single
 * draft of a subject, which is published as the next version number.
 */
export const graphVersions = pgTable(
  'kp_graph_versions',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    subjectCode: text('subject_code')
      .notNull()
      .references(() => subjects.code),
    /** Set when published: 1, 2, 3 … per subject. */
    version: integer('version'),
    status: text('status', { enum: ['draft', 'published'] }).notNull(),
    note: text('note'),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    publishedBy: uuid('published_by'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('kp_graph_versions_no_uq').on(t.subjectCode, t.version),
    uniqueIndex('kp_graph_versions_one_draft_uq').on(t.subjectCode).where(sql`status = 'draft'`),
  ],
);

export const domains = pgTable(
  'kp_domains',
  {
    versionId: uuid('version_id')
      .notNull()
      .references(() => graphVersions.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.code] })],
);

export const knowledgePoints = pgTable(
  'knowledge_points',
  {
    versionId: uuid('version_id')
      .notNull()
      .references(() => graphVersions.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    grade: integer('grade').notNull(),
    domain: text('domain'),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.code] }), index('knowledge_points_grade_idx').on(t.versionId, t.grade)],
);

export const prerequisites = pgTable(
  'kp_prerequisites',
  {
    versionId: uuid('version_id')
      .notNull()
      .references(() => graphVersions.id, { onDelete: 'cascade' }),
    pointCode: text('point_code').notNull(),
    prerequisiteCode: text('prerequisite_code').notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.pointCode, t.prerequisiteCode] })],
);

/**
 * An item of the bank. Its content lives in versions: a version becomes locked once a student has
 * answered it, and an edit of a locked version makes the next one, so past submissions keep
 * pointing at what they answered. Owners: a teacher, a school bank or the region bank.
 */
export const items = pgTable(
  'items',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    subjectCode: text('subject_code')
      .notNull()
      .references(() => subjects.code),
    ownerType: text('owner_type', { enum: ['teacher', 'school', 'region'] }).notNull(),
    ownerId: uuid('owner_id').notNull(),
    /** Who wrote it; null for seeded demo content. */
    authorId: uuid('author_id'),
    currentVersion: integer('current_version').notNull().default(1),
    irt: jsonb('irt'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('items_owner_idx').on(t.ownerType, t.ownerId), index('items_subject_idx').on(t.subjectCode)],
);

export const itemVersions = pgTable(
  'item_versions',
  {
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    version: integer('version').notNull(),
    grade: integer('grade').notNull(),
    type: text('type').notNull(),
    body: jsonb('body').notNull(),
    explanation: text('explanation').notNull().default(''),
    knowledgePoints: jsonb('knowledge_points').$type<string[]>().notNull(),
    difficulty: integer('difficulty').notNull(),
    score: real('score').notNull(),
    locked: boolean('locked').notNull().default(false),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.version] })],
);
