import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../stats/random.js';
import { CircuitBreaker, NodeScheduler, SchedulerError, type Lease, type NodeSpec, type SchedulerTimer } from './scheduler.js';

/** A fake clock with a timer queue driven by `advance`. */
function fakeTime() {
  let now = 1_000_000;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const timer: SchedulerTimer = {
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(h) {
      timers.delete(h as number);
    },
  };
  return {
    now: () => now,
    timer,
    pending: () => timers.size,
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at))
        if (t.at <= now && timers.has(id)) {
          timers.delete(id);
          t.fn();
        }
    },
  };
}

/** Lets pending promise callbacks run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function setup(models: Record<string, NodeSpec[]>, opts: { maxQueue?: number; failureThreshold?: number; cooldownMs?: number } = {}) {
  const t = fakeTime();
  const s = new NodeScheduler({
    now: t.now,
    timer: t.timer,
    maxQueue: opts.maxQueue,
    breaker: { failureThreshold: opts.failureThreshold ?? 3, cooldownMs: opts.cooldownMs ?? 1000 },
  });
  s.setNodes(new Map(Object.entries(models)));
  return { s, t };
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    expect(e).toBeInstanceOf(SchedulerError);
    return (e as SchedulerError).code;
  }
}

describe('CircuitBreaker', () => {
  it('opens after consecutive failures, half-opens after the cooldown with one probe, then closes or re-opens', () => {
    const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 100 });
    expect(b.state(0)).toBe('closed');
    b.failure(0);
    b.failure(1);
    b.success(2); // resets the count
    b.failure(3);
    b.failure(4);
    expect(b.allow(5)).toBe(true);
    b.failure(5);
    expect(b.state(5)).toBe('open');
    expect(b.allow(50)).toBe(false);
    expect(b.state(105)).toBe('half_open');
    expect(b.allow(105)).toBe(true); // the probe
    expect(b.allow(106)).toBe(false); // only one at a time
    b.failure(110); // failed probe: open again, fresh cooldown
    expect(b.state(200)).toBe('open');
    expect(b.allow(209)).toBe(false);
    expect(b.allow(210)).toBe(true);
    b.success(220);
    expect(b.state(220)).toBe('closed');
    expect(b.allow(220) && b.allow(220)).toBe(true);
  });

  it('uses defaults 5 / 10 s and lets an abandoned probe be retried', () => {
    const b = new CircuitBreaker();
    for (let i = 0; i < 4; i++) b.failure(0);
    expect(b.state(0)).toBe('closed');
    b.failure(0);
    expect(b.state(9_999)).toBe('open');
    expect(b.allow(10_000)).toBe(true);
    expect(b.allow(10_000)).toBe(false);
    b.abandonProbe();
    expect(b.allow(10_001)).toBe(true);
  });
});

describe('NodeScheduler', () => {
  it('spreads long-running requests in proportion to the weights', async () => {
    const { s } = setup({ m: [{ id: 'a', weight: 3, maxConcurrency: 1000 }, { id: 'b', weight: 1, maxConcurrency: 1000 }] });
    for (let i = 0; i < 400; i++) await s.acquire('m', 't');
    expect(s.outstanding('a')).toBe(300);
    expect(s.outstanding('b')).toBe(100);
  });

  it('rotates between equal nodes and prefers the least loaded', async () => {
    const { s } = setup({ m: ['a', 'b', 'c'].map((id) => ({ id, weight: 1, maxConcurrency: 10 })) });
    const first = await Promise.all([s.acquire('m', 't'), s.acquire('m', 't'), s.acquire('m', 't')]);
    expect(first.map((l) => l.nodeId).sort()).toEqual(['a', 'b', 'c']);
    first.find((l) => l.nodeId === 'b')!.release('success');
    expect((await s.acquire('m', 't')).nodeId).toBe('b');
    // short requests: released at once, still rotating
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const l = await s.acquire('m', 't');
      seen.add(l.nodeId);
      l.release('success');
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('never exceeds maxConcurrency, queueing the excess', async () => {
    const { s } = setup({ m: [{ id: 'a', weight: 1, maxConcurrency: 2 }, { id: 'b', weight: 5, maxConcurrency: 3 }] });
    const rnd = mulberry32(99);
    const held: Lease[] = [];
    const pending: Promise<void>[] = [];
    for (let step = 0; step < 300; step++) {
      if (rnd() < 0.55 || held.length === 0) {
        pending.push(s.acquire('m', `t${Math.floor(rnd() * 3)}`).then((l) => void held.push(l)));
      } else {
        held.splice(Math.floor(rnd() * held.length), 1)[0]!.release(rnd() < 0.9 ? 'success' : 'neutral');
      }
      await flush();
      expect(s.outstanding('a')).toBeLessThanOrEqual(2);
      expect(s.outstanding('b')).toBeLessThanOrEqual(3);
      expect(s.outstanding('a') + s.outstanding('b')).toBe(held.length);
      if (s.queued() > 0) expect(held.length).toBe(5);
    }
    while (held.length > 0) {
      held.pop()!.release('success');
      await flush();
    }
    await Promise.all(pending);
    expect(s.queued()).toBe(0);
    expect(s.outstanding('a') + s.outstanding('b')).toBe(0);
  });

  it('skips unhealthy nodes and rejects no_node when none is left', async () => {
    const { s } = setup({ m: [{ id: 'a', weight: 1, maxConcurrency: 5 }, { id: 'b', weight: 1, maxConcurrency: 5 }] });
    s.setHealth('a', false);
    for (let i = 0; i < 4; i++) expect((await s.acquire('m', 't')).nodeId).toBe('b');
    s.setHealth('b', false);
    expect(await rejection(s.acquire('m', 't'))).toBe('no_node');
    expect(await rejection(s.acquire('other', 't'))).toBe('no_node');
    s.setHealth('a', true);
    expect((await s.acquire('m', 't')).nodeId).toBe('a');
    expect(s.snapshot()).toEqual([
      { nodeId: 'a', outstanding: 1, healthy: true, breaker: 'closed' },
      { nodeId: 'b', outstanding: 4, healthy: false, breaker: 'closed' },
    ]);
  });

  it('uses the exclude set to retry on another node', async () => {
    const { s } = setup({ m: [{ id: 'a', weight: 10, maxConcurrency: 5 }, { id: 'b', weight: 1, maxConcurrency: 5 }] });
    const l1 = await s.acquire('m', 't');
    expect(l1.nodeId).toBe('a');
    l1.release('failure');
    const l2 = await s.acquire('m', 't', { exclude: new Set(['a']) });
    expect(l2.nodeId).toBe('b');
    expect(await rejection(s.acquire('m', 't', { exclude: new Set(['a', 'b']) }))).toBe('no_node');
  });

  it('trips the breaker on failures, probes once after the cooldown, and closes on success', async () => {
    const { s, t } = setup({ m: [{ id: 'a', weight: 1, maxConcurrency: 5 }] }, { failureThreshold: 3, cooldownMs: 1000 });
    for (let i = 0; i < 3; i++) (await s.acquire('m', 't')).release('failure');
    expect(s.breakerState('a')).toBe('open');
    expect(await rejection(s.acquire('m', 't'))).toBe('no_node');
    t.advance(1000);
    expect(s.breakerState('a')).toBe('half_open');
    const probe = await s.acquire('m', 't');
    expect(await rejection(s.acquire('m', 't'))).toBe('no_node'); // one probe at a time
    probe.release('failure');
    expect(s.breakerState('a')).toBe('open');
    t.advance(999);
    expect(s.breakerState('a')).toBe('open');
    t.advance(1);
    const probe2 = await s.acquire('m', 't');
    probe2.release('neutral'); // no verdict: still half-open, may probe again
    expect(s.breakerState('a')).toBe('half_open');
    const probe3 = await s.acquire('m', 't');
    probe3.release('success');
    expect(s.breakerState('a')).toBe('closed');
    const ls = await Promise.all([s.acquire('m', 't'), s.acquire('m', 't')]);
    expect(s.outstanding('a')).toBe(2);
    ls.forEach((l) => l.release('neutral'));
    expect(s.outstanding('a')).toBe(0);
  });

  it('serves a second tenant within two releases however many the first has queued', async () => {
    const { s } = setup({ m: [{ id: 'a', weight: 1, maxConcurrency: 1 }] });
    const first = await s.acquire('m', 'A');
    const order: string[] = [];
    const leases: Lease[] = [];
    const track = (tenant: string, i: number) =>
      s.acquire('m', tenant).then((l) => {
        order.push(`${tenant}${i}`);
        leases.push(l);
      });
    const waits = Array.from({ length: 50 }, (_, i) => track('A', i));
    waits.push(track('B', 0));
    expect(s.queued()).toBe(51);
    first.release('success');
    await flush();
    leases.shift()!.release('success');
    await flush();
    expect(order).toEqual(['A0', 'B0']);
    // then the rest of A, in FIFO order
    while (leases.length > 0) {
      leases.shift()!.release('success');
      await flush();
    }
    await Promise.all(waits);
    expect(order.slice(2)).toEqual(Array.from({ length: 49 }, (_, i) => `A${i + 1}`));
  });

  it('gives freed capacity to a waiter that can use the node', async () => {
    const { s } = setup({
      m1: [{ id: 'a', weight: 1, maxConcurrency: 1 }],
      m2: [
        { id: 'a', weight: 1, maxConcurrency: 1 },
        { id: 'b', weight: 1, maxConcurrency: 1 },
      ],
    });
    const la = await s.acquire('m1', 'x');
    const lb = await s.acquire('m2', 'x');
    expect([la.nodeId, lb.nodeId]).toEqual(['a', 'b']);
    const got: string[] = [];
    const w1 = s.acquire('m2', 'T1', { exclude: new Set(['b']) }).then((l) => got.push(`T1:${l.nodeId}`));
    const w2 = s.acquire('m1', 'T2').then((l) => got.push(`T2:${l.nodeId}`));
    const w3 = s.acquire('m2', 'T3').then((l) => got.push(`T3:${l.nodeId}`));
    lb.release('success'); // b: T1 excludes it, T2's model is not on it -> T3
    await flush();
    expect(got).toEqual(['T3:b']);
    la.release('success'); // a: T1 is next in turn
    await flush();
    expect(got).toEqual(['T3:b', 'T1:a']);
    expect(s.queued()).toBe(1);
    void w1;
    void w3;
    void w2;
  });

  it('times out waiters and removes them from the queue', async () => {
    const { s, t } = setup({ m: [{ id: 'a', weight: 1, maxConcurrency: 1 }] });
    const l = await s.acquire('m', 't');
    const p = s.acquire('m', 't', { timeoutMs: 500 });
    const q = s.acquire('m', 'u');
    expect(s.queued()).toBe(2);
    t.advance(499);
    expect(s.queued()).toBe(2);
    t.advance(1);
    expect(await rejection(p)).toBe('timeout');
    expect(s.queued()).toBe(1);
    l.release('success');
    expect((await q).nodeId).toBe('a');
    expect(t.pending()).toBe(0);
  });

  it('rejects aborted waiters and already-aborted requests', async () => {
    const { s, t } = setup({ m: [{ id: 'a', weight: 1, maxConcurrency: 1 }] });
    const l = await s.acquire('m', 't');
    const ac = new AbortController();
    const p = s.acquire('m', 't', { signal: ac.signal, timeoutMs: 10_000 });
    expect(s.queued()).toBe(1);
    ac.abort();
    expect(await rejection(p)).toBe('aborted');
    expect(s.queued()).toBe(0);
    expect(t.pending()).toBe(0); // its timer was cleared
    expect(await rejection(s.acquire('m', 't', { signal: ac.signal }))).toBe('aborted');
    l.release('success');
    expect(s.outstanding('a')).toBe(0);
  });

  it('rejects with queue_full beyond maxQueue', async () => {
    const { s } = setup({ m: [{ id: 'a', weight: 1, maxConcurrency: 1 }] }, { maxQueue: 2 });
    await s.acquire('m', 't');
    void s.acquire('m', 't');
    void s.acquire('m', 'u');
    expect(await rejection(s.acquire('m', 'v'))).toBe('queue_full');
    expect(s.queued()).toBe(2);
  });

  it('makes release idempotent', async () => {
    const { s } = setup({ m: [{ id: 'a', weight: 1, maxConcurrency: 2 }] }, { failureThreshold: 2 });
    const l1 = await s.acquire('m', 't');
    const l2 = await s.acquire('m', 't');
    l1.release('failure');
    l1.release('failure');
    l1.release('success');
    expect(s.outstanding('a')).toBe(1);
    expect(s.breakerState('a')).toBe('closed'); // one failure counted, not two
    l2.release('neutral');
    expect(s.outstanding('a')).toBe(0);
  });

  it('rejects waiters with no_node when their nodes go away, and keeps state for nodes that stay', async () => {
    const { s } = setup({ m: [{ id: 'a', weight: 1, maxConcurrency: 1 }], n: [{ id: 'b', weight: 1, maxConcurrency: 1 }] });
    const la = await s.acquire('m', 't');
    await s.acquire('n', 't');
    const wm = s.acquire('m', 't');
    const wn = s.acquire('n', 't');
    s.setNodes(new Map([['m', [{ id: 'a', weight: 2, maxConcurrency: 2 }]]]));
    expect(await rejection(wn)).toBe('no_node');
    // 'a' stayed with its outstanding lease, and its higher limit now admits the waiter
    expect((await wm).nodeId).toBe('a');
    expect(s.outstanding('a')).toBe(2);
    la.release('success');
    expect(s.outstanding('a')).toBe(1);
    expect(s.outstanding('b')).toBe(0);
    // a waiter is rejected when its only node turns unhealthy
    await s.acquire('m', 't');
    const w = s.acquire('m', 't');
    s.setHealth('a', false);
    expect(await rejection(w)).toBe('no_node');
  });
});
