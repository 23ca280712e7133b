/**
 * Who may do what with assignments. Teachers (and head teachers) author for the classes they are
 * bound to and review their answers; students answer what is assigned to their class and see
 * their own results. Scope is checked in the service against the assignment's classes.
 */
import type { Principal } from '../../platform/auth/principal.js';
import { AppError } from '../../platform/http/errors.js';

export const TEACHING_ROLES = ['teacher', 'head_teacher'] as const;

/** Classes the caller teaches (bindings scoped to a class). */
export const taughtClassIds = (p: Principal) =>
  new Set(p.roles.filter((r) => (TEACHING_ROLES as readonly string[]).includes(r.role) && r.scopeType === 'class' && r.scopeId).map((r) => r.scopeId!));

export const isStudent = (p: Principal) => p.roles.some((r) => r.role === 'student');

export function denied(permission: string, resource?: { type: string; id: string }): AppError {
  return new AppError(
    403,
    'authz.forbidden',
    { zh: '您没有权限访问此内容。', en: 'You do not have permission to access this.' },
    { details: { permission, ...(resource ? { resourceType: resource.type, resourceId: resource.id } : {}) } },
  );
}

export function requireTeacher(p: Principal): Set<string> {
  const classes = taughtClassIds(p);
  if (classes.size === 0) throw denied('assessment.teach');
  return classes;
}

export function requireStudent(p: Principal): void {
  if (!isStudent(p)) throw denied('assessment.answer');
}
