/**
 * Health checks of compute nodes: GET {baseUrl}/models with a short timeout. A node is marked
 * down after two failed checks in a row and up after one good one; the scheduler never routes to
 * a node that is down. Status changes are written to the node's row (and so shown live).
 */
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import { request } from 'undici';
import type { Db } from '../../platform/db/index.js';
import type { NodeRec } from './state.js';
import { hubNodes } from './tables.js';

export class HealthChecker {
  private fails = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly nodes: () => NodeRec[],
    private readonly onChange: (nodeId: string, up: boolean) => void,
    private readonly timeoutMs = 3000,
  ) {}

  start(intervalMs = 15_000): void {
    void this.checkAll();
    this.timer = setInterval(() => void this.checkAll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async checkAll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await Promise.all(this.nodes().filter((n) => n.enabled).map((n) => this.check(n)));
    } finally {
      this.running = false;
    }
  }

  async check(n: NodeRec): Promise<'up' | 'down'> {
    const t0 = performance.now();
    let error: string | null = null;
    try {
      const res = await request(`${n.baseUrl}/models`, {
        method: 'GET',
        headers: n.credential ? { authorization: `Bearer ${n.credential}` } : {},
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      await res.body.dump();
      if (res.statusCode >= 500) error = `HTTP ${res.statusCode}`;
    } catch (err) {
      error = (err as Error).message || String(err);
    }
    const latency = Math.round(performance.now() - t0);
    const fails = error ? (this.fails.get(n.id) ?? 0) + 1 : 0;
    this.fails.set(n.id, fails);
    // One failure may be a blip: down after two in a row (or at once when the node was never seen up).
    const status: 'up' | 'down' = !error ? 'up' : fails >= 2 || n.status !== 'up' ? 'down' : 'up';
    if (status !== n.status) {
      this.log.info({ node: n.name, status, error }, 'compute node status changed');
      n.status = status;
      this.onChange(n.id, status === 'up');
    }
    await this.db
      .update(hubNodes)
      .set({ status, lastCheckAt: new Date(), lastError: error, latencyMs: error ? null : latency })
      .where(eq(hubNodes.id, n.id))
      .catch((err: unknown) => this.log.error({ err }, 'saving node health failed'));
    return status;
  }
}
