/**
 * Usage dashboards, monthly statements (pay-per-use, per school and per region node, exportable as
 * xlsx) and the call log, each within the caller's scope. Costs are summed as integer micro-fen and
 * rounded to 分 once, so a statement equals the sum of its calls.
 */
import ExcelJS from 'exceljs';
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { DataCipher } from '../../platform/crypto/index.js';
import type { Db } from '../../platform/db/index.js';
import { notFound, unprocessable } from '../../platform/http/errors.js';
import { callScope } from './meter.js';
import { authorize } from './policies.js';
import type { CallEntry, Statement, Usage } from './schema.js';
import type { Snapshot } from './state.js';
import { hubCalls } from './tables.js';

type Out<T extends z.ZodType> = z.output<T>;
const fen = (microFen: number) => Math.round(microFen / 1e6 * 100) / 100;
const CN = "'Asia/Shanghai'";

export class HubReports {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly cipher: DataCipher,
    private readonly snapshot: () => Snapshot,
    private readonly flush: () => Promise<void>,
  ) {}

  private scopeWhere(p: Principal, schoolId?: string): SQL | undefined {
    const s = authorize(p, 'hub.usage.read');
    const snap = this.snapshot();
    const parts: (SQL | undefined)[] = [callScope(snap.places.filterOf(s))];
    if (schoolId) {
      if (!snap.places.inScopeSchool(s, schoolId)) parts.push(sql`false`);
      parts.push(eq(hubCalls.schoolId, schoolId));
    }
    return and(...parts);
  }

  async usage(p: Principal, q: { from: string; to: string; schoolId?: string }): Promise<Out<typeof Usage>> {
    const from = new Date(`${q.from}T00:00:00+08:00`);
    const to = new Date(new Date(`${q.to}T00:00:00+08:00`).getTime() + 86_400_000);
    if (!(from < to) || to.getTime() - from.getTime() > 400 * 86_400_000)
      throw unprocessable('hub.range_invalid', { zh: '日期范围无效（最长 400 天）。', en: 'The date range is invalid (at most 400 days).' });
    await this.flush();
    const where = and(this.scopeWhere(p, q.schoolId), gte(hubCalls.at, from), lt(hubCalls.at, to));
    const day = sql<string>`to_char(${hubCalls.at} at time zone ${sql.raw(CN)}, 'YYYY-MM-DD')`;
    const rows = await this.db
      .select({
        day,
        model: hubCalls.modelName,
        calls: sql<string>`count(*)`,
        prompt: sql<string>`coalesce(sum(${hubCalls.promptTokens}), 0)`,
        completion: sql<string>`coalesce(sum(${hubCalls.completionTokens}), 0)`,
        cost: sql<string>`coalesce(sum(${hubCalls.costMicroFen}), 0)`,
        blocked: sql<string>`count(*) filter (where ${hubCalls.outcome} = 'blocked')`,
        errors: sql<string>`count(*) filter (where ${hubCalls.outcome} = 'error')`,
      })
      .from(hubCalls)
      .where(where)
      .groupBy(day, hubCalls.modelName)
      .orderBy(day, hubCalls.modelName);
    const [lat] = await this.db
      .select({
        p50: sql<number | null>`percentile_cont(0.5) within group (order by ${hubCalls.latencyMs})`,
        p95: sql<number | null>`percentile_cont(0.95) within group (order by ${hubCalls.latencyMs})`,
      })
      .from(hubCalls)
      .where(and(where, eq(hubCalls.outcome, 'ok')));
    const bySchoolRows = await this.db
      .select({
        schoolId: hubCalls.schoolId,
        calls: sql<string>`count(*)`,
        tokens: sql<string>`coalesce(sum(${hubCalls.promptTokens} + ${hubCalls.completionTokens}), 0)`,
        cost: sql<string>`coalesce(sum(${hubCalls.costMicroFen}), 0)`,
      })
      .from(hubCalls)
      .where(where)
      .groupBy(hubCalls.schoolId);
    const snap = this.snapshot();
    const out = rows.map((r) => ({
      day: r.day,
      model: r.model,
      calls: Number(r.calls),
      promptTokens: Number(r.prompt),
      completionTokens: Number(r.completion),
      costFen: fen(Number(r.cost)),
      blocked: Number(r.blocked),
      errors: Number(r.errors),
    }));
    const totalCost = rows.reduce((s, r) => s + Number(r.cost), 0);
    return {
      from: q.from,
      to: q.to,
      rows: out,
      totals: {
        calls: out.reduce((s, r) => s + r.calls, 0),
        promptTokens: out.reduce((s, r) => s + r.promptTokens, 0),
        completionTokens: out.reduce((s, r) => s + r.completionTokens, 0),
        costFen: fen(totalCost),
        p50LatencyMs: lat?.p50 === null || lat?.p50 === undefined ? null : Number(lat.p50),
        p95LatencyMs: lat?.p95 === null || lat?.p95 === undefined ? null : Number(lat.p95),
      },
      bySchool: bySchoolRows
        .map((r) => ({ schoolId: r.schoolId, name: r.schoolId ? snap.places.name(r.schoolId) : '区域/平台', calls: Number(r.calls), tokens: Number(r.tokens), costFen: fen(Number(r.cost)) }))
        .sort((a, b) => b.tokens - a.tokens),
    };
  }

  async statement(p: Principal, month: string): Promise<Out<typeof Statement>> {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw unprocessable('hub.month_invalid', { zh: '月份格式应为 YYYY-MM。', en: 'The month must be YYYY-MM.' });
    const from = new Date(`${month}-01T00:00:00+08:00`);
    const [y, m] = month.split('-').map(Number);
    const to = new Date(`${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01T00:00:00+08:00`);
    await this.flush();
    const rows = await this.db
      .select({
        schoolId: hubCalls.schoolId,
        regionPath: hubCalls.regionPath,
        model: hubCalls.modelName,
        calls: sql<string>`count(*)`,
        prompt: sql<string>`coalesce(sum(${hubCalls.promptTokens}), 0)`,
        completion: sql<string>`coalesce(sum(${hubCalls.completionTokens}), 0)`,
        cost: sql<string>`coalesce(sum(${hubCalls.costMicroFen}), 0)`,
      })
      .from(hubCalls)
      .where(and(this.scopeWhere(p), gte(hubCalls.at, from), lt(hubCalls.at, to)))
      .groupBy(hubCalls.schoolId, hubCalls.regionPath, hubCalls.modelName);
    const places = this.snapshot().places;
    const merged = new Map<string, { schoolId: string | null; path: string; model: string; calls: number; prompt: number; completion: number; cost: number }>();
    for (const r of rows) {
      const k = `${r.schoolId ?? r.regionPath}|${r.model}`;
      const e = merged.get(k) ?? { schoolId: r.schoolId, path: r.regionPath, model: r.model, calls: 0, prompt: 0, completion: 0, cost: 0 };
      e.calls += Number(r.calls);
      e.prompt += Number(r.prompt);
      e.completion += Number(r.completion);
      e.cost += Number(r.cost);
      merged.set(k, e);
    }
    const lastRegion = (path: string) => places.regionsOnPath(path).at(-1) ?? '';
    const lines = [...merged.values()]
      .map((e) => ({
        schoolId: e.schoolId,
        name: e.schoolId ? places.name(e.schoolId) : `${places.name(lastRegion(e.path))}（区域/平台）`,
        regionName: places.name(lastRegion(e.path)),
        model: e.model,
        calls: e.calls,
        promptTokens: e.prompt,
        completionTokens: e.completion,
        costFen: fen(e.cost),
        _cost: e.cost,
        _path: e.path,
      }))
      .sort((a, b) => a.regionName.localeCompare(b.regionName, 'zh') || a.name.localeCompare(b.name, 'zh') || a.model.localeCompare(b.model));
    // Every region node on a line's path gets its cost: a county, its city and the province.
    const byRegion = new Map<string, { calls: number; tokens: number; cost: number }>();
    for (const l of lines)
      for (const r of places.regionsOnPath(l._path)) {
        const e = byRegion.get(r) ?? { calls: 0, tokens: 0, cost: 0 };
        e.calls += l.calls;
        e.tokens += l.promptTokens + l.completionTokens;
        e.cost += l._cost;
        byRegion.set(r, e);
      }
    const totalCost = lines.reduce((s, l) => s + l._cost, 0);
    return {
      month,
      lines: lines.map(({ _cost, _path, ...l }) => l),
      byRegion: [...byRegion.entries()]
        .map(([id, e]) => ({ regionId: id, name: places.name(id), level: places.level.get(id) ?? '', calls: e.calls, tokens: e.tokens, costFen: fen(e.cost) }))
        .sort((a, b) => (places.regionPath.get(a.regionId) ?? '').localeCompare(places.regionPath.get(b.regionId) ?? '')),
      total: { calls: lines.reduce((s, l) => s + l.calls, 0), tokens: lines.reduce((s, l) => s + l.promptTokens + l.completionTokens, 0), costFen: fen(totalCost) },
    };
  }

  async statementXlsx(p: Principal, month: string): Promise<Buffer> {
    const st = await this.statement(p, month);
    const wb = new ExcelJS.Workbook();
    wb.creator = 'Zhijiao 智教';
    const ws = wb.addWorksheet(`账单 ${month}`);
    ws.columns = [
      { header: '学校/单位', key: 'name', width: 28 },
      { header: '所属区域', key: 'region', width: 16 },
      { header: '模型', key: 'model', width: 20 },
      { header: '调用次数', key: 'calls', width: 12 },
      { header: '输入 tokens', key: 'prompt', width: 14 },
      { header: '输出 tokens', key: 'completion', width: 14 },
      { header: '费用（元）', key: 'cost', width: 14 },
    ];
    ws.getRow(1).font = { bold: true };
    for (const l of st.lines) ws.addRow({ name: l.name, region: l.regionName, model: l.model, calls: l.calls, prompt: l.promptTokens, completion: l.completionTokens, cost: l.costFen / 100 });
    ws.addRow({ name: '合计', calls: st.total.calls, cost: st.total.costFen / 100 }).font = { bold: true };
    ws.getColumn('cost').numFmt = '0.00';
    const wr = wb.addWorksheet('按区域');
    wr.columns = [
      { header: '区域', key: 'name', width: 20 },
      { header: '层级', key: 'level', width: 10 },
      { header: '调用次数', key: 'calls', width: 12 },
      { header: 'tokens', key: 'tokens', width: 14 },
      { header: '费用（元）', key: 'cost', width: 14 },
    ];
    wr.getRow(1).font = { bold: true };
    for (const r of st.byRegion) wr.addRow({ name: r.name, level: { province: '省', city: '市', county: '县区' }[r.level] ?? r.level, calls: r.calls, tokens: r.tokens, cost: r.costFen / 100 });
    wr.getColumn('cost').numFmt = '0.00';
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  async calls(p: Principal, q: { limit: number; before?: number; outcome?: 'ok' | 'error' | 'blocked' | 'refused'; model?: string }): Promise<Out<typeof CallEntry>[]> {
    await this.flush();
    const rows = await this.db
      .select({
        id: hubCalls.id,
        at: hubCalls.at,
        keyId: hubCalls.keyId,
        ownerType: hubCalls.ownerType,
        schoolId: hubCalls.schoolId,
        regionPath: hubCalls.regionPath,
        productId: hubCalls.productId,
        modelName: hubCalls.modelName,
        nodeId: hubCalls.nodeId,
        endpoint: hubCalls.endpoint,
        stream: hubCalls.stream,
        status: hubCalls.status,
        outcome: hubCalls.outcome,
        errorCode: hubCalls.errorCode,
        promptTokens: hubCalls.promptTokens,
        completionTokens: hubCalls.completionTokens,
        usageEstimated: hubCalls.usageEstimated,
        cost: hubCalls.costMicroFen,
        latencyMs: hubCalls.latencyMs,
        attempts: hubCalls.attempts,
        guardrails: hubCalls.guardrails,
        hasContent: sql<boolean>`${hubCalls.contentEnc} is not null`,
      })
      .from(hubCalls)
      .where(
        and(
          this.scopeWhere(p),
          q.before ? lt(hubCalls.id, q.before) : undefined,
          q.outcome ? eq(hubCalls.outcome, q.outcome) : undefined,
          q.model ? eq(hubCalls.modelName, q.model) : undefined,
        ),
      )
      .orderBy(desc(hubCalls.id))
      .limit(q.limit);
    const snap = this.snapshot();
    return rows.map((r) => {
      const key = snap.keysById.get(r.keyId);
      return {
        id: r.id,
        at: r.at.toISOString(),
        keyId: r.keyId,
        keyName: key?.name ?? '—',
        owner: r.schoolId ? snap.places.name(r.schoolId) : key?.module ? `平台模块 ${key.module}` : snap.places.name(snap.places.regionsOnPath(r.regionPath).at(-1)),
        product: r.productId ? (snap.products.get(r.productId)?.name ?? null) : null,
        model: r.modelName,
        node: r.nodeId ? (snap.nodes.get(r.nodeId)?.name ?? null) : null,
        endpoint: r.endpoint,
        stream: r.stream,
        status: r.status,
        outcome: r.outcome,
        errorCode: r.errorCode,
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
        usageEstimated: r.usageEstimated,
        costFen: fen(r.cost),
        latencyMs: r.latencyMs,
        attempts: r.attempts,
        guardrails: r.guardrails,
        hasContent: Boolean(r.hasContent),
      };
    });
  }

  /** Decrypts one call's stored (already masked) contents, for an investigation; audited. */
  async callContent(p: Principal, id: number): Promise<{ id: number; content: unknown }> {
    authorize(p, 'hub.calls.content', { type: 'hub_call', id: String(id) });
    await this.flush();
    const [r] = await this.db.select({ enc: hubCalls.contentEnc }).from(hubCalls).where(eq(hubCalls.id, id));
    if (!r?.enc) throw notFound('hub.call_content_absent', { zh: '这次调用没有保存内容，或已过保存期限。', en: 'No content is kept for this call, or its retention has passed.' });
    await this.audit.append({ actor: p, action: 'hub.call.content_read', resourceType: 'hub_call', resourceId: String(id), outcome: 'success', ip: p.ip });
    return { id, content: JSON.parse(this.cipher.decrypt(Buffer.from(r.enc, 'base64'))) };
  }

  /** Deletes stored contents past their retention (the metadata stays for statements). */
  async purgeExpired(now = new Date()): Promise<number> {
    const r = await this.db
      .update(hubCalls)
      .set({ contentEnc: null, retainUntil: null })
      .where(and(sql`${hubCalls.retainUntil} is not null`, lt(hubCalls.retainUntil, now)))
      .returning({ id: hubCalls.id });
    return r.length;
  }
}

