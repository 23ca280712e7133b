/**
 * Who may do what in the hub, as data. Scope — which schools and region nodes — comes from the
 * bindings that grant the permission: a county admin reviews, keys and meters only their county.
 */
import type { Principal } from '../../platform/auth/principal.js';
import { AppError } from '../../platform/http/errors.js';

const REGION_ADMINS = ['county_admin', 'city_admin', 'province_admin'] as const;

export const HUB_PERMISSIONS = {
  /** Models, compute nodes, the safety lexicon and guardrail policies: the platform's operators. */
  'hub.registry.manage': ['province_admin', 'sysadmin'],
  /** Seeing models (to request compute or key an app) and nodes' health. */
  'hub.registry.read': ['school_admin', ...REGION_ADMINS, 'sysadmin', 'auditor'],
  /** Registering (备案) an AI product: a school its apps, a region its services. */
  'hub.product.register': ['school_admin', ...REGION_ADMINS, 'sysadmin'],
  'hub.product.read': ['school_admin', ...REGION_ADMINS, 'sysadmin', 'auditor'],
  /** School-entry review: a region's administrators approve for schools under them. */
  'hub.product.review': [...REGION_ADMINS, 'sysadmin'],
  'hub.key.manage': ['school_admin', ...REGION_ADMINS, 'sysadmin'],
  'hub.quota.manage': [...REGION_ADMINS, 'sysadmin'],
  'hub.compute.request': ['school_admin'],
  'hub.compute.decide': [...REGION_ADMINS, 'sysadmin'],
  /** Usage, statements and the call log (metadata): within scope. */
  'hub.usage.read': ['school_admin', ...REGION_ADMINS, 'sysadmin', 'auditor'],
  /** Decrypting a call's contents: audited, for investigations only. */
  'hub.calls.content': ['sysadmin', 'auditor'],
} as const;
export type HubPermission = keyof typeof HUB_PERMISSIONS;

export function forbidden(perm: string, resource?: { type: string; id?: string }): AppError {
  return new AppError(
    403,
    'authz.forbidden',
    { zh: '您没有权限访问此内容。', en: 'You do not have permission to access this.' },
    { details: { permission: perm, ...(resource ? { resourceType: resource.type, resourceId: resource.id ?? null } : {}) } },
  );
}

/** Where a principal's grant of a permission reaches: everything, region subtrees (by path) and schools. */
export interface AdminScope {
  global: boolean;
  regionIds: string[];
  schoolIds: string[];
}

export function scopeOf(p: Principal, perm: HubPermission): AdminScope | null {
  const allowed = HUB_PERMISSIONS[perm] as readonly string[];
  const s: AdminScope = { global: false, regionIds: [], schoolIds: [] };
  let any = false;
  for (const b of p.roles) {
    if (!allowed.includes(b.role)) continue;
    any = true;
    if (b.scopeType === 'global') s.global = true;
    else if (b.scopeType === 'region' && b.scopeId) s.regionIds.push(b.scopeId);
    else if (b.scopeType === 'school' && b.scopeId) s.schoolIds.push(b.scopeId);
  }
  return any ? s : null;
}

export function authorize(p: Principal, perm: HubPermission, resource?: { type: string; id?: string }): AdminScope {
  const s = scopeOf(p, perm);
  if (!s) throw forbidden(perm, resource);
  return s;
}
