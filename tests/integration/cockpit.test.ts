/**
 * The region cockpit over HTTP. AI use enters for real: a school app's gateway call with the
 * OpenAI `user` field set to a student's id (against a fake upstream) is attributed to that
 * student in the call log. More weeks of use are then written as call-log rows and practice
 * answers (the hub's and the learning companion's own tables, server stopped), and marked
 * submissions as `submission.marked` events, which the restarted server consumes into the
 * rollups. Checked: the regular-use KPI against a hand-made scenario (3 of the last 4 complete
 * weeks counts, 2 does not, the current week does not, disabled accounts are not active), the
 * targets, participation and mastery with small-group suppression, scope (a county admin gets 403
 * for another county; teachers and school admins 403), researchers get no person-level data, and
 * every trace adds up to its figure.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type RunningServer } from '../support/server.js';

const PASS = Object.fromEntries(['data_handling', 'content_safety', 'age_suitability', 'evaluation_evidence'].map((k) => [k, { pass: true, note: '已核验' }]));
const WEEK = 7 * 86_400_000;

let s: RunningServer;
let restarted: RunningServer;
let upstream: Server;
let upstreamUrl = '';
const received: any[] = [];
let county: Client;
let county2: Client;
let researcher: Client;
let key = '';
let xhsy = '';
let xhez = '';
let yhwc = '';
let student1 = '';
let cockpit: any;
/** user_id of the call log rows written by the two real gateway calls. */
let attributed: (string | null)[] = [];
const studentIds = new Set<string>();

/** Runs statements on the stopped server's database directly, on one connection; the rows of each. */
async function sqlBatch(server: RunningServer, statements: [string, unknown[]][]): Promise<any[][]> {
  const out: any[][] = [];
  if (server.databaseUrl) {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: server.databaseUrl });
    await c.connect();
    for (const [text, params] of statements) out.push((await c.query(text, params)).rows);
    await c.end();
    return out;
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(join(server.dataDir, 'db'));
  for (const [text, params] of statements) out.push((await db.query(text, params)).rows as any[]);
  await db.close();
  return out;
}
const sql = async (server: RunningServer, text: string, params: unknown[] = []) => (await sqlBatch(server, [[text, params]]))[0]!;

async function login(base: string, username: string) {
  const c = new Client(base);
  await c.login(username);
  return c;
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET') return void res.end(JSON.stringify({ object: 'list', data: [{ id: 'upstream-chat', object: 'model' }] }));
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const json = JSON.parse(body);
      received.push(json);
      res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', model: json.model, choices: [{ index: 0, message: { role: 'assistant', content: '好的' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } }));
    });
  });
  await new Promise<void>((ok) => upstream.listen(0, '127.0.0.1', () => ok()));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;

  s = await startServer({ keepData: true });
  const ops = await login(s.baseUrl, 'sysadmin');
  const countyAdmin = await login(s.baseUrl, 'county_admin1');
  const schoolAdmin = await login(s.baseUrl, 'school_admin1');
  student1 = (await new Client(s.baseUrl).login('student1')).id;
  const schools = (await ops.get('/api/schools')).data as { id: string; code: string }[];
  xhsy = schools.find((x) => x.code === 'XHSY')!.id;
  xhez = schools.find((x) => x.code === 'XHEZ')!.id;
  yhwc = schools.find((x) => x.code === 'YHWC')!.id;
  const m = await ops.post('/api/hub/models', { name: 'test-chat', vendor: '省教育大模型', promptPrice: 1, completionPrice: 1 });
  expect(m.status, JSON.stringify(m.data)).toBe(201);
  const n = await ops.post('/api/hub/nodes', { name: '主节点', tier: 'main', baseUrl: upstreamUrl, weight: 1, maxConcurrency: 4, models: [{ modelId: m.data.id, upstreamModel: 'upstream-chat' }] });
  expect(n.status, JSON.stringify(n.data)).toBe(201);
  const p = await ops.post('/api/hub/products', { name: '学习助手模型', kind: 'model', modelId: m.data.id, vendor: '省电化教育馆', purpose: '学习辅导', dataTouched: ['学生提问文本'], gradeBands: ['junior'], evidence: '评测报告' });
  expect(p.status, JSON.stringify(p.data)).toBe(201);
  const countyId = (await countyAdmin.get('/api/hub/scopes')).data.regions.find((r: any) => r.level === 'county').id;
  const rv = await countyAdmin.post(`/api/hub/products/${p.data.id}/reviews`, { decision: 'approve', checklist: PASS, scope: { regionIds: [countyId], gradeBands: ['junior'] } });
  expect(rv.status, JSON.stringify(rv.data)).toBe(200);
  const k = await schoolAdmin.post('/api/hub/keys', { name: '实验中学学习助手', ownerType: 'school', ownerId: xhsy, gradeBand: 'junior' });
  expect(k.status, JSON.stringify(k.data)).toBe(201);
  key = k.data.key;
  const call = (user: string) =>
    fetch(`${s.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'test-chat', user, messages: [{ role: 'user', content: '一元一次方程怎么解？' }] }),
    });
  expect((await call(student1)).status).toBe(200);
  expect((await call('app-session-42')).status).toBe(200);
  await s.stop();

  // ── the scenario, written while the server is stopped ──
  const people = await sql(
    s,
    `select s.user_id as id, sc.code, s.class_id, s.school_id from students s join schools sc on sc.id = s.school_id order by sc.code, s.student_no`,
  );
  for (const r of people) studentIds.add(r.id);
  const of = (code: string) => people.filter((r) => r.code === code && r.id !== student1);
  const teachers = await sql(s, `select u.id, u.username from users u where u.username in ('teacher1', 'teacher2', 'teacher3', 'head_teacher1')`);
  const teacher1 = teachers.find((t) => t.username === 'teacher1').id;
  const teacher3 = teachers.find((t) => t.username === 'teacher3').id;
  const headTeacher1 = teachers.find((t) => t.username === 'head_teacher1').id;
  attributed = (await sql(s, `select user_id from hub_calls order by id`)).map((r) => r.user_id);
  const [real] = await sql(s, `select id from hub_calls where user_id = $1`, [student1]);
  const writes: [string, unknown[]][] = [];
  const copyCall = (user: string, weeksAgo: number) =>
    writes.push([
      `insert into hub_calls (at, key_id, owner_type, school_id, region_path, product_id, model_id, model_name, node_id, endpoint, stream, status, outcome, prompt_tokens, completion_tokens, latency_ms, guardrails, user_id)
       select $1, key_id, owner_type, school_id, region_path, product_id, model_id, model_name, node_id, endpoint, stream, status, outcome, prompt_tokens, completion_tokens, latency_ms, guardrails, $2
       from hub_calls where id = $3`,
      [new Date(Date.now() - weeksAgo * WEEK).toISOString(), user, real.id],
    ]);
  const A = of('XHSY');
  // XHSY (39 other students + student1 + 3 teachers): 20 students in 3 of the last 4 weeks (regular),
  // 5 in 2 of 4 (not), 1 in all 4 (regular), teacher1 in weeks 1, 2, 4 (regular), student1 in
  // weeks 1 and 2 plus the current week (not: the current week is not complete), one student
  // through personalised practice in 3 weeks (regular), and one of the 20 then disabled.
  for (const st of A.slice(0, 20)) for (const w of [1, 2, 3]) copyCall(st.id, w);
  for (const st of A.slice(20, 25)) for (const w of [1, 3]) copyCall(st.id, w);
  for (const w of [1, 2, 3, 4]) copyCall(A[25].id, w);
  for (const w of [1, 2, 4]) copyCall(teacher1, w);
  for (const w of [1, 2]) copyCall(student1, w);
  for (const w of [1, 2, 3])
    writes.push([
      `insert into learning_responses (student_id, subject, item_id, knowledge_points, correct, source, answered_at) values ($1, 'math', $2, '["M7-NA-01"]', true, 'practice', $3)`,
      [A[26].id, randomUUID(), new Date(Date.now() - w * WEEK).toISOString()],
    ]);
  // AI-assisted marking: teacher3 reviewed a language model's suggested marks in weeks 1–3
  // (regular); head_teacher1 reviewed key-point marks (no model) in the same weeks (not AI use).
  const hwReviewed = randomUUID();
  const reviewedSubmission = randomUUID();
  writes.push([`insert into assignments (id, kind, title, subject, grade, author_id, open_at, due_at, max_score) values ($1, 'homework', '阅读理解', 'chinese', 7, $2, $3, $3, 30)`, [hwReviewed, teacher3, new Date(Date.now() - 5 * WEEK).toISOString()]]);
  writes.push([`insert into submissions (id, assignment_id, student_id, class_id, client_id, attempt, answers, status, max_score) values ($1, $2, $3, $4, $5, 1, '{}', 'marked', 30)`, [reviewedSubmission, hwReviewed, A[30].id, A[30].class_id, randomUUID()]]);
  for (const [i, w] of [1, 2, 3].entries())
    for (const [offset, engine, reviewer] of [[0, 'keypoints+llm/edu-chat', teacher3], [3, 'keypoints', headTeacher1]] as const)
      writes.push([
        `insert into item_marks (submission_id, position, assignment_id, item_id, item_version, engine, engine_score, max_score, confidence, detail, status, final_score, reviewer_id, reviewed_at)
         values ($1, $2, $3, $4, 1, $5, 3, 5, 0.5, '{}', 'reviewed', 4, $6, $7)`,
        [reviewedSubmission, i + 1 + offset, hwReviewed, randomUUID(), engine, reviewer, new Date(Date.now() - w * WEEK).toISOString()],
      ]);
  writes.push([`update users set disabled = true where id = $1`, [A[0].id]]);
  // XHEZ (40 students + 2 teachers): 36 students regular.
  for (const st of of('XHEZ').slice(0, 36)) for (const w of [2, 3, 4]) copyCall(st.id, w);

  // Marked submissions: 6 students of XHSY and 3 of XHEZ answered a two-question math homework.
  const marked = (st: any, assignmentId: string, scores: [number, number]) => {
    const submissionId = randomUUID();
    const payload = {
      submissionId,
      assignmentId,
      kind: 'homework',
      subject: 'math',
      studentId: st.id,
      classId: st.class_id,
      schoolId: st.school_id,
      attempt: 1,
      source: 'online',
      markedAt: new Date(Date.now() - 86_400_000).toISOString(),
      items: [
        { position: 1, itemId: randomUUID(), itemVersion: 1, type: 'single_choice', knowledgePoints: ['M7-NA-01'], score: scores[0], max: 2, correct: scores[0] === 2 },
        { position: 2, itemId: randomUUID(), itemVersion: 1, type: 'single_choice', knowledgePoints: ['M7-NA-01', 'M7-NA-02'], score: scores[1], max: 2, correct: scores[1] === 2 },
      ],
    };
    writes.push([`insert into events (type, key, payload) values ('submission.marked', $1, $2)`, [submissionId, JSON.stringify(payload)]]);
  };
  const hwA = randomUUID();
  const hwB = randomUUID();
  const scoresA: [number, number][] = [[2, 2], [2, 0], [0, 2], [2, 2], [0, 0], [2, 2]];
  for (const [i, st] of A.slice(1, 7).entries()) marked(st, hwA, scoresA[i]!);
  for (const st of of('XHEZ').slice(0, 3)) marked(st, hwB, [2, 2]);
  await sqlBatch(s, writes);

  restarted = await startServer({ dataDir: s.dataDir, databaseUrl: s.databaseUrl, keepData: true });
  county = await login(restarted.baseUrl, 'county_admin1');
  county2 = await login(restarted.baseUrl, 'county_admin2');
  researcher = await login(restarted.baseUrl, 'researcher1');
  const t0 = Date.now();
  for (;;) {
    const r = await county.get('/api/analytics/cockpit');
    expect(r.status, JSON.stringify(r.data)).toBe(200);
    cockpit = r.data;
    const a = cockpit.schools.find((x: any) => x.id === xhsy);
    if (cockpit.ai.computedAt && a?.participating === 6 && cockpit.mastery.cells.length >= 4) break;
    if (Date.now() - t0 > 45_000) throw new Error(`cockpit not ready: ${JSON.stringify(cockpit).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}, 240_000);

afterAll(async () => {
  await restarted?.stop();
  await s?.stop();
  await s?.cleanup();
  await new Promise((ok) => upstream?.close(() => ok(undefined)));
});

describe('AI use attribution', () => {
  it('records the OpenAI user field when it is a platform user id, and passes it on', async () => {
    expect(attributed).toEqual([student1, null]);
    expect(received.map((b) => b.user)).toEqual([student1, 'app-session-42']);
  });
});

describe('the AI regular-use KPI', () => {
  it('counts people who used AI in at least 3 of the last 4 complete weeks, over active accounts', () => {
    const a = cockpit.schools.find((x: any) => x.id === xhsy);
    // Active: 40 students − 1 disabled, 3 teachers. Regular: 19 + 1 (4 weeks) + 1 (practice) + teacher1
    // + teacher3 (reviews of AI-suggested marks); head_teacher1's reviews of key-point marks are not AI use.
    expect(a.ai).toMatchObject({ activeStudents: 39, activeTeachers: 3, active: 42, regular: 23, target: 0.8, met: false, suppressed: false });
    expect(a.ai.rate).toBeCloseTo(23 / 42, 3);
    const b = cockpit.schools.find((x: any) => x.id === xhez);
    expect(b.ai).toMatchObject({ active: 42, regular: 36, met: true });
    expect(b.ai.rate).toBeCloseTo(36 / 42, 3);
  });

  it('holds the district to 90 % over all its schools’ people', () => {
    expect(cockpit.ai).toMatchObject({ n: 3, m: 4, targets: { school: 0.8, district: 0.9 } });
    expect(cockpit.ai.weeks).toHaveLength(4);
    expect(cockpit.ai.region).toMatchObject({ active: 84, regular: 59, target: 0.9, met: false });
    expect(cockpit.ai.districts).toEqual([expect.objectContaining({ name: '西湖区', schools: 2, active: 84, regular: 59 })]);
  });

  it('traces the KPI: weeks-used rows sum to the active people, the regular ones to the regular users', async () => {
    const r = await county.get(`/api/analytics/cockpit/trace?figure=ai&school=${xhsy}`);
    expect(r.status, JSON.stringify(r.data)).toBe(200);
    const hist = r.data.rows.filter((x: any) => x.kind === 'weeks_used');
    expect(hist.reduce((a: number, x: any) => a + x.teachers + x.students, 0)).toBe(42);
    expect(hist.filter((x: any) => x.regular).reduce((a: number, x: any) => a + x.teachers + x.students, 0)).toBe(23);
    expect(hist.find((x: any) => x.label === '2')).toMatchObject({ students: 6, regular: false }); // 5 + student1
    expect(r.data.total).toMatchObject({ active: 42, regular: 23 });
    const weeks = r.data.rows.filter((x: any) => x.kind === 'week');
    expect(weeks.map((w: any) => w.label)).toEqual(cockpit.ai.weeks);
    expect(weeks[3]).toMatchObject({ teachers: 2, students: 27 }); // last complete week: teacher1, teacher3; 19 + 5 + 1 + 1 (practice) + student1
  });
});

describe('participation and mastery', () => {
  it('counts students with a marked submission over active enrolled students', () => {
    const a = cockpit.schools.find((x: any) => x.id === xhsy);
    expect(a).toMatchObject({ enrolled: 39, participating: 6, participationSuppressed: false });
    expect(a.participation).toBeCloseTo(6 / 39, 3);
    expect(cockpit.totals).toMatchObject({ schools: 2, students: 79, participating: 9 });
  });

  it('gives a school × knowledge-point matrix and hides cells with fewer than 5 students', () => {
    expect(cockpit.mastery.subject).toBe('math');
    expect(cockpit.mastery.points.map((p: any) => p.code)).toEqual(['M7-NA-01', 'M7-NA-02']);
    const cell = (school: string, kp: string) => cockpit.mastery.cells.find((c: any) => c.school === school && c.kp === kp);
    // M7-NA-01 is on both questions: (8 + 8) of 24; M7-NA-02 only on the second: 8 of 12.
    expect(cell(xhsy, 'M7-NA-01')).toMatchObject({ responses: 12, suppressed: false });
    expect(cell(xhsy, 'M7-NA-01').rate).toBeCloseTo(16 / 24, 3);
    expect(cell(xhsy, 'M7-NA-02').rate).toBeCloseTo(8 / 12, 3);
    expect(cell(xhez, 'M7-NA-01')).toMatchObject({ rate: null, suppressed: true, responses: 6 });
  });

  it('traces participation per class and a mastery cell per assignment, adding up to the figures', async () => {
    const p = await county.get(`/api/analytics/cockpit/trace?figure=participation&school=${xhsy}`);
    expect(p.status, JSON.stringify(p.data)).toBe(200);
    expect(p.data.rows.reduce((a: number, r: any) => a + r.participating, 0)).toBe(6);
    expect(p.data.total.participating).toBe(6);
    expect(p.data.rows.every((r: any) => typeof r.className === 'string' && r.className.length > 0)).toBe(true);
    const m = await county.get(`/api/analytics/cockpit/trace?figure=mastery&school=${xhsy}&subject=math&kp=M7-NA-01`);
    expect(m.status, JSON.stringify(m.data)).toBe(200);
    expect(m.data.rows.reduce((a: number, r: any) => a + r.responses, 0)).toBe(12);
    expect(m.data.total.rate).toBeCloseTo(16 / 24, 3);
    expect(m.data.rows[0]).toMatchObject({ students: 6, suppressed: false });
    const small = await county.get(`/api/analytics/cockpit/trace?figure=mastery&school=${xhez}&subject=math&kp=M7-NA-01`);
    expect(small.data.rows[0]).toMatchObject({ students: null, rate: null, earned: null, suppressed: true });
    expect(small.data.total.rate).toBeNull();
  });
});

describe('scope and de-identification', () => {
  it('refuses another county, a school outside the region, and roles without a region view', async () => {
    const yuhang = cockpit.regions.find((r: any) => r.name === '余杭区');
    expect(yuhang).toBeUndefined();
    const c2 = await county2.get('/api/analytics/cockpit');
    expect(c2.status).toBe(200);
    const xihu = (await researcher.get('/api/analytics/cockpit')).data.regions.find((r: any) => r.name === '西湖区').id;
    const r = await county2.get(`/api/analytics/cockpit?region=${xihu}`);
    expect(r.status).toBe(403);
    expect(r.data.code).toBe('authz.forbidden');
    expect((await county.get(`/api/analytics/cockpit/trace?figure=participation&school=${yhwc}`)).status).toBe(403);
    for (const u of ['teacher1', 'school_admin1', 'student1', 'parent1']) {
      const c = await login(restarted.baseUrl, u);
      expect((await c.get('/api/analytics/cockpit')).status, u).toBe(403);
    }
  });

  it('rejects a bad period with a problem, changing nothing', async () => {
    const r = await county.get('/api/analytics/cockpit?from=2026-10-01&to=2026-09-01');
    expect(r.status).toBe(422);
    expect(r.data.code).toBe('analytics.cockpit_query_invalid');
  });

  it('gives researchers the same aggregates and nothing about a person', async () => {
    const xihu = cockpit.region.level === 'county' ? cockpit.region.id : null;
    const r = await researcher.get(`/api/analytics/cockpit?region=${xihu}`);
    expect(r.status).toBe(200);
    expect(r.data.viewer).toBe('researcher');
    expect(cockpit.viewer).toBe('admin');
    expect(r.data.schools.find((x: any) => x.id === xhsy).ai).toEqual(cockpit.schools.find((x: any) => x.id === xhsy).ai);
    const texts = [JSON.stringify(r.data)];
    for (const q of [`figure=ai&school=${xhsy}`, `figure=participation&school=${xhsy}`, `figure=mastery&school=${xhsy}&subject=math&kp=M7-NA-01`]) {
      const t = await researcher.get(`/api/analytics/cockpit/trace?region=${xihu}&${q}`);
      expect(t.status, q).toBe(200);
      texts.push(JSON.stringify(t.data));
    }
    for (const t of texts) for (const id of studentIds) expect(t.includes(id)).toBe(false);
    expect(texts.join('')).not.toMatch(/studentNo|userId|studentId/);
  });
});
