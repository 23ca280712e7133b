/** The item bank over HTTP: Chinese search ranking, filters, banks and sharing, validation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let teacher1: Client; // 实验中学
let head1: Client; // 实验中学
let teacher2: Client; // 第二中学
let researcher: Client;
let points: { code: string; name: string; prerequisites: string[] }[];

const codeOf = (prefix: string) => points.find((p) => p.name.startsWith(prefix))!.code;
const choice = (stem: string, kp: string, grade = 9) => ({
  subject: 'math',
  grade,
  body: { type: 'single_choice', stem, options: [{ key: 'A', text: '1' }, { key: 'B', text: '2' }, { key: 'C', text: '3' }, { key: 'D', text: '4' }], answer: 'B' },
  explanation: '略。',
  knowledgePoints: [kp],
  difficulty: 3,
});

beforeAll(async () => {
  server = await startServer();
  [teacher1, head1, teacher2, researcher] = await Promise.all(
    ['teacher1', 'head_teacher1', 'teacher2', 'researcher1'].map(async (u) => {
      const c = new Client(server.baseUrl);
      await c.login(u);
      return c;
    }),
  );
  points = (await teacher1.get('/api/curriculum/subjects/math/graph')).data.points;
}, 120_000);
afterAll(() => server?.stop());

describe('item bank', () => {
  it('seeds the demo items into the region bank, visible to teachers', async () => {
    const r = await teacher1.get('/api/items?owner=region&subject=english&pageSize=1');
    expect(r.status).toBe(200);
    expect(r.data.total).toBeGreaterThanOrEqual(50);
  });

  it('finds the right demo items first for "一元二次方程 求根公式" and "勾股定理"', async () => {
    const formula = codeOf('公式法');
    const r = await teacher1.get(`/api/items?owner=region&subject=math&q=${encodeURIComponent('一元二次方程 求根公式')}&pageSize=5`);
    expect(r.data.total).toBeGreaterThan(5);
    const top = r.data.items.slice(0, 3) as { knowledgePoints: string[]; body: { stem: string } }[];
    for (const it of top) expect(it.knowledgePoints, it.body.stem).toContain(formula);
    const g = await teacher1.get(`/api/items?owner=region&subject=math&q=${encodeURIComponent('勾股定理')}&pageSize=5`);
    const pythagoras = points.filter((p) => p.name.includes('勾股定理')).map((p) => p.code);
    for (const it of g.data.items.slice(0, 3)) expect(pythagoras).toEqual(expect.arrayContaining([it.knowledgePoints[0]]));
  });

  it('ranks the right items first for Chinese queries', async () => {
    const formula = codeOf('公式法');
    const square = codeOf('配方法');
    const mine = [
      choice('用公式法（求根公式）解一元二次方程 $x^2-5x+6=0$，较大的根是', formula),
      choice('一元二次方程 $ax^2+bx+c=0$ 的求根公式中，判别式 $b^2-4ac$ 的值为 0 时方程有几个相等实根', formula),
      choice('用配方法解方程 $x^2+2x-3=0$，配方后得到 $(x+1)^2=$', square),
      choice('一元二次方程 $x^2=4$ 的正根是', codeOf('一元二次方程的概念')),
      choice('在直角三角形中，两直角边分别为 3 和 4，斜边是', codeOf('勾股定理'), 8),
    ];
    for (const it of mine) expect((await teacher1.post('/api/items', it)).status).toBe(201);
    const r = await teacher1.get(`/api/items?owner=mine&q=${encodeURIComponent('一元二次方程 求根公式')}`);
    expect(r.data.items.slice(0, 2).map((i: { knowledgePoints: string[] }) => i.knowledgePoints[0])).toEqual([formula, formula]);
    expect(r.data.items[0].relevance).toBeGreaterThan(r.data.items.at(-1).relevance);
    const g = await teacher1.get(`/api/items?owner=mine&q=${encodeURIComponent('勾股定理 直角三角形')}`);
    expect(g.data.items[0].body.stem).toContain('直角三角形');
  });

  it('filters by knowledge point including its descendants, and by type and difficulty', async () => {
    // Items on 公式法 count for its prerequisite 配方法's subtree only when tagged below it: ask for 配方法.
    const square = codeOf('配方法');
    const r = await teacher1.get(`/api/items?owner=mine&subject=math&knowledgePoint=${square}`);
    const kps = new Set(r.data.items.map((i: { knowledgePoints: string[] }) => i.knowledgePoints[0]));
    expect(kps.has(square)).toBe(true);
    expect(kps.has(codeOf('公式法'))).toBe(true); // 公式法 builds on 配方法
    expect(kps.has(codeOf('勾股定理'))).toBe(false);
    const none = await teacher1.get('/api/items?owner=mine&type=essay');
    expect(none.data.total).toBe(0);
    const hard = await teacher1.get('/api/items?owner=mine&difficultyMin=4');
    expect(hard.data.total).toBe(0);
  });

  it("keeps a teacher's own items private until the owner shares them with the school", async () => {
    const created = await teacher1.post('/api/items', choice('私有题：$2+2=$', codeOf('公式法')));
    const id = created.data.id;
    expect(created.data.owner.type).toBe('teacher');
    expect((await head1.get(`/api/items/${id}`)).status).toBe(403);
    expect((await teacher2.get(`/api/items/${id}`)).status).toBe(403);
    expect((await head1.post(`/api/items/${id}/share`, { to: 'school' })).status).toBe(403); // not the owner
    const shared = await teacher1.post(`/api/items/${id}/share`, { to: 'school' });
    expect(shared.status).toBe(200);
    expect(shared.data.owner.type).toBe('school');
    expect((await head1.get(`/api/items/${id}`)).status).toBe(200); // same school
    expect((await teacher2.get(`/api/items/${id}`)).status).toBe(403); // other school
    expect((await head1.request('PUT', `/api/items/${id}`, choice('改题', codeOf('公式法')))).status).toBe(403); // not author nor school admin
    expect((await teacher1.post(`/api/items/${id}/share`, { to: 'school' })).data.code).toBe('item.share_not_up');
  });

  it('researchers author into the region bank, which every school sees', async () => {
    const r = await researcher.post('/api/items', { ...choice('区域题：求根公式', codeOf('公式法')), bank: 'region' });
    expect(r.status).toBe(201);
    expect(r.data.owner.type).toBe('region');
    expect((await teacher2.get(`/api/items/${r.data.id}`)).status).toBe(200);
    expect((await teacher2.request('PUT', `/api/items/${r.data.id}`, choice('改', codeOf('公式法')))).status).toBe(403);
    expect((await teacher1.post('/api/items', { ...choice('教师不能直接放入区域题库', codeOf('公式法')), bank: 'region' })).status).toBe(400);
  });

  it('edits an unanswered item in place (same version)', async () => {
    const created = await teacher1.post('/api/items', choice('原题干', codeOf('公式法')));
    const edited = await teacher1.request('PUT', `/api/items/${created.data.id}`, choice('修改后的题干', codeOf('公式法')));
    expect(edited.status).toBe(200);
    expect(edited.data.version).toBe(1);
    expect(edited.data.body.stem).toBe('修改后的题干');
    expect((await teacher1.get(`/api/items/${created.data.id}/versions`)).data).toHaveLength(1);
  });

  it('rejects bad items with clear errors and writes nothing', async () => {
    const before = (await teacher1.get('/api/items?owner=mine')).data.total;
    const unknown = await teacher1.post('/api/items', choice('未知知识点', 'NO-SUCH-KP'), { 'accept-language': 'en' });
    expect(unknown.status).toBe(422);
    expect(unknown.data.code).toBe('item.unknown_knowledge_point');
    const bad = { ...choice('答案不在选项中', codeOf('公式法')), body: { ...choice('x', 'y').body, answer: 'Z' } };
    expect((await teacher1.post('/api/items', bad)).data.code).toBe('request.invalid');
    expect((await teacher1.get('/api/items?owner=mine')).data.total).toBe(before);
  });
});
