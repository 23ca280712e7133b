/** Request and response shapes of the identity module (zod: validation, OpenAPI and the web's types). */
import { z } from 'zod';

export const ROLES = [
  'student',
  'parent',
  'teacher',
  'head_teacher',
  'school_admin',
  'county_admin',
  'city_admin',
  'province_admin',
  'researcher',
  'sysadmin',
  'auditor',
] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const ScopeType = z.enum(['global', 'region', 'school', 'class']);
export type ScopeType = z.infer<typeof ScopeType>;

export const RoleBinding = z.object({
  role: Role,
  scopeType: ScopeType,
  scopeId: z.string().nullable(),
  scopeName: z.string().nullable(),
  subject: z.string().nullable(),
});
export type RoleBinding = z.infer<typeof RoleBinding>;

/** PostgreSQL text cannot hold NUL: such input is invalid, not a server error. */
const noNul = (s: string) => !s.includes('\u0000');

export const LoginBody = z.object({
  username: z.string().trim().min(1).max(64).refine(noNul, 'must not contain NUL characters'),
  password: z.string().min(1).max(256),
});

export const PasswordChangeBody = z.object({
  currentPassword: z.string().min(1).max(256),
  newPassword: z.string().min(10).max(256),
});

export const Me = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(RoleBinding),
  via: z.enum(['session', 'api_key']),
});
export type Me = z.infer<typeof Me>;

export const ClassSummary = z.object({
  id: z.string(),
  name: z.string(),
  gradeName: z.string(),
  gradeLevel: z.number().int(),
  schoolId: z.string(),
  schoolName: z.string(),
  studentCount: z.number().int(),
  /** The caller's relation to the class: the roles they hold on it or above it. */
  myRoles: z.array(Role),
  subjects: z.array(z.string()),
});
export type ClassSummary = z.infer<typeof ClassSummary>;

export const StudentSummary = z.object({
  id: z.string(),
  name: z.string(),
  studentNo: z.string(),
  gender: z.enum(['M', 'F']).nullable(),
  classId: z.string(),
  className: z.string(),
  gradeName: z.string(),
  schoolId: z.string(),
  schoolName: z.string(),
});
export type StudentSummary = z.infer<typeof StudentSummary>;

export const StudentDetail = StudentSummary.extend({
  username: z.string(),
  /** Masked: 330102********1234; the full number is never returned by the API. */
  idNumberMasked: z.string().nullable(),
  guardians: z.array(z.object({ name: z.string(), phoneMasked: z.string().nullable() })),
});
export type StudentDetail = z.infer<typeof StudentDetail>;

export const StudentQuery = z.object({
  q: z.string().trim().max(64).refine(noNul, 'must not contain NUL characters').optional(),
  schoolId: z.string().uuid().optional(),
  classId: z.string().uuid().optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

export const Page = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

export const SchoolSummary = z.object({
  id: z.string(),
  name: z.string(),
  code: z.string(),
  regionId: z.string(),
  regionName: z.string(),
  classCount: z.number().int(),
  studentCount: z.number().int(),
});
export type SchoolSummary = z.infer<typeof SchoolSummary>;

export const ApiKeyCreateBody = z.object({
  name: z.string().trim().min(1).max(80).refine(noNul, 'must not contain NUL characters'),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export const ApiKeyInfo = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;
export const ApiKeyCreated = ApiKeyInfo.extend({ key: z.string() });

export const RosterRowError = z.object({
  row: z.number().int(),
  column: z.string().nullable(),
  code: z.string(),
  message: z.object({ zh: z.string(), en: z.string() }),
  value: z.string().nullable(),
});
export type RosterRowError = z.infer<typeof RosterRowError>;

export const RosterImportStatus = z.enum(['queued', 'validating', 'importing', 'invalid', 'failed', 'done']);
export const RosterImport = z.object({
  id: z.string(),
  schoolId: z.string(),
  filename: z.string(),
  status: RosterImportStatus,
  totalRows: z.number().int(),
  processedRows: z.number().int(),
  errors: z.array(RosterRowError),
  /** Only for done imports: how many students were created, updated and left unchanged. */
  summary: z
    .object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() })
    .nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RosterImport = z.infer<typeof RosterImport>;
