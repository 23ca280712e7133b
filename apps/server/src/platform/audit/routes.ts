/** Audit log browsing and chain verification, for auditors and system administrators. */
import { requirePrincipal, type App } from '../http/app.js';
import { AppError } from '../http/errors.js';
import { hasRole, type Principal } from '../auth/principal.js';
import type { AuditLog } from './index.js';
import { AuditEntry, AuditQuery, AuditVerifyResult } from './schema.js';
import { z } from 'zod';

export const AUDIT_READERS = ['auditor', 'sysadmin'];

function requireReader(p: Principal) {
  if (!hasRole(p, ...AUDIT_READERS))
    throw new AppError(403, 'authz.forbidden', { zh: '您没有权限访问此内容。', en: 'You do not have permission to access this.' }, { details: { permission: 'audit.read' } });
}

export function auditRoutes(app: App, audit: AuditLog) {
  app.get(
    '/api/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Browse the audit log (newest first)',
        querystring: AuditQuery,
        response: { 200: z.object({ items: z.array(AuditEntry), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }) },
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      requireReader(p);
      const r = await audit.query(req.query);
      await audit.append({ actor: p, action: 'audit.read', outcome: 'success', detail: { ...req.query }, ip: p.ip });
      return { ...r, page: req.query.page, pageSize: req.query.pageSize };
    },
  );
  app.get(
    '/api/audit/verify',
    { schema: { tags: ['audit'], summary: 'Walk the hash chain and report the first broken link', response: { 200: AuditVerifyResult } } },
    async (req) => {
      const p = requirePrincipal(req);
      requireReader(p);
      const r = await audit.verify();
      await audit.append({ actor: p, action: 'audit.verify', outcome: r.ok ? 'success' : 'failure', detail: { checked: r.checked }, ip: p.ip });
      return r;
    },
  );
}
