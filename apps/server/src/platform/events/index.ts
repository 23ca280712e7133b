/**
 * Domain events through a transactional outbox: `publish` writes inside the caller's transaction;
 * `read` pages forward by id for consumers that keep their own cursor. Publishing the same
 * (type, key) twice is a no-op, so a retried handler never emits an event twice.
 */
import { and, asc, gt, inArray } from 'drizzle-orm';
import type { Queryable } from '../db/index.js';
import { events } from './tables.js';

export interface DomainEvent<T = Record<string, unknown>> {
  id: number;
  type: string;
  key: string;
  payload: T;
  createdAt: string;
}

export async function publish(q: Queryable, type: string, key: string, payload: Record<string, unknown>): Promise<boolean> {
  const rows = await q.insert(events).values({ type, key, payload }).onConflictDoNothing().returning({ id: events.id });
  return rows.length > 0;
}

export async function readEvents(q: Queryable, types: string[], afterId = 0, limit = 500): Promise<DomainEvent[]> {
  const rows = await q
    .select()
    .from(events)
    .where(and(inArray(events.type, types), gt(events.id, afterId)))
    .orderBy(asc(events.id))
    .limit(limit);
  return rows.map((r) => ({ ...r, payload: r.payload as Record<string, unknown>, createdAt: r.createdAt.toISOString() }));
}
