/**
 * The gateway's working set, held in memory so a call needs no database round trip: keys by hash,
 * models with their nodes, products with their approvals, guardrail policies, the lexicon and the
 * region tree. Rebuilt from the tables after every change made through this process, and every
 * few seconds so that changes made by another process arrive too.
 */
import { SafetyLexicon } from '@zhijiao/engine';
import type { DataCipher } from '../../platform/crypto/index.js';
import type { Db } from '../../platform/db/index.js';
import type { AdminScope } from './policies.js';
import { GRADE_BANDS } from './schema.js';
import { hubApprovals, hubKeys, hubLexicon, hubModels, hubNodeModels, hubNodes, hubPolicies, hubProducts } from './tables.js';

export interface Tree {
  regions: { id: string; parentId: string | null; level: string; name: string; path: string }[];
  schools: { id: string; regionId: string; name: string; path: string }[];
}

/** The region tree with look-ups: a region's path, a school's region path, names, and scope tests. */
export class Places {
  readonly regionPath = new Map<string, string>();
  readonly schoolPath = new Map<string, string>();
  readonly names = new Map<string, string>();
  readonly level = new Map<string, string>();
  constructor(readonly tree: Tree) {
    for (const r of tree.regions) {
      this.regionPath.set(r.id, r.path);
      this.names.set(r.id, r.name);
      this.level.set(r.id, r.level);
    }
    for (const s of tree.schools) {
      this.schoolPath.set(s.id, s.path);
      this.names.set(s.id, s.name);
    }
  }
  name(id: string | null | undefined): string {
    return (id && this.names.get(id)) || '—';
  }
  /** Region ids along a path, root first. */
  regionsOnPath(path: string): string[] {
    return path.split('/').filter(Boolean);
  }
  inScopeSchool(s: AdminScope, schoolId: string): boolean {
    if (s.global || s.schoolIds.includes(schoolId)) return true;
    const path = this.schoolPath.get(schoolId);
    return !!path && s.regionIds.some((r) => path.includes(`/${r}/`));
  }
  inScopeRegion(s: AdminScope, regionId: string): boolean {
    if (s.global) return true;
    const path = this.regionPath.get(regionId);
    return !!path && s.regionIds.some((r) => path.includes(`/${r}/`));
  }
  /** The region paths and schools a scope covers, for SQL filters (null = everything). */
  filterOf(s: AdminScope): { paths: string[]; schoolIds: string[] } | null {
    if (s.global) return null;
    return { paths: s.regionIds.map((r) => this.regionPath.get(r)).filter((p): p is string => !!p), schoolIds: s.schoolIds };
  }
}

export interface KeyRec {
  id: string;
  name: string;
  ownerType: 'school' | 'region' | 'module';
  ownerId: string | null;
  schoolId: string | null;
  regionPath: string;
  module: string | null;
  productId: string | null;
  gradeBand: string;
  models: Set<string> | null;
  expiresAt: number | null;
  revoked: boolean;
  /** Region ids on the owner's path: quota subjects and approval scope. */
  regionIds: string[];
}

export interface NodeRec {
  id: string;
  name: string;
  baseUrl: string;
  credential: string | null;
  weight: number;
  maxConcurrency: number;
  enabled: boolean;
  status: 'unknown' | 'up' | 'down';
}

export interface ModelRec {
  id: string;
  name: string;
  kind: 'chat' | 'embedding';
  promptPrice: number;
  completionPrice: number;
  /** Enabled nodes serving it, with the name the node knows it by. */
  upstream: Map<string, string>;
  productIds: string[];
}

export interface ApprovalRec {
  id: string;
  regionIds: string[];
  schoolIds: Set<string>;
  gradeBands: Set<string>;
  expiresAt: number | null;
  revoked: boolean;
}

export interface ProductRec {
  id: string;
  name: string;
  kind: 'model' | 'agent' | 'app';
  status: string;
  approvals: ApprovalRec[];
}

export interface PolicyRec {
  gradeBand: string;
  maskPii: boolean;
  restorePii: boolean;
  scanInput: boolean;
  scanOutput: boolean;
  retentionDays: number;
}

export const DEFAULT_POLICY = (gradeBand: string): PolicyRec => ({ gradeBand, maskPii: true, restorePii: true, scanInput: true, scanOutput: true, retentionDays: 180 });

export type ApprovalVerdict = { ok: true } | { ok: false; code: 'hub.not_approved' | 'hub.approval_expired' | 'hub.app_not_approved' };

export class Snapshot {
  constructor(
    readonly places: Places,
    readonly keysByHash: Map<string, KeyRec>,
    readonly keysById: Map<string, KeyRec>,
    readonly models: Map<string, ModelRec>,
    readonly modelsById: Map<string, ModelRec>,
    readonly nodes: Map<string, NodeRec>,
    readonly products: Map<string, ProductRec>,
    readonly policies: Map<string, PolicyRec>,
    readonly lexicon: SafetyLexicon,
  ) {}

  /** Whether a product is approved, now, for the key's school or region and grade band. */
  approved(productId: string, key: KeyRec, now: number): 'ok' | 'none' | 'expired' {
    const p = this.products.get(productId);
    if (!p || p.status !== 'approved') return 'none';
    // Approvals are in the order they were granted: when none stands, the latest covering one says why.
    let latest: 'none' | 'expired' = 'none';
    for (const a of p.approvals) {
      const covers =
        (key.schoolId !== null && a.schoolIds.has(key.schoolId)) || a.regionIds.some((r) => key.regionIds.includes(r));
      if (!covers || !a.gradeBands.has(key.gradeBand)) continue;
      if (a.revoked) latest = 'none';
      else if (a.expiresAt !== null && a.expiresAt <= now) latest = 'expired';
      else return 'ok';
    }
    return latest;
  }

  /** The gate of "no unregistered AI on campus": the model's product, and the key's app if it has one. */
  mayUse(model: ModelRec, key: KeyRec, now: number): ApprovalVerdict {
    if (key.productId) {
      const app = this.approved(key.productId, key, now);
      if (app !== 'ok') return { ok: false, code: app === 'expired' ? 'hub.approval_expired' : 'hub.app_not_approved' };
    }
    let expired = false;
    for (const pid of model.productIds) {
      const v = this.approved(pid, key, now);
      if (v === 'ok') return { ok: true };
      if (v === 'expired') expired = true;
    }
    return { ok: false, code: expired ? 'hub.approval_expired' : 'hub.not_approved' };
  }

  policy(band: string): PolicyRec {
    return this.policies.get(band) ?? DEFAULT_POLICY(band);
  }
}

export async function loadSnapshot(db: Db, cipher: DataCipher, tree: Tree): Promise<Snapshot> {
  const places = new Places(tree);
  const [keys, models, nodes, nodeModels, products, approvals, policies, lexicon] = await Promise.all([
    db.select().from(hubKeys),
    db.select().from(hubModels),
    db.select().from(hubNodes),
    db.select().from(hubNodeModels),
    db.select().from(hubProducts),
    db.select().from(hubApprovals).orderBy(hubApprovals.createdAt),
    db.select().from(hubPolicies),
    db.select().from(hubLexicon),
  ]);
  const keysByHash = new Map<string, KeyRec>();
  const keysById = new Map<string, KeyRec>();
  for (const k of keys) {
    const rec: KeyRec = {
      id: k.id,
      name: k.name,
      ownerType: k.ownerType,
      ownerId: k.ownerId,
      schoolId: k.ownerType === 'school' ? k.ownerId : null,
      regionPath: k.regionPath,
      module: k.module,
      productId: k.productId,
      gradeBand: k.gradeBand,
      models: k.models ? new Set(k.models) : null,
      expiresAt: k.expiresAt ? k.expiresAt.getTime() : null,
      revoked: k.revokedAt !== null,
      regionIds: places.regionsOnPath(k.regionPath),
    };
    keysByHash.set(k.keyHash, rec);
    keysById.set(k.id, rec);
  }
  const nodeMap = new Map<string, NodeRec>();
  for (const n of nodes)
    nodeMap.set(n.id, {
      id: n.id,
      name: n.name,
      baseUrl: n.baseUrl,
      credential: n.credentialEnc ? cipher.decrypt(n.credentialEnc) : null,
      weight: n.weight,
      maxConcurrency: n.maxConcurrency,
      enabled: n.enabled,
      status: n.status,
    });
  const modelMap = new Map<string, ModelRec>();
  const modelsById = new Map<string, ModelRec>();
  for (const m of models) {
    const rec: ModelRec = { id: m.id, name: m.name, kind: m.kind, promptPrice: m.promptPrice, completionPrice: m.completionPrice, upstream: new Map(), productIds: [] };
    modelMap.set(m.name, rec);
    modelsById.set(m.id, rec);
  }
  for (const nm of nodeModels) {
    const node = nodeMap.get(nm.nodeId);
    if (node?.enabled) modelsById.get(nm.modelId)?.upstream.set(nm.nodeId, nm.upstreamModel);
  }
  const productMap = new Map<string, ProductRec>();
  for (const p of products) {
    productMap.set(p.id, { id: p.id, name: p.name, kind: p.kind, status: p.status, approvals: [] });
    if (p.kind === 'model' && p.modelId) modelsById.get(p.modelId)?.productIds.push(p.id);
  }
  for (const a of approvals)
    productMap.get(a.productId)?.approvals.push({
      id: a.id,
      regionIds: a.regionIds,
      schoolIds: new Set(a.schoolIds),
      gradeBands: new Set(a.gradeBands),
      expiresAt: a.expiresAt ? a.expiresAt.getTime() : null,
      revoked: a.revokedAt !== null,
    });
  const policyMap = new Map<string, PolicyRec>(GRADE_BANDS.map((b) => [b, DEFAULT_POLICY(b)]));
  for (const p of policies) policyMap.set(p.gradeBand, { ...p });
  const lex = new SafetyLexicon(lexicon.map((t) => ({ term: t.term, category: t.category, action: t.action, gradeBands: t.gradeBands })));
  return new Snapshot(places, keysByHash, keysById, modelMap, modelsById, nodeMap, productMap, policyMap, lex);
}
