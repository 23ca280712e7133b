/**
 * The server process over its life: first start (seeding, generated password printed once),
 * restart on the same data (nothing seeded again), bad configuration, health / OpenAPI / docs,
 * a clean SIGTERM, and a roster import that survives a SIGKILL right after its 202.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cnIdCheckChar } from '@zhijiao/engine';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, DEMO_PASSWORD, startServer, type RunningServer } from '../support/server.js';

const root = resolve(import.meta.dirname, '../..');
const servers: RunningServer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const s of servers) {
    await s.stop();
    await s.cleanup();
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const BANNER = 'demo region seeded';

async function sysadminTotal(s: RunningServer, password = DEMO_PASSWORD): Promise<number> {
  const c = new Client(s.baseUrl);
  await c.login('sysadmin', password);
  const r = await c.get('/api/students?pageSize=1');
  expect(r.status).toBe(200);
  return r.data.total;
}

/** Runs the server entry point with the given environment and waits for it to exit. */
function runServerExpectingExit(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/server/src/main.ts')], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', fail);
    child.once('exit', (code) => {
      clearTimeout(timer);
      ok({ code, out });
    });
  });
}

/** The job row of an import, read directly from the (stopped) server's database. */
async function jobState(s: RunningServer, importId: string): Promise<{ status: string; attempts: number; leaseSecondsLeft: number | null }> {
  const text = `select status, attempts, extract(epoch from (lease_until - now()))::float8 as left from jobs where payload->>'importId' = $1`;
  let rows: any[];
  if (s.databaseUrl) {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: s.databaseUrl });
    await c.connect();
    rows = (await c.query(text, [importId])).rows;
    await c.end();
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(join(s.dataDir, 'db'));
    rows = (await db.query(text, [importId])).rows as any[];
    await db.close();
  }
  expect(rows).toHaveLength(1);
  return { status: rows[0].status, attempts: rows[0].attempts, leaseSecondsLeft: rows[0].left === null ? null : Math.round(rows[0].left) };
}

describe('server lifecycle', () => {
  let first: RunningServer;
  let generatedPassword: string;

  it('first start without ZHIJIAO_DEMO_PASSWORD seeds the demo region and prints a generated password once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'zhijiao-life-'));
    dirs.push(dataDir);
    // An explicit, empty data dir (PGlite) or a new database (PostgreSQL): a real first start.
    first = await startServer({ dataDir, unsetEnv: ['ZHIJIAO_DEMO_PASSWORD'], keepData: true });
    servers.push(first);
    const out = first.output();
    expect(out).toContain(BANNER);
    const m = /generated, shown only this once[^:]*:\s*(\S+)/.exec(out);
    expect(m, out).not.toBeNull();
    generatedPassword = m![1]!;
    expect(generatedPassword.length).toBeGreaterThanOrEqual(12);
    expect(generatedPassword).not.toBe(DEMO_PASSWORD);
    expect(out.split(generatedPassword).length - 1).toBe(1); // printed exactly once
    expect(out).toMatch(/Accounts 账号: sysadmin, auditor1, .*teacher1.*, student2 … student120/);

    expect(await sysadminTotal(first, generatedPassword)).toBe(120);
    const c = new Client(first.baseUrl);
    await c.login('student1', generatedPassword);
    const wrong = await new Client(first.baseUrl).post('/api/auth/login', { username: 'sysadmin', password: DEMO_PASSWORD });
    expect(wrong.status).toBe(401);
    // Never written to the log lines either (only the banner).
    expect(out.split('\n').filter((l) => l.includes(generatedPassword))).toHaveLength(1);
  });

  it('a second start on the same data reuses it and seeds nothing', async () => {
    expect(await first.stop()).toBe(0);
    const second = await startServer({ dataDir: first.dataDir, databaseUrl: first.databaseUrl, unsetEnv: ['ZHIJIAO_DEMO_PASSWORD'] });
    servers.push(second);
    expect(second.output()).not.toContain(BANNER);
    expect(second.output()).not.toMatch(/Password 密码/);
    // The first start's password still works; 120 students, not 240.
    expect(await sysadminTotal(second, generatedPassword)).toBe(120);
    const c = new Client(second.baseUrl);
    await c.login('auditor1', generatedPassword);
    const seeds = await c.get('/api/audit?action=system.seed_demo');
    expect(seeds.data.total).toBe(1);
    await second.stop();
  });

  it('a start with ZHIJIAO_DEMO_PASSWORD set says so instead of printing it', async () => {
    const s = await startServer({ seedDemo: true, dataDir: (() => { const d = mkdtempSync(join(tmpdir(), 'zhijiao-life-')); dirs.push(d); return d; })() });
    servers.push(s);
    expect(s.output()).toContain(BANNER);
    expect(s.output()).toContain('the value of ZHIJIAO_DEMO_PASSWORD');
    expect(s.output()).not.toContain(DEMO_PASSWORD);
    expect(await sysadminTotal(s)).toBe(120);
    await s.stop();
  });

  it('bad configuration exits non-zero with a message naming the variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'zhijiao-life-'));
    dirs.push(dataDir);
    const base = { ZHIJIAO_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0' };
    const port = await runServerExpectingExit({ ...base, PORT: 'abc' });
    expect(port.code).toBe(2);
    expect(port.out).toContain('Invalid configuration');
    expect(port.out).toMatch(/PORT: .+/);
    expect(port.out).not.toMatch(/\n\s+at /); // a message, not a stack trace

    const db = await runServerExpectingExit({ ...base, DATABASE_URL: 'mysql://x' });
    expect(db.code).toBe(2);
    expect(db.out).toMatch(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);

    const several = await runServerExpectingExit({ ...base, ZHIJIAO_DEMO_PASSWORD: 'short', LOG_LEVEL: 'loud', ZHIJIAO_DATA_KEY: 'abc' });
    expect(several.code).toBe(2);
    for (const v of ['ZHIJIAO_DEMO_PASSWORD', 'LOG_LEVEL', 'ZHIJIAO_DATA_KEY']) expect(several.out).toContain(`${v}:`);
  });

  it('serves health, the OpenAPI document and the docs page', async () => {
    const s = await startServer();
    servers.push(s);
    const health = await fetch(`${s.baseUrl}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('{"status":"ok"}');
    const spec = await (await fetch(`${s.baseUrl}/api/openapi.json`)).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/students', '/api/students/{id}', '/api/auth/login', '/api/roster/imports', '/api/audit/verify']));
    expect(spec.paths['/api/students'].get).toBeDefined();
    expect(spec.paths['/api/openapi.json']).toBeUndefined();
    const docs = await fetch(`${s.baseUrl}/api/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(await docs.text()).toMatch(/<html[\s\S]*swagger/i);
    const missing = await fetch(`${s.baseUrl}/api/no-such-route`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe('http.not_found');
  });

  it('SIGTERM shuts down cleanly with exit code 0', async () => {
    const s = await startServer();
    servers.push(s);
    expect(await sysadminTotal(s)).toBe(120);
    const t0 = Date.now();
    expect(await s.stop('SIGTERM')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(s.output()).not.toMatch(/"level":(50|60)/);
  });

  it('a roster import acknowledged with 202 completes after a SIGKILL and restart on the same data', { timeout: 240_000 }, async () => {
    const s = await startServer({ keepData: true });
    servers.push(s);
    const admin = new Client(s.baseUrl);
    await admin.login('school_admin1');
    const ROWS = 3000;
    const lines = ['姓名,学号,性别,年级,班级,身份证号'];
    for (let i = 0; i < ROWS; i++) {
      const id17 = `3301062013${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (Math.floor(i / 12) % 28)).padStart(2, '0')}${String(Math.floor(i / 336)).padStart(3, '0')}`;
      lines.push(`测试生,K${String(i).padStart(5, '0')},男,${i % 2 ? '八' : '七'}年级,${1 + (i % 2)},${id17}${cnIdCheckChar(id17)}`);
    }
    const fd = new FormData();
    fd.set('file', new Blob([lines.join('\n')], { type: 'text/csv' }), 'kill.csv');
    const r = await admin.post('/api/roster/imports', fd);
    expect(r.status, JSON.stringify(r.data).slice(0, 300)).toBe(202);
    expect(r.data.status).toBe('queued');
    // Killed right after the acknowledgement: no graceful shutdown, no chance to finish.
    expect(await s.stop('SIGKILL')).toBeNull();
    expect(s.process.signalCode).toBe('SIGKILL');

    // Where the kill caught the job (the worker may already have leased it).
    const job = await jobState(s, r.data.id);
    console.log(`job at SIGKILL: ${JSON.stringify(job)}`);
    expect(['queued', 'running']).toContain(job.status);

    const t0 = Date.now();
    const again = await startServer({ dataDir: s.dataDir, databaseUrl: s.databaseUrl });
    servers.push(again);
    const admin2 = new Client(again.baseUrl);
    await admin2.login('school_admin1');
    let imp: any;
    const statuses: string[] = [];
    for (;;) {
      imp = (await admin2.get(`/api/roster/imports/${r.data.id}`)).data;
      if (statuses.at(-1) !== imp.status) statuses.push(imp.status);
      if (['done', 'invalid', 'failed'].includes(imp.status)) break;
      if (Date.now() - t0 > 200_000) break;
      await new Promise((ok) => setTimeout(ok, 250));
    }
    console.log(`import after SIGKILL: ${statuses.join(' -> ')} in ${Date.now() - t0} ms after restart`);
    expect(imp).toMatchObject({ status: 'done', summary: { created: ROWS, updated: 0, unchanged: 0 }, processedRows: ROWS });
    // It resumes promptly (not only after a multi-minute lease expiry).
    expect(Date.now() - t0).toBeLessThan(90_000);
    const schools = (await admin2.get('/api/schools')).data;
    expect(schools[0].studentCount).toBe(40 + ROWS);
    const found = await admin2.get('/api/students?q=K02999');
    expect(found.data.items.map((x: any) => x.studentNo)).toEqual(['K02999']);
    // Applied once: exactly one apply entry in the audit log.
    const auditor = new Client(again.baseUrl);
    await auditor.login('auditor1');
    const applied = await auditor.get(`/api/audit?action=roster.import.apply`);
    expect(applied.data.items.filter((e: any) => e.resourceId === r.data.id)).toHaveLength(1);
    expect((await auditor.get('/api/audit/verify')).data.ok).toBe(true);
  });
});
