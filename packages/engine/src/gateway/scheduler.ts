/**
 * Choosing a compute node for a model-gateway request: weighted least-outstanding selection
 * among healthy nodes whose circuit breaker admits traffic, per-node concurrency limits, and a
 * fair wait queue when every node is busy. Pure logic: the clock and the timer are injected.
 *
 * Selection: among the nodes serving the model that are healthy, have weight > 0, a breaker
 * that admits (closed, or half-open with no probe in flight), and a free slot (outstanding <
 * maxConcurrency), the one with the least (outstanding + 1) / weight; ties rotate. With long
 * requests the outstanding counts settle in proportion to the weights.
 *
 * Breaker: `failureThreshold` consecutive failures open it; after `cooldownMs` it is half-open
 * and admits one probe at a time; the probe's success closes it, its failure re-opens it with a
 * fresh cooldown. A 'neutral' release (client cancelled, upstream 4xx) is no evidence either way.
 *
 * Queue: when nodes serve the model but none has a free slot, the request waits — FIFO within a
 * tenant (a school), round-robin across tenants, so one tenant's 500 queued requests delay
 * another's single request by at most one turn. Freed capacity goes to the next waiter in that
 * order that can use it. A waiter whose model is left with no admissible node at all (nodes
 * removed, unhealthy or tripped) is rejected with 'no_node' rather than left to time out.
 */

export interface NodeSpec {
  id: string;
  weight: number;
  maxConcurrency: number;
}

export interface BreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = { failureThreshold: 5, cooldownMs: 10_000 };

export type BreakerState = 'closed' | 'open' | 'half_open';

export class CircuitBreaker {
  readonly options: Readonly<BreakerOptions>;
  private failures = 0;
  private opened = false;
  private openUntil = 0;
  private probing = false;

  constructor(opts: Partial<BreakerOptions> = {}) {
    const failureThreshold = opts.failureThreshold ?? DEFAULT_BREAKER_OPTIONS.failureThreshold;
    const cooldownMs = opts.cooldownMs ?? DEFAULT_BREAKER_OPTIONS.cooldownMs;
    if (!(failureThreshold >= 1)) throw new RangeError('failureThreshold must be >= 1');
    if (!(cooldownMs >= 0)) throw new RangeError('cooldownMs must be >= 0');
    this.options = { failureThreshold, cooldownMs };
  }

  state(now: number): BreakerState {
    if (!this.opened) return 'closed';
    return now < this.openUntil ? 'open' : 'half_open';
  }

  /** Whether `allow(now)` would return true, without claiming the half-open probe. */
  canAllow(now: number): boolean {
    return !this.opened || (now >= this.openUntil && !this.probing);
  }

  /** Closed: true. Open: false until the cooldown has elapsed; then one probe at a time. */
  allow(now: number): boolean {
    if (!this.opened) return true;
    if (now < this.openUntil || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(_now: number): void {
    this.opened = false;
    this.failures = 0;
    this.probing = false;
  }

  failure(now: number): void {
    if (this.opened) {
      // A failure once the cooldown is over (the probe's) re-opens; earlier ones change nothing.
      if (now >= this.openUntil) {
        this.openUntil = now + this.options.cooldownMs;
        this.probing = false;
      }
      return;
    }
    if (++this.failures >= this.options.failureThreshold) {
      this.opened = true;
      this.openUntil = now + this.options.cooldownMs;
      this.probing = false;
    }
  }

  /** Ends a half-open probe without a verdict, so the next `allow` may probe again. */
  abandonProbe(): void {
    this.probing = false;
  }
}

export type LeaseOutcome = 'success' | 'failure' | 'neutral';

export interface Lease {
  nodeId: string;
  /** Frees the slot; 'failure' counts on the node's breaker, 'success' resets it. Idempotent. */
  release(outcome: LeaseOutcome): void;
}

export type SchedulerErrorCode = 'no_node' | 'queue_full' | 'timeout' | 'aborted';

export class SchedulerError extends Error {
  constructor(
    readonly code: SchedulerErrorCode,
    message?: string,
  ) {
    super(message ?? DEFAULT_MESSAGES[code]);
    this.name = 'SchedulerError';
  }
}

const DEFAULT_MESSAGES: Record<SchedulerErrorCode, string> = {
  no_node: 'no available node serves this model',
  queue_full: 'the request queue is full',
  timeout: 'timed out waiting for a free node',
  aborted: 'the request was aborted',
};

/** setTimeout/clearTimeout-like pair, injectable for tests. */
export interface SchedulerTimer {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface NodeSchedulerOptions {
  breaker?: Partial<BreakerOptions>;
  now?: () => number;
  /** Maximum number of waiting requests, over all tenants (default 1000). */
  maxQueue?: number;
  /** Timer for `timeoutMs` (default: the global setTimeout / clearTimeout). */
  timer?: SchedulerTimer;
}

export interface AcquireOptions {
  /** Nodes not to use (e.g. the ones a retried request already failed on). */
  exclude?: ReadonlySet<string>;
  /** Maximum time to wait in the queue; no limit when omitted. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface NodeState {
  id: string;
  weight: number;
  max: number;
  outstanding: number;
  healthy: boolean;
  breaker: CircuitBreaker;
}

interface ModelState {
  nodes: NodeState[];
  rr: number;
  /** Pump round in which the model was found to have no free node. */
  blocked: number;
}

interface TenantQueue {
  id: string;
  head: Waiter | null;
  tail: Waiter | null;
  size: number;
}

interface Waiter {
  model: string;
  tenant: TenantQueue;
  exclude: ReadonlySet<string> | undefined;
  resolve: (lease: Lease) => void;
  reject: (err: SchedulerError) => void;
  timer: unknown;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  prev: Waiter | null;
  next: Waiter | null;
}

const DEFAULT_TIMER: SchedulerTimer = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class NodeScheduler {
  private readonly breakerOpts: Partial<BreakerOptions>;
  private readonly now: () => number;
  private readonly maxQueue: number;
  private readonly timer: SchedulerTimer;
  private nodes = new Map<string, NodeState>();
  private models = new Map<string, ModelState>();
  /** Health reported for nodes not (yet) configured. */
  private pendingHealth = new Map<string, boolean>();
  private tenants: TenantQueue[] = [];
  private tenantById = new Map<string, TenantQueue>();
  private rr = 0;
  private count = 0;
  private round = 0;
  /** Some node may have become inadmissible: check waiters for 'no_node' on the next pump. */
  private dirty = false;

  constructor(opts: NodeSchedulerOptions = {}) {
    this.breakerOpts = { ...opts.breaker };
    new CircuitBreaker(this.breakerOpts); // validate early
    this.now = opts.now ?? Date.now;
    this.maxQueue = opts.maxQueue ?? 1000;
    this.timer = opts.timer ?? DEFAULT_TIMER;
  }

  /**
   * Model id → nodes serving it. Nodes that stay keep their outstanding count, breaker and
   * health; new nodes start healthy (unless `setHealth` said otherwise) with a closed breaker.
   * A node listed under several models is one node (the last spec given wins).
   */
  setNodes(models: ReadonlyMap<string, readonly NodeSpec[]>): void {
    const nodes = new Map<string, NodeState>();
    const next = new Map<string, ModelState>();
    for (const [modelId, specs] of models) {
      const list: NodeState[] = [];
      for (const spec of specs) {
        let n = nodes.get(spec.id);
        if (!n) {
          n = this.nodes.get(spec.id);
          if (!n) {
            const h = this.pendingHealth.get(spec.id);
            n = { id: spec.id, weight: 0, max: 0, outstanding: 0, healthy: h ?? true, breaker: new CircuitBreaker(this.breakerOpts) };
          }
          nodes.set(spec.id, n);
        }
        n.weight = Number.isFinite(spec.weight) && spec.weight > 0 ? spec.weight : 0;
        n.max = spec.maxConcurrency > 0 ? spec.maxConcurrency : 0;
        if (!list.includes(n)) list.push(n);
      }
      const old = this.models.get(modelId);
      next.set(modelId, { nodes: list, rr: old ? old.rr : 0, blocked: -1 });
    }
    for (const id of nodes.keys()) this.pendingHealth.delete(id);
    this.nodes = nodes;
    this.models = next;
    this.dirty = true;
    this.pump();
  }

  /** Health-check result; unhealthy nodes are never picked. */
  setHealth(nodeId: string, healthy: boolean): void {
    const n = this.nodes.get(nodeId);
    if (!n) {
      this.pendingHealth.set(nodeId, healthy);
      return;
    }
    if (n.healthy === healthy) return;
    n.healthy = healthy;
    if (!healthy) this.dirty = true;
    this.pump();
  }

  /**
   * A lease on the best node for the model (see the module comment), waiting in the fair queue
   * when all are busy. Rejects with SchedulerError: 'no_node' at once if no admissible node
   * serves the model (apart from `exclude`), 'queue_full', 'timeout' after `timeoutMs` of
   * waiting, 'aborted' when `signal` aborts.
   */
  acquire(modelId: string, tenant: string, opts: AcquireOptions = {}): Promise<Lease> {
    return new Promise<Lease>((resolve, reject) => {
      const { exclude, signal, timeoutMs } = opts;
      if (signal?.aborted) return reject(new SchedulerError('aborted'));
      const now = this.now();
      const model = this.models.get(modelId);
      if (!model || !this.hasAdmissible(model, exclude, now)) return reject(new SchedulerError('no_node'));
      const node = this.pick(model, exclude, now);
      if (node) return resolve(this.grant(node, now));
      if (this.count >= this.maxQueue) return reject(new SchedulerError('queue_full'));

      let tq = this.tenantById.get(tenant);
      if (!tq) {
        tq = { id: tenant, head: null, tail: null, size: 0 };
        this.tenantById.set(tenant, tq);
        this.tenants.push(tq);
      }
      const w: Waiter = { model: modelId, tenant: tq, exclude, resolve, reject, timer: undefined, signal, onAbort: undefined, prev: tq.tail, next: null };
      if (tq.tail) tq.tail.next = w;
      else tq.head = w;
      tq.tail = w;
      tq.size++;
      this.count++;
      if (timeoutMs !== undefined && timeoutMs !== Infinity) {
        w.timer = this.timer.setTimeout(() => {
          w.timer = undefined;
          this.drop(w, 'timeout');
        }, Math.max(0, timeoutMs));
      }
      if (signal) {
        w.onAbort = () => this.drop(w, 'aborted');
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
    });
  }

  outstanding(nodeId: string): number {
    return this.nodes.get(nodeId)?.outstanding ?? 0;
  }

  breakerState(nodeId: string): BreakerState {
    return this.nodes.get(nodeId)?.breaker.state(this.now()) ?? 'closed';
  }

  /** Number of waiting requests. */
  queued(): number {
    return this.count;
  }

  snapshot(): { nodeId: string; outstanding: number; healthy: boolean; breaker: BreakerState }[] {
    const now = this.now();
    return [...this.nodes.values()].map((n) => ({ nodeId: n.id, outstanding: n.outstanding, healthy: n.healthy, breaker: n.breaker.state(now) }));
  }

  // ---- internals ----

  private admissible(n: NodeState, now: number): boolean {
    return n.healthy && n.weight > 0 && n.max > 0 && n.breaker.canAllow(now);
  }

  private hasAdmissible(m: ModelState, exclude: ReadonlySet<string> | undefined, now: number): boolean {
    for (const n of m.nodes) if (this.admissible(n, now) && !(exclude && exclude.has(n.id))) return true;
    return false;
  }

  /** The admissible node with a free slot minimising (outstanding + 1) / weight; ties rotate. */
  private pick(m: ModelState, exclude: ReadonlySet<string> | undefined, now: number): NodeState | null {
    const nodes = m.nodes;
    const len = nodes.length;
    if (len === 0) return null;
    const start = m.rr % len;
    let best: NodeState | null = null;
    for (let k = 0; k < len; k++) {
      const n = nodes[start + k < len ? start + k : start + k - len]!;
      if (n.outstanding >= n.max || !this.admissible(n, now) || (exclude !== undefined && exclude.has(n.id))) continue;
      if (best === null || (n.outstanding + 1) * best.weight < (best.outstanding + 1) * n.weight) best = n;
    }
    if (best !== null) m.rr = start + 1;
    return best;
  }

  private grant(n: NodeState, now: number): Lease {
    const probe = n.breaker.state(now) === 'half_open';
    n.breaker.allow(now);
    n.outstanding++;
    if (probe) this.dirty = true; // the node admits nothing else until the probe is back
    let released = false;
    return {
      nodeId: n.id,
      release: (outcome: LeaseOutcome) => {
        if (released) return;
        released = true;
        n.outstanding--;
        const t = this.now();
        if (outcome === 'success') n.breaker.success(t);
        else if (outcome === 'failure') {
          n.breaker.failure(t);
          if (!n.breaker.canAllow(t)) this.dirty = true;
        } else if (probe) n.breaker.abandonProbe();
        this.pump();
      },
    };
  }

  /** Removes a waiter from its tenant queue (and the tenant from the rotation when emptied). */
  private unlink(w: Waiter): void {
    const tq = w.tenant;
    if (w.prev) w.prev.next = w.next;
    else tq.head = w.next;
    if (w.next) w.next.prev = w.prev;
    else tq.tail = w.prev;
    w.prev = w.next = null;
    tq.size--;
    this.count--;
    if (w.timer !== undefined) {
      this.timer.clearTimeout(w.timer);
      w.timer = undefined;
    }
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    w.onAbort = undefined;
    if (tq.size === 0) {
      const i = this.tenants.indexOf(tq);
      if (i >= 0) {
        this.tenants.splice(i, 1);
        if (i < this.rr) this.rr--;
      }
      this.tenantById.delete(tq.id);
    }
  }

  private isQueued(w: Waiter): boolean {
    return w.prev !== null || w.tenant.head === w;
  }

  private drop(w: Waiter, code: SchedulerErrorCode): void {
    if (!this.isQueued(w)) return;
    this.unlink(w);
    w.reject(new SchedulerError(code));
  }

  /** Hands free capacity to waiters, one per tenant per turn; then rejects hopeless waiters. */
  private pump(): void {
    if (this.count === 0) {
      this.dirty = false;
      return;
    }
    const now = this.now();
    const round = ++this.round;
    let idle = 0;
    while (this.tenants.length > 0 && idle < this.tenants.length) {
      if (this.rr >= this.tenants.length) this.rr = 0;
      const tq = this.tenants[this.rr]!;
      let served: Waiter | null = null;
      let node: NodeState | null = null;
      for (let w = tq.head; w !== null; w = w.next) {
        const m = this.models.get(w.model);
        if (!m || m.blocked === round) continue;
        node = this.pick(m, w.exclude, now);
        if (node) {
          served = w;
          break;
        }
        // Granting only takes capacity away, so the model stays blocked for this round.
        if (!w.exclude || w.exclude.size === 0) m.blocked = round;
      }
      if (served === null || node === null) {
        this.rr++;
        idle++;
        continue;
      }
      idle = 0;
      const last = tq.size === 1;
      this.unlink(served);
      if (!last) this.rr++; // else the tenant left the rotation and rr already points past it
      served.resolve(this.grant(node, now));
    }
    if (this.dirty) {
      this.dirty = false;
      for (const tq of [...this.tenants]) {
        for (let w = tq.head; w !== null; ) {
          const next = w.next;
          const m = this.models.get(w.model);
          if (!m || !this.hasAdmissible(m, w.exclude, now)) this.drop(w, 'no_node');
          w = next;
        }
      }
    }
  }
}
