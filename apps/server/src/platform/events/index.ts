/**
 * Domain events through a transactional outbox: `publish` writes inside the caller's transaction;
 * `read` pages forward by id for consumers that keep their own cursor. Publishing the same
 * (type, key) twice is a no-op, so a retried handler never emits an event twice.
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db, Queryable, Tx } from '../db/index.js';
import { eventCursors, events } from './tables.js';

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

/**
 * Reads the outbox forward for one named consumer. Each batch runs in one transaction with the
 * cursor update, so an event's effects and "read" commit together: after a crash the batch is
 * simply read again, never half-applied. A failing event stops the consumer at that event (it is
 * retried on the next tick) rather than skipping it.
 */
export class EventConsumer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly name: string,
    private readonly types: string[],
    private readonly handle: (tx: Tx, event: DomainEvent) => Promise<void>,
    private readonly opts: { intervalMs: number; batch: number } = { intervalMs: 500, batch: 100 },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Processes what is waiting now; returns how many events were applied. */
  async tick(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.batch()
      .catch((err: unknown) => {
        this.log.error({ err, consumer: this.name }, 'event consumer failed; will retry');
        return 0;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async batch(): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.insert(eventCursors).values({ consumer: this.name }).onConflictDoNothing();
      const [cursor] = await tx.select().from(eventCursors).where(eq(eventCursors.consumer, this.name)).for('update');
      const list = await readEvents(tx, this.types, cursor!.lastId, this.opts.batch);
      if (!list.length) return 0;
      for (const ev of list) await this.handle(tx as Tx, ev);
      await tx.update(eventCursors).set({ lastId: list[list.length - 1]!.id, updatedAt: new Date() }).where(eq(eventCursors.consumer, this.name));
      return list.length;
    });
  }
}
