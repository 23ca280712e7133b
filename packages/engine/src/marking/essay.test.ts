import { describe, expect, it } from 'vitest';
import { quadraticWeightedKappa } from '../stats/agreement.js';
import {
  DEFAULT_ESSAY_MIN_SAMPLES,
  ESSAY_MODEL_VERSION,
  detectEssayLanguage,
  essayFeatures,
  scoreEssay,
  trainEssayModel,
  type EssayDimension,
  type EssaySample,
} from './essay.js';

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const gauss = (r: Rng) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

// A synthetic 语文作文 on 读书 (reading). Three latent qualities drive three rubric dimensions:
// length → 内容, paragraphs and connectives → 结构, varied vocabulary and 成语 → 语言.
const PLAIN = [
  '我觉得读书很好。', '读书可以学到很多知识。', '我很喜欢读书。', '读书很有用。', '我每天都读书。',
  '妈妈说读书好。', '读书让我很开心。', '我们要多读书。', '书里有很多东西。', '读书很重要。',
];
const SUBJECTS = ['一本好书', '经典名著', '阅读', '书籍', '每一次翻开书页', '古今中外的佳作', '优秀的文学作品', '静心读书'];
const PREDICATES = [
  '开阔了我的视野，让我看见了更辽阔的世界', '陶冶了我的情操，使我的心灵更加澄澈', '如同一盏明灯，照亮了我前行的道路',
  '让我学会了独立思考，不再人云亦云', '带领我穿越时空，与先贤进行心灵的对话', '滋养着我的精神，给予我面对困难的勇气',
  '教会我理解他人，懂得换位思考的可贵', '使我在浮躁的时代里保持一份宁静与清醒',
];
const IDIOMS = ['博览群书', '手不释卷', '孜孜不倦', '温故知新', '融会贯通', '学以致用', '持之以恒', '潜移默化', '开卷有益', '废寝忘食'];
const CONNECTIVES = ['首先，', '其次，', '此外，', '然而，', '因此，', '由此可见，', '总之，', '正如古人所说，'];

function richSentence(r: Rng, idiom: boolean): string {
  const s = `${pick(r, SUBJECTS)}${pick(r, PREDICATES)}`;
  return idiom ? `${s}，我也因此变得${pick(r, IDIOMS)}。` : `${s}。`;
}

interface Generated {
  text: string;
  scores: Record<string, number>;
}

function generateEssay(r: Rng): Generated {
  const base = r();
  const qLen = clamp01(0.5 * base + 0.5 * r());
  const qStruct = clamp01(0.5 * base + 0.5 * r());
  const qLang = clamp01(0.5 * base + 0.5 * r());
  const paragraphs = 1 + Math.round(qStruct * 3 + 0.4 * gauss(r));
  const sentences = 6 + Math.round(qLen * 22 + 2 * gauss(r));
  const perParagraph = Math.max(1, Math.ceil(sentences / Math.max(1, paragraphs)));
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < sentences; i++) {
    const startsParagraph = i % perParagraph === 0;
    let s = r() < 0.15 + 0.8 * qLang ? richSentence(r, r() < qLang) : pick(r, PLAIN);
    if ((startsParagraph && r() < 0.2 + 0.8 * qStruct) || r() < 0.15 * qStruct) s = pick(r, CONNECTIVES) + s;
    if (startsParagraph && current) {
      parts.push(current);
      current = '';
    }
    current += s;
  }
  parts.push(current);
  const score = (q: number) => Math.min(20, Math.max(0, Math.round(3 + 15 * q + 1.5 * gauss(r))));
  return {
    text: parts.map((p) => `　　${p}`).join('\n'),
    scores: { content: score(qLen), structure: score(qStruct), language: score(qLang) },
  };
}

const DIMENSIONS: EssayDimension[] = [
  { id: 'content', min: 0, max: 20 },
  { id: 'structure', min: 0, max: 20 },
  { id: 'language', min: 0, max: 20 },
];

function corpus(seed: number, n: number): Generated[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => generateEssay(r));
}

// A synthetic 英语作文 (or ASAP-style) essay: quality drives length, vocabulary, connectives,
// capitalisation and spelling; one holistic score 1–6.
const EN_TOPIC = ['computers', 'internet', 'friends', 'family', 'exercise', 'online', 'learn', 'people'];
const EN_PLAIN = ['i think', 'it is good', 'it is bad', 'we can', 'they like', 'this is', 'a lot'];
const EN_RICH = ['consequently', 'significantly', 'demonstrates', 'perspective', 'essential', 'illustrates', 'balanced', 'responsible'];
const EN_CONNECTIVES = ['However,', 'Therefore,', 'In addition,', 'For example,', 'In conclusion,', 'Moreover,'];

function generateEnglish(r: Rng): Generated {
  const q = r();
  const sentences: string[] = [];
  const n = Math.max(2, Math.round(3 + q * 12 + 1.5 * gauss(r)));
  for (let i = 0; i < n; i++) {
    const words: string[] = [];
    const len = Math.round(5 + q * 8 + 2 * r());
    while (words.length < len) {
      const u = r();
      let w = u < 0.4 ? pick(r, EN_TOPIC) : u < 0.4 + 0.35 * q ? pick(r, EN_RICH) : pick(r, EN_PLAIN);
      if (w.length > 5 && r() < 0.2 * (1 - q)) w = w.slice(0, 2) + w[3] + w[2] + w.slice(4);
      words.push(w);
    }
    let s = words.join(' ');
    if (r() < 0.3 + 0.7 * q) s = s[0]!.toUpperCase() + s.slice(1);
    if (r() < 0.6 * q) s = `${pick(r, EN_CONNECTIVES)} ${s}`;
    sentences.push(`${s}.`);
  }
  const score = Math.min(6, Math.max(1, Math.round(1 + 5 * q + 0.5 * gauss(r))));
  return { text: sentences.join(' '), scores: { holistic: score } };
}

describe('essay features', () => {
  it('detects the language and measures Chinese essays', () => {
    expect(detectEssayLanguage('读书使人明智，我爱读书。')).toBe('zh');
    expect(detectEssayLanguage('Reading makes a full man. 书')).toBe('en');
    const f = essayFeatures('　　首先，读书很好。然而我不爱读书。\n　　总之，读书博览群书，开卷有益。');
    expect(f.length).toBe(25); // Han characters
    expect(f.log_paragraphs).toBeCloseTo(Math.log(3), 12);
    expect(f.log_sentences).toBeCloseTo(Math.log(4), 12);
    expect(f.connective_types).toBe(3);
    expect(f.very_long_word_share).toBeGreaterThan(0);
    // jieba's sub-words (一元, 二次, 方程 … inside 一元二次方程) are not counted as words the
    // student wrote, but a real second 方程 is: 一元二次方程 / 方程 / 很难.
    const g = essayFeatures('一元二次方程的方程很难。');
    expect(g.log_types).toBeCloseTo(Math.log(4), 12);
    expect(g.mean_word_length).toBeCloseTo(10 / 3, 12);
    // Prompt overlap counts topic words of the prompt, not its instructions (写一篇, 不少于 …).
    const prompt = '以“读书”为话题，写一篇不少于600字的文章。';
    expect(essayFeatures('读书让我快乐。', { prompt }).prompt_overlap).toBe(1);
    expect(essayFeatures('运动让我快乐，我写了一篇文章。', { prompt }).prompt_overlap).toBe(0);
  });

  it('measures English essays, including ASAP placeholders', () => {
    const f = essayFeatures('Dear @CAPS1, i think computers help. However, they waste time! In conclusion we need balance.');
    expect(f.length).toBe(15);
    expect(f.log_sentences).toBeCloseTo(Math.log(4), 12);
    expect(f.connectives_per_sentence).toBeCloseTo(2 / 3, 12);
    expect(f.lowercase_start_share).toBeCloseTo(1 / 3, 12); // the lone "i"
  });
});

describe('trainEssayModel / scoreEssay', () => {
  const data = corpus(2024, 100);
  const train = data.slice(0, 60);
  const test = data.slice(60);
  const prompt = '以“读书”为话题，写一篇不少于600字的文章。';
  const t0 = performance.now();
  const result = trainEssayModel(train, DIMENSIONS, { prompt });
  const trainMs = performance.now() - t0;

  it('learns each rubric dimension from 60 samples (held-out QWK)', () => {
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.samples).toBe(60);
    expect(result.model.language).toBe('zh');
    expect(result.model.version).toBe(ESSAY_MODEL_VERSION);
    for (const d of DIMENSIONS) {
      const truth = test.map((e) => e.scores[d.id]!);
      const guess = test.map((e) => scoreEssay(result.model, e.text).dimensions.find((x) => x.id === d.id)!.score);
      const qwk = quadraticWeightedKappa(truth, guess, d.min, d.max);
      expect(qwk, d.id).toBeGreaterThan(0.5);
      expect(result.cvQwk[d.id], d.id).toBeGreaterThan(0.4);
    }
    expect(trainMs).toBeLessThan(5000);
  });

  it('scores on the dimension grid with a total and a confidence', () => {
    if (!result.ok) throw new Error('training failed');
    const s = scoreEssay(result.model, test[0]!.text);
    expect(s.dimensions.map((d) => d.id)).toEqual(['content', 'structure', 'language']);
    for (const d of s.dimensions) {
      expect(Number.isInteger(d.score)).toBe(true);
      expect(d.score).toBeGreaterThanOrEqual(0);
      expect(d.score).toBeLessThanOrEqual(20);
    }
    expect(s.total).toBe(s.dimensions.reduce((a, d) => a + d.score, 0));
    expect(s.confidence).toBeGreaterThan(0.4);
    expect(s.flags).toEqual([]);
    // Better essays score higher: the longest, richest essay beats a short plain one.
    const good = scoreEssay(result.model, test.reduce((a, b) => (a.text.length > b.text.length ? a : b)).text);
    const weak = scoreEssay(result.model, '　　我觉得读书很好。读书很有用。我很喜欢读书。我每天都读书。读书很重要。妈妈说读书好。');
    expect(good.total).toBeGreaterThan(weak.total + 10);
  });

  it('is deterministic and survives a JSON round trip', () => {
    if (!result.ok) throw new Error('training failed');
    const again = trainEssayModel(train, DIMENSIONS, { prompt });
    expect(JSON.stringify(again)).toBe(JSON.stringify(result));
    const stored = JSON.parse(JSON.stringify(result.model)) as typeof result.model;
    for (const e of test.slice(0, 10)) expect(scoreEssay(stored, e.text)).toEqual(scoreEssay(result.model, e.text));
  });

  it('flags a 10-character essay as too short / out of distribution', () => {
    if (!result.ok) throw new Error('training failed');
    const s = scoreEssay(result.model, '读书很好，我爱读书。');
    expect(s.flags).toContain('too_short');
    expect(s.flags).toContain('out_of_distribution');
    expect(s.confidence).toBeLessThan(0.3);
    expect(scoreEssay(result.model, '').flags).toContain('too_short');
  });

  it('flags an essay on another topic as off topic', () => {
    if (!result.ok) throw new Error('training failed');
    const offTopic =
      '　　浩瀚的宇宙充满了未知。火箭升空的那一刻，航天员告别地球，飞向遥远的星辰。\n' +
      '　　空间站在轨道上运行，科学家在失重环境中开展实验，观测黑洞、星系与行星。\n' +
      '　　探月工程让嫦娥探测器登上月球背面，火星车在红色的荒漠上行驶，传回珍贵的照片。\n' +
      '　　人类探索太空的脚步从未停止，未来我们也许能够在别的星球上建立家园。';
    expect(scoreEssay(result.model, offTopic).flags).toContain('off_topic');
    for (const e of test.slice(0, 20)) expect(scoreEssay(result.model, e.text).flags).not.toContain('off_topic');
  });

  it('flags an English essay given a Chinese model', () => {
    if (!result.ok) throw new Error('training failed');
    const s = scoreEssay(result.model, 'Reading is good. I like reading books every day because they teach me a lot.');
    expect(s.flags).toContain('language_mismatch');
  });

  it('says so when there are too few samples', () => {
    const r = trainEssayModel(train.slice(0, 10), DIMENSIONS);
    expect(r).toEqual({ ok: false, reason: 'too_few_samples', samples: 10, needed: DEFAULT_ESSAY_MIN_SAMPLES });
    // Samples missing a dimension's score do not count.
    const partial: EssaySample[] = train.slice(0, 25).map((e, i) => (i < 8 ? { text: e.text, scores: { content: 5 } } : e));
    expect(trainEssayModel(partial, DIMENSIONS)).toMatchObject({ ok: false, samples: 17, needed: 20 });
    expect(trainEssayModel(train.slice(0, 12), DIMENSIONS, { minSamples: 10 }).ok).toBe(true);
  });

  it('reports no cross-validated agreement for a dimension without variation', () => {
    const flat = train.map((e) => ({ text: e.text, scores: { ...e.scores, structure: 10 } }));
    const r = trainEssayModel(flat, DIMENSIONS);
    if (!r.ok) throw new Error('training failed');
    expect(r.cvQwk.structure).toBeNull();
    const s = scoreEssay(r.model, test[0]!.text);
    expect(s.dimensions[1]!.score).toBe(10);
    expect(s.flags).toContain('low_model_agreement');
  });

  it('gives the same model with the dual and the conjugate-gradient solver', () => {
    const dual = trainEssayModel(train, DIMENSIONS, { prompt, solver: 'dual' });
    const cg = trainEssayModel(train, DIMENSIONS, { prompt, solver: 'cg' });
    if (!dual.ok || !cg.ok) throw new Error('training failed');
    // Same grid points chosen, and (up to the CG tolerance) the same predictions.
    expect(cg.model.dimensions.map((d) => [d.lambda, d.textScale])).toEqual(dual.model.dimensions.map((d) => [d.lambda, d.textScale]));
    expect(dual.model.dimensions.some((d) => d.textScale > 0)).toBe(true);
    for (const e of test.slice(0, 10)) {
      const a = scoreEssay(dual.model, e.text).dimensions;
      const b = scoreEssay(cg.model, e.text).dimensions;
      a.forEach((d, i) => expect(Math.abs(d.raw - b[i]!.raw)).toBeLessThan(0.01));
    }
  });

  it('admits it has learnt nothing from shuffled scores', () => {
    const r = mulberry32(5);
    const shuffled = train.map((e) => ({ text: e.text, scores: train[Math.floor(r() * train.length)]!.scores }));
    const m = trainEssayModel(shuffled, DIMENSIONS);
    if (!m.ok) throw new Error('training failed');
    for (const d of DIMENSIONS) expect(m.cvQwk[d.id]!, d.id).toBeLessThan(0.35);
    const s = scoreEssay(m.model, test[0]!.text);
    expect(s.flags).toContain('low_model_agreement');
    expect(s.confidence).toBeLessThan(0.35);
  });

  it('scores English essays too', () => {
    const r = mulberry32(11);
    const essays = Array.from({ length: 120 }, () => generateEnglish(r));
    const dims = [{ id: 'holistic', min: 1, max: 6 }];
    const m = trainEssayModel(essays.slice(0, 60), dims);
    if (!m.ok) throw new Error('training failed');
    expect(m.model.language).toBe('en');
    const held = essays.slice(60);
    const guess = held.map((e) => scoreEssay(m.model, e.text).dimensions[0]!.score);
    expect(quadraticWeightedKappa(held.map((e) => e.scores.holistic!), guess, 1, 6)).toBeGreaterThan(0.5);
    expect(scoreEssay(m.model, '读书使人明智，我爱读书，每天都读书，读书让我快乐。').flags).toContain('language_mismatch');
  });

  it('rejects malformed dimensions', () => {
    expect(() => trainEssayModel(train, [])).toThrow(RangeError);
    expect(() => trainEssayModel(train, [{ id: 'a', min: 5, max: 5 }])).toThrow(RangeError);
  });
});
