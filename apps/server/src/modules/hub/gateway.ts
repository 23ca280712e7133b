/**
 * The OpenAI-compatible gateway: /v1/chat/completions (plain and SSE), /v1/embeddings, /v1/models.
 *
 * One call: key → model → approval of the model (and of the key's app) for the key's school or
 * region and grade band → quota and rate → input guardrails (lexicon, PII masking with the
 * school's roster) → a node chosen by the scheduler (weighted least outstanding, breaker, fair
 * queue) → upstream, with failover to another node while nothing has reached the client → output
 * guardrails (lexicon, placeholders restored) → metering and the call log. Everything it needs is
 * in memory (the Snapshot); the database sees one batched insert per 200 ms of calls.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Pool } from 'undici';
import {
  NodeScheduler,
  PiiMasker,
  SchedulerError,
  createStreamRestorer,
  estimateChatTokens,
  estimateTokens,
  restorePii,
  type Lease,
  type LexiconHit,
  type NodeSpec,
  type PiiMasking,
} from '@zhijiao/engine';
import type { DataCipher } from '../../platform/crypto/index.js';
import { pickLang } from '../../platform/http/app.js';
import { Meter, type CallRow } from './meter.js';
import type { KeyRec, ModelRec, NodeRec, PolicyRec, Snapshot } from './state.js';

const MAX_ATTEMPTS = 3;
const UPSTREAM_TIMEOUT_MS = 300_000;
const QUEUE_TIMEOUT_MS = 30_000;
const MASKER_TTL_MS = 60_000;
const SEP = '\u0000\u0001';

interface Messages {
  zh: string;
  en: string;
}

/** A refusal or failure of the gateway, sent as problem+json with an OpenAI-style `error` too. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messages: Messages,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(messages.en);
  }
}

const E = {
  keyMissing: () => new GatewayError(401, 'hub.key_missing', { zh: '缺少接口密钥（Authorization: Bearer zg_…）。', en: 'Missing API key (Authorization: Bearer zg_…).' }),
  keyInvalid: () => new GatewayError(401, 'hub.key_invalid', { zh: '接口密钥无效或已撤销。', en: 'The API key is invalid or revoked.' }),
  keyExpired: () => new GatewayError(401, 'hub.key_expired', { zh: '接口密钥已过期。', en: 'The API key has expired.' }),
  modelUnknown: (m: string) =>
    new GatewayError(404, 'hub.model_unknown', { zh: `没有名为“${m}”的模型。`, en: `There is no model named "${m}".` }, { model: m }),
  wrongKind: (m: string, kind: string) =>
    new GatewayError(400, 'hub.model_wrong_kind', { zh: `模型“${m}”不支持此接口（它是 ${kind} 模型）。`, en: `Model "${m}" does not serve this endpoint (it is a ${kind} model).` }, { model: m }),
  keyModel: (m: string) =>
    new GatewayError(403, 'hub.model_not_allowed_for_key', { zh: `此密钥不能调用模型“${m}”。`, en: `This key may not call model "${m}".` }, { model: m }),
  notApproved: (code: string, m: string) =>
    new GatewayError(
      403,
      code,
      code === 'hub.approval_expired'
        ? { zh: `“${m}”在您学校或区域的准入审批已过期，请联系教育局重新审查。`, en: `The approval of "${m}" for your school or region has expired; ask the bureau to review it again.` }
        : code === 'hub.app_not_approved'
          ? { zh: '此密钥所属的应用未通过备案审查，或未获准在您的学校/学段使用。', en: 'The app this key belongs to is not registered and approved for your school or grade band.' }
          : { zh: `“${m}”未经备案审查，或未获准在您的学校/学段使用。未备案的 AI 不得进入校园。`, en: `"${m}" is not registered and approved for your school or grade band. No unregistered AI on campus.` },
      { model: m },
    ),
  blocked: (direction: 'input' | 'output', hits: LexiconHit[]) =>
    new GatewayError(
      400,
      direction === 'input' ? 'hub.content_blocked' : 'hub.output_blocked',
      direction === 'input'
        ? { zh: '请求内容未通过内容安全审查，已被拦截。', en: 'The request did not pass the content-safety check and was blocked.' }
        : { zh: '模型回复未通过内容安全审查，已被拦截。', en: "The model's reply did not pass the content-safety check and was blocked." },
      { categories: [...new Set(hits.filter((h) => h.action === 'block').map((h) => h.category))] },
    ),
  noNode: (m: string) =>
    new GatewayError(503, 'hub.no_node', { zh: `当前没有可用的算力节点提供“${m}”，请稍后再试。`, en: `No compute node is available for "${m}" right now; try again later.` }, { model: m }),
  busy: (m: string) =>
    new GatewayError(503, 'hub.overloaded', { zh: `“${m}”的算力节点繁忙，请稍后再试。`, en: `The compute nodes for "${m}" are busy; try again later.` }, { model: m }, { 'retry-after': '5' }),
  upstream: (status: number, detail: string) =>
    new GatewayError(502, 'hub.upstream_error', { zh: `上游模型服务出错（${status}）。`, en: `The upstream model service failed (${status}).` }, { upstreamStatus: status, upstreamDetail: detail.slice(0, 500) }),
  upstreamRejected: (status: number, detail: string) =>
    new GatewayError(status, 'hub.upstream_rejected', { zh: `上游模型服务拒绝了请求（${status}）。`, en: `The upstream model service rejected the request (${status}).` }, { upstreamStatus: status, upstreamDetail: detail.slice(0, 500) }),
};

function sendError(reply: FastifyReply, req: FastifyRequest, err: GatewayError) {
  const lang = pickLang(req.headers['accept-language']);
  const detail = lang === 'en' ? err.messages.en : err.messages.zh;
  return reply
    .status(err.status)
    .headers(err.headers)
    .type('application/problem+json; charset=utf-8')
    .send({
      type: `https://zhijiao.dev/problems/${err.code}`,
      title: err.code,
      status: err.status,
      code: err.code,
      detail,
      messages: { 'zh-CN': err.messages.zh, en: err.messages.en },
      ...err.extra,
      error: { message: detail, type: err.status === 429 ? 'rate_limit_error' : err.status >= 500 ? 'api_error' : 'invalid_request_error', code: err.code },
    });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The OpenAI `user` field names the person a call is for; only a platform user id (uuid) is kept in the call log. */
const platformUser = (user: unknown): string | null => (typeof user === 'string' && UUID.test(user) ? user.toLowerCase() : null);

interface Guard {
  masked: Record<string, number>;
  flags: string[];
  blocked?: string[];
}

/** One admitted call: who, under which policy, the model, and its log row being filled in. */
interface Call {
  t0: number;
  key: KeyRec;
  snap: Snapshot;
  policy: PolicyRec;
  guard: Guard;
  row: CallRow;
  model: ModelRec;
}
/** A call with its (masked) messages sent upstream and the placeholders to restore. */
interface Done extends Call {
  restore: ReadonlyMap<string, string> | null;
  messages: unknown[];
  payload: string;
}
type UpstreamResponse = Awaited<ReturnType<Pool['request']>>;
/** Returned by a `dispatch` reader: this node's response broke off, try another. */
const RETRY = Symbol('retry');

/** What the gateway reads from the rest of the hub. */
export interface GatewayDeps {
  snapshot: () => Snapshot;
  /** Reloads the snapshot (e.g. an unknown key that another process just created). */
  refresh: () => Promise<void>;
  meter: Meter;
  scheduler: NodeScheduler;
  cipher: DataCipher;
  rosterTerms: (schoolId: string) => Promise<{ names: string[]; studentNos: string[] }>;
  log: Logger;
  now?: () => number;
}

export class Gateway {
  private pools = new Map<string, { baseUrl: string; pool: Pool; path: string }>();
  private maskers = new Map<string, { masker: PiiMasker; at: number; loading?: Promise<PiiMasker> }>();
  private readonly plainMasker = new PiiMasker();
  private lastRefresh = 0;
  private readonly now: () => number;

  constructor(private readonly d: GatewayDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Keeps the scheduler's view of nodes in step with the snapshot. */
  syncNodes(snap: Snapshot): void {
    const byModel = new Map<string, NodeSpec[]>();
    for (const m of snap.modelsById.values()) {
      const specs: NodeSpec[] = [];
      for (const nodeId of m.upstream.keys()) {
        const n = snap.nodes.get(nodeId);
        if (n?.enabled) specs.push({ id: n.id, weight: n.weight, maxConcurrency: n.maxConcurrency });
      }
      byModel.set(m.id, specs);
    }
    this.d.scheduler.setNodes(byModel);
    for (const n of snap.nodes.values()) this.d.scheduler.setHealth(n.id, n.enabled && n.status !== 'down');
    for (const [id, p] of this.pools)
      if (snap.nodes.get(id)?.baseUrl !== p.baseUrl) {
        void p.pool.close().catch(() => undefined);
        this.pools.delete(id);
      }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.pool.close().catch(() => undefined)));
    this.pools.clear();
  }

  pool(node: NodeRec): { pool: Pool; path: string } {
    let p = this.pools.get(node.id);
    if (!p) {
      const u = new URL(node.baseUrl);
      p = {
        baseUrl: node.baseUrl,
        pool: new Pool(u.origin, { connections: Math.max(1, node.maxConcurrency), keepAliveTimeout: 30_000, headersTimeout: UPSTREAM_TIMEOUT_MS, bodyTimeout: UPSTREAM_TIMEOUT_MS }),
        path: u.pathname.replace(/\/+$/, ''),
      };
      this.pools.set(node.id, p);
    }
    return p;
  }

  // ---------------------------------------------------------------- authentication

  async keyOf(req: FastifyRequest): Promise<KeyRec> {
    const h = req.headers.authorization;
    if (!h || !h.startsWith('Bearer ')) throw E.keyMissing();
    const token = h.slice(7).trim();
    if (!token.startsWith('zg_')) throw E.keyInvalid();
    const hash = createHash('sha256').update(token).digest('hex');
    let key = this.d.snapshot().keysByHash.get(hash);
    if (!key && this.now() - this.lastRefresh > 1000) {
      this.lastRefresh = this.now();
      await this.d.refresh();
      key = this.d.snapshot().keysByHash.get(hash);
    }
    if (!key || key.revoked) throw E.keyInvalid();
    if (key.expiresAt !== null && key.expiresAt <= this.now()) throw E.keyExpired();
    return key;
  }

  private async masker(key: KeyRec): Promise<PiiMasker> {
    if (!key.schoolId) return this.plainMasker;
    const schoolId = key.schoolId;
    const c = this.maskers.get(schoolId);
    const fresh = c && this.now() - c.at < MASKER_TTL_MS;
    if (c && fresh) return c.masker;
    const load = () => {
      const p = this.d.rosterTerms(schoolId).then((t) => {
        const masker = new PiiMasker(t);
        this.maskers.set(schoolId, { masker, at: this.now() });
        return masker;
      });
      return p;
    };
    if (c) {
      // Stale: serve the old roster while a new one loads.
      if (!c.loading) c.loading = load().catch((err: unknown) => (this.d.log.error({ err }, 'roster for masking failed'), c.masker));
      return c.masker;
    }
    return load();
  }

  /** Drops a school's cached roster (after a roster import). */
  forgetRoster(schoolId?: string): void {
    if (schoolId) this.maskers.delete(schoolId);
    else this.maskers.clear();
  }

  // ---------------------------------------------------------------- shared steps

  private admitModel(snap: Snapshot, key: KeyRec, name: unknown, kind: 'chat' | 'embedding'): ModelRec {
    const model = typeof name === 'string' ? snap.models.get(name) : undefined;
    if (!model) throw E.modelUnknown(String(name));
    if (model.kind !== kind) throw E.wrongKind(model.name, model.kind);
    if (key.models && !key.models.has(model.name)) throw E.keyModel(model.name);
    const v = snap.mayUse(model, key, this.now());
    if (!v.ok) throw E.notApproved(v.code, model.name);
    return model;
  }

  private admitQuota(subjects: string[]) {
    const b = this.d.meter.admit(subjects);
    if (!b) return;
    const [type] = b.quota.subjectType === 'key' ? ['密钥'] : b.quota.subjectType === 'school' ? ['学校'] : b.quota.subjectType === 'product' ? ['应用'] : ['区域'];
    throw new GatewayError(
      429,
      b.code,
      b.code === 'hub.quota_exceeded'
        ? { zh: `${type}的 token 配额已用完（${b.quota.period === 'day' ? '本日' : '本月'}上限 ${b.quota.tokenLimit}）。`, en: `The ${b.quota.subjectType}'s token quota is used up (limit ${b.quota.tokenLimit} per ${b.quota.period}).` }
        : { zh: `请求过于频繁（每分钟上限 ${b.quota.rpm} 次），请稍后再试。`, en: `Too many requests (limit ${b.quota.rpm} per minute); try again shortly.` },
      { quotaId: b.quota.id, limit: b.code === 'hub.quota_exceeded' ? b.quota.tokenLimit : b.quota.rpm, used: b.used, retryAfter: b.retryAfterS },
      { 'retry-after': String(b.retryAfterS) },
    );
  }

  /** Lexicon scan and PII masking of every text part of the messages, in one pass with one placeholder numbering. */
  private guardInput(snap: Snapshot, policy: PolicyRec, masker: PiiMasker | null, texts: string[], guard: Guard): { texts: string[]; masking: PiiMasking | null } {
    if (texts.length === 0) return { texts, masking: null };
    const joined = texts.length === 1 ? texts[0] : texts.join(SEP);
    if (policy.scanInput && snap.lexicon.size > 0) {
      const scan = snap.lexicon.scan(joined, policy.gradeBand);
      if (scan.hits.length) guard.flags.push(...new Set(scan.hits.map((h) => `${h.action}:${h.category}`)));
      if (scan.action === 'block') {
        guard.blocked = ['input'];
        throw E.blocked('input', scan.hits);
      }
    }
    if (!masker) return { texts, masking: null };
    const m = masker.mask(joined);
    if (m.map.size === 0) return { texts, masking: null };
    for (const [k, v] of Object.entries(m.counts)) if (v) guard.masked[k] = v;
    return { texts: texts.length === 1 ? [m.text] : m.text.split(SEP), masking: m };
  }

  private tenantOf(key: KeyRec): string {
    return key.schoolId ?? key.ownerId ?? key.module ?? key.id;
  }

  private async lease(model: ModelRec, key: KeyRec, exclude: Set<string>): Promise<Lease> {
    try {
      return await this.d.scheduler.acquire(model.id, this.tenantOf(key), { exclude, timeoutMs: QUEUE_TIMEOUT_MS });
    } catch (err) {
      if (err instanceof SchedulerError) throw err.code === 'no_node' ? E.noNode(model.name) : E.busy(model.name);
      throw err;
    }
  }

  private baseRow(key: KeyRec, endpoint: string, modelName: string, model: ModelRec | null, stream: boolean): CallRow {
    return {
      at: new Date(this.now()),
      keyId: key.id,
      ownerType: key.ownerType,
      schoolId: key.schoolId,
      regionPath: key.regionPath,
      productId: key.productId,
      modelId: model?.id ?? null,
      modelName,
      nodeId: null,
      endpoint,
      stream,
      status: 200,
      outcome: 'ok',
      latencyMs: 0,
      guardrails: {},
    };
  }

  private finish(row: CallRow, t0: number, guard: Guard, model: ModelRec | null, key: KeyRec, content: string | null, policy: PolicyRec) {
    row.latencyMs = Math.round(performance.now() - t0);
    row.guardrails = guard.flags.length || guard.blocked || Object.keys(guard.masked).length ? { masked: guard.masked, flags: guard.flags, ...(guard.blocked ? { blocked: guard.blocked } : {}) } : {};
    if (model) row.costMicroFen = (row.promptTokens ?? 0) * model.promptPrice + (row.completionTokens ?? 0) * model.completionPrice;
    if (content !== null) {
      row.contentEnc = this.d.cipher.encrypt(content).toString('base64');
      row.retainUntil = new Date(this.now() + policy.retentionDays * 86_400_000);
    }
    this.d.meter.record(row, Meter.subjectsOf(key));
  }

  // ---------------------------------------------------------------- /v1/models

  async models(req: FastifyRequest, reply: FastifyReply) {
    try {
      const key = await this.keyOf(req);
      const snap = this.d.snapshot();
      const now = this.now();
      const data = [...snap.models.values()]
        .filter((m) => (!key.models || key.models.has(m.name)) && snap.mayUse(m, key, now).ok)
        .map((m) => ({ id: m.name, object: 'model', created: 0, owned_by: 'zhijiao-hub', kind: m.kind }));
      return reply.send({ object: 'list', data });
    } catch (err) {
      if (err instanceof GatewayError) return sendError(reply, req, err);
      throw err;
    }
  }

  // ---------------------------------------------------------------- the steps every call takes

  /**
   * Key, model, approval and quota, then `work`; a refusal or failure is logged and sent as
   * problem+json. `work` sends the reply itself.
   */
  private async call(req: FastifyRequest, reply: FastifyReply, endpoint: 'chat' | 'embeddings', stream: boolean, work: (c: Call) => Promise<unknown>) {
    const t0 = performance.now();
    const name = (req.body as { model: string }).model;
    let key: KeyRec;
    try {
      key = await this.keyOf(req);
    } catch (err) {
      if (err instanceof GatewayError) return sendError(reply, req, err);
      throw err;
    }
    const snap = this.d.snapshot();
    const policy = snap.policy(key.gradeBand);
    const guard: Guard = { masked: {}, flags: [] };
    const row = this.baseRow(key, endpoint, String(name), snap.models.get(name) ?? null, stream);
    row.userId = platformUser((req.body as { user?: unknown }).user);
    let model: ModelRec | null = null;
    try {
      model = this.admitModel(snap, key, name, endpoint === 'chat' ? 'chat' : 'embedding');
      this.admitQuota(Meter.subjectsOf(key));
      return await work({ t0, key, snap, policy, guard, row, model });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      row.status = err.status;
      row.outcome = err.code.endsWith('_blocked') ? 'blocked' : err.status >= 500 ? 'error' : 'refused';
      row.errorCode = err.code;
      this.finish(row, t0, guard, model, key, null, policy);
      return sendError(reply, req, err);
    }
  }

  /**
   * Sends to the scheduler's node and fails over: connection errors, 5xx and 429 go to another
   * node (up to MAX_ATTEMPTS), as does a response `use` cannot read (it then returns RETRY after
   * releasing the lease as a failure). A 4xx is final.
   */
  private async dispatch<T>(
    c: Call,
    path: string,
    payloadFor: (upstreamModel: string) => string,
    use: (res: UpstreamResponse, lease: Lease, payload: string) => Promise<T | typeof RETRY>,
  ): Promise<T> {
    const exclude = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      c.row.attempts = attempt;
      const lease = await this.lease(c.model, c.key, exclude);
      const node = c.snap.nodes.get(lease.nodeId);
      const upstreamModel = c.model.upstream.get(lease.nodeId);
      if (!node || !upstreamModel) {
        // The scheduler's view is newer than this call's snapshot: try another node.
        lease.release('neutral');
        exclude.add(lease.nodeId);
        continue;
      }
      c.row.nodeId = node.id;
      const payload = payloadFor(upstreamModel);
      const out = await this.send(node, path, payload, lease);
      if (out.kind === 'error') throw out.error;
      if (out.kind === 'ok') {
        const r = await use(out.res, lease, payload);
        if (r !== RETRY) return r;
      }
      exclude.add(node.id);
      if (attempt >= MAX_ATTEMPTS) throw out.kind === 'retry' ? out.error : E.upstream(0, 'the upstream response broke off');
    }
  }

  // ---------------------------------------------------------------- /v1/chat/completions

  async chat(req: FastifyRequest, reply: FastifyReply) {
    const body = req.body as { model: string; messages: { role: string; content?: unknown }[]; stream?: boolean; stream_options?: { include_usage?: boolean } } & Record<string, unknown>;
    const stream = body.stream === true;
    return this.call(req, reply, 'chat', stream, async (c) => {
      // Collect every text the caller sends (string contents and text parts).
      const texts: string[] = [];
      for (const m of body.messages) {
        if (typeof m.content === 'string') texts.push(m.content);
        else if (Array.isArray(m.content)) for (const p of m.content as { type: string; text?: unknown }[]) if (p.type === 'text' && typeof p.text === 'string') texts.push(p.text);
      }
      const masker = c.policy.maskPii ? await this.masker(c.key) : null;
      const g = this.guardInput(c.snap, c.policy, masker, texts, c.guard);
      let messages = body.messages;
      if (g.masking) {
        let i = 0;
        messages = body.messages.map((m) => {
          if (typeof m.content === 'string') return { ...m, content: g.texts[i++] };
          if (Array.isArray(m.content))
            return { ...m, content: (m.content as { type: string; text?: unknown }[]).map((p) => (p.type === 'text' && typeof p.text === 'string' ? { ...p, text: g.texts[i++] } : p)) };
          return m;
        });
      }
      const restore = g.masking && c.policy.restorePii ? g.masking.map : null;
      const wantsUsage = body.stream_options?.include_usage === true;
      const payloadFor = (upstreamModel: string) =>
        JSON.stringify({ ...body, model: upstreamModel, messages, ...(stream ? { stream_options: { ...(body.stream_options ?? {}), include_usage: true } } : {}) });
      return this.dispatch(c, '/chat/completions', payloadFor, async (res, lease, payload) => {
        const done = { ...c, restore, messages, payload };
        if (!stream) {
          let text: string;
          try {
            text = await res.body.text();
          } catch {
            lease.release('failure');
            return RETRY;
          }
          lease.release('success');
          return this.completeJson(reply, text, done);
        }
        // Streaming: wait for the first bytes before committing to the client, so a node that dies now is retried.
        res.body.setEncoding('utf8');
        const it = res.body[Symbol.asyncIterator]() as AsyncIterator<string>;
        let first: IteratorResult<string>;
        try {
          first = await it.next();
        } catch {
          lease.release('failure');
          return RETRY;
        }
        return this.pipeStream(reply, req, it, first, res.body, lease, { ...done, wantsUsage });
      });
    });
  }

  /** One upstream request on a leased node: a response to use, a failure worth retrying elsewhere, or a final error. */
  private async send(
    node: NodeRec,
    path: string,
    payload: string,
    lease: Lease,
  ): Promise<{ kind: 'ok'; res: UpstreamResponse } | { kind: 'retry'; error: GatewayError } | { kind: 'error'; error: GatewayError }> {
    const p = this.pool(node);
    let res: UpstreamResponse;
    try {
      res = await p.pool.request({
        path: p.path + path,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(node.credential ? { authorization: `Bearer ${node.credential}` } : {}) },
        body: payload,
      });
    } catch (err) {
      lease.release('failure');
      return { kind: 'retry', error: E.upstream(0, (err as Error).message ?? String(err)) };
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return { kind: 'ok', res };
    const detail = await res.body.text().catch(() => '');
    if (res.statusCode >= 500 || res.statusCode === 429) {
      lease.release(res.statusCode === 429 ? 'neutral' : 'failure');
      return { kind: 'retry', error: E.upstream(res.statusCode, detail) };
    }
    lease.release('neutral');
    return { kind: 'error', error: E.upstreamRejected(res.statusCode, detail) };
  }

  private completeJson(reply: FastifyReply, text: string, c: Done) {
    const snap = c.snap;
    let json: { choices?: { message?: { content?: unknown } }[]; usage?: { prompt_tokens?: number; completion_tokens?: number } };
    try {
      json = JSON.parse(text);
    } catch {
      throw E.upstream(200, 'malformed JSON from upstream');
    }
    let reply_ = '';
    for (const ch of json.choices ?? []) if (typeof ch.message?.content === 'string') reply_ += ch.message.content;
    this.usage(c.row, json.usage, c.messages, reply_);
    if (c.policy.scanOutput && snap.lexicon.size > 0 && reply_) {
      const scan = snap.lexicon.scan(reply_, c.policy.gradeBand);
      if (scan.hits.length) c.guard.flags.push(...new Set(scan.hits.map((h) => `out:${h.action}:${h.category}`)));
      if (scan.action === 'block') {
        c.guard.blocked = ['output'];
        throw E.blocked('output', scan.hits);
      }
    }
    let out = text;
    if (c.restore) {
      let changed = false;
      for (const ch of json.choices ?? [])
        if (ch.message && typeof ch.message.content === 'string') {
          const r = restorePii(ch.message.content, c.restore);
          if (r !== ch.message.content) {
            ch.message.content = r;
            changed = true;
          }
        }
      if (changed) out = JSON.stringify(json);
    }
    this.finish(c.row, c.t0, c.guard, c.model, c.key, `{"request":${c.payload},"reply":${JSON.stringify(reply_)}}`, c.policy);
    return reply.type('application/json; charset=utf-8').send(out);
  }

  private usage(row: CallRow, usage: { prompt_tokens?: number; completion_tokens?: number } | undefined | null, messages: unknown[], completion: string) {
    if (usage && typeof usage.prompt_tokens === 'number') {
      row.promptTokens = usage.prompt_tokens;
      row.completionTokens = typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0;
      row.usageEstimated = false;
    } else {
      row.promptTokens = estimateChatTokens(messages as { role: string; content?: unknown }[]);
      row.completionTokens = estimateTokens(completion);
      row.usageEstimated = true;
    }
  }

  /** Passes the upstream's SSE through, event by event: placeholders restored, output scanned, usage taken from the stream. */
  private async pipeStream(
    reply: FastifyReply,
    req: FastifyRequest,
    it: AsyncIterator<string>,
    first: IteratorResult<string>,
    upstream: NodeJS.ReadableStream & { destroy(err?: Error): void },
    lease: Lease,
    c: Done & { wantsUsage: boolean },
  ) {
    const snap = c.snap;
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const restorer = c.restore ? createStreamRestorer(c.restore) : null;
    const scanOut = c.policy.scanOutput && snap.lexicon.size > 0;
    let completion = '';
    let usage: { prompt_tokens?: number; completion_tokens?: number } | null = null;
    let pending = '';
    let done = false;
    let blocked: LexiconHit[] | null = null;
    let clientGone = false;
    const onClose = () => {
      if (!raw.writableFinished) clientGone = true;
    };
    raw.on('close', onClose);
    let lastTemplate: Record<string, unknown> | null = null;

    const handleEvent = (block: string) => {
      // An SSE event: one or more "data:" lines (other fields pass through untouched).
      let data = '';
      for (const line of block.split('\n')) if (line.startsWith('data:')) data += line.slice(line[5] === ' ' ? 6 : 5);
      if (!data) return raw.write(block + '\n\n');
      if (data === '[DONE]') {
        done = true;
        return;
      }
      let ev: { choices?: { delta?: { content?: unknown } }[]; usage?: typeof usage };
      try {
        ev = JSON.parse(data);
      } catch {
        return raw.write(block + '\n\n');
      }
      if (ev.usage) usage = ev.usage;
      const choices = ev.choices ?? [];
      if (choices.length === 0) {
        if (c.wantsUsage) raw.write(block + '\n\n');
        return;
      }
      if (!c.wantsUsage && ev.usage) delete ev.usage;
      const delta = choices[0].delta;
      const piece = typeof delta?.content === 'string' ? delta.content : '';
      if (piece) {
        if (scanOut) {
          const window = completion.slice(-32) + piece;
          const scan = snap.lexicon.scan(window, c.policy.gradeBand);
          const fresh = scan.hits.filter((h) => h.end > window.length - piece.length);
          if (fresh.length) c.guard.flags.push(...new Set(fresh.map((h) => `out:${h.action}:${h.category}`)));
          if (fresh.some((h) => h.action === 'block')) {
            blocked = fresh;
            return;
          }
        }
        completion += piece;
        lastTemplate = ev as Record<string, unknown>;
        if (restorer) {
          const out = restorer.push(piece);
          if (out !== piece) {
            delta!.content = out;
            return raw.write(`data: ${JSON.stringify(ev)}\n\n`);
          }
        }
      }
      if (!c.wantsUsage && ev.usage === undefined && data.includes('"usage"')) return raw.write(`data: ${JSON.stringify(ev)}\n\n`);
      return raw.write(block + '\n\n');
    };

    let outcome: 'success' | 'failure' | 'neutral' = 'success';
    try {
      let r = first;
      while (!r.done && !blocked && !clientGone) {
        pending += r.value.includes('\r') ? r.value.replace(/\r\n/g, '\n') : r.value;
        let cut: number;
        while ((cut = pending.indexOf('\n\n')) >= 0 && !blocked) {
          const block = pending.slice(0, cut);
          pending = pending.slice(cut + 2);
          if (block) handleEvent(block);
        }
        if (done || blocked) break;
        r = await it.next();
      }
      if (pending.trim() && !blocked && !done) handleEvent(pending.trim());
    } catch (err) {
      outcome = 'failure';
      c.row.status = 502;
      c.row.outcome = 'error';
      c.row.errorCode = 'hub.upstream_error';
      this.d.log.warn({ err, node: c.row.nodeId }, 'upstream stream broke');
    }
    if (blocked || clientGone || outcome === 'failure') upstream.destroy();
    if (clientGone && outcome === 'success') outcome = 'neutral';
    lease.release(outcome);
    if (restorer) {
      const rest = restorer.flush();
      if (rest && lastTemplate && !blocked) {
        const ev = lastTemplate as { choices: { delta: { content?: string } ; finish_reason?: unknown }[] };
        ev.choices = [{ ...ev.choices[0], delta: { content: rest }, finish_reason: null }];
        raw.write(`data: ${JSON.stringify(ev)}\n\n`);
      }
    }
    if (blocked) {
      c.guard.blocked = ['output'];
      const e = E.blocked('output', blocked);
      c.row.outcome = 'blocked';
      c.row.errorCode = e.code;
      const lang = pickLang(req.headers['accept-language']);
      raw.write(`data: ${JSON.stringify({ error: { message: lang === 'en' ? e.messages.en : e.messages.zh, type: 'content_filter', code: e.code } })}\n\n`);
    } else if (outcome === 'failure') {
      raw.write(`data: ${JSON.stringify({ error: { message: 'upstream stream broke', type: 'api_error', code: 'hub.upstream_error' } })}\n\n`);
    }
    if (!clientGone) raw.end('data: [DONE]\n\n');
    raw.off('close', onClose);
    this.usage(c.row, usage, c.messages, completion);
    this.finish(c.row, c.t0, c.guard, c.model, c.key, `{"request":${c.payload},"reply":${JSON.stringify(completion)}}`, c.policy);
  }

  // ---------------------------------------------------------------- /v1/embeddings

  async embeddings(req: FastifyRequest, reply: FastifyReply) {
    const body = req.body as { model: string; input: unknown } & Record<string, unknown>;
    return this.call(req, reply, 'embeddings', false, async (c) => {
      let input = body.input;
      const texts = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((x) => typeof x === 'string') ? (input as string[]) : [];
      const masker = c.policy.maskPii ? await this.masker(c.key) : null;
      const g = this.guardInput(c.snap, c.policy, masker, texts, c.guard);
      if (g.masking) input = typeof input === 'string' ? g.texts[0] : g.texts;
      return this.dispatch(c, '/embeddings', (upstreamModel) => JSON.stringify({ ...body, model: upstreamModel, input }), async (res, lease) => {
        let text: string;
        try {
          text = await res.body.text();
        } catch {
          lease.release('failure');
          return RETRY;
        }
        lease.release('success');
        let usage: { prompt_tokens?: number } | undefined;
        try {
          usage = (JSON.parse(text) as { usage?: { prompt_tokens?: number } }).usage;
        } catch {
          throw E.upstream(200, 'malformed JSON from upstream');
        }
        c.row.promptTokens = typeof usage?.prompt_tokens === 'number' ? usage.prompt_tokens : texts.reduce((sum, t) => sum + estimateTokens(t), 0);
        c.row.usageEstimated = typeof usage?.prompt_tokens !== 'number';
        this.finish(c.row, c.t0, c.guard, c.model, c.key, null, c.policy);
        return reply.type('application/json; charset=utf-8').send(text);
      });
    });
  }
}
