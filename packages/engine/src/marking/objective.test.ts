import { describe, expect, it } from 'vitest';
import {
  markFillBlank,
  markMultipleChoice,
  markSingleChoice,
  markTrueFalse,
  normaliseBlank,
  type BlankMarkResult,
  type BlankMarkSpec,
} from './objective.js';

const blank = (over: Partial<BlankMarkSpec> & Pick<BlankMarkSpec, 'accepted'>): BlankMarkSpec => ({
  id: '1',
  ignoreWidth: true,
  ignoreSpaces: true,
  ignoreCase: false,
  score: 1,
  ...over,
});

describe('markSingleChoice', () => {
  it('gives full marks for the key and none otherwise', () => {
    const ok = markSingleChoice({ answer: 'B' }, 'B', 3);
    expect(ok).toMatchObject({ score: 3, max: 3, correct: true, confidence: 1, engine: 'objective/exact' });
    expect(markSingleChoice({ answer: 'B' }, 'C', 3)).toMatchObject({ score: 0, max: 3, correct: false });
  });

  it('ignores case, width and surrounding space of the key', () => {
    for (const r of ['b', ' B ', 'Ｂ', 'ｂ']) expect(markSingleChoice({ answer: 'B' }, r, 2).score).toBe(2);
  });

  it('scores a malformed or missing response 0 without throwing', () => {
    for (const r of [undefined, null, 2, ['B'], { key: 'B' }, 'BC', '选B']) {
      const m = markSingleChoice({ answer: 'B' }, r, 2);
      expect(m).toMatchObject({ score: 0, max: 2, correct: false, confidence: 1 });
      expect((m.detail as { malformed?: string }).malformed).toBeTypeOf('string');
    }
    // An empty answer is unanswered, not malformed.
    const empty = markSingleChoice({ answer: 'B' }, '', 2);
    expect(empty.score).toBe(0);
    expect((empty.detail as { malformed?: string }).malformed).toBeUndefined();
  });
});

describe('markMultipleChoice', () => {
  const spec = (partialCredit: 'none' | 'proportional' | 'lenient') => ({ answer: ['A', 'C', 'D'], partialCredit });

  it('gives full marks for the exact set under every policy, whatever the order or repeats', () => {
    for (const p of ['none', 'proportional', 'lenient'] as const) {
      expect(markMultipleChoice(spec(p), ['D', 'A', 'C', 'A'], 3)).toMatchObject({ score: 3, correct: true });
    }
  });

  it('none: all or nothing', () => {
    expect(markMultipleChoice(spec('none'), ['A', 'C'], 3).score).toBe(0);
    expect(markMultipleChoice(spec('none'), ['A', 'B', 'C', 'D'], 3).score).toBe(0);
  });

  it('proportional: share of the correct keys, zero with any wrong key', () => {
    expect(markMultipleChoice(spec('proportional'), ['A', 'C'], 3)).toMatchObject({ score: 2, correct: false });
    expect(markMultipleChoice(spec('proportional'), ['A'], 3).score).toBe(1);
    expect(markMultipleChoice(spec('proportional'), ['A'], 2).score).toBe(0.67); // rounded to 2 decimals
    expect(markMultipleChoice(spec('proportional'), ['A', 'C', 'B'], 3).score).toBe(0);
    expect(markMultipleChoice(spec('proportional'), [], 3).score).toBe(0);
  });

  it('lenient: half for a non-empty correct subset, zero with any wrong key', () => {
    expect(markMultipleChoice(spec('lenient'), ['C'], 5)).toMatchObject({ score: 2.5, correct: false });
    expect(markMultipleChoice(spec('lenient'), ['A', 'D'], 5).score).toBe(2.5);
    expect(markMultipleChoice(spec('lenient'), ['A', 'B'], 5).score).toBe(0);
    expect(markMultipleChoice(spec('lenient'), [], 5).score).toBe(0);
  });

  it('reports given and expected keys', () => {
    expect(markMultipleChoice(spec('proportional'), ['c', 'Ａ'], 3).detail).toMatchObject({
      given: ['A', 'C'],
      expected: ['A', 'C', 'D'],
      right: 2,
      wrong: 0,
      policy: 'proportional',
    });
  });

  it('scores malformed responses 0 without throwing', () => {
    for (const r of [undefined, null, 'ACD', { 0: 'A' }, ['A', 3], ['A', 'CD'], [null]]) {
      const m = markMultipleChoice(spec('lenient'), r, 3);
      expect(m).toMatchObject({ score: 0, max: 3, correct: false, confidence: 1 });
      expect((m.detail as { malformed?: string }).malformed).toBeTypeOf('string');
    }
  });
});

describe('markTrueFalse', () => {
  it('compares booleans', () => {
    expect(markTrueFalse({ answer: false }, false, 1)).toMatchObject({ score: 1, correct: true, engine: 'objective/exact' });
    expect(markTrueFalse({ answer: false }, true, 1)).toMatchObject({ score: 0, correct: false });
  });

  it('reads answer-sheet spellings', () => {
    for (const r of ['√', '对', 'T', 'true', '正确']) expect(markTrueFalse({ answer: true }, r, 1).score).toBe(1);
    for (const r of ['×', '错', 'F', 'FALSE', '错误']) expect(markTrueFalse({ answer: false }, r, 1).score).toBe(1);
    expect(markTrueFalse({ answer: true }, '×', 1).score).toBe(0);
  });

  it('scores malformed responses 0 without throwing', () => {
    for (const r of [undefined, null, 1, 0, 'maybe', [true], {}]) {
      const m = markTrueFalse({ answer: true }, r, 1);
      expect(m).toMatchObject({ score: 0, correct: false, confidence: 1 });
      expect((m.detail as { malformed?: string }).malformed).toBeTypeOf('string');
    }
  });
});

describe('normaliseBlank', () => {
  const all = { ignoreWidth: true, ignoreSpaces: true, ignoreCase: true };
  const none = { ignoreWidth: false, ignoreSpaces: false, ignoreCase: false };

  it('folds full width, IME punctuation and the ideographic space only with ignoreWidth', () => {
    expect(normaliseBlank('ＡＢＣ１２３，（）＋－', { ...none, ignoreWidth: true })).toBe('ABC123,()+-');
    expect(normaliseBlank('ＡＢＣ１２３，（）＋－', none)).toBe('ＡＢＣ１２３，（）＋－');
    expect(normaliseBlank('3。14', { ...none, ignoreWidth: true })).toBe('3.14');
    expect(normaliseBlank('\u22123', { ...none, ignoreWidth: true })).toBe('-3');
    expect(normaliseBlank('ice\u3000cream', { ...none, ignoreWidth: true })).toBe('ice cream');
  });

  it('does not apply NFKC folds that change maths meaning', () => {
    expect(normaliseBlank('x²', all)).toBe('x²');
    expect(normaliseBlank('½', all)).toBe('½');
  });

  it('removes whitespace with ignoreSpaces, otherwise only trims', () => {
    expect(normaliseBlank(' x + 1 ', { ...none, ignoreSpaces: true })).toBe('x+1');
    expect(normaliseBlank(' x + 1 ', none)).toBe('x + 1');
    expect(normaliseBlank('x\u3000+\t1', { ...none, ignoreSpaces: true })).toBe('x+1');
  });

  it('lower-cases with ignoreCase', () => {
    expect(normaliseBlank('H2O', { ...none, ignoreCase: true })).toBe('h2o');
    expect(normaliseBlank('Ｈ2O', { ...none, ignoreCase: true, ignoreWidth: true })).toBe('h2o');
    expect(normaliseBlank('H2O', none)).toBe('H2O');
  });

  it('strips $ delimiters but keeps an escaped dollar, and reads \\dfrac as \\frac', () => {
    expect(normaliseBlank('$\\frac{1}{2}$', none)).toBe('\\frac{1}{2}');
    expect(normaliseBlank('$$ \\dfrac{1}{2} $$', none)).toBe('\\frac{1}{2}');
    expect(normaliseBlank('\\$5', none)).toBe('\\$5');
  });
});

describe('markFillBlank', () => {
  // Mirrors a real item: 3 blanks with different options and scores.
  const spec = {
    blanks: [
      blank({ id: '1', accepted: ['3', '+3'], score: 1 }),
      blank({ id: '2', accepted: ['-3'], ignoreWidth: false, score: 1 }),
      blank({ id: '3', accepted: ['-9', '负九'], ignoreSpaces: false, ignoreCase: true, score: 2 }),
    ],
  };
  const blanksOf = (r: { detail: unknown }) => (r.detail as { blanks: BlankMarkResult[] }).blanks;

  it('scores each blank, sums the max and reports the matched variant', () => {
    const r = markFillBlank(spec, { '1': ' ＋３ ', '2': '- 3', '3': '负九' });
    expect(r).toMatchObject({ score: 4, max: 4, correct: true, confidence: 1, engine: 'objective/fill-blank' });
    expect(blanksOf(r)).toEqual([
      { id: '1', score: 1, max: 1, correct: true, given: ' ＋３ ', matched: '+3' },
      { id: '2', score: 1, max: 1, correct: true, given: '- 3', matched: '-3' },
      { id: '3', score: 2, max: 2, correct: true, given: '负九', matched: '负九' },
    ]);
  });

  it('respects options that are off', () => {
    // Blank 2 does not fold width: a full-width minus is wrong there.
    const r = markFillBlank(spec, { '1': '3', '2': '－3', '3': '- 9' });
    expect(r).toMatchObject({ score: 1, max: 4, correct: false });
    expect(blanksOf(r).map((b) => b.matched)).toEqual(['3', null, null]);
  });

  it('matches case-insensitively only when asked', () => {
    const item = { blanks: [blank({ accepted: ['H2O'], ignoreCase: false }), blank({ id: '2', accepted: ['H2O'], ignoreCase: true })] };
    const r = markFillBlank(item, { '1': 'h2o', '2': 'h2o' });
    expect(blanksOf(r).map((b) => b.correct)).toEqual([false, true]);
  });

  it('strips LaTeX $ delimiters on both sides', () => {
    const item = { blanks: [blank({ accepted: ['$\\frac{1}{2}$', '0.5'] })] };
    expect(markFillBlank(item, { '1': '\\frac{1}{2}' }).score).toBe(1);
    expect(markFillBlank(item, { '1': '$\\frac {1}{2}$' }).score).toBe(1);
    expect(markFillBlank(item, { '1': '$0.5$' }).score).toBe(1);
    expect(markFillBlank(item, { '1': '\\frac{1}{3}' }).score).toBe(0);
  });

  it('gives 0 to missing, empty and non-text blanks but marks the others', () => {
    const r = markFillBlank(spec, { '2': '', '3': { x: 1 } });
    expect(r).toMatchObject({ score: 0, max: 4, correct: false });
    expect(blanksOf(r).map((b) => b.given)).toEqual([null, '', null]);
    expect(markFillBlank(spec, { '1': 3, '2': '-3' }).score).toBe(2); // a number is read as its text
  });

  it('scores a malformed response 0 without throwing', () => {
    for (const r of [undefined, null, '3', ['3', '-3', '-9'], 42]) {
      const m = markFillBlank(spec, r);
      expect(m).toMatchObject({ score: 0, max: 4, correct: false, confidence: 1 });
      expect((m.detail as { malformed?: string }).malformed).toBeTypeOf('string');
      expect(blanksOf(m)).toHaveLength(3);
    }
  });

  it('rounds fractional blank scores to 2 decimals', () => {
    const item = { blanks: [blank({ accepted: ['a'], score: 0.333 }), blank({ id: '2', accepted: ['b'], score: 0.333 })] };
    expect(markFillBlank(item, { '1': 'a', '2': 'b' })).toMatchObject({ score: 0.66, max: 0.66, correct: true });
  });
});
