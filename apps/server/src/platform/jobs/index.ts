/**
 * A small durable job queue on the jobs table. Jobs are enqueued inside the caller's transaction;
 * the worker loop leases one at a time (FOR UPDATE SKIP LOCKED, so several workers can share the
 * table) and a job whose lease expired — its worker crashed — runs again. Handlers must be idempotent.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { queryRows, type Db, type Queryable } from '../db/index.js';
import { jobs } from './tables.js';

export type JobHandler = (payload: Record<string, unknown>, ctx: { jobId: string; attempt: number }) => Promise<void>;

const MAX_ATTEMPTS = 5;

export class JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    // A short lease, renewed while the job runs: the job of a killed worker runs again within one lease.
    private readonly opts: { leaseSeconds: number; idleMs: number; backoffMs: number } = {
      leaseSeconds: 30,
      idleMs: 1000,
      backoffMs: 2000,
    },
  ) {}

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  async enqueue(q: Queryable, kind: string, payload: Record<string, unknown>): Promise<string> {
    const [row] = await q.insert(jobs).values({ kind, payload }).returning({ id: jobs.id });
    this.wake?.();
    return row.id;
  }

  /** Signals the loop that a job may be waiting (call after the enqueuing transaction commits). */
  poke(): void {
    this.wake?.();
  }

  /**
   * Makes jobs left running by a dead process runnable now. Only for a single-process deployment
   * (embedded PGlite), where nothing else can be running them; elsewhere leases decide.
   */
  async reclaimAbandoned(): Promise<number> {
    const rows = await this.db
      .update(jobs)
      .set({ leaseUntil: sql`now()` })
      .where(eq(jobs.status, 'running'))
      .returning({ id: jobs.id });
    return rows.length;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = await this.runOne();
      } catch (err) {
        this.log.error({ err }, 'job loop error');
      }
      if (!worked && this.running)
        await new Promise<void>((ok) => {
          const t = setTimeout(ok, this.opts.idleMs);
          this.wake = () => {
            clearTimeout(t);
            this.wake = null;
            ok();
          };
        });
    }
  }

  /** Leases and runs one job; returns false when there was none. */
  async runOne(): Promise<boolean> {
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return false;
    const [job] = await queryRows<{ id: string; kind: string; payload: Record<string, unknown>; attempts: number }>(
      this.db,
      sql`
      update jobs set status = 'running', attempts = attempts + 1,
        lease_until = now() + make_interval(secs => ${this.opts.leaseSeconds})
      where id = (
        select id from jobs
        where ((status = 'queued' and run_after <= now()) or (status = 'running' and lease_until < now()))
          and kind in (${sql.join(kinds.map((k) => sql`${k}`), sql`, `)})
        order by created_at limit 1
        for update skip locked)
      returning id, kind, payload, attempts`,
    );
    if (!job) return false;
    const handler = this.handlers.get(job.kind)!;
    const renew = setInterval(() => {
      this.db
        .update(jobs)
        .set({ leaseUntil: sql`now() + make_interval(secs => ${this.opts.leaseSeconds})` })
        .where(and(eq(jobs.id, job.id), eq(jobs.status, 'running')))
        .catch((err) => this.log.warn({ err, jobId: job.id }, 'job lease renewal failed'));
    }, (this.opts.leaseSeconds * 1000) / 3);
    try {
      await handler(job.payload, { jobId: job.id, attempt: job.attempts });
      await this.db.update(jobs).set({ status: 'done', finishedAt: new Date(), leaseUntil: null }).where(eq(jobs.id, job.id));
    } catch (err) {
      const final = job.attempts >= MAX_ATTEMPTS;
      this.log.error({ err, jobId: job.id, kind: job.kind, attempt: job.attempts }, 'job failed');
      await this.db
        .update(jobs)
        .set({
          status: final ? 'failed' : 'queued',
          lastError: String((err as Error)?.stack ?? err).slice(0, 4000),
          finishedAt: final ? new Date() : null,
          leaseUntil: null,
          runAfter: new Date(Date.now() + this.opts.backoffMs * 2 ** (job.attempts - 1)),
        })
        .where(eq(jobs.id, job.id));
    } finally {
      clearInterval(renew);
    }
    return true;
  }
}
