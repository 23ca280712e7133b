/**
 * The learner model over HTTP: the companion's plan and practice (mastery moves at once), a path
 * to a goal, homework flowing in through the submission.marked event, the class heatmap, tiered
 * practice assigned to tiers of students, and a refit job with progress.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type RunningServer } from '../support/server.js';

let s: RunningServer;
let teacher: Client;
let student: Client;
let classId: string;

/** The right answer to an item, read as its author/teacher would (the student never sees it). */
async function rightAnswer(itemId: string): Promise<unknown> {
  const it = (await teacher.get(`/api/items/${itemId}`)).data;
  const b = it.body;
  if (b.type === 'fill_blank') return Object.fromEntries(b.blanks.map((x: any) => [x.id, x.accepted[0]]));
  return b.answer;
}

async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  s = await startServer();
  teacher = new Client(s.baseUrl);
  await teacher.login('teacher1');
  student = new Client(s.baseUrl);
  await student.login('student1');
  classId = (await student.get('/api/students?pageSize=1')).data.items[0].classId;
}, 120_000);
afterAll(() => s?.stop());

describe('learning companion', () => {
  let firstStep: any;

  it('plans the next points whose prerequisites are mastered, with items and a reason in plain words', async () => {
    const plan = await student.get('/api/learning/plan?subject=math');
    expect(plan.status, JSON.stringify(plan.data)).toBe(200);
    expect(plan.data.steps.length).toBeGreaterThan(0);
    firstStep = plan.data.steps[0];
    expect(firstStep.items.length).toBeGreaterThan(0);
    expect(firstStep.reason['zh-CN']).toMatch(/「.+」/);
    expect(firstStep.mastery).toMatchObject({ observations: 0, state: 'not_enough_evidence' });
    for (const it of firstStep.items) {
      expect(JSON.stringify(it.body)).not.toContain('"answer"');
      expect(it.predicted).toBeGreaterThan(0);
      expect(it.predicted).toBeLessThan(1);
    }
    expect(plan.data.summary.total).toBeGreaterThan(20);
  });

  it('a correct practice answer raises mastery at once and the plan shows the evidence', async () => {
    const item = firstStep.items[0];
    const r = await student.post('/api/learning/practice', { itemId: item.itemId, answer: await rightAnswer(item.itemId) });
    expect(r.status, JSON.stringify(r.data)).toBe(200);
    expect(r.data.correct).toBe(true);
    const moved = r.data.mastery.find((m: any) => m.code === firstStep.code);
    expect(moved.after).toBeGreaterThan(moved.before);
    const wrong = await student.post('/api/learning/practice', { itemId: item.itemId, answer: item.type === 'true_false' ? !(await rightAnswer(item.itemId)) : item.type === 'single_choice' ? ((await rightAnswer(item.itemId)) === 'A' ? 'B' : 'A') : 'zzz' });
    expect(wrong.data.correct).toBe(false);
    expect(wrong.data.mastery.find((m: any) => m.code === firstStep.code).after).toBeLessThan(moved.after);
    const mastery = (await student.get('/api/learning/mastery?subject=math')).data;
    expect(mastery.find((m: any) => m.code === firstStep.code)).toMatchObject({ observations: 2, correct: 1 });
    const history = (await student.get('/api/learning/history?subject=math')).data;
    expect(history.points.find((p: any) => p.code === firstStep.code).series).toHaveLength(2);
    const bad = await student.post('/api/learning/practice', { itemId: randomUUID(), answer: 'A' });
    expect(bad.status).toBe(404);
  });

  it('a run of correct answers masters the point and the plan moves on', async () => {
    const code = firstStep.code;
    for (let i = 0; i < 6; i++) {
      const plan = (await student.get('/api/learning/plan?subject=math')).data;
      const step = plan.steps.find((st: any) => st.code === code);
      if (!step) break;
      const item = step.items[0];
      await student.post('/api/learning/practice', { itemId: item.itemId, answer: await rightAnswer(item.itemId) });
    }
    const m = (await student.get('/api/learning/mastery?subject=math')).data.find((x: any) => x.code === code);
    expect(m.state).toBe('mastered');
    const plan = (await student.get('/api/learning/plan?subject=math')).data;
    expect(plan.steps.map((st: any) => st.code)).not.toContain(code);
    expect(plan.summary.mastered).toBeGreaterThanOrEqual(1);
  });

  it('a path to a goal lists every prerequisite before the points that need it, ending with the goal', async () => {
    const graph = (await teacher.get('/api/curriculum/subjects/math/graph')).data;
    const goal = graph.points.filter((p: any) => p.grade === 8).find((p: any) => p.prerequisites.length >= 2);
    const r = await student.get(`/api/learning/path?subject=math&goal=${goal.code}`);
    expect(r.status).toBe(200);
    const codes = r.data.steps.map((x: any) => x.code);
    expect(codes.at(-1)).toBe(goal.code);
    const byCode = new Map(graph.points.map((p: any) => [p.code, p]));
    codes.forEach((c: string, i: number) => {
      for (const q of (byCode.get(c) as any).prerequisites) expect(codes.indexOf(q)).toBeLessThan(i);
    });
    expect(r.data.progress.total).toBe(codes.length);
    expect((await student.get('/api/learning/path?subject=math&goal=NOPE')).status).toBe(404);
  });

  it('homework answers reach the learner model through the submission.marked event', async () => {
    const before = (await student.get('/api/learning/mastery?subject=math')).data;
    const bank = (await teacher.get('/api/items?subject=math&grade=7&type=true_false&pageSize=1')).data.items[0];
    const a = await teacher.post('/api/assignments', {
      title: '事件测试',
      classIds: [classId],
      openAt: new Date(Date.now() - 3600_000).toISOString(),
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      items: [{ itemId: bank.id }],
    });
    expect(a.status).toBe(201);
    await student.post(`/api/assignments/${a.data.id}/submissions`, { clientId: randomUUID(), answers: { '1': bank.body.answer } });
    const code = bank.knowledgePoints[0];
    const was = before.find((m: any) => m.code === code)?.observations ?? 0;
    await waitFor('event applied', async () => (await student.get('/api/learning/mastery?subject=math')).data.find((m: any) => m.code === code)?.observations ?? 0, (n) => n === was + 1);
  });
});

describe('spaced review in the plan', () => {
  it('mixes in a due error-notebook item; practising it counts as the notebook retry', async () => {
    const item = (await teacher.get('/api/items?subject=math&grade=7&type=single_choice&pageSize=1')).data.items[0];
    const wrong = item.body.options.find((o: any) => o.key !== item.body.answer).key;
    const a = await teacher.post('/api/assignments', {
      title: '复习测试',
      classIds: [classId],
      openAt: new Date(Date.now() - 3600_000).toISOString(),
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      items: [{ itemId: item.id }],
    });
    const sub = await student.post(`/api/assignments/${a.data.id}/submissions`, { clientId: randomUUID(), answers: { '1': wrong } });
    await waitFor('marked', async () => (await student.get(`/api/submissions/${sub.data.id}`)).data.status, (st) => st === 'marked');
    const plan = (await student.get('/api/learning/plan?subject=math')).data;
    const review = plan.steps.find((st: any) => st.kind === 'review');
    expect(review, JSON.stringify(plan.steps.map((x: any) => [x.kind, x.code]))).toBeTruthy();
    expect(review.items[0].itemId).toBe(item.id);
    expect(review.reason['zh-CN']).toContain('复习');
    expect(plan.reviewDue.map((d: any) => d.itemId)).toContain(item.id);
    await student.post('/api/learning/practice', { itemId: item.id, answer: item.body.answer });
    const entry = (await student.get('/api/notebook')).data.find((e: any) => e.itemId === item.id);
    expect(entry).toMatchObject({ retries: 1, correctStreak: 1 });
    expect(new Date(entry.dueAt).getTime()).toBeGreaterThan(Date.now());
    const after = (await student.get('/api/learning/plan?subject=math')).data;
    expect(after.steps.find((st: any) => st.kind === 'review' && st.items[0].itemId === item.id)).toBeUndefined();
  });
});

describe('teachers', () => {
  it('see the class heatmap with the evidence of their students, and only for their classes', async () => {
    const r = await teacher.get(`/api/learning/classes/${classId}/mastery?subject=math`);
    expect(r.status).toBe(200);
    const me = r.data.students.find((x: any) => x.name && Object.values(x.mastery).some((v) => v !== null));
    expect(me).toBeTruthy();
    expect(r.data.points.length).toBeGreaterThan(0);
    const other = new Client(s.baseUrl);
    await other.login('teacher2');
    expect((await other.get(`/api/learning/classes/${classId}/mastery?subject=math`)).status).toBe(403);
  });

  it('tiered practice puts every student in exactly one tier and assigns one set per tier', async () => {
    const size = (await teacher.get('/api/classes')).data.find((c: any) => c.id === classId).studentCount;
    const kps = ['M7-NA-01', 'M7-NA-02'];
    const plan = await teacher.post('/api/learning/tiers', { classId, subject: 'math', knowledgePoints: kps, tiers: 3, itemsPerTier: 3 });
    expect(plan.status, JSON.stringify(plan.data)).toBe(200);
    const ids = plan.data.tiers.flatMap((t: any) => t.students.map((x: any) => x.id));
    expect(ids).toHaveLength(size);
    expect(new Set(ids).size).toBe(size);
    expect(plan.data.tiers.map((t: any) => t.label['zh-CN'])).toEqual(['基础巩固', '能力提升', '拓展挑战']);
    const tiers = plan.data.tiers.filter((t: any) => t.items.length > 0);
    expect(tiers.length).toBeGreaterThan(0);
    const overlap = await teacher.post('/api/learning/tiers/assign', {
      classId,
      title: '分层练习',
      openAt: new Date(Date.now() - 60_000).toISOString(),
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      tiers: [
        { label: 'A', studentIds: [ids[0]], itemIds: [tiers[0].items[0].itemId] },
        { label: 'B', studentIds: [ids[0]], itemIds: [tiers[0].items[0].itemId] },
      ],
    });
    expect(overlap.status).toBe(422);
    const assigned = await teacher.post('/api/learning/tiers/assign', {
      classId,
      title: '分层练习',
      openAt: new Date(Date.now() - 60_000).toISOString(),
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      tiers: tiers.map((t: any) => ({ label: t.label['zh-CN'], studentIds: t.students.map((x: any) => x.id), itemIds: t.items.map((i: any) => i.itemId) })),
    });
    expect(assigned.status, JSON.stringify(assigned.data)).toBe(201);
    const mine = (await student.get('/api/assignments')).data.filter((a: any) => a.title.startsWith('分层练习'));
    expect(mine).toHaveLength(1);
    const notMine = assigned.data.assignments.find((a: any) => a.id !== mine[0].id);
    if (notMine) expect((await student.get(`/api/assignments/${notMine.id}`)).status).toBe(403);
    const subs = (await teacher.get(`/api/assignments/${mine[0].id}/submissions`)).data;
    const tierOfMe = tiers.find((t: any) => t.students.some((x: any) => mine[0].title.includes(t.label['zh-CN'])));
    expect(subs.missing.length).toBe(tierOfMe.students.length);
  });
});

describe('refits', () => {
  it('a researcher refits the parameters in the worker with progress; others may not', async () => {
    expect((await student.post('/api/learning/refits', { subject: 'math' })).status).toBe(403);
    const researcher = new Client(s.baseUrl);
    await researcher.login('researcher1');
    const r = await researcher.post('/api/learning/refits', { subject: 'math' });
    expect(r.status, JSON.stringify(r.data)).toBe(202);
    const done = await waitFor('refit', async () => (await researcher.get(`/api/learning/refits/${r.data.id}`)).data, (d) => d.status === 'done' || d.status === 'failed');
    expect(done).toMatchObject({ status: 'done', progress: 1 });
    expect(done.observations).toBeGreaterThan(3);
  });
});
