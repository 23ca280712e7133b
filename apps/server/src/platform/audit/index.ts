/**
 * The audit log: who did what, when, in which scope, with what outcome. Every entry carries the
 * hash of the previous one; verify() walks the chain and names the first broken link.
 */
import { and, asc, desc, eq, gte, gt, lte, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { sha256 } from '../crypto/index.js';
import type { Db, Queryable } from '../db/index.js';
import { auditLog } from './tables.js';
import type { AuditEntry, AuditQuery } from './schema.js';

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditEvent {
  actor: { userId: string | null; username: string | null } | null;
  action: string;
  resourceType?: string | null;
  resourceId?: string | null;
  scope?: string | null;
  outcome: AuditOutcome;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

const GENESIS = '0'.repeat(64);
// Any constant works: it serialises appends so each one sees the previous hash.
const CHAIN_LOCK = 0x5a4a4155;

/** JSON with sorted keys at every level: jsonb does not keep key order, the hash must not depend on it. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v instanceof Date ? v.toISOString() : v) ?? 'null';
}

type Row = typeof auditLog.$inferSelect;

function entryHash(prevHash: string, r: Omit<Row, 'hash' | 'prevHash'>): string {
  return sha256(
    prevHash +
      canonicalJson([
        r.seq,
        r.at.getTime(),
        r.actorId,
        r.actorName,
        r.action,
        r.resourceType,
        r.resourceId,
        r.scope,
        r.outcome,
        r.detail,
        r.ip,
      ]),
  );
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  /** Appends inside `q`'s transaction when given one, so the entry commits or rolls back with the change. */
  async append(event: AuditEvent, q?: Queryable): Promise<void> {
    const run = async (tx: Queryable) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`);
      const [last] = await tx
        .select({ seq: auditLog.seq, hash: auditLog.hash })
        .from(auditLog)
        .orderBy(desc(auditLog.seq))
        .limit(1);
      const row = {
        seq: (last?.seq ?? 0) + 1,
        at: new Date(),
        actorId: event.actor?.userId ?? null,
        actorName: event.actor?.username ?? null,
        action: event.action,
        resourceType: event.resourceType ?? null,
        resourceId: event.resourceId ?? null,
        scope: event.scope ?? null,
        outcome: event.outcome,
        detail: JSON.parse(canonicalJson(event.detail ?? {})) as Record<string, unknown>,
        ip: event.ip ?? null,
      };
      const prevHash = last?.hash ?? GENESIS;
      await tx.insert(auditLog).values({ ...row, prevHash, hash: entryHash(prevHash, row) });
    };
    if (q && q !== this.db) await run(q);
    else await this.db.transaction(run);
  }

  async query(f: z.infer<typeof AuditQuery>): Promise<{ items: AuditEntry[]; total: number }> {
    const where: SQL[] = [];
    if (f.actor) where.push(eq(auditLog.actorName, f.actor));
    if (f.action) where.push(sql`${auditLog.action} like ${f.action + '%'}`);
    if (f.outcome) where.push(eq(auditLog.outcome, f.outcome));
    if (f.from) where.push(gte(auditLog.at, new Date(f.from)));
    if (f.to) where.push(lte(auditLog.at, new Date(f.to)));
    const cond = where.length ? and(...where) : undefined;
    const [{ n }] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLog)
      .where(cond);
    const rows = await this.db
      .select()
      .from(auditLog)
      .where(cond)
      .orderBy(desc(auditLog.seq))
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize);
    return {
      total: n,
      items: rows.map((r) => ({
        seq: r.seq,
        at: r.at.toISOString(),
        actorId: r.actorId,
        actorName: r.actorName,
        action: r.action,
        resourceType: r.resourceType,
        resourceId: r.resourceId,
        scope: r.scope,
        outcome: r.outcome,
        detail: r.detail as Record<string, unknown>,
        ip: r.ip,
        hash: r.hash,
      })),
    };
  }

  /** Walks the whole chain in batches; reports the first entry whose link or content hash is wrong. */
  async verify(): Promise<{ ok: boolean; checked: number; firstBroken: { seq: number; reason: string } | null }> {
    let prevHash = GENESIS;
    let expectedSeq = 1;
    let checked = 0;
    for (;;) {
      const batch = await this.db
        .select()
        .from(auditLog)
        .where(gt(auditLog.seq, expectedSeq - 1))
        .orderBy(asc(auditLog.seq))
        .limit(2000);
      if (batch.length === 0) break;
      for (const r of batch) {
        if (r.seq !== expectedSeq)
          return { ok: false, checked, firstBroken: { seq: expectedSeq, reason: `entry ${expectedSeq} is missing` } };
        if (r.prevHash !== prevHash)
          return { ok: false, checked, firstBroken: { seq: r.seq, reason: 'link to the previous entry does not match' } };
        if (entryHash(prevHash, r) !== r.hash)
          return { ok: false, checked, firstBroken: { seq: r.seq, reason: 'content does not match its hash' } };
        prevHash = r.hash;
        expectedSeq++;
        checked++;
      }
    }
    return { ok: true, checked, firstBroken: null };
  }
}
