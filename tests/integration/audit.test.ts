/**
 * The hash-chained audit log: intact after activity; an edited or a deleted entry is found by
 * GET /api/audit/verify (after a restart on the same data) and by `npm run audit:verify`; the
 * filters work; a researcher's attempt to read a student is denied and logged.
 *
 * Tampering goes straight to the database: PGlite (server stopped, the data dir opened here) or
 * the PostgreSQL database the server runs on.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, startServer, type RunningServer } from '../support/server.js';

const root = resolve(import.meta.dirname, '../..');
const servers: RunningServer[] = [];

afterAll(async () => {
  for (const s of servers) {
    await s.stop();
    await s.cleanup();
  }
});

async function start(on?: RunningServer): Promise<RunningServer> {
  const s = await startServer(on ? { dataDir: on.dataDir, databaseUrl: on.databaseUrl, keepData: true } : { keepData: true });
  servers.push(s);
  return s;
}

/** Runs SQL directly against the server's database. With PGlite the server must be stopped. */
async function withDatabase<T>(s: RunningServer, fn: (q: (text: string, params?: unknown[]) => Promise<any[]>) => Promise<T>): Promise<T> {
  if (s.databaseUrl) {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: s.databaseUrl });
    await c.connect();
    try {
      return await fn(async (text, params) => (await c.query(text, params as any[])).rows);
    } finally {
      await c.end();
    }
  }
  expect(s.process.exitCode !== null || s.process.signalCode !== null).toBe(true);
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(join(s.dataDir, 'db'));
  try {
    return await fn(async (text, params) => (await db.query(text, params as any[])).rows as any[]);
  } finally {
    await db.close();
  }
}

/** `npm run audit:verify` against the server's data (the CLI opens PGlite itself: server stopped). */
function verifyCli(s: RunningServer): Promise<{ code: number | null; out: string }> {
  return new Promise((ok, fail) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ZHIJIAO_DATA_DIR: s.dataDir, LOG_LEVEL: 'warn' };
    if (s.databaseUrl) env.DATABASE_URL = s.databaseUrl;
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/server/src/cli/audit-verify.ts')], { cwd: root, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', fail);
    child.once('exit', (code) => ok({ code, out }));
  });
}

async function signedIn(s: RunningServer, username: string) {
  const c = new Client(s.baseUrl, 'en');
  await c.login(username);
  return c;
}

/** Some activity of several kinds, so the chain has more than the seed entry. */
async function activity(s: RunningServer) {
  const t = await signedIn(s, 'teacher1');
  const students = (await t.get('/api/students?pageSize=5')).data.items as any[];
  await t.get(`/api/students/${students[0].id}`);
  const bad = new Client(s.baseUrl);
  expect((await bad.post('/api/auth/login', { username: 'teacher2', password: 'wrong-password' })).status).toBe(401);
  await signedIn(s, 'school_admin1');
}

describe('audit log', () => {
  it('the chain verifies after activity, via the API and the CLI', async () => {
    const s = await start();
    await activity(s);
    const auditor = await signedIn(s, 'auditor1');
    const v = await auditor.get('/api/audit/verify');
    expect(v.status).toBe(200);
    expect(v.data.ok).toBe(true);
    expect(v.data.firstBroken).toBeNull();
    const all = await auditor.get('/api/audit?pageSize=1');
    // Everything up to the verify call was checked (the verify itself is appended afterwards).
    expect(v.data.checked).toBe(all.data.total - 1);
    expect(all.data.items[0]).toMatchObject({ action: 'audit.verify', outcome: 'success', actorName: 'auditor1', detail: { checked: v.data.checked } });
    expect(all.data.items[0].hash).toMatch(/^[0-9a-f]{64}$/);

    await s.stop();
    const cli = await verifyCli(s);
    expect(cli.out).toContain(`audit chain intact: ${all.data.total + 1} entries verified`);
    expect(cli.code).toBe(0);
  });

  it("tampering with one entry's detail is detected by the API (after restart) and the CLI, naming the seq", async () => {
    const s = await start();
    await activity(s);
    await s.stop();
    const target = await withDatabase(s, async (q) => {
      const [row] = await q(`select seq, detail from audit_log where action = 'auth.login' and outcome = 'failure' order by seq limit 1`);
      expect(row.detail).toMatchObject({ reason: 'bad_password' });
      // Make the failed login look like nothing happened.
      await q(`update audit_log set detail = $1::jsonb where seq = $2`, [JSON.stringify({ reason: 'bad_password', failures: 0, locked: false }), row.seq]);
      return Number(row.seq);
    });
    expect(target).toBeGreaterThan(1);

    const cli = await verifyCli(s);
    expect(cli.code).toBe(1);
    expect(cli.out).toContain(`audit chain BROKEN at entry ${target}: content does not match its hash`);
    expect(cli.out).toContain(`(${target - 1} entries verified before it)`);

    const again = await start(s);
    const auditor = await signedIn(again, 'auditor1');
    const v = await auditor.get('/api/audit/verify');
    expect(v.status).toBe(200);
    expect(v.data).toEqual({ ok: false, checked: target - 1, firstBroken: { seq: target, reason: 'content does not match its hash' } });
    // The failed verification is itself audited.
    const last = await auditor.get('/api/audit?action=audit.verify&outcome=failure');
    expect(last.data.total).toBe(1);
    expect(last.data.items[0].detail).toEqual({ checked: target - 1 });
  });

  it('deleting an entry is detected as a missing entry', async () => {
    const s = await start();
    await activity(s);
    await s.stop();
    const target = await withDatabase(s, async (q) => {
      const [{ n }] = await q(`select count(*)::int as n from audit_log`);
      expect(n).toBeGreaterThan(4);
      const [row] = await q(`select seq from audit_log where action = 'student.read' order by seq limit 1`);
      await q(`delete from audit_log where seq = $1`, [row.seq]);
      return Number(row.seq);
    });

    const cli = await verifyCli(s);
    expect(cli.code).toBe(1);
    expect(cli.out).toContain(`audit chain BROKEN at entry ${target}: entry ${target} is missing`);

    const again = await start(s);
    const v = await (await signedIn(again, 'sysadmin')).get('/api/audit/verify');
    expect(v.data).toEqual({ ok: false, checked: target - 1, firstBroken: { seq: target, reason: `entry ${target} is missing` } });
  });

  it('deleting an entry and renumbering / re-linking the rest is still detected (the hash covers seq and link)', async () => {
    const s = await start();
    await activity(s);
    await s.stop();
    const target = await withDatabase(s, async (q) => {
      const rows = await q(`select seq, prev_hash, hash from audit_log order by seq`);
      const victim = rows[2];
      const next = rows[3];
      await q(`delete from audit_log where seq = $1`, [victim.seq]);
      await q(`update audit_log set seq = seq - 1 where seq > $1`, [victim.seq]);
      await q(`update audit_log set prev_hash = $1 where seq = $2`, [victim.prev_hash, victim.seq]);
      expect(next.prev_hash).toBe(victim.hash);
      return Number(victim.seq);
    });
    const cli = await verifyCli(s);
    expect(cli.code).toBe(1);
    expect(cli.out).toContain(`audit chain BROKEN at entry ${target}: content does not match its hash`);
  });

  it('filters by actor, action and outcome', async () => {
    const s = await start();
    const anon = new Client(s.baseUrl);
    for (let i = 0; i < 3; i++) expect((await anon.post('/api/auth/login', { username: 'teacher5', password: `nope-${i}` })).status).toBe(401);
    await signedIn(s, 'teacher5');
    await signedIn(s, 'teacher1');
    const auditor = await signedIn(s, 'auditor1');

    const byActor = await auditor.get('/api/audit?actor=teacher5&pageSize=200');
    expect(byActor.data.total).toBe(4);
    expect(byActor.data.items.every((e: any) => e.actorName === 'teacher5')).toBe(true);

    const failures = await auditor.get('/api/audit?actor=teacher5&action=auth.login&outcome=failure');
    expect(failures.data.total).toBe(3);
    expect(failures.data.items.map((e: any) => e.detail.failures)).toEqual([3, 2, 1]); // newest first
    const success = await auditor.get('/api/audit?actor=teacher5&action=auth.login&outcome=success');
    expect(success.data.total).toBe(1);

    const logins = await auditor.get('/api/audit?action=auth.login&pageSize=200');
    expect(logins.data.items.every((e: any) => e.action === 'auth.login')).toBe(true);
    expect(logins.data.total).toBe(6); // 3 failures + teacher5 + teacher1 + auditor1

    // The action filter is a prefix: "auth." covers logins; nothing else leaks in.
    const auth = await auditor.get('/api/audit?action=auth.&pageSize=200');
    expect(auth.data.items.every((e: any) => e.action.startsWith('auth.'))).toBe(true);
    expect(auth.data.total).toBeGreaterThanOrEqual(6);

    const allFailures = await auditor.get('/api/audit?outcome=failure&pageSize=200');
    expect(allFailures.data.items.every((e: any) => e.outcome === 'failure')).toBe(true);
    expect(allFailures.data.total).toBe(3);

    // Paging and the time window.
    const page2 = await auditor.get('/api/audit?actor=teacher5&pageSize=2&page=2');
    expect(page2.data).toMatchObject({ total: 4, page: 2, pageSize: 2 });
    expect(page2.data.items.map((e: any) => e.seq)).toEqual(byActor.data.items.slice(2, 4).map((e: any) => e.seq));
    const future = await auditor.get(`/api/audit?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
    expect(future.data.total).toBe(0);

    // Nobody matches: an empty page, not an error.
    expect((await auditor.get('/api/audit?actor=nobody_at_all')).data).toMatchObject({ items: [], total: 0 });
    // Bad filter values are 400 problems.
    const bad = await auditor.get('/api/audit?outcome=maybe');
    expect([bad.status, bad.data.code]).toEqual([400, 'request.invalid']);
    // NUL characters (which PostgreSQL text cannot hold) are invalid input, not a 500.
    for (const q of ['actor=%00', 'action=auth.%00login']) {
      const nul = await auditor.get(`/api/audit?${q}`);
      expect([nul.status, nul.data.code], q).toEqual([400, 'request.invalid']);
    }
    const searchNul = await (await signedIn(s, 'sysadmin')).get('/api/students?q=%00');
    expect([searchNul.status, searchNul.data.code]).toEqual([400, 'request.invalid']);
    // Reading the log is itself audited, with the filters used.
    const reads = await auditor.get('/api/audit?action=audit.read&pageSize=1');
    expect(reads.data.items[0].detail).toEqual({ actor: 'nobody_at_all', page: 1, pageSize: 50 });
  });

  it("a researcher reading a student is denied, and the denial is in the log", async () => {
    const s = await start();
    const admin = await signedIn(s, 'sysadmin');
    const student = (await admin.get('/api/students?pageSize=1')).data.items[0];
    const researcher = await signedIn(s, 'researcher1');
    const r = await researcher.get(`/api/students/${student.id}`);
    expect(r.status).toBe(403);
    expect(r.data.code).toBe('authz.forbidden');
    expect(r.data.detail).toBe('You do not have permission to access this.');
    expect(r.data).not.toHaveProperty('name');
    const search = await researcher.get('/api/students');
    expect(search.status).toBe(403);

    const auditor = await signedIn(s, 'auditor1');
    const denied = await auditor.get('/api/audit?actor=researcher1&outcome=denied');
    expect(denied.data.total).toBe(2);
    const read = denied.data.items.find((e: any) => e.resourceId === student.id);
    expect(read).toMatchObject({
      action: 'authz.denied',
      actorName: 'researcher1',
      resourceType: 'student',
      outcome: 'denied',
      detail: { method: 'GET', route: '/api/students/:id', permission: 'student.read' },
      ip: '127.0.0.1',
    });
    expect(read.actorId).toMatch(/^[0-9a-f-]{36}$/);
    // No successful student.read by the researcher anywhere.
    expect((await auditor.get('/api/audit?actor=researcher1&action=student.')).data.total).toBe(0);
    // And the chain still verifies.
    expect((await auditor.get('/api/audit/verify')).data.ok).toBe(true);
  });

  it('an anonymous or unprivileged caller cannot read or verify the log', async () => {
    const s = await start();
    const anon = new Client(s.baseUrl);
    expect((await anon.get('/api/audit')).status).toBe(401);
    expect((await anon.get('/api/audit/verify')).status).toBe(401);
    const admin = await signedIn(s, 'school_admin1');
    expect((await admin.get('/api/audit')).status).toBe(403);
    const auditor = await signedIn(s, 'auditor1');
    const d = await auditor.get('/api/audit?action=authz.denied&actor=school_admin1');
    expect(d.data.items[0].detail).toMatchObject({ route: '/api/audit', permission: 'audit.read' });
  });
});
