/**
 * Quotas, rate limits and the call log.
 *
 * Token counters live in memory per quota subject and period (China time, UTC+8), seeded from
 * the call log at start, so checking a quota costs a map look-up. Requests per minute use a
 * sliding window (this minute plus the weighted previous one). The call log is written in
 * batches (every 200 ms or 500 rows): one insert instead of one per call. A graceful stop
 * flushes it; a crash can lose at most the last batch's log rows (never a user's data).
 */
import type { Logger } from 'pino';
import { and, eq, gte, like, or, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../platform/db/index.js';
import type { KeyRec } from './state.js';
import { hubCalls, hubQuotas } from './tables.js';

const CN_OFFSET_MS = 8 * 3600_000;
export const periodKey = (period: 'day' | 'month', now: number) => {
  const iso = new Date(now + CN_OFFSET_MS).toISOString();
  return period === 'day' ? iso.slice(0, 10) : iso.slice(0, 7);
};
/** The instant a China-time day or month began. */
export function periodStart(period: 'day' | 'month', now: number): Date {
  const d = new Date(now + CN_OFFSET_MS);
  const start = period === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return new Date(start - CN_OFFSET_MS);
}

export type SubjectType = 'school' | 'product' | 'key' | 'region';
export interface QuotaRec {
  id: string;
  subjectType: SubjectType;
  subjectId: string;
  period: 'day' | 'month';
  tokenLimit: number | null;
  rpm: number | null;
  startsAt: number | null;
  endsAt: number | null;
}

export type CallRow = typeof hubCalls.$inferInsert;

export interface QuotaBreach {
  code: 'hub.quota_exceeded' | 'hub.rate_limited';
  quota: QuotaRec;
  used: number;
  retryAfterS: number;
}

export class Meter {
  private quotas = new Map<string, QuotaRec[]>();
  /** `${subject}|${periodKey}` -> tokens used */
  private tokens = new Map<string, number>();
  /** subject -> [minute, count this minute, count previous minute] */
  private minutes = new Map<string, [number, number, number]>();
  private buffer: CallRow[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  static subjectsOf(key: KeyRec): string[] {
    const s = [`key:${key.id}`];
    if (key.productId) s.push(`product:${key.productId}`);
    if (key.schoolId) s.push(`school:${key.schoolId}`);
    for (const r of key.regionIds) s.push(`region:${r}`);
    return s;
  }

  /** Loads the quotas and the tokens already used in their current periods (from the call log). */
  async loadQuotas(): Promise<void> {
    await this.flush();
    const rows = await this.db.select().from(hubQuotas);
    const map = new Map<string, QuotaRec[]>();
    const tokens = new Map<string, number>();
    const now = this.now();
    for (const q of rows) {
      const rec: QuotaRec = {
        id: q.id,
        subjectType: q.subjectType,
        subjectId: q.subjectId,
        period: q.period,
        tokenLimit: q.tokenLimit,
        rpm: q.rpm,
        startsAt: q.startsAt?.getTime() ?? null,
        endsAt: q.endsAt?.getTime() ?? null,
      };
      const subject = `${q.subjectType}:${q.subjectId}`;
      map.set(subject, [...(map.get(subject) ?? []), rec]);
      const k = `${subject}|${periodKey(q.period, now)}`;
      if (!tokens.has(k)) tokens.set(k, await this.usedSince(q.subjectType, q.subjectId, periodStart(q.period, now)));
    }
    this.quotas = map;
    // Keep counters of periods already counted in memory (they include calls not yet flushed).
    for (const [k, v] of tokens) if (!this.tokens.has(k)) this.tokens.set(k, v);
  }

  async usedSince(type: SubjectType, id: string, since: Date): Promise<number> {
    const where: SQL =
      type === 'key'
        ? eq(hubCalls.keyId, id)
        : type === 'school'
          ? eq(hubCalls.schoolId, id)
          : type === 'product'
            ? eq(hubCalls.productId, id)
            : like(hubCalls.regionPath, `%/${id}/%`);
    const [r] = await this.db
      .select({ t: sql<string>`coalesce(sum(${hubCalls.promptTokens} + ${hubCalls.completionTokens}), 0)` })
      .from(hubCalls)
      .where(and(where, gte(hubCalls.at, since)));
    return Number(r?.t ?? 0);
  }

  quotasOf(subject: string): QuotaRec[] {
    return this.quotas.get(subject) ?? [];
  }

  used(q: Pick<QuotaRec, 'subjectType' | 'subjectId' | 'period'>, now = this.now()): number {
    return this.tokens.get(`${q.subjectType}:${q.subjectId}|${periodKey(q.period, now)}`) ?? 0;
  }

  /** The first limit a new call would break, or null. Counts the request against the per-minute windows when it passes. */
  admit(subjects: string[]): QuotaBreach | null {
    const now = this.now();
    const minute = Math.floor(now / 60_000);
    for (const s of subjects) {
      const qs = this.quotas.get(s);
      if (!qs) continue;
      for (const q of qs) {
        if ((q.startsAt !== null && now < q.startsAt) || (q.endsAt !== null && now >= q.endsAt)) continue;
        if (q.tokenLimit !== null) {
          const used = this.tokens.get(`${s}|${periodKey(q.period, now)}`) ?? 0;
          if (used >= q.tokenLimit) {
            const next = q.period === 'day' ? periodStart('day', now).getTime() + 86_400_000 : nextMonth(now);
            return { code: 'hub.quota_exceeded', quota: q, used, retryAfterS: Math.max(1, Math.ceil((next - now) / 1000)) };
          }
        }
        if (q.rpm !== null) {
          const w = this.window(s, minute);
          const elapsed = (now % 60_000) / 60_000;
          const estimate = w[1] + w[2] * (1 - elapsed);
          if (estimate + 1 > q.rpm) return { code: 'hub.rate_limited', quota: q, used: Math.round(estimate), retryAfterS: Math.max(1, Math.ceil(60 - elapsed * 60)) };
        }
      }
    }
    for (const s of subjects) if (this.quotas.get(s)?.some((q) => q.rpm !== null)) this.window(s, minute)[1]++;
    return null;
  }

  private window(subject: string, minute: number): [number, number, number] {
    let w = this.minutes.get(subject);
    if (!w) this.minutes.set(subject, (w = [minute, 0, 0]));
    if (w[0] !== minute) {
      w[2] = w[0] === minute - 1 ? w[1] : 0;
      w[1] = 0;
      w[0] = minute;
    }
    return w;
  }

  /** Records a finished call: token counters at once, the log row in the next batch. */
  record(row: CallRow, subjects: string[]): void {
    const tokens = (row.promptTokens ?? 0) + (row.completionTokens ?? 0);
    if (tokens > 0) {
      const now = this.now();
      for (const s of subjects) {
        const qs = this.quotas.get(s);
        if (!qs) continue;
        for (const period of new Set(qs.map((q) => q.period))) {
          const k = `${s}|${periodKey(period, now)}`;
          this.tokens.set(k, (this.tokens.get(k) ?? 0) + tokens);
        }
      }
    }
    this.buffer.push(row);
    if (this.buffer.length >= 500) void this.flush();
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), 200);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** Writes the buffered log rows; on a database error they are kept and retried (up to 100k rows). */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    this.flushing = (async () => {
      try {
        for (let i = 0; i < rows.length; i += 2000) await insertCalls(this.db, rows.slice(i, i + 2000));
      } catch (err) {
        this.log.error({ err, rows: rows.length }, 'call log flush failed; will retry');
        this.buffer = [...rows, ...this.buffer].slice(-100_000);
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }
}

const CALL_COLUMNS = [
  'at', 'key_id', 'owner_type', 'school_id', 'region_path', 'product_id', 'model_id', 'model_name', 'node_id', 'endpoint', 'stream', 'status', 'outcome',
  'error_code', 'prompt_tokens', 'completion_tokens', 'usage_estimated', 'cost_micro_fen', 'latency_ms', 'attempts', 'guardrails', 'content_enc', 'retain_until',
  'user_id',
].join(', ');

/**
 * One statement for a batch: the rows travel as one JSON parameter that PostgreSQL expands with
 * json_populate_recordset. Building a 25-column multi-row VALUES list in the ORM cost more CPU
 * than the gateway's own work per call (measured by `npm run bench -- gateway`).
 */
async function insertCalls(db: Db, rows: CallRow[]): Promise<void> {
  const json = JSON.stringify(
    rows.map((r) => ({
      at: r.at,
      key_id: r.keyId,
      owner_type: r.ownerType,
      school_id: r.schoolId ?? null,
      region_path: r.regionPath,
      product_id: r.productId ?? null,
      model_id: r.modelId ?? null,
      model_name: r.modelName,
      node_id: r.nodeId ?? null,
      endpoint: r.endpoint,
      stream: r.stream ?? false,
      status: r.status,
      outcome: r.outcome,
      error_code: r.errorCode ?? null,
      prompt_tokens: r.promptTokens ?? 0,
      completion_tokens: r.completionTokens ?? 0,
      usage_estimated: r.usageEstimated ?? false,
      cost_micro_fen: r.costMicroFen ?? 0,
      latency_ms: r.latencyMs,
      attempts: r.attempts ?? 1,
      guardrails: r.guardrails,
      content_enc: r.contentEnc ?? null,
      retain_until: r.retainUntil ?? null,
      user_id: r.userId ?? null,
    })),
  );
  await db.execute(sql`insert into hub_calls (${sql.raw(CALL_COLUMNS)}) select ${sql.raw(CALL_COLUMNS)} from json_populate_recordset(null::hub_calls, ${json}::json)`);
}

function nextMonth(now: number): number {
  const d = new Date(now + CN_OFFSET_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - CN_OFFSET_MS;
}

/** SQL condition: calls within a scope given as region paths and school ids. */
export function callScope(f: { paths: string[]; schoolIds: string[] } | null): SQL | undefined {
  if (!f) return undefined;
  const parts: SQL[] = f.paths.map((p) => like(hubCalls.regionPath, `${p}%`));
  for (const s of f.schoolIds) parts.push(eq(hubCalls.schoolId, s));
  return parts.length ? or(...parts) : sql`false`;
}

/**
 * Answered calls made for a platform user since `since`, per user, key school and week (weeks
 * start on Monday, China time; `week` is that Monday as YYYY-MM-DD). Feeds the AI regular-use KPI.
 */
export async function aiUseByWeek(db: Db, since: Date): Promise<{ userId: string; schoolId: string | null; week: string; uses: number }[]> {
  const rows = await queryRows<{ user_id: string; school_id: string | null; week: string; uses: number }>(
    db,
    sql`select user_id, school_id, to_char(date_trunc('week', (at at time zone 'UTC') + interval '8 hours'), 'YYYY-MM-DD') as week, count(*)::int as uses
        from hub_calls where at >= ${since.toISOString()}::timestamptz and user_id is not null and outcome = 'ok'
        group by 1, 2, 3`,
  );
  return rows.map((r) => ({ userId: r.user_id, schoolId: r.school_id, week: r.week, uses: Number(r.uses) }));
}
