/**
 * The hub's administration: models and nodes, registration (备案) and school-entry review with
 * scoped approvals, gateway keys, quotas, compute requests, guardrail policies and the lexicon.
 * Every change is audited in the same transaction and then reloads the gateway's snapshot.
 */
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { randomToken, sha256, type DataCipher } from '../../platform/crypto/index.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, conflict, notFound, unprocessable } from '../../platform/http/errors.js';
import { SYSTEM_USER } from './demo.js';
import type { Meter } from './meter.js';
import { authorize, forbidden, scopeOf, type AdminScope } from './policies.js';
import type {
  Approval,
  ComputeDecision,
  ComputeRequest,
  ComputeRequestInput,
  KeyCreated,
  KeyInfo,
  KeyInput,
  LexiconInput,
  LexiconTerm,
  Model,
  ModelInput,
  ModelPatch,
  Node,
  NodeInput,
  NodePatch,
  Policy,
  Product,
  ProductDetail,
  ProductInput,
  Quota,
  QuotaInput,
  ReviewInput,
  ScopeTree,
} from './schema.js';
import type { Places, Snapshot } from './state.js';
import {
  hubApprovals,
  hubCalls,
  hubComputeRequests,
  hubKeys,
  hubLexicon,
  hubModels,
  hubNodeModels,
  hubNodes,
  hubPolicies,
  hubProducts,
  hubQuotas,
  hubReviews,
} from './tables.js';

type In<T extends z.ZodType> = z.output<T>;
type Out<T extends z.ZodType> = z.output<T>;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export interface HubRuntime {
  snapshot: () => Snapshot;
  reload: () => Promise<void>;
  meter: Meter;
  nodeLive: (id: string) => { outstanding: number; breaker: 'closed' | 'open' | 'half_open' };
  checkNode: (id: string) => Promise<void>;
}

export class HubAdmin {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly cipher: DataCipher,
    private readonly rt: HubRuntime,
    private readonly names: (ids: string[]) => Promise<Map<string, string>>,
  ) {}

  private get places(): Places {
    return this.rt.snapshot().places;
  }

  private async changed(): Promise<void> {
    await this.rt.reload();
  }

  // ------------------------------------------------------------------ scopes

  scopes(p: Principal): Out<typeof ScopeTree> {
    const s = scopeOf(p, 'hub.product.review') ?? scopeOf(p, 'hub.key.manage') ?? authorize(p, 'hub.usage.read');
    const t = this.places.tree;
    const regions = t.regions.filter((r) => this.places.inScopeRegion(s, r.id));
    const schools = t.schools.filter((x) => this.places.inScopeSchool(s, x.id));
    // A region whose parent is out of scope becomes a root of the caller's tree.
    return {
      regions: regions.map((r) => ({ id: r.id, parentId: regions.some((x) => x.id === r.parentId) ? r.parentId : null, name: r.name, level: r.level })),
      schools: schools.map((x) => ({ id: x.id, regionId: x.regionId, name: x.name })),
    };
  }

  // ------------------------------------------------------------------ models

  async listModels(p: Principal): Promise<Out<typeof Model>[]> {
    authorize(p, 'hub.registry.read');
    const rows = await this.db.select().from(hubModels).orderBy(hubModels.name);
    const snap = this.rt.snapshot();
    return rows.map((m) => this.presentModel(m, snap));
  }

  private presentModel(m: typeof hubModels.$inferSelect, snap: Snapshot): Out<typeof Model> {
    const rec = snap.modelsById.get(m.id);
    return {
      id: m.id,
      name: m.name,
      kind: m.kind,
      vendor: m.vendor,
      description: m.description,
      promptPrice: m.promptPrice,
      completionPrice: m.completionPrice,
      contextTokens: m.contextTokens,
      approved: !!rec?.productIds.some((pid) => snap.products.get(pid)?.status === 'approved'),
      nodes: rec?.upstream.size ?? 0,
    };
  }

  async createModel(p: Principal, input: In<typeof ModelInput>): Promise<Out<typeof Model>> {
    authorize(p, 'hub.registry.manage');
    const row = await this.db.transaction(async (tx) => {
      const [dup] = await tx.select({ id: hubModels.id }).from(hubModels).where(eq(hubModels.name, input.name));
      if (dup) throw conflict('hub.model_exists', { zh: `已有名为“${input.name}”的模型。`, en: `A model named "${input.name}" already exists.` });
      const [r] = await tx.insert(hubModels).values(input).returning();
      await this.audit.append({ actor: p, action: 'hub.model.create', resourceType: 'hub_model', resourceId: r.id, outcome: 'success', detail: { name: r.name }, ip: p.ip }, tx);
      return r;
    });
    await this.changed();
    return this.presentModel(row, this.rt.snapshot());
  }

  async patchModel(p: Principal, id: string, patch: In<typeof ModelPatch>): Promise<Out<typeof Model>> {
    authorize(p, 'hub.registry.manage');
    const row = await this.db.transaction(async (tx) => {
      const [r] = await tx.update(hubModels).set(patch).where(eq(hubModels.id, id)).returning();
      if (!r) throw notFound('hub.model_not_found', { zh: '没有这个模型。', en: 'No such model.' });
      await this.audit.append({ actor: p, action: 'hub.model.update', resourceType: 'hub_model', resourceId: id, outcome: 'success', detail: patch, ip: p.ip }, tx);
      return r;
    });
    await this.changed();
    return this.presentModel(row, this.rt.snapshot());
  }

  // ------------------------------------------------------------------ nodes

  async listNodes(p: Principal): Promise<Out<typeof Node>[]> {
    authorize(p, 'hub.registry.read');
    const rows = await this.db.select().from(hubNodes).orderBy(hubNodes.tier, hubNodes.name);
    const links = await this.db.select({ nodeId: hubNodeModels.nodeId, modelId: hubNodeModels.modelId, upstreamModel: hubNodeModels.upstreamModel, modelName: hubModels.name }).from(hubNodeModels).innerJoin(hubModels, eq(hubModels.id, hubNodeModels.modelId));
    return rows.map((n) => this.presentNode(n, links.filter((l) => l.nodeId === n.id)));
  }

  private presentNode(n: typeof hubNodes.$inferSelect, links: { modelId: string; upstreamModel: string; modelName: string }[]): Out<typeof Node> {
    const live = this.rt.nodeLive(n.id);
    return {
      id: n.id,
      name: n.name,
      tier: n.tier,
      baseUrl: n.baseUrl,
      hasCredential: n.credentialEnc !== null,
      weight: n.weight,
      maxConcurrency: n.maxConcurrency,
      enabled: n.enabled,
      status: n.status,
      lastCheckAt: iso(n.lastCheckAt),
      lastError: n.lastError,
      latencyMs: n.latencyMs,
      outstanding: live.outstanding,
      breaker: live.breaker,
      models: links.map((l) => ({ modelId: l.modelId, upstreamModel: l.upstreamModel, modelName: l.modelName })),
    };
  }

  private async node(id: string): Promise<Out<typeof Node>> {
    const [n] = await this.db.select().from(hubNodes).where(eq(hubNodes.id, id));
    if (!n) throw notFound('hub.node_not_found', { zh: '没有这个算力节点。', en: 'No such compute node.' });
    const links = await this.db.select({ modelId: hubNodeModels.modelId, upstreamModel: hubNodeModels.upstreamModel, modelName: hubModels.name }).from(hubNodeModels).innerJoin(hubModels, eq(hubModels.id, hubNodeModels.modelId)).where(eq(hubNodeModels.nodeId, id));
    return this.presentNode(n, links);
  }

  private async checkModels(tx: Db, models: { modelId: string }[]) {
    if (!models.length) return;
    const ids = [...new Set(models.map((m) => m.modelId))];
    const found = await tx.select({ id: hubModels.id }).from(hubModels).where(inArray(hubModels.id, ids));
    const missing = ids.filter((i) => !found.some((f) => f.id === i));
    if (missing.length) throw unprocessable('hub.model_not_found', { zh: '节点引用了不存在的模型。', en: 'The node refers to models that do not exist.' }, { details: { modelIds: missing } });
  }

  async createNode(p: Principal, input: In<typeof NodeInput>): Promise<Out<typeof Node>> {
    authorize(p, 'hub.registry.manage');
    const id = await this.db.transaction(async (tx) => {
      const [dup] = await tx.select({ id: hubNodes.id }).from(hubNodes).where(eq(hubNodes.name, input.name));
      if (dup) throw conflict('hub.node_exists', { zh: `已有名为“${input.name}”的节点。`, en: `A node named "${input.name}" already exists.` });
      await this.checkModels(tx as unknown as Db, input.models);
      const [r] = await tx
        .insert(hubNodes)
        .values({ name: input.name, tier: input.tier, baseUrl: input.baseUrl.replace(/\/+$/, ''), credentialEnc: input.apiKey ? this.cipher.encrypt(input.apiKey) : null, weight: input.weight, maxConcurrency: input.maxConcurrency, enabled: input.enabled })
        .returning({ id: hubNodes.id });
      if (input.models.length) await tx.insert(hubNodeModels).values(input.models.map((m) => ({ nodeId: r.id, ...m })));
      await this.audit.append({ actor: p, action: 'hub.node.create', resourceType: 'hub_node', resourceId: r.id, outcome: 'success', detail: { name: input.name, baseUrl: input.baseUrl, tier: input.tier }, ip: p.ip }, tx);
      return r.id;
    });
    await this.changed();
    await this.rt.checkNode(id).catch(() => undefined);
    return this.node(id);
  }

  async patchNode(p: Principal, id: string, patch: In<typeof NodePatch>): Promise<Out<typeof Node>> {
    authorize(p, 'hub.registry.manage');
    await this.db.transaction(async (tx) => {
      const [n] = await tx.select({ id: hubNodes.id }).from(hubNodes).where(eq(hubNodes.id, id));
      if (!n) throw notFound('hub.node_not_found', { zh: '没有这个算力节点。', en: 'No such compute node.' });
      const set: Partial<typeof hubNodes.$inferInsert> = {};
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.tier !== undefined) set.tier = patch.tier;
      if (patch.baseUrl !== undefined) set.baseUrl = patch.baseUrl.replace(/\/+$/, '');
      if (patch.weight !== undefined) set.weight = patch.weight;
      if (patch.maxConcurrency !== undefined) set.maxConcurrency = patch.maxConcurrency;
      if (patch.enabled !== undefined) set.enabled = patch.enabled;
      if (patch.apiKey !== undefined) set.credentialEnc = patch.apiKey ? this.cipher.encrypt(patch.apiKey) : null;
      if (Object.keys(set).length) await tx.update(hubNodes).set(set).where(eq(hubNodes.id, id));
      if (patch.models) {
        await this.checkModels(tx as unknown as Db, patch.models);
        await tx.delete(hubNodeModels).where(eq(hubNodeModels.nodeId, id));
        if (patch.models.length) await tx.insert(hubNodeModels).values(patch.models.map((m) => ({ nodeId: id, ...m })));
      }
      const { apiKey, ...shown } = patch;
      await this.audit.append({ actor: p, action: 'hub.node.update', resourceType: 'hub_node', resourceId: id, outcome: 'success', detail: { ...shown, credentialChanged: apiKey !== undefined }, ip: p.ip }, tx);
    });
    await this.changed();
    return this.node(id);
  }

  async checkNodeNow(p: Principal, id: string): Promise<Out<typeof Node>> {
    authorize(p, 'hub.registry.manage');
    await this.node(id);
    await this.rt.checkNode(id);
    return this.node(id);
  }

  // ------------------------------------------------------------------ products, review, approvals

  private async presentProducts(rows: (typeof hubProducts.$inferSelect)[]): Promise<Out<typeof Product>[]> {
    const snap = this.rt.snapshot();
    const users = await this.names(rows.map((r) => r.registeredBy));
    const now = Date.now();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind,
      modelId: r.modelId,
      modelName: r.modelId ? (snap.modelsById.get(r.modelId)?.name ?? null) : null,
      vendor: r.vendor,
      purpose: r.purpose,
      dataTouched: r.dataTouched,
      gradeBands: r.gradeBands,
      evidence: r.evidence,
      status: r.status,
      registeredBy: users.get(r.registeredBy) ?? (r.registeredBy === SYSTEM_USER ? '系统（演示数据）' : '—'),
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      activeApprovals: (snap.products.get(r.id)?.approvals ?? []).filter((a) => !a.revoked && (a.expiresAt === null || a.expiresAt > now)).length,
    }));
  }

  async listProducts(p: Principal, status?: string): Promise<Out<typeof Product>[]> {
    authorize(p, 'hub.product.read');
    const rows = await this.db
      .select()
      .from(hubProducts)
      .where(status ? eq(hubProducts.status, status as 'submitted') : undefined)
      .orderBy(desc(hubProducts.updatedAt));
    return this.presentProducts(rows);
  }

  async getProduct(p: Principal, id: string): Promise<Out<typeof ProductDetail>> {
    authorize(p, 'hub.product.read', { type: 'hub_product', id });
    const [r] = await this.db.select().from(hubProducts).where(eq(hubProducts.id, id));
    if (!r) throw notFound('hub.product_not_found', { zh: '没有这个 AI 产品。', en: 'No such AI product.' });
    const [base] = await this.presentProducts([r]);
    const reviews = await this.db.select().from(hubReviews).where(eq(hubReviews.productId, id)).orderBy(desc(hubReviews.createdAt));
    const approvals = await this.db.select().from(hubApprovals).where(eq(hubApprovals.productId, id)).orderBy(desc(hubApprovals.createdAt));
    const users = await this.names(reviews.map((x) => x.reviewerId));
    const now = Date.now();
    return {
      ...base,
      reviews: reviews.map((x) => ({ id: x.id, reviewer: users.get(x.reviewerId) ?? (x.reviewerId === SYSTEM_USER ? '系统（演示数据）' : '—'), decision: x.decision, checklist: x.checklist, comment: x.comment, createdAt: x.createdAt.toISOString() })),
      approvals: approvals.map((a): Out<typeof Approval> => ({
        id: a.id,
        productId: a.productId,
        regionIds: a.regionIds,
        schoolIds: a.schoolIds,
        scopeNames: [...a.regionIds, ...a.schoolIds].map((x) => this.places.name(x)),
        gradeBands: a.gradeBands,
        expiresAt: iso(a.expiresAt),
        revokedAt: iso(a.revokedAt),
        revokeReason: a.revokeReason,
        state: a.revokedAt ? 'revoked' : a.expiresAt && a.expiresAt.getTime() <= now ? 'expired' : 'active',
        createdAt: a.createdAt.toISOString(),
      })),
    };
  }

  async registerProduct(p: Principal, input: In<typeof ProductInput>): Promise<Out<typeof Product>> {
    authorize(p, 'hub.product.register');
    const row = await this.db.transaction(async (tx) => {
      if (input.modelId) {
        const [m] = await tx.select({ id: hubModels.id }).from(hubModels).where(eq(hubModels.id, input.modelId));
        if (!m) throw unprocessable('hub.model_not_found', { zh: '登记引用的模型不存在。', en: 'The registration refers to a model that does not exist.' });
      }
      const [r] = await tx.insert(hubProducts).values({ ...input, status: 'submitted', registeredBy: p.userId }).returning();
      await this.audit.append({ actor: p, action: 'hub.product.register', resourceType: 'hub_product', resourceId: r.id, outcome: 'success', detail: { name: r.name, kind: r.kind, vendor: r.vendor }, ip: p.ip }, tx);
      return r;
    });
    await this.changed();
    return (await this.presentProducts([row]))[0];
  }

  /** A reviewer's decision. Approving creates an approval scoped within the reviewer's own region. */
  async review(p: Principal, productId: string, input: In<typeof ReviewInput>): Promise<Out<typeof ProductDetail>> {
    const scope = authorize(p, 'hub.product.review', { type: 'hub_product', id: productId });
    if (input.decision === 'approve') {
      if (!input.scope || (input.scope.regionIds.length === 0 && input.scope.schoolIds.length === 0))
        throw unprocessable('hub.approval_scope_required', { zh: '批准时必须指定适用的区域或学校。', en: 'An approval must name the regions or schools it covers.' });
      const failed = Object.entries(input.checklist).filter(([, v]) => !v.pass).map(([k]) => k);
      if (failed.length)
        throw unprocessable('hub.checklist_failed', { zh: '审查清单有未通过的项目，不能批准。', en: 'Items of the checklist did not pass; the product cannot be approved.' }, { details: { failed } });
      this.assertScope(scope, input.scope);
      if (input.scope.expiresAt && Date.parse(input.scope.expiresAt) <= Date.now())
        throw unprocessable('hub.approval_expiry_past', { zh: '有效期必须晚于现在。', en: 'The expiry must be in the future.' });
    }
    await this.db.transaction(async (tx) => {
      const [prod] = await tx.select().from(hubProducts).where(eq(hubProducts.id, productId)).for('update');
      if (!prod) throw notFound('hub.product_not_found', { zh: '没有这个 AI 产品。', en: 'No such AI product.' });
      if (input.decision === 'approve') {
        const bad = input.scope!.gradeBands.filter((b) => !prod.gradeBands.includes(b));
        if (bad.length)
          throw unprocessable('hub.grade_band_not_registered', { zh: '批准的学段超出了登记的适用学段。', en: 'The approval names grade bands the product was not registered for.' }, { details: { gradeBands: bad } });
      }
      const [rev] = await tx.insert(hubReviews).values({ productId, reviewerId: p.userId, decision: input.decision, checklist: input.checklist, comment: input.comment }).returning({ id: hubReviews.id });
      let approvalId: string | null = null;
      if (input.decision === 'approve') {
        const s = input.scope!;
        const [a] = await tx
          .insert(hubApprovals)
          .values({ productId, reviewId: rev.id, regionIds: s.regionIds, schoolIds: s.schoolIds, gradeBands: s.gradeBands, expiresAt: s.expiresAt ? new Date(s.expiresAt) : null })
          .returning({ id: hubApprovals.id });
        approvalId = a.id;
      }
      // A product keeps "approved" while an approval stands: a later reject or request for changes
      // is recorded, and the standing approvals are withdrawn by revoking them.
      const [standing] = await tx.select({ n: sql<number>`count(*)::int` }).from(hubApprovals).where(and(eq(hubApprovals.productId, productId), isNull(hubApprovals.revokedAt)));
      const status = input.decision === 'approve' || Number(standing.n) > 0 ? 'approved' : input.decision === 'reject' ? 'rejected' : 'changes_requested';
      await tx.update(hubProducts).set({ status, updatedAt: new Date() }).where(eq(hubProducts.id, productId));
      await this.audit.append(
        { actor: p, action: `hub.product.${input.decision}`, resourceType: 'hub_product', resourceId: productId, outcome: 'success', detail: { reviewId: rev.id, approvalId, scope: input.scope ?? null, checklist: Object.fromEntries(Object.entries(input.checklist).map(([k, v]) => [k, v.pass])) }, ip: p.ip },
        tx,
      );
    });
    await this.changed();
    return this.getProduct(p, productId);
  }

  private assertScope(s: AdminScope, scope: { regionIds: string[]; schoolIds: string[] }) {
    const outside = [...scope.regionIds.filter((r) => !this.places.inScopeRegion(s, r)), ...scope.schoolIds.filter((x) => !this.places.inScopeSchool(s, x))];
    if (outside.length)
      throw new AppError(403, 'hub.scope_outside', { zh: '不能在您管辖范围以外批准或分配。', en: 'You cannot approve or assign outside the regions and schools you administer.' }, { details: { ids: outside } });
  }

  async revokeApproval(p: Principal, approvalId: string, reason: string): Promise<Out<typeof ProductDetail>> {
    const scope = authorize(p, 'hub.product.review', { type: 'hub_approval', id: approvalId });
    const productId = await this.db.transaction(async (tx) => {
      const [a] = await tx.select().from(hubApprovals).where(eq(hubApprovals.id, approvalId)).for('update');
      if (!a) throw notFound('hub.approval_not_found', { zh: '没有这个准入批准。', en: 'No such approval.' });
      this.assertScope(scope, a);
      if (a.revokedAt) throw conflict('hub.approval_revoked', { zh: '该批准已撤销。', en: 'The approval is already revoked.' });
      await tx.update(hubApprovals).set({ revokedAt: new Date(), revokedBy: p.userId, revokeReason: reason }).where(eq(hubApprovals.id, approvalId));
      const [left] = await tx.select({ n: sql<number>`count(*)::int` }).from(hubApprovals).where(and(eq(hubApprovals.productId, a.productId), isNull(hubApprovals.revokedAt)));
      if (Number(left.n) === 0) await tx.update(hubProducts).set({ status: 'revoked', updatedAt: new Date() }).where(eq(hubProducts.id, a.productId));
      await this.audit.append({ actor: p, action: 'hub.approval.revoke', resourceType: 'hub_approval', resourceId: approvalId, outcome: 'success', detail: { productId: a.productId, reason }, ip: p.ip }, tx);
      return a.productId;
    });
    await this.changed();
    return this.getProduct(p, productId);
  }

  // ------------------------------------------------------------------ keys

  async listKeys(p: Principal): Promise<Out<typeof KeyInfo>[]> {
    const s = authorize(p, 'hub.key.manage');
    const rows = await this.db.select().from(hubKeys).orderBy(desc(hubKeys.createdAt));
    return rows.filter((k) => this.keyInScope(s, k)).map((k) => this.presentKey(k));
  }

  private keyInScope(s: AdminScope, k: { ownerType: string; ownerId: string | null }) {
    if (s.global) return true;
    if (k.ownerType === 'school') return !!k.ownerId && this.places.inScopeSchool(s, k.ownerId);
    if (k.ownerType === 'region') return !!k.ownerId && this.places.inScopeRegion(s, k.ownerId);
    return false;
  }

  private presentKey(k: typeof hubKeys.$inferSelect): Out<typeof KeyInfo> {
    const snap = this.rt.snapshot();
    return {
      id: k.id,
      name: k.name,
      ownerType: k.ownerType,
      ownerId: k.ownerId,
      ownerName: k.ownerType === 'module' ? `平台模块 ${k.module}` : this.places.name(k.ownerId),
      module: k.module,
      productId: k.productId,
      productName: k.productId ? (snap.products.get(k.productId)?.name ?? null) : null,
      gradeBand: k.gradeBand,
      models: k.models,
      prefix: k.prefix,
      expiresAt: iso(k.expiresAt),
      revokedAt: iso(k.revokedAt),
      createdAt: k.createdAt.toISOString(),
    };
  }

  async createKey(p: Principal, input: In<typeof KeyInput>): Promise<Out<typeof KeyCreated>> {
    const s = authorize(p, 'hub.key.manage');
    let regionPath: string;
    if (input.ownerType === 'module') {
      if (!s.global) throw forbidden('hub.key.manage', { type: 'hub_key' });
      regionPath = this.places.tree.regions.find((r) => r.parentId === null)?.path ?? '/';
    } else if (input.ownerType === 'school') {
      const path = this.places.schoolPath.get(input.ownerId!);
      if (!path) throw unprocessable('hub.owner_not_found', { zh: '没有这所学校。', en: 'No such school.' });
      if (!this.places.inScopeSchool(s, input.ownerId!)) throw new AppError(403, 'hub.scope_outside', { zh: '不能为管辖范围以外的学校发放密钥。', en: 'You cannot issue keys to schools outside your scope.' });
      regionPath = path;
    } else {
      const path = this.places.regionPath.get(input.ownerId!);
      if (!path) throw unprocessable('hub.owner_not_found', { zh: '没有这个区域。', en: 'No such region.' });
      if (!this.places.inScopeRegion(s, input.ownerId!)) throw new AppError(403, 'hub.scope_outside', { zh: '不能为管辖范围以外的区域发放密钥。', en: 'You cannot issue keys to regions outside your scope.' });
      regionPath = path;
    }
    if (input.expiresAt && Date.parse(input.expiresAt) <= Date.now()) throw unprocessable('hub.key_expiry_past', { zh: '有效期必须晚于现在。', en: 'The expiry must be in the future.' });
    const snap = this.rt.snapshot();
    if (input.models) {
      const unknown = input.models.filter((m) => !snap.models.has(m));
      if (unknown.length) throw unprocessable('hub.model_unknown', { zh: '密钥限定的模型不存在。', en: 'The key names models that do not exist.' }, { details: { models: unknown } });
    }
    if (input.productId) {
      const prod = snap.products.get(input.productId);
      if (!prod || prod.kind === 'model') throw unprocessable('hub.product_not_found', { zh: '密钥只能绑定已登记的应用或智能体。', en: 'A key can only be bound to a registered app or agent.' });
    }
    const token = `zg_${randomToken(24)}`;
    const row = await this.db.transaction(async (tx) => {
      const [r] = await tx
        .insert(hubKeys)
        .values({ name: input.name, ownerType: input.ownerType, ownerId: input.ownerId, regionPath, module: input.module, productId: input.productId, gradeBand: input.gradeBand, models: input.models, prefix: token.slice(0, 10), keyHash: sha256(token), expiresAt: input.expiresAt ? new Date(input.expiresAt) : null, createdBy: p.userId })
        .returning();
      await this.audit.append({ actor: p, action: 'hub.key.create', resourceType: 'hub_key', resourceId: r.id, outcome: 'success', detail: { name: r.name, ownerType: r.ownerType, ownerId: r.ownerId, module: r.module, productId: r.productId, gradeBand: r.gradeBand }, ip: p.ip }, tx);
      return r;
    });
    await this.changed();
    return { ...this.presentKey(row), key: token };
  }

  /** A module's key, made at start for the platform's own modules (kept in memory; the previous one is revoked). */
  async issueModuleKey(module: string): Promise<string> {
    const token = `zg_${randomToken(24)}`;
    const root = this.places.tree.regions.find((r) => r.parentId === null)?.path ?? '/';
    await this.db.transaction(async (tx) => {
      await tx.update(hubKeys).set({ revokedAt: new Date() }).where(and(eq(hubKeys.ownerType, 'module'), eq(hubKeys.module, module), eq(hubKeys.name, `module:${module}`), isNull(hubKeys.revokedAt)));
      await tx.insert(hubKeys).values({ name: `module:${module}`, ownerType: 'module', ownerId: null, regionPath: root, module, gradeBand: 'adult', prefix: token.slice(0, 10), keyHash: sha256(token) });
    });
    await this.changed();
    return token;
  }

  async revokeKey(p: Principal, id: string): Promise<Out<typeof KeyInfo>> {
    const s = authorize(p, 'hub.key.manage', { type: 'hub_key', id });
    const row = await this.db.transaction(async (tx) => {
      const [k] = await tx.select().from(hubKeys).where(eq(hubKeys.id, id));
      if (!k || !this.keyInScope(s, k)) throw notFound('hub.key_not_found', { zh: '没有这个密钥。', en: 'No such key.' });
      if (k.revokedAt) return k;
      const [r] = await tx.update(hubKeys).set({ revokedAt: new Date() }).where(eq(hubKeys.id, id)).returning();
      await this.audit.append({ actor: p, action: 'hub.key.revoke', resourceType: 'hub_key', resourceId: id, outcome: 'success', ip: p.ip }, tx);
      return r;
    });
    await this.changed();
    return this.presentKey(row);
  }

  // ------------------------------------------------------------------ quotas

  private subjectInScope(s: AdminScope, type: string, id: string): boolean {
    const snap = this.rt.snapshot();
    if (s.global) return true;
    if (type === 'school') return this.places.inScopeSchool(s, id);
    if (type === 'region') return this.places.inScopeRegion(s, id);
    if (type === 'key') {
      const k = snap.keysById.get(id);
      return !!k && this.keyInScope(s, k);
    }
    return false; // products are quota'd region-wide by the operators
  }

  private subjectName(type: string, id: string): string {
    const snap = this.rt.snapshot();
    if (type === 'key') return snap.keysById.get(id)?.name ?? '—';
    if (type === 'product') return snap.products.get(id)?.name ?? '—';
    return this.places.name(id);
  }

  async listQuotas(p: Principal): Promise<Out<typeof Quota>[]> {
    const s = scopeOf(p, 'hub.quota.manage') ?? authorize(p, 'hub.usage.read');
    const rows = await this.db.select().from(hubQuotas).orderBy(desc(hubQuotas.createdAt));
    return rows
      .filter((q) => this.subjectInScope(s, q.subjectType, q.subjectId))
      .map((q) => ({
        id: q.id,
        subjectType: q.subjectType,
        subjectId: q.subjectId,
        subjectName: this.subjectName(q.subjectType, q.subjectId),
        period: q.period,
        tokenLimit: q.tokenLimit,
        rpm: q.rpm,
        requestId: q.requestId,
        startsAt: iso(q.startsAt),
        endsAt: iso(q.endsAt),
        used: this.rt.meter.used(q),
      }));
  }

  async createQuota(p: Principal, input: In<typeof QuotaInput>, extra: { requestId?: string; startsAt?: Date; endsAt?: Date } = {}): Promise<Out<typeof Quota>> {
    const s = authorize(p, 'hub.quota.manage');
    if (!this.subjectInScope(s, input.subjectType, input.subjectId))
      throw new AppError(403, 'hub.scope_outside', { zh: '不能为管辖范围以外的对象设置配额。', en: 'You cannot set quotas outside your scope.' });
    const [r] = await this.db.transaction(async (tx) => {
      const rows = await tx.insert(hubQuotas).values({ ...input, createdBy: p.userId, requestId: extra.requestId ?? null, startsAt: extra.startsAt ?? null, endsAt: extra.endsAt ?? null }).returning();
      await this.audit.append({ actor: p, action: 'hub.quota.create', resourceType: 'hub_quota', resourceId: rows[0].id, outcome: 'success', detail: input, ip: p.ip }, tx);
      return rows;
    });
    await this.rt.meter.loadQuotas();
    return (await this.listQuotas(p)).find((q) => q.id === r.id)!;
  }

  async deleteQuota(p: Principal, id: string): Promise<void> {
    const s = authorize(p, 'hub.quota.manage', { type: 'hub_quota', id });
    await this.db.transaction(async (tx) => {
      const [q] = await tx.select().from(hubQuotas).where(eq(hubQuotas.id, id));
      if (!q || !this.subjectInScope(s, q.subjectType, q.subjectId)) throw notFound('hub.quota_not_found', { zh: '没有这个配额。', en: 'No such quota.' });
      await tx.delete(hubQuotas).where(eq(hubQuotas.id, id));
      await this.audit.append({ actor: p, action: 'hub.quota.delete', resourceType: 'hub_quota', resourceId: id, outcome: 'success', ip: p.ip }, tx);
    });
    await this.rt.meter.loadQuotas();
  }

  // ------------------------------------------------------------------ compute requests (算力资源申请)

  async listComputeRequests(p: Principal): Promise<Out<typeof ComputeRequest>[]> {
    const s = scopeOf(p, 'hub.compute.decide') ?? scopeOf(p, 'hub.compute.request') ?? authorize(p, 'hub.usage.read');
    const rows = (await this.db.select().from(hubComputeRequests).orderBy(desc(hubComputeRequests.createdAt))).filter((r) => this.places.inScopeSchool(s, r.schoolId));
    return this.presentRequests(rows);
  }

  private async presentRequests(rows: (typeof hubComputeRequests.$inferSelect)[]): Promise<Out<typeof ComputeRequest>[]> {
    const users = await this.names(rows.flatMap((r) => [r.requesterId, ...(r.decidedBy ? [r.decidedBy] : [])]));
    const out: Out<typeof ComputeRequest>[] = [];
    for (const r of rows) {
      const since = new Date(`${r.startsOn}T00:00:00+08:00`);
      const [u] = await this.db
        .select({ tokens: sql<string>`coalesce(sum(${hubCalls.promptTokens} + ${hubCalls.completionTokens}), 0)`, calls: sql<string>`count(*)` })
        .from(hubCalls)
        .where(and(eq(hubCalls.schoolId, r.schoolId), sql`${hubCalls.at} >= ${since.toISOString()}`));
      out.push({
        id: r.id,
        schoolId: r.schoolId,
        schoolName: this.places.name(r.schoolId),
        requester: users.get(r.requesterId) ?? '—',
        scenario: r.scenario,
        needs: r.needs,
        modelIds: r.modelIds,
        startsOn: r.startsOn,
        days: r.days,
        monthlyTokens: r.monthlyTokens,
        rpm: r.rpm,
        status: r.status,
        decidedBy: r.decidedBy ? (users.get(r.decidedBy) ?? '—') : null,
        decidedAt: iso(r.decidedAt),
        decisionComment: r.decisionComment,
        quotaId: r.quotaId,
        usage: { tokens: Number(u?.tokens ?? 0), calls: Number(u?.calls ?? 0) },
        createdAt: r.createdAt.toISOString(),
      });
    }
    return out;
  }

  async submitComputeRequest(p: Principal, input: In<typeof ComputeRequestInput>): Promise<Out<typeof ComputeRequest>> {
    const s = authorize(p, 'hub.compute.request');
    if (!this.places.inScopeSchool(s, input.schoolId)) throw new AppError(403, 'hub.scope_outside', { zh: '只能为本校提交算力申请。', en: 'You can only request compute for your own school.' });
    const snap = this.rt.snapshot();
    const unknown = input.modelIds.filter((m) => !snap.modelsById.has(m));
    if (unknown.length) throw unprocessable('hub.model_not_found', { zh: '申请引用了不存在的模型。', en: 'The request names models that do not exist.' }, { details: { modelIds: unknown } });
    const row = await this.db.transaction(async (tx) => {
      const [r] = await tx.insert(hubComputeRequests).values({ ...input, requesterId: p.userId }).returning();
      await this.audit.append({ actor: p, action: 'hub.compute.request', resourceType: 'hub_compute_request', resourceId: r.id, outcome: 'success', detail: { schoolId: input.schoolId, monthlyTokens: input.monthlyTokens, rpm: input.rpm }, ip: p.ip }, tx);
      return r;
    });
    return (await this.presentRequests([row]))[0];
  }

  /** Approving provisions a monthly quota for the school for the requested period. */
  async decideComputeRequest(p: Principal, id: string, d: In<typeof ComputeDecision>): Promise<Out<typeof ComputeRequest>> {
    const s = authorize(p, 'hub.compute.decide', { type: 'hub_compute_request', id });
    const row = await this.db.transaction(async (tx) => {
      const [r] = await tx.select().from(hubComputeRequests).where(eq(hubComputeRequests.id, id)).for('update');
      if (!r || !this.places.inScopeSchool(s, r.schoolId)) throw notFound('hub.request_not_found', { zh: '没有这份算力申请。', en: 'No such compute request.' });
      if (r.status !== 'submitted') throw conflict('hub.request_decided', { zh: '这份申请已经处理过。', en: 'This request has already been decided.' });
      let quotaId: string | null = null;
      if (d.approve) {
        const startsAt = new Date(`${r.startsOn}T00:00:00+08:00`);
        const endsAt = new Date(startsAt.getTime() + r.days * 86_400_000);
        const [q] = await tx
          .insert(hubQuotas)
          .values({ subjectType: 'school', subjectId: r.schoolId, period: 'month', tokenLimit: r.monthlyTokens, rpm: r.rpm, requestId: r.id, startsAt, endsAt, createdBy: p.userId })
          .returning({ id: hubQuotas.id });
        quotaId = q.id;
      }
      const [u] = await tx
        .update(hubComputeRequests)
        .set({ status: d.approve ? 'approved' : 'rejected', decidedBy: p.userId, decidedAt: new Date(), decisionComment: d.comment, quotaId })
        .where(eq(hubComputeRequests.id, id))
        .returning();
      await this.audit.append({ actor: p, action: d.approve ? 'hub.compute.approve' : 'hub.compute.reject', resourceType: 'hub_compute_request', resourceId: id, outcome: 'success', detail: { quotaId, comment: d.comment }, ip: p.ip }, tx);
      return u;
    });
    await this.rt.meter.loadQuotas();
    return (await this.presentRequests([row]))[0];
  }

  // ------------------------------------------------------------------ guardrails

  async listLexicon(p: Principal): Promise<Out<typeof LexiconTerm>[]> {
    authorize(p, 'hub.registry.manage');
    const rows = await this.db.select().from(hubLexicon).orderBy(hubLexicon.category, hubLexicon.term);
    return rows.map((r) => ({ id: r.id, term: r.term, category: r.category, action: r.action, gradeBands: r.gradeBands }));
  }

  async addLexicon(p: Principal, input: In<typeof LexiconInput>): Promise<Out<typeof LexiconTerm>[]> {
    authorize(p, 'hub.registry.manage');
    const rows = await this.db.transaction(async (tx) => {
      const r = await tx.insert(hubLexicon).values(input.terms).returning();
      await this.audit.append({ actor: p, action: 'hub.lexicon.add', resourceType: 'hub_lexicon', outcome: 'success', detail: { count: r.length, categories: [...new Set(input.terms.map((t) => t.category))] }, ip: p.ip }, tx);
      return r;
    });
    await this.changed();
    return rows.map((r) => ({ id: r.id, term: r.term, category: r.category, action: r.action, gradeBands: r.gradeBands }));
  }

  async deleteLexicon(p: Principal, id: string): Promise<void> {
    authorize(p, 'hub.registry.manage');
    await this.db.transaction(async (tx) => {
      const [r] = await tx.delete(hubLexicon).where(eq(hubLexicon.id, id)).returning();
      if (!r) throw notFound('hub.term_not_found', { zh: '没有这个词条。', en: 'No such term.' });
      await this.audit.append({ actor: p, action: 'hub.lexicon.delete', resourceType: 'hub_lexicon', resourceId: id, outcome: 'success', detail: { term: r.term }, ip: p.ip }, tx);
    });
    await this.changed();
  }

  listPolicies(p: Principal): Out<typeof Policy>[] {
    authorize(p, 'hub.registry.read');
    return [...this.rt.snapshot().policies.values()].map((x) => ({ gradeBand: x.gradeBand as 'primary', maskPii: x.maskPii, restorePii: x.restorePii, scanInput: x.scanInput, scanOutput: x.scanOutput, retentionDays: x.retentionDays }));
  }

  async putPolicy(p: Principal, band: string, input: Omit<In<typeof Policy>, 'gradeBand'>): Promise<Out<typeof Policy>> {
    authorize(p, 'hub.registry.manage');
    await this.db.transaction(async (tx) => {
      await tx
        .insert(hubPolicies)
        .values({ gradeBand: band, ...input, updatedAt: new Date() })
        .onConflictDoUpdate({ target: hubPolicies.gradeBand, set: { ...input, updatedAt: new Date() } });
      await this.audit.append({ actor: p, action: 'hub.policy.update', resourceType: 'hub_policy', resourceId: null, scope: band, outcome: 'success', detail: input, ip: p.ip }, tx);
    });
    await this.changed();
    return { gradeBand: band as 'primary', ...input };
  }
}
