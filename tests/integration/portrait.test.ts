/**
 * Student portrait, comprehensive-quality records and the teaching check-up over HTTP: records
 * are added, listed and withdrawn (hidden from the family, kept for staff, never deleted), bad
 * input changes nothing; the portrait is seen only by the student, their guardian, their class's
 * teachers and school admin, and its homework and notebook figures match what the test created;
 * the check-up's coverage, completion and turnaround match values computed by hand.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type RunningServer } from '../support/server.js';

let s: RunningServer;
const c: Record<string, Client> = {};
let student1: string;
let student2: string;
let teacher1: string;
let class71: string;
let classSize: number;
const assignments: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };
const KPS = ['M7-NA-01', 'M7-NA-02', 'M7-NA-03', 'M7-NA-01'];

async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 45_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const hours = (a: string, b: string) => (new Date(b).getTime() - new Date(a).getTime()) / 3_600_000;
/** Linear-interpolation quantile (type 7), computed independently of the server. */
function q7(xs: number[], q: number) {
  const v = [...xs].sort((a, b) => a - b);
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  return v[lo]! + (h - lo) * ((v[lo + 1] ?? v[lo]!) - v[lo]!);
}

beforeAll(async () => {
  s = await startServer();
  for (const u of ['teacher1', 'teacher2', 'teacher3', 'head_teacher1', 'school_admin1', 'school_admin2', 'county_admin1', 'researcher1', 'parent1', 'student1', 'student2', 'auditor1']) {
    c[u] = new Client(s.baseUrl);
    await c[u].login(u);
  }
  student1 = (await c.student1.get('/api/me')).data.id;
  student2 = (await c.student2.get('/api/me')).data.id;
  teacher1 = (await c.teacher1.get('/api/me')).data.id;
  const classes = (await c.teacher1.get('/api/classes')).data as { id: string; name: string }[];
  class71 = classes.find((x) => x.name.includes('(1)'))!.id;
  classSize = (await c.teacher1.get(`/api/classes/${class71}/students`)).data.length;

  const items: string[] = [];
  for (const [i, kp] of KPS.entries()) {
    const r = await c.teacher1.post('/api/items', {
      subject: 'math',
      grade: 7,
      body: { type: 'single_choice', stem: `成长档案测试第${i + 1}题`, options: ['A', 'B', 'C', 'D'].map((k) => ({ key: k, text: `选项${k}` })), answer: 'A' },
      knowledgePoints: [kp],
      difficulty: 2,
      score: 1,
    });
    expect(r.status, JSON.stringify(r.data)).toBe(201);
    items.push(r.data.id);
  }
  const now = Date.now();
  const make = async (title: string, openAt: number, dueAt: number, picked: number[]) => {
    const r = await c.teacher1.post('/api/assignments', {
      title,
      classIds: [class71],
      openAt: new Date(openAt).toISOString(),
      dueAt: new Date(dueAt).toISOString(),
      latePolicy: 'accept',
      items: picked.map((i) => ({ itemId: items[i]! })),
    });
    expect(r.status, JSON.stringify(r.data)).toBe(201);
    return r.data.id as string;
  };
  // A: open, due tomorrow. B: already past due (student1 submits late). C: past due, nobody submits.
  assignments.A = await make('成长档案作业A', now - 3600_000, now + 86_400_000, [0, 1]);
  assignments.B = await make('成长档案作业B', now - 3 * 3600_000, now - 3600_000, [2, 3]);
  assignments.C = await make('成长档案作业C', now - 3 * 3600_000, now - 2 * 3600_000, [0, 2]);
  const submit = async (who: Client, id: string, answers: string[]) => {
    const r = await who.post(`/api/assignments/${id}/submissions`, { clientId: randomUUID(), answers: Object.fromEntries(answers.map((a, i) => [String(i + 1), a])) });
    expect(r.status, JSON.stringify(r.data)).toBe(201);
  };
  await submit(c.student1, assignments.A, ['A', 'B']); // question 2 (M7-NA-02) wrong → notebook
  await submit(c.student1, assignments.B, ['C', 'A']); // question 1 (M7-NA-03) wrong → notebook; late
  await submit(c.student2, assignments.A, ['A', 'A']);
  for (const [who, id] of [
    [c.student1, assignments.A],
    [c.student1, assignments.B],
    [c.student2, assignments.A],
  ] as const)
    await waitFor('marked', async () => (await who.get(`/api/assignments/${id}/my-submissions`)).data, (xs: any[]) => xs[0]?.status === 'marked');
}, 180_000);
afterAll(async () => {
  await s?.stop();
});

const quality = (id: string) => `/api/analytics/students/${id}/quality`;
const entry = { domain: 'moral', title: '主动帮助同学', description: '课间主动为腿部受伤的同学打饭，持续两周。', evidence: '班主任观察记录；同学书面说明', occurredOn: '2026-10-12' };

describe('comprehensive-quality records', () => {
  let recordId: string;

  it('a teacher of the class records an evidence-based entry; the family sees it', async () => {
    const r = await c.teacher1.post(quality(student1), entry);
    expect(r.status, JSON.stringify(r.data)).toBe(201);
    expect(r.data).toMatchObject({ ...entry, recordedBy: { id: teacher1, name: '王丽华' }, withdrawn: null, canWithdraw: true });
    recordId = r.data.id;
    for (const who of [c.parent1, c.student1]) {
      const l = await who.get(quality(student1));
      expect(l.status).toBe(200);
      expect(l.data.canRecord).toBe(false);
      expect(l.data.records.map((x: any) => x.id)).toEqual([recordId]);
    }
  });

  it('bad input is a problem+json 400 and stores nothing', async () => {
    const before = (await c.teacher1.get(quality(student1))).data.records.length;
    for (const bad of [{ ...entry, domain: 'wisdom' }, { ...entry, evidence: '   ' }, { ...entry, occurredOn: '2026-02-30' }, { ...entry, occurredOn: '2999-01-01' }]) {
      const r = await c.teacher1.post(quality(student1), bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(typeof r.data.code).toBe('string');
    }
    expect((await c.teacher1.get(quality(student1))).data.records.length).toBe(before);
  });

  it('only staff of the class or school may record; only the recorder may withdraw', async () => {
    expect((await c.parent1.post(quality(student1), entry)).status).toBe(403);
    expect((await c.student1.post(quality(student1), entry)).status).toBe(403);
    expect((await c.teacher3.post(quality(student1), entry)).status).toBe(403); // teaches grade 8 only
    expect((await c.teacher2.post(quality(student1), entry)).status).toBe(403); // another school
    const other = await c.head_teacher1.post(`${quality(student1)}/${recordId}/withdraw`, { reason: '不是我记录的' });
    expect(other.status).toBe(403);
  });

  it('a withdrawn entry stays for staff, marked withdrawn, and disappears for the family', async () => {
    expect((await c.teacher1.post(`${quality(student1)}/${recordId}/withdraw`, { reason: '' })).status).toBe(400);
    const w = await c.teacher1.post(`${quality(student1)}/${recordId}/withdraw`, { reason: '日期记录有误，重新登记' });
    expect(w.status, JSON.stringify(w.data)).toBe(200);
    expect(w.data.withdrawn).toMatchObject({ reason: '日期记录有误，重新登记', by: '王丽华' });
    expect((await c.teacher1.post(`${quality(student1)}/${recordId}/withdraw`, { reason: '再次撤回' })).status).toBe(409);
    const staff = (await c.school_admin1.get(quality(student1))).data.records.find((x: any) => x.id === recordId);
    expect(staff.withdrawn.reason).toBe('日期记录有误，重新登记');
    for (const who of [c.parent1, c.student1]) expect((await who.get(quality(student1))).data.records.find((x: any) => x.id === recordId)).toBeUndefined();
    const again = await c.teacher1.post(quality(student1), { ...entry, occurredOn: '2026-10-13' });
    expect(again.status).toBe(201);
    const audit = (await c.auditor1.get('/api/audit?action=quality.withdraw')).data.items;
    expect(audit.some((e: any) => e.resourceId === student1 && e.detail.record === recordId)).toBe(true);
  });
});

describe('student portrait', () => {
  const portrait = (id: string) => `/api/analytics/students/${id}/portrait`;

  it('is for the student, their guardian, their class teachers and school admin only', async () => {
    for (const who of ['student1', 'parent1', 'teacher1', 'head_teacher1', 'school_admin1']) expect((await c[who].get(portrait(student1))).status, who).toBe(200);
    for (const who of ['parent1', 'student1']) expect((await c[who].get(portrait(student2))).status, `${who} → another child`).toBe(403);
    for (const who of ['teacher3', 'teacher2', 'school_admin2', 'county_admin1', 'researcher1']) {
      const r = await c[who].get(portrait(student1));
      expect(r.status, who).toBe(403);
      expect(r.data.code).toBe('authz.forbidden');
    }
  });

  it('homework, notebook and quality figures match what was created, with the rows behind them', async () => {
    const p = await waitFor('mastery', async () => (await c.parent1.get(`${portrait(student1)}?subject=math`)).data, (d: any) => d.mastery?.points?.length >= 3);
    expect(p.viewer).toBe('parent');
    expect(p.homework.totals).toEqual({ assigned: 3, submitted: 2, onTime: 1, late: 1, missing: 1, pending: 0 });
    const status = Object.fromEntries(p.homework.assignments.map((a: any) => [a.id, a.status]));
    expect(status).toEqual({ [assignments.A]: 'on_time', [assignments.B]: 'late', [assignments.C]: 'missing' });
    const sum = (k: string) => p.homework.byMonth.reduce((n: number, m: any) => n + m[k], 0);
    expect([sum('assigned'), sum('onTime'), sum('late'), sum('missing')]).toEqual([3, 1, 1, 1]);
    expect(p.notebook.totals).toEqual({ added: 2, mastered: 0, open: 2 });
    expect(p.notebook.entries.map((e: any) => e.knowledgePoints[0]).sort()).toEqual(['M7-NA-02', 'M7-NA-03']);
    expect(p.mastery.points.map((x: any) => x.code)).toEqual(expect.arrayContaining(['M7-NA-01', 'M7-NA-02', 'M7-NA-03']));
    expect(p.mastery.points.find((x: any) => x.code === 'M7-NA-01').name).toBe('有理数的概念');
    expect(p.mastery.history.length).toBeGreaterThanOrEqual(3);
    // Quality: the withdrawn record is not counted nor shown to the parent; its replacement is.
    expect(p.quality.byDomain.find((d: any) => d.domain === 'moral').count).toBe(1);
    expect(p.quality.records.every((r: any) => r.withdrawn === null)).toBe(true);
    const staff = (await c.teacher1.get(portrait(student1))).data;
    expect(staff.viewer).toBe('staff');
    expect(staff.quality.records.filter((r: any) => r.withdrawn).length).toBe(1);
    expect(staff.quality.byDomain.find((d: any) => d.domain === 'moral').count).toBe(1);
    // A period before any of this shows none of it.
    const old = (await c.student1.get(`${portrait(student1)}?from=2020-01-01&to=2020-12-31`)).data;
    expect(old.homework.totals.assigned).toBe(0);
    expect(old.notebook.totals.added).toBe(0);
    expect((await c.student1.get(`${portrait(student1)}?from=2021-01-01&to=2020-01-01`)).status).toBe(400);
  });

  it('staff reads are audited; the family’s own are not', async () => {
    const items = (await c.auditor1.get('/api/audit?action=portrait.read&pageSize=200')).data.items;
    expect(items.some((e: any) => e.actorName === 'teacher1' && e.resourceId === student1)).toBe(true);
    expect(items.filter((e: any) => e.actorName === 'parent1' || e.actorName === 'student1')).toEqual([]);
  });
});

describe('teaching check-up', () => {
  const checkup = (id: string) => `/api/analytics/teachers/${id}/checkup`;

  it('is for the teacher and their school admin only', async () => {
    expect((await c.teacher1.get(checkup(teacher1))).status).toBe(200);
    expect((await c.school_admin1.get(checkup(teacher1))).status).toBe(200);
    for (const who of ['head_teacher1', 'teacher2', 'school_admin2', 'county_admin1', 'researcher1', 'student1', 'parent1']) expect((await c[who].get(checkup(teacher1))).status, who).toBe(403);
    const list = (await c.school_admin1.get('/api/analytics/checkup/teachers')).data.map((t: any) => t.name);
    expect(list).toEqual(expect.arrayContaining(['王丽华', '陈建国', '刘晓梅']));
    expect(list).not.toContain('张伟');
    expect((await c.teacher1.get('/api/analytics/checkup/teachers')).data).toEqual([{ id: teacher1, name: '王丽华' }]);
  });

  it('coverage, load, completion, turnaround and trend match hand-computed values', async () => {
    const r = await waitFor('trend', async () => (await c.teacher1.get(checkup(teacher1))).data, (d: any) => d.masteryTrend?.reduce((n: number, t: any) => n + t.responses, 0) === 6);
    // Coverage: M7-NA-01..03 of the published grade-7 math points.
    const graph = (await c.teacher1.get('/api/curriculum/subjects/math/graph')).data;
    const grade7 = graph.points.filter((p: any) => p.grade === 7).map((p: any) => p.code);
    const cov = r.coverage.find((x: any) => x.subject === 'math' && x.grade === 7);
    expect(cov).toMatchObject({ covered: 3, total: grade7.length });
    expect(cov.share).toBeCloseTo(3 / grade7.length, 3);
    expect(cov.uncovered.map((p: any) => p.code).sort()).toEqual(grade7.filter((x: string) => !KPS.includes(x)).sort());
    expect(cov.coveredPoints.find((p: any) => p.code === 'M7-NA-01').assignmentIds.sort()).toEqual(Object.values(assignments).sort());
    // Load: three assignments of two questions each, all for 七年级(1)班.
    expect(r.load.assignments).toBe(3);
    expect(r.load.itemsPerAssignment).toBe(2);
    expect(r.load.list.map((a: any) => a.id).sort()).toEqual(Object.values(assignments).sort());
    expect(r.load.byWeek.reduce((n: number, w: any) => n + w.count, 0)).toBe(3);
    // Completion: 3 submissions of 3 × class size expected.
    expect(r.completion).toMatchObject({ expected: 3 * classSize, submitted: 3 });
    expect(r.completion.share).toBeCloseTo(3 / (3 * classSize), 3);
    expect(r.load.byClass.find((x: any) => x.classId === class71)).toMatchObject({ assignments: 3, expected: 3 * classSize, submitted: 3 });
    // 七年级(2)班 is taught too, and was set nothing.
    expect(r.load.byClass.filter((x: any) => x.classId !== class71)).toEqual([expect.objectContaining({ assignments: 0, expected: 0, submitted: 0, completion: null })]);
    // Turnaround: from the submissions' own times.
    const subs = [];
    for (const id of [assignments.A, assignments.B]) subs.push(...(await c.teacher1.get(`/api/assignments/${id}/submissions`)).data.submissions);
    const h = subs.map((x: any) => hours(x.submittedAt, x.markedAt));
    expect(r.turnaround.marking.n).toBe(3);
    expect(r.turnaround.marking.median).toBeCloseTo(q7(h, 0.5), 3);
    expect(r.turnaround.marking.p90).toBeCloseTo(q7(h, 0.9), 3);
    expect(r.turnaround.review).toEqual({ n: 0, median: null, p90: null });
    // Trend: 4 of 6 points right over the class's latest attempts.
    const score = r.masteryTrend.reduce((n: number, t: any) => n + t.meanRate * t.responses, 0);
    expect(score).toBeCloseTo(4, 2);
    // AI use: objective items only, no model suggestions.
    expect(r.aiUse).toMatchObject({ marks: 6, aiMarks: 0, reviewed: 0, accepted: 0, changed: 0 });
  });
});
