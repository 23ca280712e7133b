/**
 * Who may do what with the curriculum. Knowledge-point graphs are regional teaching content, not
 * personal data: every signed-in user may read them; researchers (教研员) and the province's
 * administrators edit drafts and publish.
 */
import type { Principal } from '../../platform/auth/principal.js';
import { AppError } from '../../platform/http/errors.js';

export const CURRICULUM_PERMISSIONS = {
  'curriculum.edit': ['researcher', 'province_admin', 'sysadmin'],
} as const;

export function authorizeEdit(p: Principal): void {
  if (!p.roles.some((r) => (CURRICULUM_PERMISSIONS['curriculum.edit'] as readonly string[]).includes(r.role)))
    throw new AppError(
      403,
      'authz.forbidden',
      { zh: '您没有权限编辑课程知识图谱。', en: 'You do not have permission to edit the curriculum graph.' },
      { details: { permission: 'curriculum.edit' } },
    );
}
