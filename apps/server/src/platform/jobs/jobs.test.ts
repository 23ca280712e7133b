import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '../db/index.js';
import { JobQueue } from './index.js';

let database: Database;
let dir: string;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zhijiao-jobs-'));
  database = await openDatabase({ dataDir: dir });
}, 60_000);
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

const statusOf = async (id: string) =>
  (await queryRows<{ status: string; attempts: number }>(database.db, sql`select status, attempts from jobs where id = ${id}`))[0];

describe('job queue', () => {
  it('runs a job once and marks it done', async () => {
    const q = new JobQueue(database.db, log);
    const seen: unknown[] = [];
    q.register('t.ok', async (p) => void seen.push(p));
    const id = await q.enqueue(database.db, 't.ok', { n: 1 });
    expect(await q.runOne()).toBe(true);
    expect(await q.runOne()).toBe(false);
    expect(seen).toEqual([{ n: 1 }]);
    expect(await statusOf(id)).toEqual({ status: 'done', attempts: 1 });
  });

  it('retries a failing job with backoff and gives up after five attempts', async () => {
    const q = new JobQueue(database.db, log, { leaseSeconds: 300, idleMs: 10, backoffMs: 1000 });
    let calls = 0;
    q.register('t.fail', async () => {
      calls++;
      throw new Error('boom');
    });
    const id = await q.enqueue(database.db, 't.fail', {});
    expect(await q.runOne()).toBe(true);
    // Backing off: not runnable again until run_after passes.
    expect(await q.runOne()).toBe(false);
    for (let i = 0; i < 5; i++) {
      await database.db.execute(sql`update jobs set run_after = now() where id = ${id}`);
      await q.runOne();
    }
    expect(calls).toBe(5);
    expect(await statusOf(id)).toEqual({ status: 'failed', attempts: 5 });
  });

  it('runs again a job whose worker died (expired lease), not one still leased', async () => {
    const q = new JobQueue(database.db, log, { leaseSeconds: 300, idleMs: 10, backoffMs: 1000 });
    let calls = 0;
    q.register('t.crash', async () => void calls++);
    const id = await q.enqueue(database.db, 't.crash', {});
    // A worker leased it and died: status running, lease still valid -> nobody takes it.
    await database.db.execute(sql`update jobs set status = 'running', attempts = 1, lease_until = now() + interval '1 minute' where id = ${id}`);
    expect(await q.runOne()).toBe(false);
    await database.db.execute(sql`update jobs set lease_until = now() - interval '1 second' where id = ${id}`);
    expect(await q.runOne()).toBe(true);
    expect(calls).toBe(1);
    expect(await statusOf(id)).toEqual({ status: 'done', attempts: 2 });
  });

  it('a job enqueued in a rolled-back transaction never runs', async () => {
    const q = new JobQueue(database.db, log);
    q.register('t.rollback', async () => {
      throw new Error('must not run');
    });
    await expect(
      database.db.transaction(async (tx) => {
        await q.enqueue(tx, 't.rollback', {});
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await q.runOne()).toBe(false);
  });
});
