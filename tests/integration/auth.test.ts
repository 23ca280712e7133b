/**
 * Authentication against the running server: login and its cookie, /api/me, wrong credentials
 * (bilingual, no user enumeration), lockout, password change, logout, API keys, the login audit
 * trail, and ~100 seeded random malformed login requests that must all be clean 4xx problems.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, DEMO_PASSWORD, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

/** A raw request that keeps full control of headers and body (no cookie jar). */
async function raw(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const res = await fetch(server.baseUrl + path, { redirect: 'manual', ...init });
  const text = await res.text();
  let data: any = text;
  try {
    data = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, data };
}

const loginRaw = (username: unknown, password: unknown, headers: Record<string, string> = {}) =>
  raw('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });

/** The `zj_session=…` pair of a login response. */
function sessionCookie(headers: Headers): string {
  const c = headers.getSetCookie().find((x) => x.startsWith('zj_session='));
  if (!c) throw new Error('no session cookie');
  return c.split(';')[0];
}

const meWith = (cookie: string) => raw('/api/me', { headers: { cookie } });

function expectProblem(r: { status: number; headers: Headers; data: any }, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.data).toMatchObject({ status, code, type: `https://zhijiao.dev/problems/${code}` });
  expect(typeof r.data.detail).toBe('string');
  expect(r.data.messages).toEqual({ 'zh-CN': expect.any(String), en: expect.any(String) });
}

/** Audit entries, read as auditor1. */
async function auditEntries(query: string) {
  const a = new Client(server.baseUrl);
  await a.login('auditor1');
  const r = await a.get(`/api/audit?pageSize=200&${query}`);
  expect(r.status).toBe(200);
  return r.data as { items: any[]; total: number };
}

describe('authentication', () => {
  it('login sets an httpOnly, SameSite=Lax session cookie (Secure only behind HTTPS)', async () => {
    const r = await loginRaw('student2', DEMO_PASSWORD);
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ username: 'student2', via: 'session' });
    const set = r.headers.getSetCookie().find((c) => c.startsWith('zj_session='))!;
    expect(set).toBeDefined();
    expect(set).toMatch(/;\s*HttpOnly/i);
    expect(set).toMatch(/;\s*SameSite=Lax/i);
    expect(set).toMatch(/;\s*Path=\//i);
    expect(set).not.toMatch(/;\s*Secure/i);
    expect(sessionCookie(r.headers).length).toBeGreaterThan('zj_session='.length + 20);
    // The cookie alone authenticates.
    const me = await meWith(sessionCookie(r.headers));
    expect(me.status).toBe(200);
    expect(me.data.username).toBe('student2');

    const https = await loginRaw('student2', DEMO_PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(https.status).toBe(200);
    expect(https.headers.getSetCookie().find((c) => c.startsWith('zj_session='))).toMatch(/;\s*Secure/i);
  });

  it('/api/me lists roles and scopes: teacher1 teaches 数学 in two classes', async () => {
    const c = new Client(server.baseUrl);
    await c.login('teacher1');
    const me = await c.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.data).toMatchObject({ username: 'teacher1', displayName: '王丽华', via: 'session' });
    const teacher = me.data.roles.filter((r: any) => r.role === 'teacher');
    expect(teacher).toHaveLength(2);
    for (const b of teacher) {
      expect(b).toMatchObject({ scopeType: 'class', subject: '数学' });
      expect(b.scopeId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(new Set(teacher.map((b: any) => b.scopeId)).size).toBe(2);
    expect(teacher.map((b: any) => b.scopeName).sort()).toEqual([
      '杭州市西湖区实验中学 七年级(1)班',
      '杭州市西湖区实验中学 七年级(2)班',
    ]);
    expect(me.data.roles.every((r: any) => r.role === 'teacher')).toBe(true);

    // A region-scoped admin for contrast.
    const county = new Client(server.baseUrl);
    await county.login('county_admin1');
    const cm = await county.get('/api/me');
    expect(cm.data.roles).toEqual([
      expect.objectContaining({ role: 'county_admin', scopeType: 'region', scopeName: '西湖区', subject: null }),
    ]);
    // Anonymous: 401 problem.
    expectProblem(await raw('/api/me'), 401, 'auth.required');
  });

  it('wrong password: 401 auth.invalid_credentials, zh-CN by default, English on request', async () => {
    const zh = await loginRaw('teacher2', 'wrong-password-1');
    expectProblem(zh, 401, 'auth.invalid_credentials');
    expect(zh.data.detail).toBe('用户名或密码错误。');
    expect(zh.headers.getSetCookie()).toEqual([]);

    const en = await loginRaw('teacher2', 'wrong-password-2', { 'accept-language': 'en-US,en;q=0.9' });
    expectProblem(en, 401, 'auth.invalid_credentials');
    expect(en.data.detail).toBe('Wrong username or password.');
    expect(en.data.messages).toEqual(zh.data.messages);
  });

  it('an unknown user gets exactly the same 401 (no user enumeration)', async () => {
    const known = await loginRaw('teacher2', 'wrong-password-3');
    const unknown = await loginRaw('no_such_user_42', 'wrong-password-3');
    expectProblem(unknown, 401, 'auth.invalid_credentials');
    expect(unknown.data).toEqual(known.data);
    // teacher2 is not locked by three failures and still signs in (the counter resets).
    expect((await loginRaw('teacher2', DEMO_PASSWORD)).status).toBe(200);
  });

  it('locks the account after 5 failures: 423 auth.locked, even with the right password', async () => {
    for (let i = 1; i <= 4; i++) expectProblem(await loginRaw('teacher4', `bad-${i}`), 401, 'auth.invalid_credentials');
    const fifth = await loginRaw('teacher4', 'bad-5');
    expectProblem(fifth, 423, 'auth.locked');
    const right = await loginRaw('teacher4', DEMO_PASSWORD, { 'accept-language': 'en' });
    expectProblem(right, 423, 'auth.locked');
    expect(right.data.detail).toMatch(/locked for 1[45] more minute/);
    const until = Date.parse(right.data.lockedUntil);
    expect(until - Date.now()).toBeGreaterThan(13 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect(right.headers.getSetCookie()).toEqual([]);
    // Other accounts are unaffected.
    expect((await loginRaw('teacher5', DEMO_PASSWORD)).status).toBe(200);
  });

  it('password change: wrong current -> 400; success ends sessions, new password works, old fails', async () => {
    const first = await loginRaw('teacher3', DEMO_PASSWORD);
    const other = await loginRaw('teacher3', DEMO_PASSWORD);
    const cookie = sessionCookie(first.headers);
    const otherCookie = sessionCookie(other.headers);
    const change = (currentPassword: string, newPassword: string) =>
      raw('/api/auth/password', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword, newPassword }),
      });

    expectProblem(await change('not-the-password', 'Brand-new-passw0rd'), 400, 'auth.wrong_password');
    expect((await meWith(cookie)).status).toBe(200);
    expectProblem(await change(DEMO_PASSWORD, 'short'), 400, 'request.invalid');
    expectProblem(await change(DEMO_PASSWORD, 'x-teacher3-x-long'), 400, 'auth.weak_password');

    const ok = await change(DEMO_PASSWORD, 'Brand-new-passw0rd');
    expect(ok.status).toBe(204);
    expectProblem(await meWith(cookie), 401, 'auth.required');
    expectProblem(await meWith(otherCookie), 401, 'auth.required');

    expectProblem(await loginRaw('teacher3', DEMO_PASSWORD), 401, 'auth.invalid_credentials');
    const again = await loginRaw('teacher3', 'Brand-new-passw0rd');
    expect(again.status).toBe(200);
    expect((await meWith(sessionCookie(again.headers))).data.username).toBe('teacher3');
  });

  it('logout ends the session', async () => {
    const r = await loginRaw('head_teacher1', DEMO_PASSWORD);
    const cookie = sessionCookie(r.headers);
    expect((await meWith(cookie)).status).toBe(200);
    const out = await raw('/api/auth/logout', { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().some((c) => /^zj_session=;/.test(c))).toBe(true);
    // Replaying the old cookie does not work: the session is gone server-side.
    expectProblem(await meWith(cookie), 401, 'auth.required');
    expectProblem(await raw('/api/auth/logout', { method: 'POST', headers: { cookie } }), 401, 'auth.required');
  });

  it('API keys: shown once, listed by prefix only, usable as Bearer, dead once revoked', async () => {
    const admin = new Client(server.baseUrl);
    await admin.login('school_admin1');
    const created = await admin.post('/api/me/api-keys', { name: 'sis-sync', expiresInDays: 30 });
    expect(created.status).toBe(201);
    const key: string = created.data.key;
    expect(key).toMatch(/^zk_[A-Za-z0-9_-]{20,}$/);
    expect(created.data).toMatchObject({ name: 'sis-sync', prefix: key.slice(0, 8), revokedAt: null });
    expect(Date.parse(created.data.expiresAt) - Date.now()).toBeGreaterThan(29 * 86400_000);

    const list = await admin.get('/api/me/api-keys');
    expect(list.status).toBe(200);
    const listed = list.data.find((k: any) => k.id === created.data.id);
    expect(listed).toMatchObject({ prefix: key.slice(0, 8), name: 'sis-sync' });
    expect(listed).not.toHaveProperty('key');
    expect(JSON.stringify(list.data)).not.toContain(key.slice(8));

    const bearer = await raw('/api/me', { headers: { authorization: `Bearer ${key}` } });
    expect(bearer.status).toBe(200);
    expect(bearer.data).toMatchObject({ username: 'school_admin1', via: 'api_key' });
    const header = await raw('/api/me', { headers: { 'x-api-key': key } });
    expect(header.data.via).toBe('api_key');
    const afterUse = (await admin.get('/api/me/api-keys')).data.find((k: any) => k.id === created.data.id);
    expect(afterUse.lastUsedAt).not.toBeNull();

    expectProblem(await raw('/api/me', { headers: { authorization: `Bearer ${key}x` } }), 401, 'auth.invalid_api_key');
    const nul = await admin.post('/api/me/api-keys', { name: 'a\u0000b' });
    expect([nul.status, nul.data.code]).toEqual([400, 'request.invalid']);

    expect((await admin.delete(`/api/me/api-keys/${created.data.id}`)).status).toBe(204);
    expectProblem(await raw('/api/me', { headers: { authorization: `Bearer ${key}` } }), 401, 'auth.invalid_api_key');
    const revoked = (await admin.get('/api/me/api-keys')).data.find((k: any) => k.id === created.data.id);
    expect(revoked.revokedAt).not.toBeNull();
    // Revoking twice: 404.
    const twice = await admin.delete(`/api/me/api-keys/${created.data.id}`);
    expect(twice.status).toBe(404);
    expect(twice.data.code).toBe('apikey.not_found');
  });

  it('logins are audited: successes and failures, with the reason', async () => {
    await loginRaw('student7', 'wrong-password-audit');
    await loginRaw('student7', DEMO_PASSWORD);
    await loginRaw('ghost_user_audit', 'whatever-1');
    const s7 = await auditEntries('action=auth.login&actor=student7');
    expect(s7.items.map((e) => e.outcome)).toEqual(['success', 'failure']);
    expect(s7.items[1].detail).toMatchObject({ reason: 'bad_password', failures: 1, locked: false });
    expect(s7.items[0].actorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(s7.items[0].ip).toBe('127.0.0.1');
    const ghost = await auditEntries('action=auth.login&actor=ghost_user_audit&outcome=failure');
    expect(ghost.total).toBe(1);
    expect(ghost.items[0]).toMatchObject({ actorId: null, actorName: 'ghost_user_audit', detail: { reason: 'unknown_user' } });
    const locked = await auditEntries('action=auth.login&actor=teacher4&outcome=failure');
    expect(locked.items.map((e) => e.detail.reason)).toEqual(['locked', 'bad_password', 'bad_password', 'bad_password', 'bad_password', 'bad_password']);
    expect(locked.items[1].detail).toMatchObject({ failures: 5, locked: true });
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzz

/** mulberry32: seeded, so a failure reproduces. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FUZZ_SEED = 20260401;
const ALLOWED = new Map<number, Set<string>>([
  [400, new Set(['request.invalid'])],
  [401, new Set(['auth.invalid_credentials'])],
  [413, new Set(['request.too_large'])],
  [415, new Set(['request.unsupported_media_type'])],
  [423, new Set(['auth.locked'])],
]);

interface FuzzCase {
  label: string;
  body: BodyInit | undefined;
  contentType: string | null;
}

function fuzzCases(n: number): FuzzCase[] {
  const rnd = prng(FUZZ_SEED);
  const int = (k: number) => Math.floor(rnd() * k);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const randomString = (len: number) => {
    const ranges: [number, number][] = [
      [0x20, 0x7e], // ASCII
      [0x4e00, 0x9fff], // CJK
      [0x0590, 0x05ff], // Hebrew (RTL)
      [0x0300, 0x036f], // combining marks
      [0x1f600, 0x1f64f], // emoji
      [0x0000, 0x001f], // controls incl. NUL
      [0xd800, 0xdfff], // lone surrogates
      [0xfff0, 0xffff], // specials
    ];
    let s = '';
    for (let i = 0; i < len; i++) {
      const [a, b] = pick(ranges);
      s += String.fromCodePoint(a + int(b - a + 1));
    }
    return s;
  };
  const values: (() => unknown)[] = [
    () => '',
    () => ' ',
    () => '\u3000\t\n',
    () => 'x'.repeat(10_000),
    () => '用'.repeat(10_000),
    () => randomString(1 + int(40)),
    () => `student${int(200)}\u0000`,
    () => '\u0000',
    () => 'a\u0000b',
    () => 'teacher1',
    () => 'student3',
    () => "' or '1'='1",
    () => '%',
    () => '_'.repeat(64),
    () => 'Demo-Passw0rd-for-tests\u0000',
    () => int(1e9),
    () => -1.5,
    () => true,
    () => null,
    () => [],
    () => ['teacher1'],
    () => ({}),
    () => ({ $ne: null }),
    () => ({ a: { b: { c: [1, { d: 'e' }] } } }),
    () => JSON.parse('{"__proto__": {"admin": true}}'),
    () => undefined,
  ];
  const cases: FuzzCase[] = [];
  for (let i = 0; i < n; i++) {
    const kind = int(10);
    if (kind < 6) {
      const body: Record<string, unknown> = { username: pick(values)(), password: pick(values)() };
      if (rnd() < 0.15) body.extra = pick(values)();
      if (rnd() < 0.1) delete body.username;
      cases.push({ label: `json fields`, body: JSON.stringify(body), contentType: 'application/json' });
    } else if (kind < 8) {
      const bodies = [
        '',
        '{',
        '{"username":',
        '{"username":"teacher1","password":"x"',
        'null',
        '[]',
        '"teacher1"',
        '123',
        '{"username":"teacher1","password":"x"}}',
        "{'username':'teacher1'}",
        '\u0000\u0001\u0002',
        randomString(50),
        '[{"username":"teacher1","password":"Demo-Passw0rd-for-tests"}]',
        '{"username":"teacher1","username":["x"],"password":"y"}',
        '{"username":"\\u0000","password":"\\ud800"}',
      ];
      cases.push({ label: 'invalid json', body: pick(bodies), contentType: pick(['application/json', 'application/json; charset=utf-8']) });
    } else if (kind < 9) {
      const ct = pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/xml',
        'multipart/form-data',
        'multipart/form-data; boundary=zz',
        'application/octet-stream',
        'image/png',
        null,
      ]);
      const body = pick([
        'username=teacher1&password=Demo-Passw0rd-for-tests',
        '<login><username>teacher1</username></login>',
        JSON.stringify({ username: 'teacher1', password: 'nope' }),
        '--zz\r\nContent-Disposition: form-data; name="username"\r\n\r\nteacher1\r\n--zz--\r\n',
        randomString(30),
      ]);
      cases.push({ label: `content-type ${ct}`, body, contentType: ct });
    } else {
      // Bigger than the 1 MiB body limit, or random bytes.
      if (rnd() < 0.3)
        cases.push({ label: 'too large', body: JSON.stringify({ username: 'a', password: 'b'.repeat(1_100_000) }), contentType: 'application/json' });
      else {
        const bytes = new Uint8Array(1 + int(300));
        for (let j = 0; j < bytes.length; j++) bytes[j] = int(256);
        cases.push({ label: 'random bytes', body: bytes, contentType: pick(['application/json', 'application/octet-stream']) });
      }
    }
  }
  return cases;
}

describe('login fuzzing', () => {
  it(`~100 seeded random malformed logins (seed ${FUZZ_SEED}) are all clean 4xx problems; the server stays healthy`, async () => {
    const cases = fuzzCases(100);
    const seen = new Map<string, number>();
    for (const [i, c] of cases.entries()) {
      const headers: Record<string, string> = {};
      if (c.contentType) headers['content-type'] = c.contentType;
      const r = await raw('/api/auth/login', { method: 'POST', headers, body: c.body });
      const where = `case ${i} (${c.label}): ${String(c.body).slice(0, 120)} -> ${r.status} ${JSON.stringify(r.data).slice(0, 300)}`;
      expect(r.status, where).toBeGreaterThanOrEqual(400);
      expect(r.status, where).toBeLessThan(500);
      expect(r.headers.get('content-type'), where).toMatch(/^application\/problem\+json/);
      expect(ALLOWED.get(r.status)?.has(r.data.code), where).toBe(true);
      expect(r.data.status, where).toBe(r.status);
      expect(r.headers.getSetCookie(), where).toEqual([]);
      seen.set(`${r.status} ${r.data.code}`, (seen.get(`${r.status} ${r.data.code}`) ?? 0) + 1);
    }
    console.log('login fuzz outcomes:', Object.fromEntries(seen));
    // The generator covers validation errors, wrong credentials, wrong content types and size.
    expect(seen.get('400 request.invalid')).toBeGreaterThan(10);
    expect(seen.has('415 request.unsupported_media_type')).toBe(true);
    expect(seen.has('413 request.too_large')).toBe(true);

    const health = await raw('/api/health');
    expect(health.status).toBe(200);
    expect(health.data).toEqual({ status: 'ok' });
    expect((await loginRaw('student9', DEMO_PASSWORD)).status).toBe(200);
    expect(server.process.exitCode).toBeNull();
    expect(server.output()).not.toMatch(/"level":50|request failed/);
  });
});
