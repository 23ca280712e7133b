import { describe, expect, it } from 'vitest';
import { trainEssayModel } from '@zhijiao/engine';
import type { ItemBody } from '../curriculum/index.js';
import { parseReply } from './llm.js';
import { markItem, type ItemSnapshot, type MarkingContext } from './marking.js';
import { responseProblem, studentBody } from './views.js';

const snap = (body: ItemBody): ItemSnapshot => ({ type: body.type, body, explanation: '', knowledgePoints: ['K1'], difficulty: 2, subject: 'math', grade: 7 });
const ctx = (over: Partial<MarkingContext> = {}): MarkingContext => ({
  llm: null,
  threshold: 0.7,
  alwaysReview: false,
  names: [],
  essayModel: async () => null,
  essaySamples: async () => 0,
  itemId: 'i1',
  ...over,
});

const math: ItemBody = { type: 'math', stem: '化简', answer: '\\frac{1}{2}x+3', tolerance: 0, unit: null };
const short: ItemBody = {
  type: 'short_answer',
  stem: '光合作用需要什么条件？产物是什么？',
  referenceAnswer: '需要光照和叶绿体，产生氧气和有机物。',
  keyPoints: [
    { id: 'k1', meaning: '需要光照', variants: ['在光下进行'], score: 2 },
    { id: 'k2', meaning: '产生氧气', variants: ['释放氧气'], score: 2 },
  ],
};
const essay: ItemBody = {
  type: 'essay',
  stem: '写一写你的周末。',
  minWords: null,
  dimensions: [
    { id: 'c', name: '内容', min: 0, max: 10, levels: [{ score: 10, descriptor: '具体' }] },
    { id: 'l', name: '语言', min: 0, max: 10, levels: [{ score: 10, descriptor: '通顺' }] },
  ],
};

describe('markItem', () => {
  it('scores equivalent maths forms in full, scaled to the item points', async () => {
    for (const a of ['0.5x+3', '(x+6)/2', '\\frac{x+6}{2}']) {
      const m = await markItem(snap(math), a, 4, ctx());
      expect(m).toMatchObject({ score: 4, max: 4, engine: 'math/compute-engine', review: null });
    }
    const wrong = await markItem(snap(math), '-\\frac{1}{2}x-3', 4, ctx());
    expect(wrong.score).toBe(0);
    expect(wrong.detail.info.verdict).toBe('sign_error');
  });

  it('scales key-point scores and keeps evidence; always-review items are routed regardless of confidence', async () => {
    const m = await markItem(snap(short), '在光下进行，会释放氧气。', 8, ctx());
    expect(m.score).toBe(8);
    expect(m.detail.scale).toBe(2);
    const ev = m.detail.points[0]!.evidence!;
    expect('在光下进行，会释放氧气。'.slice(ev.start, ev.end)).toBe(ev.text);
    expect((await markItem(snap(short), '在光下进行，会释放氧气。', 8, ctx({ alwaysReview: true }))).review).toBe('always_review');
    const negated = await markItem(snap(short), '不需要光照，产生氧气。', 4, ctx());
    expect(negated.detail.points[0]).toMatchObject({ id: 'k1', score: 0, negated: true });
  });

  it('routes an essay to review when the prompt has no trained model, and scores it once one exists', async () => {
    const untrained = await markItem(snap(essay), '周末我去了公园。', 20, ctx());
    expect(untrained).toMatchObject({ engine: 'essay/untrained', review: 'too_few_samples', confidence: 0 });
    const words = ['公园', '爬山', '图书馆', '奶奶家', '博物馆', '游泳', '做作业', '踢足球'];
    const samples = Array.from({ length: 30 }, (_, i) => {
      const n = 1 + (i % 6);
      const text = Array.from({ length: n * 3 }, (_, k) => `周末我和家人去了${words[(i + k) % words.length]}，因为天气很好，所以我们玩得很开心。`).join('');
      return { text, scores: { c: Math.min(10, n * 2 - 1 + (i % 2)), l: Math.min(10, n * 2 - (i % 2)) } };
    });
    const trained = trainEssayModel(samples, [
      { id: 'c', min: 0, max: 10 },
      { id: 'l', min: 0, max: 10 },
    ]);
    expect(trained.ok).toBe(true);
    if (!trained.ok) return;
    const m = await markItem(snap(essay), samples[5]!.text, 20, ctx({ essayModel: async () => trained.model }));
    expect(m.engine).toBe('essay/ridge');
    expect(m.detail.points.map((p) => p.id)).toEqual(['c', 'l']);
    expect(m.score).toBeGreaterThan(10);
  });

  it('marks composite items part by part', async () => {
    const comp: ItemBody = {
      type: 'composite',
      stem: '综合题',
      parts: [
        { body: { type: 'true_false', stem: '对吗', answer: true }, score: 1 },
        { body: math as never, score: 3 },
      ],
    };
    const m = await markItem(snap(comp), [true, 'x'], 8, ctx());
    expect(m.score).toBe(2);
    expect(m.detail.points.map((p) => p.score)).toEqual([1, 0]);
  });
});

describe('parseReply', () => {
  const pts = [
    { id: 'k1', description: 'a', max: 2 },
    { id: 'k2', description: 'b', max: 2 },
  ];
  it('reads JSON inside prose and code fences', () => {
    expect(parseReply('好的：```json\n{"points":[{"id":"k1","score":2,"reason":"对"},{"id":"k2","score":"0.5"}]}\n```', pts)).toEqual([
      { id: 'k1', score: 2, reason: '对' },
      { id: 'k2', score: 0.5, reason: '' },
    ]);
  });
  it('refuses missing points, scores above the maximum and non-JSON', () => {
    expect(parseReply('{"points":[{"id":"k1","score":2}]}', pts)).toBeNull();
    expect(parseReply('{"points":[{"id":"k1","score":3},{"id":"k2","score":0}]}', pts)).toBeNull();
    expect(parseReply('满分', pts)).toBeNull();
  });
});

describe('views', () => {
  it('students never see answers or rubrics', () => {
    const text = JSON.stringify([studentBody(math), studentBody(short)]);
    expect(text).not.toContain('frac{1}{2}x+3');
    expect(text).not.toContain('需要光照');
  });
  it('checks the shape of responses', () => {
    expect(responseProblem(math, 'x+1')).toBeNull();
    expect(responseProblem(math, 5)).not.toBeNull();
    expect(responseProblem(short, '')).toBeNull();
    expect(responseProblem({ type: 'single_choice', stem: 's', options: [{ key: 'A', text: '1' }, { key: 'B', text: '2' }], answer: 'A' }, 'C')).not.toBeNull();
  });
});
