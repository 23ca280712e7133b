/** Tables owned by the identity module. Other modules never query them: they call identity's index.ts. */
import { sql } from 'drizzle-orm';
import {
  pgTable,
  uuid,
  text,
  integer,
  timestamp,
  boolean,
  jsonb,
  customType,
  uniqueIndex,
  index,
  primaryKey,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => Buffer.from(v),
});

const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** Province, city and county nodes. `path` is the materialised chain of ids ("/p/c/k/") for subtree queries. */
export const regions = pgTable(
  'regions',
  {
    id: id(),
    parentId: uuid('parent_id'),
    level: text('level', { enum: ['province', 'city', 'county'] }).notNull(),
    name: text('name').notNull(),
    code: text('code').notNull(),
    path: text('path').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('regions_code_uq').on(t.code), index('regions_path_idx').on(t.path)],
);

export const schools = pgTable(
  'schools',
  {
    id: id(),
    regionId: uuid('region_id')
      .notNull()
      .references(() => regions.id),
    name: text('name').notNull(),
    code: text('code').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('schools_code_uq').on(t.code)],
);

export const grades = pgTable(
  'grades',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    level: integer('level').notNull(),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('grades_school_level_uq').on(t.schoolId, t.level)],
);

export const classes = pgTable(
  'classes',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    gradeId: uuid('grade_id')
      .notNull()
      .references(() => grades.id),
    classNo: integer('class_no').notNull(),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('classes_grade_no_uq').on(t.gradeId, t.classNo)],
);

export const users = pgTable(
  'users',
  {
    id: id(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    /** scrypt hash; null means the account cannot log in with a password yet. */
    passwordHash: text('password_hash'),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    disabled: boolean('disabled').notNull().default(false),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_username_uq').on(t.username)],
);

/** Student records: personal data of minors. ID numbers and phones are encrypted at rest. */
export const students = pgTable(
  'students',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    classId: uuid('class_id')
      .notNull()
      .references(() => classes.id),
    studentNo: text('student_no').notNull(),
    name: text('name').notNull(),
    gender: text('gender', { enum: ['M', 'F'] }),
    idNumberEnc: bytea('id_number_enc'),
    idNumberMasked: text('id_number_masked'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('students_school_no_uq').on(t.schoolId, t.studentNo), index('students_class_idx').on(t.classId)],
);

export const guardians = pgTable(
  'guardians',
  {
    parentId: uuid('parent_id')
      .notNull()
      .references(() => users.id),
    studentId: uuid('student_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    phoneEnc: bytea('phone_enc'),
    phoneMasked: text('phone_masked'),
    /** Keyed hash of the phone number: finds the same parent across children without decrypting. */
    phoneHash: text('phone_hash'),
  },
  (t) => [primaryKey({ columns: [t.parentId, t.studentId] }), index('guardians_student_idx').on(t.studentId)],
);

/** A role bound to a scope: global, a region node, a school or a class. */
export const roleBindings = pgTable(
  'role_bindings',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role').notNull(),
    scopeType: text('scope_type', { enum: ['global', 'region', 'school', 'class'] }).notNull(),
    scopeId: uuid('scope_id'),
    subject: text('subject'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('role_bindings_uq').on(t.userId, t.role, t.scopeType, t.scopeId, t.subject),
    index('role_bindings_scope_idx').on(t.scopeType, t.scopeId),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    /** sha256 of the cookie token; the token itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ip: text('ip'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_hash_uq').on(t.keyHash)],
);

/** An uploaded roster file and its processing state; the file is kept so a crash can resume the import. */
export const rosterImports = pgTable(
  'roster_imports',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    filename: text('filename').notNull(),
    file: bytea('file').notNull(),
    status: text('status', { enum: ['queued', 'validating', 'importing', 'invalid', 'failed', 'done'] })
      .notNull()
      .default('queued'),
    totalRows: integer('total_rows').notNull().default(0),
    processedRows: integer('processed_rows').notNull().default(0),
    errors: jsonb('errors').notNull().default([]),
    summary: jsonb('summary'),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('roster_imports_school_idx').on(t.schoolId, t.createdAt)],
);
