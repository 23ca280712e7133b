/**
 * Homework end to end over HTTP: building an assignment (picked items and a blueprint), what
 * students see, drafts, idempotent submission under concurrency, marking in the worker, the
 * review queue, the submission.marked event, the error notebook, language-model marking through
 * a fake OpenAI-compatible server (with masking and malformed replies), and a SIGKILL right after
 * a submission is acknowledged.
 */
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type RunningServer } from '../support/server.js';

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop('SIGKILL').catch(() => undefined);
  for (const s of servers) await s.cleanup();
});

const hour = 3600_000;
const mathItem = () => ({
  subject: 'math',
  grade: 7,
  body: { type: 'math', stem: '化简：$\\frac{x+6}{2}$', answer: '\\frac{1}{2}x+3', tolerance: 0, unit: null },
  explanation: '分子每一项除以 2。',
  knowledgePoints: ['M7-NA-08'],
  difficulty: 2,
  score: 4,
});
const choiceItem = () => ({
  subject: 'math',
  grade: 7,
  body: { type: 'single_choice', stem: '$-3$ 的相反数是', options: [{ key: 'A', text: '$3$' }, { key: 'B', text: '$-3$' }], answer: 'A' },
  explanation: '只有符号不同的两个数互为相反数。',
  knowledgePoints: ['M7-NA-01'],
  difficulty: 1,
  score: 2,
});
const shortItem = () => ({
  subject: 'math',
  grade: 7,
  body: {
    type: 'short_answer',
    stem: '解方程 $2x+3=7$ 时，第一步移项的依据是什么？结果是多少？',
    referenceAnswer: '依据等式的性质1，两边同时减去3；解得 x=2。',
    keyPoints: [
      { id: 'k1', meaning: '等式的性质', variants: ['等式性质', '等式两边同时减去同一个数'], score: 2 },
      { id: 'k2', meaning: 'x=2', variants: ['x等于2'], score: 2 },
    ],
  },
  explanation: '移项的依据是等式的性质。',
  knowledgePoints: ['M7-NA-11'],
  difficulty: 2,
  score: 4,
});
const essayItem = () => ({
  subject: 'math',
  grade: 7,
  body: {
    type: 'essay',
    stem: '写一段话，谈谈你学习有理数的体会。',
    minWords: 30,
    dimensions: [
      { id: 'content', name: '内容', min: 0, max: 5, levels: [{ score: 5, descriptor: '体会具体，有例子' }, { score: 2, descriptor: '空泛' }] },
      { id: 'language', name: '语言', min: 0, max: 5, levels: [{ score: 5, descriptor: '通顺' }, { score: 2, descriptor: '不通顺' }] },
    ],
  },
  explanation: '',
  knowledgePoints: ['M7-NA-01'],
  difficulty: 3,
  score: 10,
});

async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function sql(s: RunningServer, text: string, params: unknown[] = []): Promise<any[]> {
  if (s.databaseUrl) {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: s.databaseUrl });
    await c.connect();
    const rows = (await c.query(text, params)).rows;
    await c.end();
    return rows;
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(join(s.dataDir, 'db'));
  const rows = (await db.query(text, params)).rows as any[];
  await db.close();
  return rows;
}

interface Setup {
  s: RunningServer;
  teacher: Client;
  student: Client;
  classId: string;
  otherClassId: string;
  ids: { math: string; choice: string; short: string; essay: string };
}

async function setup(env?: Record<string, string>, keepData = false): Promise<Setup> {
  const s = await startServer({ env, keepData });
  servers.push(s);
  const teacher = new Client(s.baseUrl);
  await teacher.login('teacher1');
  const student = new Client(s.baseUrl);
  await student.login('student1');
  const me = (await student.get('/api/students?pageSize=1')).data.items[0];
  const classes = (await teacher.get('/api/classes')).data as { id: string }[];
  const create = async (body: unknown) => {
    const r = await teacher.post('/api/items', body);
    expect(r.status, JSON.stringify(r.data)).toBe(201);
    return r.data.id as string;
  };
  const ids = { math: await create(mathItem()), choice: await create(choiceItem()), short: await create(shortItem()), essay: await create(essayItem()) };
  return { s, teacher, student, classId: me.classId, otherClassId: classes.find((c) => c.id !== me.classId)!.id, ids };
}

const assignmentBody = (x: Setup, extra: Record<string, unknown> = {}) => ({
  title: '第一单元作业',
  classIds: [x.classId],
  openAt: new Date(Date.now() - hour).toISOString(),
  dueAt: new Date(Date.now() + 24 * hour).toISOString(),
  items: [{ itemId: x.ids.choice }, { itemId: x.ids.math }, { itemId: x.ids.short }, { itemId: x.ids.essay }],
  ...extra,
});

describe('assessment without a language model', () => {
  let x: Setup;
  let assignmentId: string;
  let submissionId: string;
  beforeAll(async () => {
    x = await setup(undefined, true);
  }, 120_000);

  it('refuses bad assignments clearly and changes nothing', async () => {
    const before = (await x.teacher.get('/api/assignments')).data.length;
    // teacher2 teaches maths in another school.
    const t2 = new Client(x.s.baseUrl);
    await t2.login('teacher2');
    const notMine = await t2.post('/api/assignments', assignmentBody(x));
    expect(notMine.status).toBe(403);
    const late = await x.teacher.post('/api/assignments', assignmentBody(x, { dueAt: new Date(Date.now() - 2 * hour).toISOString() }));
    expect(late.status).toBe(400);
    expect(late.data.code).toBe('request.invalid');
    const both = await x.teacher.post('/api/assignments', assignmentBody(x, { blueprint: { subject: 'math', grade: 7, rows: [{ knowledgePoints: ['M7-NA-01'], type: 'single_choice', count: 1, score: 2 }] } }));
    expect(both.status).toBe(400);
    const short = await x.teacher.post('/api/assignments/assemble', { subject: 'math', grade: 7, rows: [{ knowledgePoints: ['M7-NA-08'], type: 'essay', count: 3, score: 5 }] });
    expect(short.status).toBe(422);
    expect(short.data.code).toBe('assessment.blueprint_short');
    expect(short.data.rows).toEqual([{ row: 1, wanted: 3, found: 0 }]);
    expect((await x.teacher.get('/api/assignments')).data.length).toBe(before);
  });

  it('assembles from a blueprint: knowledge point incl. descendants × type × difficulty, same seed same paper', async () => {
    const bp = {
      subject: 'math',
      grade: 7,
      rows: [
        { knowledgePoints: ['M7-NA-01'], type: 'single_choice', count: 2, score: 2 },
        { knowledgePoints: ['M7-NA-08'], type: 'math', count: 1, score: 4, difficultyMin: 1, difficultyMax: 5 },
      ],
      totalScore: 8,
    };
    const a = await x.teacher.post('/api/assignments/assemble', bp);
    expect(a.status, JSON.stringify(a.data)).toBe(200);
    expect(a.data.totalScore).toBe(8);
    expect(a.data.items.map((i: any) => i.type)).toEqual(['single_choice', 'single_choice', 'math']);
    const again = await x.teacher.post('/api/assignments/assemble', bp);
    expect(again.data.items.map((i: any) => i.itemId)).toEqual(a.data.items.map((i: any) => i.itemId));
    const wrongTotal = await x.teacher.post('/api/assignments/assemble', { ...bp, totalScore: 10 });
    expect(wrongTotal.status).toBe(400);
  });

  it('assigns picked items; the student sees the questions without answers', async () => {
    const r = await x.teacher.post('/api/assignments', assignmentBody(x));
    expect(r.status, JSON.stringify(r.data)).toBe(201);
    assignmentId = r.data.id;
    expect(r.data.maxScore).toBe(20);
    expect(r.data.items).toHaveLength(4);
    const list = (await x.student.get('/api/assignments')).data;
    expect(list.map((a: any) => a.id)).toContain(assignmentId);
    const view = (await x.student.get(`/api/assignments/${assignmentId}`)).data;
    const text = JSON.stringify(view.items);
    expect(text).not.toContain('"answer"');
    expect(text).not.toContain('referenceAnswer');
    expect(text).not.toContain('等式的性质');
    expect(view.items[0].body.options).toHaveLength(2);
  });

  it('a student of another class cannot open it', async () => {
    const t = (await x.teacher.get(`/api/classes/${x.otherClassId}/students`)).data[0];
    expect(t).toBeTruthy();
    const other = new Client(x.s.baseUrl);
    const username = (await x.teacher.get(`/api/students/${t.id}`)).data.username;
    await other.login(username);
    const r = await other.get(`/api/assignments/${assignmentId}`);
    expect(r.status).toBe(403);
  });

  it('autosaves drafts; a draft in the wrong form is refused and the saved one kept', async () => {
    const ok = await x.student.request('PUT', `/api/assignments/${assignmentId}/draft`, { answers: { '1': 'A', '3': '依据' } });
    expect(ok.status).toBe(200);
    const bad = await x.student.request('PUT', `/api/assignments/${assignmentId}/draft`, { answers: { '1': 'Z', '9': 'x' } });
    expect(bad.status).toBe(422);
    expect(bad.data.code).toBe('assessment.answer_invalid');
    expect(bad.data.problems.map((p: any) => p.position).sort()).toEqual([1, 9]);
    expect((await x.student.get(`/api/assignments/${assignmentId}/draft`)).data.answers).toEqual({ '1': 'A', '3': '依据' });
  });

  it('five concurrent submissions with one client id make one submission', async () => {
    const clientId = randomUUID();
    const answers = {
      '1': 'A',
      '2': '0.5x+3',
      '3': '移项的依据是等式的性质，两边同时减去3，所以 x=3。',
      '4': '学习有理数让我明白了负数的意义。比如温度零下五度可以记作负五度，生活中很多地方都用到有理数。',
    };
    const rs = await Promise.all(Array.from({ length: 5 }, () => x.student.post(`/api/assignments/${assignmentId}/submissions`, { clientId, answers })));
    const statuses = rs.map((r) => r.status).sort();
    expect(statuses, JSON.stringify(rs.map((r) => r.data))).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(rs.map((r) => r.data.id)).size).toBe(1);
    submissionId = rs[0]!.data.id;
    const another = await x.student.post(`/api/assignments/${assignmentId}/submissions`, { clientId: randomUUID(), answers });
    expect(another.status).toBe(409);
    expect(another.data.code).toBe('assessment.no_attempts_left');
    const list = (await x.teacher.get(`/api/assignments/${assignmentId}/submissions`)).data;
    expect(list.submissions).toHaveLength(1);
    const size = (await x.teacher.get('/api/classes')).data.find((c: any) => c.id === x.classId).studentCount;
    expect(list.missing).toHaveLength(size - 1);
    expect(list.missing.map((m: any) => m.name)).not.toContain(list.submissions[0].studentName);
    expect((await x.student.get(`/api/assignments/${assignmentId}/draft`)).data.answers).toEqual({});
  });

  it('marks in the worker: objective and math at once, the essay waits for review', async () => {
    const sub = await waitFor('marking', async () => (await x.student.get(`/api/submissions/${submissionId}`)).data, (d) => d.status !== 'marking');
    expect(sub.status).toBe('review');
    const [choice, math, short, essay] = sub.items;
    expect(choice).toMatchObject({ score: 2, max: 2, status: 'auto' });
    expect(math).toMatchObject({ score: 4, max: 4, status: 'auto' });
    // One of two key points: the answer says x=3, not x=2.
    expect(short.max).toBe(4);
    expect(short.score === null || short.score === 2).toBe(true);
    expect(essay).toMatchObject({ score: null, status: 'pending' });
    expect(sub.feedbackVisible).toBe(true);
    expect(math.correctAnswer).toBe('\\frac{1}{2}x+3');
  });

  it('the teacher reviews the essay per point; out-of-range points are refused', async () => {
    const queue = (await x.teacher.get(`/api/review?assignmentId=${assignmentId}`)).data;
    const essay = queue.find((t: any) => t.type === 'essay');
    expect(essay).toMatchObject({ reason: 'too_few_samples', engine: 'essay/untrained', submissionId });
    expect(essay.points.map((p: any) => p.id)).toEqual(['content', 'language']);
    const bad = await x.teacher.post(`/api/review/${submissionId}/${essay.position}`, { points: [{ id: 'content', score: 9 }] });
    expect(bad.status).toBe(422);
    expect(bad.data.code).toBe('assessment.review_invalid');
    const student = await x.student.post(`/api/review/${submissionId}/${essay.position}`, {});
    expect(student.status).toBe(403);
    // Accept every other pending mark first (e.g. a low-confidence short answer).
    for (const t of queue.filter((t: any) => t.type !== 'essay')) expect((await x.teacher.post(`/api/review/${submissionId}/${t.position}`, {})).status).toBe(200);
    const ok = await x.teacher.post(`/api/review/${submissionId}/${essay.position}`, {
      points: [
        { id: 'content', score: 4 },
        { id: 'language', score: 3 },
      ],
      comment: '例子很好，语言可以更简洁。',
    });
    expect(ok.status, JSON.stringify(ok.data)).toBe(200);
    expect(ok.data.finalScore).toBe(7);
    const twice = await x.teacher.post(`/api/review/${submissionId}/${essay.position}`, {});
    expect(twice.status).toBe(409);
    const sub = (await x.student.get(`/api/submissions/${submissionId}`)).data;
    expect(sub.status).toBe('marked');
    expect(sub.items[3]).toMatchObject({ score: 7, status: 'reviewed', comment: '例子很好，语言可以更简洁。' });
    expect(sub.score).toBe(sub.items.reduce((s: number, i: any) => s + i.score, 0));
    const agreement = (await x.teacher.get(`/api/assignments/${assignmentId}/agreement`)).data.items;
    expect(agreement[3]).toMatchObject({ type: 'essay', reviewed: 1, pending: 0, qwk: null });
    expect(agreement[0]).toMatchObject({ auto: 1 });
  });

  it('wrong items land in the error notebook; a retry is marked at once; the student can mark it mastered', async () => {
    const nb = (await x.student.get('/api/notebook')).data;
    const short = nb.find((e: any) => e.itemId === x.ids.short);
    expect(short, JSON.stringify(nb)).toBeTruthy();
    expect(short.knowledgePoints).toEqual(['M7-NA-11']);
    expect(JSON.stringify(short.body)).not.toContain('referenceAnswer');
    expect(nb.find((e: any) => e.itemId === x.ids.choice)).toBeUndefined();
    const retry = await x.student.post(`/api/notebook/${short.id}/retry`, { answer: '依据等式的性质，两边同时减去3，得 x=2。' });
    expect(retry.status, JSON.stringify(retry.data)).toBe(200);
    expect(retry.data.correct).toBe(true);
    expect(retry.data.entry.correctStreak).toBe(1);
    expect(retry.data.correctAnswer.reference).toContain('x=2');
    const done = await x.student.post(`/api/notebook/${short.id}/status`, { status: 'mastered' });
    expect(done.data.status).toBe('mastered');
    expect((await x.student.get('/api/notebook?status=open')).data.find((e: any) => e.id === short.id)).toBeUndefined();
    const someoneElse = new Client(x.s.baseUrl);
    await someoneElse.login('student2');
    expect((await someoneElse.post(`/api/notebook/${short.id}/retry`, { answer: 'x' })).status).toBe(403);
  });

  it('flags near-identical essays of two students to the teacher (never a penalty)', async () => {
    const r = await x.teacher.post('/api/assignments', { ...assignmentBody(x), title: '作文', items: [{ itemId: x.ids.essay }] });
    const classmate = new Client(x.s.baseUrl);
    const me = (await x.student.get('/api/students?pageSize=1')).data.items[0];
    const other = (await x.teacher.get(`/api/classes/${x.classId}/students`)).data.find((st: any) => st.id !== me.id);
    await classmate.login((await x.teacher.get(`/api/students/${other.id}`)).data.username);
    const essay = '学习有理数以后，我知道了负数可以表示相反意义的量。比如零下五摄氏度记作负五摄氏度，支出三十元记作负三十元。有理数让数的范围变大了，也让我们能解决更多生活中的问题。';
    await x.student.post(`/api/assignments/${r.data.id}/submissions`, { clientId: randomUUID(), answers: { '1': essay } });
    await classmate.post(`/api/assignments/${r.data.id}/submissions`, { clientId: randomUUID(), answers: { '1': essay.replace('三十元', '二十元') } });
    const list = (await x.teacher.get(`/api/assignments/${r.data.id}/submissions`)).data;
    expect(list.similar).toHaveLength(1);
    expect([list.similar[0].aName, list.similar[0].bName].sort()).toEqual([me.name, other.name].sort());
    expect(list.similar[0].similarity).toBeGreaterThan(0.8);
  });

  it('bulk-accepts confident marks of an always-review question', async () => {
    const r = await x.teacher.post('/api/assignments', { ...assignmentBody(x), title: '小测', items: [{ itemId: x.ids.choice, alwaysReview: true }] });
    expect(r.status).toBe(201);
    const s = await x.student.post(`/api/assignments/${r.data.id}/submissions`, { clientId: randomUUID(), answers: { '1': 'B' } });
    await waitFor('review', async () => (await x.student.get(`/api/submissions/${s.data.id}`)).data, (d) => d.status === 'review');
    const queue = (await x.teacher.get(`/api/review?assignmentId=${r.data.id}`)).data;
    expect(queue).toMatchObject([{ reason: 'always_review', confidence: 1, engineScore: 0 }]);
    const bulk = await x.teacher.post('/api/review/bulk-accept', { assignmentId: r.data.id, minConfidence: 0.9 });
    expect(bulk.data).toEqual({ accepted: 1 });
    const sub = (await x.student.get(`/api/submissions/${s.data.id}`)).data;
    expect(sub).toMatchObject({ status: 'marked', score: 0 });
  });

  it('editing an answered item writes a new version; the submission keeps the version it answered', async () => {
    const edited = await x.teacher.request('PUT', `/api/items/${x.ids.math}`, { ...mathItem(), body: { ...mathItem().body, answer: '\\frac{x}{2}+3' }, explanation: '改过的解析' });
    expect(edited.status, JSON.stringify(edited.data)).toBe(200);
    expect(edited.data.version).toBe(2);
    const versions = (await x.teacher.get(`/api/items/${x.ids.math}/versions`)).data;
    expect(versions.map((v: any) => [v.version, v.locked])).toEqual([
      [1, true],
      [2, false],
    ]);
    const sub = (await x.student.get(`/api/submissions/${submissionId}`)).data;
    expect(sub.items[1].correctAnswer).toBe('\\frac{1}{2}x+3');
    expect(sub.items[1].explanation).toBe('分子每一项除以 2。');
  });

  it('takes paper-homework scores from the filled template, all or nothing', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const r = await x.teacher.post('/api/assignments', { ...assignmentBody(x), title: '纸质作业', items: [{ itemId: x.ids.choice }, { itemId: x.ids.math }] });
    const id = r.data.id;
    const tpl = await x.teacher.get(`/api/assignments/${id}/paper-template.xlsx`);
    expect(tpl.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(tpl.data);
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['学号', '姓名', '班级', '第1题（满分2）', '第2题（满分4）']);
    const upload = async () => {
      const fd = new FormData();
      fd.set('file', new Blob([await wb.xlsx.writeBuffer()]), 'scores.xlsx');
      return x.teacher.post(`/api/assignments/${id}/paper-scores`, fd);
    };
    ws.getRow(2).getCell(4).value = 2;
    ws.getRow(2).getCell(5).value = 3.5;
    ws.getRow(3).getCell(4).value = 5; // above the maximum
    ws.getRow(3).getCell(5).value = 1;
    const bad = await upload();
    expect(bad.status).toBe(422);
    expect(bad.data.code).toBe('assessment.paper_invalid');
    expect(bad.data.errors).toEqual([expect.objectContaining({ row: 3, code: 'assessment.paper_score' })]);
    expect((await x.teacher.get(`/api/assignments/${id}/submissions`)).data.submissions).toHaveLength(0);
    ws.getRow(3).getCell(4).value = 0;
    const ok = await upload();
    expect(ok.status, JSON.stringify(ok.data)).toBe(201);
    expect(ok.data.created).toBe(2);
    const list = (await x.teacher.get(`/api/assignments/${id}/submissions`)).data.submissions;
    expect(list.map((s: any) => [s.source, s.status, s.score]).sort()).toEqual([
      ['paper', 'marked', 1],
      ['paper', 'marked', 5.5],
    ]);
    const again = await upload();
    expect(again.status).toBe(422);
    expect(again.data.errors.map((e: any) => e.code)).toEqual(['assessment.paper_already_submitted', 'assessment.paper_already_submitted']);
  });

  it('after marking, one submission.marked event per submission carries per-item results with knowledge points', async () => {
    await x.s.stop('SIGTERM');
    const rows = await sql(x.s, `select key, payload from events where type = 'submission.marked' order by id`);
    const ev = rows.find((r) => r.key === submissionId);
    expect(rows.filter((r) => r.key === submissionId)).toHaveLength(1);
    expect(ev.payload).toMatchObject({ assignmentId, subject: 'math', attempt: 1, maxScore: 20 });
    expect(ev.payload.items.map((i: any) => i.knowledgePoints)).toEqual([['M7-NA-01'], ['M7-NA-08'], ['M7-NA-11'], ['M7-NA-01']]);
    expect(ev.payload.items[3]).toMatchObject({ score: 7, max: 10, engine: 'teacher(essay/untrained)' });
    expect(ev.payload.items[1]).toMatchObject({ itemId: x.ids.math, itemVersion: 1, correct: true });
    // Every answered version is frozen: the four first versions, and the maths item's version 2 scored on paper.
    const locked = await sql(x.s, `select item_id, version from item_versions where item_id = any($1::uuid[]) and locked order by version`, [Object.values(x.ids)]);
    expect(locked).toHaveLength(5);
    expect(locked.filter((r) => r.item_id === x.ids.math).map((r) => r.version)).toEqual([1, 2]);
  });
});

/** A real OpenAI-compatible HTTP server: replies per the mode, records the prompts it received. */
function fakeModel() {
  const prompts: string[] = [];
  let mode: 'good' | 'malformed' = 'good';
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET') {
      // The hub's health check of the node.
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ object: 'list', data: [{ id: 'upstream-marker', object: 'model' }] }));
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const json = JSON.parse(body);
      const user = json.messages.find((m: any) => m.role === 'user').content as string;
      prompts.push(user);
      const ids = [...user.matchAll(/- id=(\w+) \(max (\d+(?:\.\d+)?)\)/g)].map((m) => ({ id: m[1]!, max: Number(m[2]) }));
      const content =
        mode === 'malformed'
          ? '我认为这个答案不错，给满分。'
          : JSON.stringify({ points: ids.map((p, i) => ({ id: p.id, score: i === 0 ? p.max : 0, reason: i === 0 ? '答到了' : '未提及' })) });
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'chatcmpl-test',
          object: 'chat.completion',
          model: json.model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
        }),
      );
    });
  });
  return {
    prompts,
    setMode: (m: typeof mode) => (mode = m),
    start: () => new Promise<string>((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as any).port}/v1`))),
    stop: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

describe('language-model marking through the hub gateway', () => {
  const model = fakeModel();
  let x: Setup;
  let ops: Client;
  beforeAll(async () => {
    const url = await model.start();
    x = await setup({ ZHIJIAO_MARKING_MODEL: 'fake-marker' });
    // The operators register the model, a node serving it, and approve it region-wide for staff use.
    ops = new Client(x.s.baseUrl);
    await ops.login('sysadmin');
    const m = await ops.post('/api/hub/models', { name: 'fake-marker', vendor: '测试', promptPrice: 100, completionPrice: 100 });
    await ops.post('/api/hub/nodes', { name: '测试节点', tier: 'main', baseUrl: url, models: [{ modelId: m.data.id, upstreamModel: 'upstream-marker' }] });
    const p = await ops.post('/api/hub/products', { name: '阅卷模型', kind: 'model', modelId: m.data.id, vendor: '测试', purpose: '主观题辅助评分', dataTouched: ['学生作答'], gradeBands: ['adult'] });
    const province = (await ops.get('/api/hub/scopes')).data.regions.find((r: any) => r.level === 'province').id;
    const checklist = Object.fromEntries(['data_handling', 'content_safety', 'age_suitability', 'evaluation_evidence'].map((k) => [k, { pass: true, note: '' }]));
    const ok = await ops.post(`/api/hub/products/${p.data.id}/reviews`, { decision: 'approve', checklist, scope: { regionIds: [province], gradeBands: ['adult'] } });
    if (ok.status !== 200) throw new Error(JSON.stringify(ok.data));
  }, 120_000);
  afterAll(() => model.stop());

  it('marks a short answer per key point with reasons, masking the student names first', async () => {
    const a = await x.teacher.post('/api/assignments', { ...assignmentBody(x), items: [{ itemId: x.ids.short }] });
    const me = (await x.student.get('/api/students?pageSize=1')).data.items[0];
    const answer = `我是${me.name}。依据等式的性质，两边减去3。`;
    const s = await x.student.post(`/api/assignments/${a.data.id}/submissions`, { clientId: randomUUID(), answers: { '1': answer } });
    const sub = await waitFor('marking', async () => (await x.teacher.get(`/api/submissions/${s.data.id}`)).data, (d) => d.status !== 'marking');
    expect(sub.items[0].engine).toBe('llm/fake-marker');
    expect(sub.items[0].points.map((p: any) => [p.id, p.score, p.reason])).toEqual([
      ['k1', 2, '答到了'],
      ['k2', 0, '未提及'],
    ]);
    const prompt = model.prompts.at(-1)!;
    expect(prompt).toContain('等式的性质');
    expect(prompt).not.toContain(me.name);
    expect(prompt).toContain('[姓名1]');
    // The call went through the gateway: logged, metered, owned by the assessment module.
    const call = (await ops.get('/api/hub/calls?limit=1')).data[0];
    expect(call).toMatchObject({ owner: '平台模块 assessment', model: 'fake-marker', node: '测试节点', outcome: 'ok', promptTokens: 100 });
  });

  it('a reply that is not the asked-for JSON is retried, then routed to review', async () => {
    model.setMode('malformed');
    const before = model.prompts.length;
    const a = await x.teacher.post('/api/assignments', { ...assignmentBody(x), title: '再测', items: [{ itemId: x.ids.short }] });
    const s = await x.student.post(`/api/assignments/${a.data.id}/submissions`, { clientId: randomUUID(), answers: { '1': '等式的性质，x=2' } });
    const sub = await waitFor('marking', async () => (await x.teacher.get(`/api/submissions/${s.data.id}`)).data, (d) => d.status !== 'marking');
    expect(model.prompts.length - before).toBe(2);
    expect(sub.status).toBe('review');
    const queue = (await x.teacher.get(`/api/review?assignmentId=${a.data.id}`)).data;
    expect(queue[0]).toMatchObject({ reason: 'llm_malformed', engine: 'rubric/keypoints' });
    model.setMode('good');
  });
});

describe('durability', () => {
  it('a submission acknowledged to the student survives a SIGKILL the next instant and is marked after restart', { timeout: 240_000 }, async () => {
    const x = await setup(undefined, true);
    const a = await x.teacher.post('/api/assignments', { ...assignmentBody(x), items: [{ itemId: x.ids.choice }, { itemId: x.ids.math }] });
    const clientId = randomUUID();
    const r = await x.student.post(`/api/assignments/${a.data.id}/submissions`, { clientId, answers: { '1': 'A', '2': '(x+6)/2' } });
    expect(r.status).toBe(201);
    expect(await x.s.stop('SIGKILL')).toBeNull();
    const again = await startServer({ dataDir: x.s.dataDir, databaseUrl: x.s.databaseUrl });
    servers.push(again);
    const student = new Client(again.baseUrl);
    await student.login('student1');
    const sub = await waitFor('marking after restart', async () => (await student.get(`/api/submissions/${r.data.id}`)).data, (d) => d.status === 'marked', 90_000);
    expect(sub).toMatchObject({ score: 6, maxScore: 6 });
    // The same client id after the restart is still the same submission.
    const retry = await student.post(`/api/assignments/${a.data.id}/submissions`, { clientId, answers: { '1': 'A', '2': '(x+6)/2' } });
    expect(retry.status).toBe(200);
    expect(retry.data.id).toBe(r.data.id);
  });
});
