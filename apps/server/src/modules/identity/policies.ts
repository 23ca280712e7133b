/**
 * Who may do what in the identity module, declared as data (tested as a matrix against the
 * running server). Scope — which students, which classes — is decided in the service from the
 * role bindings that grant the permission.
 */
import type { Principal } from '../../platform/auth/principal.js';
import { AppError } from '../../platform/http/errors.js';
import type { Role } from './schema.js';

const REGION_ADMINS = ['county_admin', 'city_admin', 'province_admin'] as const satisfies readonly Role[];

export const PERMISSIONS = {
  /** Classes in scope: teachers and head teachers their own, admins those under them. */
  'class.list': ['teacher', 'head_teacher', 'school_admin', ...REGION_ADMINS, 'sysadmin'],
  /** Identifiable student data. Researchers and auditors never get it. */
  'student.read': ['student', 'parent', 'teacher', 'head_teacher', 'school_admin', ...REGION_ADMINS, 'sysadmin'],
  /** School list with counts only (no personal data). */
  'school.list': ['school_admin', ...REGION_ADMINS, 'researcher', 'sysadmin'],
  'roster.import': ['school_admin'],
  /** Staff of a school or above it: whose school banks of shared content they see. */
  'school.member': ['teacher', 'head_teacher', 'school_admin', ...REGION_ADMINS, 'researcher', 'sysadmin'],
  'apikey.manage': ['school_admin', ...REGION_ADMINS, 'sysadmin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const can = (p: Principal, perm: Permission) =>
  p.roles.some((r) => (PERMISSIONS[perm] as readonly string[]).includes(r.role));

export function forbidden(perm: string, resource?: { type: string; id?: string }): AppError {
  return new AppError(
    403,
    'authz.forbidden',
    { zh: '您没有权限访问此内容。', en: 'You do not have permission to access this.' },
    { details: { permission: perm, ...(resource ? { resourceType: resource.type, resourceId: resource.id ?? null } : {}) } },
  );
}

export function authorize(p: Principal, perm: Permission, resource?: { type: string; id?: string }): void {
  if (!can(p, perm)) throw forbidden(perm, resource);
}
