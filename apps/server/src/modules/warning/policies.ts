/**
 * Who may see and act on early-warning data. Only the school's own staff: teachers and head
 * teachers of the student's class and the school's admins. Students, parents, researchers and
 * region admins never see an alert or a referral (region admins get counts without names).
 */
import type { Principal } from '../../platform/auth/principal.js';
import { AppError } from '../../platform/http/errors.js';

const scopes = (p: Principal, roles: string[], scopeType: 'class' | 'school') =>
  new Set(p.roles.filter((r) => roles.includes(r.role) && r.scopeType === scopeType && r.scopeId).map((r) => r.scopeId!));

/** The caller's reach in the warning module, from their role bindings. */
export interface WarningScope {
  userId: string;
  /** Classes the caller teaches or is head teacher of. */
  classes: Set<string>;
  /** Classes the caller is head teacher of. */
  headOf: Set<string>;
  /** Schools the caller administers. */
  schools: Set<string>;
}

export function scopeOf(p: Principal): WarningScope {
  return { userId: p.userId, classes: scopes(p, ['teacher', 'head_teacher'], 'class'), headOf: scopes(p, ['head_teacher'], 'class'), schools: scopes(p, ['school_admin'], 'school') };
}

export function forbidden(permission: string, resource?: { type: string; id: string }): AppError {
  return new AppError(
    403,
    'authz.forbidden',
    { zh: '您没有权限访问此内容。', en: 'You do not have permission to access this.' },
    { details: { permission, ...(resource ? { resourceType: resource.type, resourceId: resource.id } : {}) } },
  );
}

/** School staff only (teachers, head teachers, school admins); everyone else is refused. */
export function requireSchoolStaff(p: Principal, permission: string): WarningScope {
  const s = scopeOf(p);
  if (s.classes.size === 0 && s.schools.size === 0) throw forbidden(permission);
  return s;
}

/** May see a class's records: a teacher or head teacher of the class, or an admin of its school. */
export const seesClass = (s: WarningScope, classId: string, schoolId: string) => s.classes.has(classId) || s.schools.has(schoolId);

/** May act on an alert: its current owner, the class's head teacher, or an admin of the school. */
export const actsOn = (s: WarningScope, a: { ownerId: string | null; classId: string; schoolId: string }) =>
  a.ownerId === s.userId || s.headOf.has(a.classId) || s.schools.has(a.schoolId);

/** Region-level counts (no names): school admins for their school, region admins for their subtree. */
export const COUNT_ROLES = ['school_admin', 'county_admin', 'city_admin', 'province_admin', 'sysadmin'];
