/**
 * Analytics over HTTP: marked homework reaches the analytics module through the
 * submission.marked event; the teacher's report matches numbers computed by hand for a small
 * class (only each student's latest attempt counts), its scope (teachers of the classes with
 * names, admins aggregates only, k-anonymous comparison, other schools' teachers denied), the
 * .xlsx export, and an IRT calibration job that writes difficulties back to the item bank.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type RunningServer } from '../support/server.js';

let s: RunningServer;
let restarted: RunningServer | null = null;
let teacher: Client;
let assignmentId: string;
const itemIds: string[] = [];
const classA: string[] = []; // names of 七年级(1)班 students
const classB: string[] = []; // names of 七年级(2)班 students

async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 45_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const KEYS = ['A', 'B', 'C', 'A'];
const KPS = ['M7-NA-01', 'M7-NA-01', 'M7-NA-02', 'M7-NA-02'];
/**
 * Answers to the four questions (keys A, B, C, A). Nobody picks D on question 1. Totals:
 * 4 3 3 2 3 1 1 1 | 4 1 0 → 23 points of 44, mean 23/11; question 1 right 7 of 11.
 */
const ANSWERS: Record<string, string[]> = {
  student1: ['A', 'B', 'C', 'A'],
  student2: ['A', 'B', 'C', 'B'],
  student3: ['A', 'B', 'A', 'A'],
  student4: ['A', 'A', 'C', 'C'],
  student5: ['B', 'B', 'C', 'A'],
  student6: ['A', 'C', 'D', 'D'],
  student7: ['C', 'D', 'C', 'B'],
  student8: ['B', 'A', 'B', 'A'],
  student11: ['A', 'B', 'C', 'A'],
  student12: ['A', 'C', 'A', 'C'],
  student13: ['B', 'D', 'B', 'B'],
};
const asAnswers = (xs: string[]) => Object.fromEntries(xs.map((x, i) => [String(i + 1), x]));

async function login(username: string) {
  const c = new Client(s.baseUrl);
  await c.login(username);
  return c;
}

beforeAll(async () => {
  s = await startServer({ keepData: true });
  teacher = await login('teacher1');
  const classes = (await teacher.get('/api/classes')).data as { id: string; name: string }[];
  const c71 = classes.find((c) => c.name.includes('(1)'))!.id;
  const c72 = classes.find((c) => c.name.includes('(2)'))!.id;
  for (const [id, into] of [[c71, classA], [c72, classB]] as const)
    for (const st of (await teacher.get(`/api/classes/${id}/students`)).data) into.push(st.name);
  for (const [i, key] of KEYS.entries()) {
    const r = await teacher.post('/api/items', {
      subject: 'math',
      grade: 7,
      body: { type: 'single_choice', stem: `分析测试第${i + 1}题`, options: ['A', 'B', 'C', 'D'].map((k) => ({ key: k, text: `选项${k}` })), answer: key },
      knowledgePoints: [KPS[i]],
      difficulty: 2,
      score: 1,
    });
    expect(r.status, JSON.stringify(r.data)).toBe(201);
    itemIds.push(r.data.id);
  }
  const a = await teacher.post('/api/assignments', {
    title: '有理数小测',
    classIds: [c71, c72],
    openAt: new Date(Date.now() - 3600_000).toISOString(),
    dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    attemptsAllowed: 2,
    items: itemIds.map((itemId) => ({ itemId })),
  });
  expect(a.status, JSON.stringify(a.data)).toBe(201);
  assignmentId = a.data.id;

  // student1 first gets everything wrong (choosing D on question 1), then tries again: only the retry counts.
  const first = await login('student1');
  await first.post(`/api/assignments/${assignmentId}/submissions`, { clientId: randomUUID(), answers: asAnswers(['D', 'D', 'D', 'D']) });
  await waitFor('first attempt marked', async () => (await first.get(`/api/assignments/${assignmentId}/my-submissions`)).data, (xs: any[]) => xs[0]?.status === 'marked');
  for (const [username, answers] of Object.entries(ANSWERS)) {
    const c = username === 'student1' ? first : await login(username);
    const r = await c.post(`/api/assignments/${assignmentId}/submissions`, { clientId: randomUUID(), answers: asAnswers(answers) });
    expect(r.status, JSON.stringify(r.data)).toBe(201);
  }
  await waitFor(
    'every submission in the report',
    async () => (await teacher.get(`/api/analytics/assignments/${assignmentId}/report`)).data,
    (r: any) => r.summary?.submissions === 12,
  );
}, 180_000);
afterAll(async () => {
  await restarted?.stop();
  await s?.stop();
  await s?.cleanup();
});

/** Reads the stopped server's database directly. */
async function sql(server: RunningServer, text: string, params: unknown[] = []): Promise<any[]> {
  if (server.databaseUrl) {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: server.databaseUrl });
    await c.connect();
    const rows = (await c.query(text, params)).rows;
    await c.end();
    return rows;
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(join(server.dataDir, 'db'));
  const rows = (await db.query(text, params)).rows as any[];
  await db.close();
  return rows;
}

describe('assignment report', () => {
  let report: any;
  beforeAll(async () => {
    const r = await teacher.get(`/api/analytics/assignments/${assignmentId}/report`);
    expect(r.status, JSON.stringify(r.data)).toBe(200);
    report = r.data;
  });

  it('counts each student once, with their latest attempt, and matches hand-computed statistics', () => {
    expect(report.scope).toMatchObject({ viewer: 'teacher', namesShown: true });
    expect(report.summary).toMatchObject({ students: 11, submissions: 12, maxScore: 4, min: 0, max: 4, median: 2 });
    expect(report.summary.mean).toBeCloseTo(23 / 11, 3);
    expect(report.summary.meanPercent).toBeCloseTo(23 / 44, 3);
    expect(report.summary.histogram.reduce((s: number, h: any) => s + h.count, 0)).toBe(11);
    // Four 0/1 items: KR-20 is alpha, and SEM = sd·√(1 − alpha).
    expect(report.reliability.kr20).toBeCloseTo(report.reliability.alpha, 3);
    expect(report.reliability.sem).toBeCloseTo(report.summary.sd * Math.sqrt(1 - report.reliability.alpha), 2);
    const [q1, q2, q3, q4] = report.items;
    expect(q1.p).toBeCloseTo(7 / 11, 3);
    expect(q2.p).toBeCloseTo(5 / 11, 3);
    expect(q3.p).toBeCloseTo(6 / 11, 3);
    expect(q4.p).toBeCloseTo(5 / 11, 3);
    expect(q1.n).toBe(11);
    expect(q1.options.map((o: any) => [o.option, o.count, o.isKey])).toEqual([
      ['A', 7, true],
      ['B', 3, false],
      ['C', 1, false],
      ['D', 0, false],
    ]);
    expect(q1.flags).toContain('distractor_unused');
    expect(q2.flags).not.toContain('distractor_unused');
    for (const q of report.items) {
      expect(q.pointBiserial).not.toBeNull();
      expect(typeof q.alphaIfDeleted).toBe('number');
    }
  });

  it('knowledge-point mastery is the share of the points earned on each point', () => {
    const kp1 = report.knowledgePoints.find((k: any) => k.code === 'M7-NA-01');
    const kp2 = report.knowledgePoints.find((k: any) => k.code === 'M7-NA-02');
    expect(kp1).toMatchObject({ name: '有理数的概念', earned: 12, possible: 22, positions: [1, 2] });
    expect(kp1.share).toBeCloseTo(12 / 22, 3);
    expect(kp2).toMatchObject({ earned: 11, possible: 22, positions: [3, 4] });
  });

  it('lists the students below 60 % by name for their teacher', () => {
    expect(report.followUp.below).toBe(6);
    expect(report.followUp.students).toHaveLength(6);
    expect(report.followUp.students[0]).toMatchObject({ score: 0, percent: 0, reason: 'below_threshold' });
    for (const st of report.followUp.students) expect([...classA, ...classB]).toContain(st.name);
  });

  it('compares classes, school and county as aggregates only', () => {
    const groups = report.comparison.groups;
    const classes = groups.filter((g: any) => g.level === 'class');
    expect(classes).toHaveLength(2);
    const a = classes.find((g: any) => g.n === 8);
    expect(a.meanPercent).toBeCloseTo(18 / 32, 2);
    // The teacher's own class of 3 is shown to them.
    expect(classes.find((g: any) => g.n === 3)).toMatchObject({ own: true, suppressed: false });
    const school = groups.find((g: any) => g.level === 'school');
    expect(school).toMatchObject({ n: 11, suppressed: false });
    expect(school.meanPercent).toBeCloseTo(23 / 44, 3);
    expect(groups.find((g: any) => g.level === 'county')).toMatchObject({ name: '西湖区', n: 11 });
    const text = JSON.stringify(report.comparison);
    for (const name of [...classA, ...classB]) expect(text).not.toContain(name);
  });

  it('shows a school admin aggregates without names and hides groups under five students', async () => {
    const admin = await login('school_admin1');
    const r = await admin.get(`/api/analytics/assignments/${assignmentId}/report`);
    expect(r.status).toBe(200);
    expect(r.data.scope).toMatchObject({ viewer: 'admin', namesShown: false });
    expect(r.data.summary.students).toBe(11);
    expect(r.data.followUp).toMatchObject({ below: 6, students: [] });
    const small = r.data.comparison.groups.find((g: any) => g.level === 'class' && g.suppressed);
    expect(small).toMatchObject({ n: null, meanPercent: null });
    expect(r.data.comparison.note['zh-CN']).toContain('5');
    const text = JSON.stringify(r.data);
    for (const name of [...classA, ...classB]) expect(text).not.toContain(name);
  });

  it('refuses a teacher of another school, a student and an unknown assignment', async () => {
    const other = await login('teacher2');
    const r = await other.get(`/api/analytics/assignments/${assignmentId}/report`);
    expect(r.status).toBe(403);
    expect(r.data.code).toBe('authz.forbidden');
    expect((await (await login('student2')).get(`/api/analytics/assignments/${assignmentId}/report`)).status).toBe(403);
    expect((await (await login('county_admin2')).get(`/api/analytics/assignments/${assignmentId}/report`)).status).toBe(403);
    const missing = await teacher.get(`/api/analytics/assignments/${randomUUID()}/report`);
    expect(missing.status).toBe(404);
    expect(missing.data.code).toBe('analytics.assignment_not_found');
  });

  it('downloads the report as a workbook with Chinese sheets', async () => {
    const r = await teacher.get(`/api/analytics/assignments/${assignmentId}/report.xlsx`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.data as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['概况', '小题分析', '知识点', '需关注学生']);
    const items = wb.getWorksheet('小题分析')!;
    expect(items.getRow(1).getCell(6).value).toBe('难度 p');
    expect(items.getRow(2).getCell(6).value).toBeCloseTo(7 / 11, 3);
    expect(String(items.getRow(2).getCell(11).value)).toContain('干扰项无人选');
    const follow = wb.getWorksheet('需关注学生')!;
    expect(follow.getRow(1).getCell(2).value).toBe('姓名');
    expect(follow.rowCount).toBe(7);
  });
});

describe('the data behind the figures', () => {
  it('lists every counted student with their histogram bin for their teacher, nobody for an admin', async () => {
    const report = (await teacher.get(`/api/analytics/assignments/${assignmentId}/report`)).data;
    expect(report.assignment.subjectName).toBe('数学');
    expect(report.roster).toHaveLength(11);
    for (const name of report.roster.map((r: any) => r.name)) expect([...classA, ...classB]).toContain(name);
    // Each bin's count is exactly the students placed in it.
    report.summary.histogram.forEach((h: any, i: number) => expect(report.roster.filter((r: any) => r.band === i)).toHaveLength(h.count));
    for (const r of report.roster) {
      const bin = report.summary.histogram[r.band];
      expect(r.score).toBeGreaterThanOrEqual(bin.from);
      expect(r.score <= bin.to).toBe(true);
    }
    expect(report.roster.reduce((t: number, r: any) => t + r.score, 0)).toBe(23);
    const admin = (await (await login('school_admin1')).get(`/api/analytics/assignments/${assignmentId}/report`)).data;
    expect(admin.roster).toEqual([]);
  });
});

describe('the report as a PDF', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zj-report-pdf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** Saves the PDF and returns its page count and its text as poppler extracts it. */
  const inspect = (name: string, data: ArrayBuffer) => {
    const file = join(dir, name);
    writeFileSync(file, Buffer.from(data));
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    return { pages, text, fonts };
  };

  it('is an A4 PDF with the Chinese font embedded as a subset and real Chinese text', async () => {
    const r = await teacher.get(`/api/analytics/assignments/${assignmentId}/report.pdf`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('content-disposition')).toContain('.pdf');
    const bytes = Buffer.from(r.data as ArrayBuffer);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // A subset, not the 19 MB collection.
    expect(bytes.length).toBeLessThan(400_000);
    expect(bytes.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansCJKsc-Regular/);
    const { pages, text, fonts } = inspect('teacher.pdf', r.data);
    expect(fonts).toMatch(/NotoSansCJKsc-Regular\s+CID Type 0C\s+Identity-H\s+yes yes yes/);
    expect(pages).toBe(2);
    // pdftotext -layout may drop the thin spaces around the numbers.
    for (let n = 1; n <= pages; n++) expect(text.replace(/\s+/g, '')).toContain(`第${n}页/共${pages}页`);
    expect(text).toContain('有理数小测');
    expect(text).toContain('干扰项无人选');
    expect(text).toContain('需关注学生');
    expect(text).toContain('七年级(1)班');
    // The teacher's PDF names the students to follow up, like the JSON report.
    const report = (await teacher.get(`/api/analytics/assignments/${assignmentId}/report`)).data;
    for (const st of report.followUp.students) expect(text).toContain(st.name);
  });

  it('gives a school admin aggregates only, and refuses a teacher of another school', async () => {
    const admin = await login('school_admin1');
    const r = await admin.get(`/api/analytics/assignments/${assignmentId}/report.pdf`);
    expect(r.status).toBe(200);
    const { text } = inspect('admin.pdf', r.data);
    expect(text).toContain('学生姓名仅对任课教师显示');
    for (const name of [...classA, ...classB]) expect(text).not.toContain(name);
    const other = await (await login('teacher2')).get(`/api/analytics/assignments/${assignmentId}/report.pdf`);
    expect(other.status).toBe(403);
    expect(other.data.code).toBe('authz.forbidden');
  });

  it('answers 503 analytics.pdf_font_missing instead of printing boxes when no Chinese font is found', async () => {
    const bare = await startServer({ env: { ZHIJIAO_PDF_FONT: join(dir, 'no-such-font.ttc') } });
    try {
      const t = new Client(bare.baseUrl);
      await t.login('teacher1');
      const r = await t.get(`/api/analytics/assignments/${randomUUID()}/report.pdf`);
      expect(r.status).toBe(503);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.data.code).toBe('analytics.pdf_font_missing');
      expect(r.data.detail).toContain('字体');
    } finally {
      await bare.stop();
    }
  }, 60_000);
});

describe('difficulty calibration', () => {
  it('fits Rasch difficulties for items with enough answers and writes them to the item bank', async () => {
    const researcher = await login('researcher1');
    expect((await teacher.post('/api/analytics/calibrations', { subject: 'math', minResponses: 10 })).status).toBe(403);
    const r = await researcher.post('/api/analytics/calibrations', { subject: 'math', minResponses: 10 });
    expect(r.status, JSON.stringify(r.data)).toBe(202);
    const done = await waitFor(
      'calibration',
      async () => (await researcher.get(`/api/analytics/calibrations/${r.data.id}`)).data,
      (c: any) => c.status === 'done' || c.status === 'failed',
    );
    expect(done).toMatchObject({ status: 'done', model: 'rasch', minResponses: 10, students: 11, responses: 44, skipped: [] });
    expect(done.calibrated.map((c: any) => c.itemId).sort()).toEqual([...itemIds].sort());
    const b = (id: string) => done.calibrated.find((c: any) => c.itemId === id).b;
    // Question 1 (7 of 11 right) is easier than question 2 (5 of 11).
    expect(b(itemIds[0]!)).toBeLessThan(b(itemIds[1]!));
    const item = (await teacher.get(`/api/items/${itemIds[0]}`)).data;
    expect(item.irt).toMatchObject({ model: 'rasch', a: 1, n: 11, seA: null });
    expect(item.irt.b).toBeCloseTo(b(itemIds[0]!), 3);
    expect(item.irt.seB).toBeGreaterThan(0);
    expect(item.irt.calibratedAt).toBeTruthy();

    const strict = await researcher.post('/api/analytics/calibrations', { subject: 'math', model: '2pl', minResponses: 12 });
    const none = await waitFor('strict calibration', async () => (await researcher.get(`/api/analytics/calibrations/${strict.data.id}`)).data, (c: any) => c.status === 'done');
    expect(none.calibrated).toEqual([]);
    expect(none.skipped).toHaveLength(4);
    expect(none.skipped.every((x: any) => x.reason === 'too_few_responses' && x.n === 11)).toBe(true);
  });
});

describe('the event feed', () => {
  it('carries the school and the chosen options; replaying every event never counts an answer twice', async () => {
    await s.stop();
    const events = await sql(s, `select id, payload from events where type = 'submission.marked' and payload->>'assignmentId' = $1 order by id`, [assignmentId]);
    expect(events).toHaveLength(12);
    expect(events[0].payload.schoolId).toMatch(/^[0-9a-f-]{36}$/);
    expect(events[0].payload.items.map((i: any) => i.chosen)).toEqual(['D', 'D', 'D', 'D']);
    expect(events[0].payload.items[0]).toMatchObject({ correct: false, score: 0, max: 1, knowledgePoints: ['M7-NA-01'] });
    const count = async () => (await sql(s, `select count(*)::int as n, count(school_id)::int as schools from analytics_responses where assignment_id = $1`, [assignmentId]))[0];
    expect(await count()).toEqual({ n: 48, schools: 48 });
    // Rewind the analytics consumer to the start of the outbox and let it read everything again.
    await sql(s, `update event_cursors set last_id = 0 where consumer = 'analytics'`);
    restarted = await startServer({ dataDir: s.dataDir, databaseUrl: s.databaseUrl, keepData: true });
    const t = new Client(restarted.baseUrl);
    await t.login('teacher1');
    const r = await waitFor('report after restart', async () => (await t.get(`/api/analytics/assignments/${assignmentId}/report`)).data, (x: any) => x.summary?.students === 11);
    expect(r.summary.submissions).toBe(12);
    await new Promise((ok) => setTimeout(ok, 2500));
    await restarted.stop();
    const last = Math.max(...(await sql(s, `select id from events where type = 'submission.marked'`)).map((e) => Number(e.id)));
    expect(Number((await sql(s, `select last_id from event_cursors where consumer = 'analytics'`))[0].last_id)).toBe(last);
    expect(await count()).toEqual({ n: 48, schools: 48 });
  });
});
