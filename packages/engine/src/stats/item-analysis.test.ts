import { describe, expect, it } from 'vitest';
import {
  analyseDistractors,
  analyseItems,
  flagDistractors,
  pointBiserial,
  totalScores,
  type ItemResponseMatrix,
} from './item-analysis.js';
import { pearson } from './agreement.js';
import { mulberry32 } from './random.js';

const nan = NaN;

/** Row-major matrix from rows of scores. */
function matrix(rows: number[][], maxPoints?: number[]): ItemResponseMatrix {
  const items = rows[0]!.length;
  return { scores: Float64Array.from(rows.flat()), students: rows.length, items, maxPoints: maxPoints ?? Array(items).fill(1) };
}

/** The same matrix without item j. */
function dropItem(m: ItemResponseMatrix, j: number): ItemResponseMatrix {
  const k = m.items - 1;
  const scores = new Float64Array(m.students * k);
  for (let s = 0; s < m.students; s++) {
    for (let i = 0, o = 0; i < m.items; i++) if (i !== j) scores[s * k + o++] = m.scores[s * m.items + i]!;
  }
  const maxPoints = Array.from(m.maxPoints).filter((_, i) => i !== j);
  return { scores, students: m.students, items: k, maxPoints };
}

/**
 * Cronbach's alpha the naive way, an independent route: the full k × k covariance matrix C of
 * the items (population, missing = 0), α = k/(k−1) · (1 − tr C / Σ_ij C_ij). O(N·k²).
 */
function naiveAlpha(m: ItemResponseMatrix): number {
  const { students: N, items: k } = m;
  const x = (s: number, i: number) => {
    const v = m.scores[s * k + i]!;
    return Number.isNaN(v) ? 0 : v;
  };
  const mean = Array.from({ length: k }, (_, i) => {
    let t = 0;
    for (let s = 0; s < N; s++) t += x(s, i);
    return t / N;
  });
  let trace = 0;
  let total = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let c = 0;
      for (let s = 0; s < N; s++) c += (x(s, i) - mean[i]!) * (x(s, j) - mean[j]!);
      c /= N;
      total += c;
      if (i === j) trace += c;
    }
  }
  return (k / (k - 1)) * (1 - trace / total);
}

function ranks(v: number[]): number[] {
  const idx = v.map((_, i) => i).sort((a, b) => v[a]! - v[b]!);
  const r = new Array<number>(v.length);
  for (let a = 0; a < idx.length; ) {
    let b = a;
    while (b + 1 < idx.length && v[idx[b + 1]!] === v[idx[a]!]) b++;
    for (let q = a; q <= b; q++) r[idx[q]!] = (a + b) / 2 + 1;
    a = b + 1;
  }
  return r;
}

const spearman = (a: number[], b: number[]) => pearson(ranks(a), ranks(b));

/** Standard normal draws by Box–Muller. */
function normal(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

describe('analyseItems: 6 students × 4 dichotomous items, by hand', () => {
  // Students × items; totals T in the last column.
  //   S0  1 1 1 1   4
  //   S1  1 1 1 0   3
  //   S2  1 1 0 1   3
  //   S3  1 0 0 1   2
  //   S4  0 0 1 0   1
  //   S5  0 1 0 0   1
  const m = matrix([
    [1, 1, 1, 1],
    [1, 1, 1, 0],
    [1, 1, 0, 1],
    [1, 0, 0, 1],
    [0, 0, 1, 0],
    [0, 1, 0, 0],
  ]);
  const { test, items, totals } = analyseItems(m, { bins: 4 });

  it('test statistics', () => {
    expect(Array.from(totals)).toEqual([4, 3, 3, 2, 1, 1]);
    // ΣT = 14, mean = 7/3; ΣT² = 16+9+9+4+1+1 = 40; var = 40/6 − 49/9 = 11/9 (÷ N).
    expect(test.mean).toBeCloseTo(7 / 3, 12);
    expect(test.sd).toBeCloseTo(Math.sqrt(11) / 3, 12);
    // Sorted 1 1 2 3 3 4: median (2 + 3)/2.
    expect(test.median).toBe(2.5);
    expect(test.min).toBe(1);
    expect(test.max).toBe(4);
    // p = 4/6, 4/6, 3/6, 3/6; Σpq = 2/9 + 2/9 + 1/4 + 1/4 = 17/18.
    // KR-20 = 4/3 · (1 − (17/18)/(11/9)) = 4/3 · (1 − 17/22) = 4/3 · 5/22 = 10/33.
    expect(test.kr20).toBeCloseTo(10 / 33, 12);
    expect(test.alpha).toBeCloseTo(10 / 33, 12);
    // SEM = sd √(1 − α) = (√11/3) √(23/33) = √(23/27).
    expect(test.sem).toBeCloseTo(Math.sqrt(23 / 27), 12);
    // 4 bins over [0, 4]: [0,1) [1,2) [2,3) [3,4].
    expect(test.histogram).toEqual([
      { from: 0, to: 1, count: 0 },
      { from: 1, to: 2, count: 2 },
      { from: 2, to: 3, count: 1 },
      { from: 3, to: 4, count: 3 },
    ]);
  });

  it('difficulty p', () => {
    expect(items.map((s) => s.n)).toEqual([6, 6, 6, 6]);
    expect(items[0]!.p).toBeCloseTo(2 / 3, 12);
    expect(items[1]!.p).toBeCloseTo(2 / 3, 12);
    expect(items[2]!.p).toBeCloseTo(1 / 2, 12);
    expect(items[3]!.p).toBeCloseTo(1 / 2, 12);
    expect(items[0]!.mean).toBeCloseTo(2 / 3, 12);
  });

  it('corrected point-biserial (rest score)', () => {
    // Item 0: x = 1 1 1 1 0 0, rest R = T − x = 3 2 2 1 1 1. mean x = 2/3, mean R = 10/6.
    //   cov = ΣxR/6 − (2/3)(10/6) = 8/6 − 10/9 = 2/9; var x = 2/9; var R = 20/6 − 25/9 = 5/9.
    //   r = (2/9) / √(2/9 · 5/9) = 2/√10.
    expect(items[0]!.pointBiserial).toBeCloseTo(2 / Math.sqrt(10), 12);
    // Item 1: x = 1 1 1 0 0 1, R = 3 2 2 2 1 0. cov = 7/6 − (2/3)(10/6) = 1/18;
    //   var R = 22/6 − 25/9 = 8/9; r = (1/18) / √(2/9 · 8/9) = (1/18)/(4/9) = 1/8.
    expect(items[1]!.pointBiserial).toBeCloseTo(1 / 8, 12);
    // Item 2: x = 1 1 0 0 1 0, R = 3 2 3 2 0 1, mean R = 11/6. cov = 5/6 − (1/2)(11/6) = −1/12;
    //   var R = 27/6 − 121/36 = 41/36; r = (−1/12) / √(1/4 · 41/36) = −1/√41.
    expect(items[2]!.pointBiserial).toBeCloseTo(-1 / Math.sqrt(41), 12);
    // Item 3: x = 1 0 1 1 0 0, R = 3 3 2 1 1 1. cov = 6/6 − (1/2)(11/6) = 1/12;
    //   var R = 25/6 − 121/36 = 29/36; r = (1/12) / √(1/4 · 29/36) = 1/√29.
    expect(items[3]!.pointBiserial).toBeCloseTo(1 / Math.sqrt(29), 12);
    // Uncorrected, item 0: cov(x, T) = ΣxT/6 − (2/3)(7/3) = 12/6 − 14/9 = 4/9;
    //   r = (4/9) / √(2/9 · 11/9) = 4/√22.
    expect(items[0]!.itemTotal).toBeCloseTo(4 / Math.sqrt(22), 12);
    // The item is part of its own total, so the uncorrected r is higher.
    for (const s of items) expect(s.itemTotal!).toBeGreaterThan(s.pointBiserial!);
  });

  it('upper–lower 27 % discrimination, ties broken by index', () => {
    // g = ceil(0.27 · 6) = ceil(1.62) = 2. Ranked by (T, index): S4 S5 S3 S1 S2 S0.
    // Lower = S4, S5; upper = S2, S0 (S1 and S2 tie at 3; the upper group takes the higher index).
    // Item 0: upper (1, 1) → 1, lower (0, 0) → 0: D = 1.
    // Item 1: upper (1, 1) → 1, lower (0, 1) → 1/2: D = 1/2.
    // Item 2: upper (0, 1) → 1/2, lower (1, 0) → 1/2: D = 0.  (with S1 instead of S2 it would be 1/2)
    // Item 3: upper (1, 1) → 1, lower (0, 0) → 0: D = 1.     (with S1 instead of S2 it would be 1/2)
    expect(items.map((s) => s.discrimination)).toEqual([1, 0.5, 0, 1]);
  });

  it('alpha if deleted', () => {
    // Without item 0 the total is item 0's rest score 3 2 2 1 1 1, var 5/9; the remaining item
    // variances sum to 2/9 + 1/4 + 1/4 = 13/18. α = 3/2 · (1 − (13/18)/(5/9)) = 3/2 · (−3/10) = −9/20.
    expect(items[0]!.alphaIfDeleted).toBeCloseTo(-9 / 20, 12);
    // Without item 2: totals 3 2 3 2 0 1 (var 41/36), variances 2/9 + 2/9 + 1/4 = 25/36.
    // α = 3/2 · (1 − 25/41) = 3/2 · 16/41 = 24/41 — higher than 10/33: item 2 hurts the test.
    expect(items[2]!.alphaIfDeleted).toBeCloseTo(24 / 41, 12);
    expect(items[2]!.alphaIfDeleted!).toBeGreaterThan(test.alpha!);
  });

  it('flags', () => {
    // No p above 0.9 or below 0.2. r: 0.632 (fine), 0.125 (low), −0.156 (negative), 0.186 (low).
    expect(items.map((s) => s.flags)).toEqual([[], ['low_discrimination'], ['negative_discrimination'], ['low_discrimination']]);
    // Thresholds are options.
    const strict = analyseItems(m, { easyAbove: 0.6, hardBelow: 0.55, lowDiscrimination: 0.1 }).items;
    expect(strict.map((s) => s.flags)).toEqual([['too_easy'], ['too_easy'], ['too_hard', 'negative_discrimination'], ['too_hard']]);
  });
});

describe('analyseItems: polytomous items', () => {
  // Max points 2, 3, 1.
  //   S0  2 3 1   6
  //   S1  1 2 1   4
  //   S2  2 1 0   3
  //   S3  0 1 0   1
  //   S4  1 0 1   2
  const m = matrix(
    [
      [2, 3, 1],
      [1, 2, 1],
      [2, 1, 0],
      [0, 1, 0],
      [1, 0, 1],
    ],
    [2, 3, 1],
  );
  const { test, items } = analyseItems(m);

  it('p = mean / max', () => {
    // Means 6/5, 7/5, 3/5 → p = 1.2/2, 1.4/3, 0.6/1.
    expect(items[0]!.mean).toBeCloseTo(1.2, 12);
    expect(items[0]!.p).toBeCloseTo(0.6, 12);
    expect(items[1]!.p).toBeCloseTo(7 / 15, 12);
    expect(items[2]!.p).toBeCloseTo(0.6, 12);
  });

  it('alpha, and no KR-20', () => {
    // Item variances: 10/5 − 1.2² = 0.56; 15/5 − 1.4² = 1.04; 0.6 · 0.4 = 0.24; Σ = 1.84.
    // T = 6 4 3 1 2: mean 3.2, var = 66/5 − 3.2² = 2.96.
    // α = 3/2 · (1 − 1.84/2.96) = 3/2 · 1.12/2.96 = 21/37.
    expect(test.alpha).toBeCloseTo(21 / 37, 12);
    expect(test.kr20).toBeNull();
    expect(test.sd).toBeCloseTo(Math.sqrt(2.96), 12);
    expect(test.sem).toBeCloseTo(Math.sqrt(2.96) * Math.sqrt(16 / 37), 12);
    expect(test.median).toBe(3);
    expect(test.alpha).toBeCloseTo(naiveAlpha(m), 12);
  });

  it('corrected item–total correlation is Pearson on points', () => {
    // Item 1: x = 3 2 1 1 0, R = 3 2 2 0 2; means 1.4, 1.8. cov = 15/5 − 2.52 = 0.48;
    // var x = 1.04, var R = 21/5 − 3.24 = 0.96. r = 0.48 / √(1.04 · 0.96).
    expect(items[1]!.pointBiserial).toBeCloseTo(0.48 / Math.sqrt(1.04 * 0.96), 12);
    // Discrimination is in p units: g = ceil(1.35) = 2, lower S3 S4, upper S1 S0.
    // Item 1: upper (2 + 3)/2 / 3 = 5/6, lower (1 + 0)/2 / 3 = 1/6 → D = 2/3.
    expect(items[1]!.discrimination).toBeCloseTo(2 / 3, 12);
  });

  it('a fractional score on a 1-point item is not dichotomous: KR-20 is null', () => {
    const half = analyseItems(matrix([[1, 0.5], [0, 1], [1, 1]]));
    expect(half.test.kr20).toBeNull();
    expect(half.test.alpha).not.toBeNull();
  });
});

describe('KR-20, alpha and alpha-if-deleted agree with direct recomputation', () => {
  it('KR-20 equals alpha exactly on dichotomous data', () => {
    const rand = mulberry32(11);
    for (let t = 0; t < 10; t++) {
      const N = 30 + t * 17;
      const k = 5 + t;
      const rows = Array.from({ length: N }, () => {
        const ability = rand();
        return Array.from({ length: k }, (_, i) => (rand() < 0.2 + 0.6 * ability - 0.03 * i ? 1 : 0));
      });
      const { test } = analyseItems(matrix(rows));
      expect(test.kr20).not.toBeNull();
      expect(test.kr20!).toBeCloseTo(test.alpha!, 12);
      expect(test.alpha!).toBeCloseTo(naiveAlpha(matrix(rows)), 12);
    }
  });

  it('alpha-if-deleted equals alpha of the matrix without the item (polytomous, with missing)', () => {
    const rand = mulberry32(5);
    const N = 60;
    const maxPoints = [1, 2, 3, 1, 4, 2];
    const rows = Array.from({ length: N }, () => {
      const ability = rand();
      return maxPoints.map((mx) => (rand() < 0.1 ? nan : Math.round(Math.min(1, Math.max(0, ability + 0.5 * (rand() - 0.5))) * mx)));
    });
    const m = matrix(rows, maxPoints);
    const { items, test } = analyseItems(m);
    expect(test.alpha!).toBeCloseTo(naiveAlpha(m), 12);
    for (let j = 0; j < m.items; j++) {
      const without = analyseItems(dropItem(m, j)).test.alpha!;
      expect(items[j]!.alphaIfDeleted!).toBeCloseTo(without, 12);
      expect(without).toBeCloseTo(naiveAlpha(dropItem(m, j)), 12);
    }
  });
});

describe('analyseDistractors', () => {
  // 10 students, options A–D, key B. Totals include this item (1 point for B).
  //   student  0  1  2  3  4  5  6  7  8  9
  //   total    9  8  7  6  5  5  4  3  2  1
  //   chose    B  C  B  B  A  –  B  A  A  A      (– = blank)
  const chosen = ['B', 'C', 'B', 'B', 'A', null, 'B', 'A', 'A', 'A'];
  const totals = [9, 8, 7, 6, 5, 5, 4, 3, 2, 1];
  const stats = analyseDistractors({ chosen, options: ['A', 'B', 'C', 'D'], key: 'B' }, totals);
  const by = (o: string) => stats.find((d) => d.option === o)!;

  it('counts, proportions and groups', () => {
    // g = ceil(0.27 · 10) = 3: upper = students 0 1 2 (B C B), lower = 9 8 7 (A A A).
    expect(stats.map((d) => d.option)).toEqual(['A', 'B', 'C', 'D']);
    expect(stats.map((d) => d.isKey)).toEqual([false, true, false, false]);
    expect(stats.map((d) => d.count)).toEqual([4, 4, 1, 0]);
    expect(stats.map((d) => d.proportion)).toEqual([0.4, 0.4, 0.1, 0]); // blank counts in N = 10
    expect(by('A').upper).toBe(0);
    expect(by('A').lower).toBe(1);
    expect(by('B').upper).toBeCloseTo(2 / 3, 12);
    expect(by('B').lower).toBe(0);
    expect(by('C').upper).toBeCloseTo(1 / 3, 12);
    expect(by('C').lower).toBe(0);
    expect(by('D').upper).toBe(0);
    expect(by('D').lower).toBe(0);
  });

  it('point-biserial of each option with the rest score', () => {
    // Rest = total − (1 if B): 8 8 6 5 5 5 3 3 2 1. Σ = 46, mean 4.6; Σ² = 262, var = 26.2 − 21.16 = 5.04.
    // C (student 1 only, rest 8): cov = 8/10 − 0.1 · 4.6 = 0.34; var I = 0.1 · 0.9 = 0.09.
    expect(by('C').pointBiserial).toBeCloseTo(0.34 / Math.sqrt(0.09 * 5.04), 12);
    // B (rests 8 6 5 3 = 22): cov = 2.2 − 0.4 · 4.6 = 0.36; var I = 0.24.
    expect(by('B').pointBiserial).toBeCloseTo(0.36 / Math.sqrt(0.24 * 5.04), 12);
    // A (rests 5 3 2 1 = 11): cov = 1.1 − 1.84 = −0.74.
    expect(by('A').pointBiserial).toBeCloseTo(-0.74 / Math.sqrt(0.24 * 5.04), 12);
    // Nobody chose D: undefined.
    expect(by('D').pointBiserial).toBeNull();
  });

  it('flags: D unused, C attracts the upper group', () => {
    expect(flagDistractors(stats)).toEqual(['distractor_unused', 'distractor_attracts_upper']);
    // unusedBelow: C (10 %) is unused only with a threshold above 0.1.
    expect(flagDistractors(stats.filter((d) => d.option !== 'D'), { unusedBelow: 0.15 })).toEqual([
      'distractor_unused',
      'distractor_attracts_upper',
    ]);
    expect(flagDistractors(stats.filter((d) => d.option !== 'D'))).toEqual(['distractor_attracts_upper']);
    // The key being chosen more by the upper group is what a key should do: no flag.
    expect(flagDistractors(stats.filter((d) => d.option !== 'C' && d.option !== 'D'))).toEqual([]);
  });

  it('merges with analyseItems on the same students', () => {
    // A 3-item exam whose item 0 is the MC item above, scored 1 for B.
    const other = [
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0],
    ];
    const rows = chosen.map((c, s) => [c === 'B' ? 1 : 0, ...other[s]!]);
    const res = analyseItems(matrix(rows));
    const ds = analyseDistractors({ chosen, options: ['A', 'B', 'C', 'D'], key: 'B' }, res.totals);
    const flags = [...res.items[0]!.flags, ...flagDistractors(ds)];
    expect(flags).toContain('distractor_unused');
    // The key's point-biserial is the item's corrected point-biserial.
    expect(ds[1]!.pointBiserial!).toBeCloseTo(res.items[0]!.pointBiserial!, 12);
  });

  it('multiple-answer keys', () => {
    // Key {A, C}. Students: {A, C} ✓, {A} ✗, {C, A} ✓, {B, D} ✗; all-or-nothing scoring.
    const ds = analyseDistractors(
      { chosen: [['A', 'C'], ['A'], ['C', 'A', 'A'], ['B', 'D']], options: ['A', 'B', 'C', 'D'], key: ['A', 'C'] },
      [3, 1, 3, 0],
    );
    expect(ds.map((d) => d.isKey)).toEqual([true, false, true, false]);
    expect(ds.map((d) => d.count)).toEqual([3, 1, 2, 1]); // a repeated mark counts once
    // Rest = 3−1, 1−0, 3−1, 0−0 = 2 1 2 0 (mean 1.25, var 9/4 − 1.5625 = 0.6875).
    // A chosen by students 0 1 2: cov = (2+1+2)/4 − 0.75 · 1.25 = 0.3125; var I = 0.1875.
    expect(ds[0]!.pointBiserial).toBeCloseTo(0.3125 / Math.sqrt(0.1875 * 0.6875), 12);
    // Given scores replace the default marking (partial credit 0.5 for {A}): rest 2 0.5 2 0.
    const partial = analyseDistractors(
      { chosen: [['A', 'C'], ['A'], ['C', 'A'], ['B', 'D']], options: ['A', 'B', 'C', 'D'], key: ['A', 'C'], scores: [1, 0.5, 1, 0] },
      [3, 1, 3, 0],
    );
    expect(partial[0]!.pointBiserial).toBeCloseTo(pointBiserial([1, 1, 1, 0], [2, 0.5, 2, 0])!, 12);
  });

  it('rejects malformed input', () => {
    const options = ['A', 'B'];
    expect(() => analyseDistractors({ chosen: ['A', 'X'], options, key: 'A' }, [1, 0])).toThrow(RangeError);
    expect(() => analyseDistractors({ chosen: ['A', 'B'], options, key: 'C' }, [1, 0])).toThrow(RangeError);
    expect(() => analyseDistractors({ chosen: ['A', 'B'], options, key: 'A' }, [1])).toThrow(RangeError);
    expect(() => analyseDistractors({ chosen: ['A', 'B'], options: ['A', 'A'], key: 'A' }, [1, 0])).toThrow(RangeError);
    expect(() => analyseDistractors({ chosen: [], options, key: 'A' }, [])).toThrow(RangeError);
  });
});

describe('missing answers', () => {
  //   S0  1   1   –   T = 2
  //   S1  1   0   1   T = 2
  //   S2  0   –   1   T = 1
  //   S3  1   1   1   T = 3
  //   S4  0   0   0   T = 0
  const m = matrix([
    [1, 1, nan],
    [1, 0, 1],
    [0, nan, 1],
    [1, 1, 1],
    [0, 0, 0],
  ]);
  const { test, items, totals } = analyseItems(m);

  it('score zero in the total and the reliability', () => {
    expect(Array.from(totals)).toEqual([2, 2, 1, 3, 0]);
    expect(Array.from(totalScores(m))).toEqual([2, 2, 1, 3, 0]);
    // With zeros filled in: p = 3/5, 2/5, 3/5 → each pq = 6/25, Σ = 18/25.
    // T: mean 8/5, var = 18/5 − 64/25 = 26/25. α = 3/2 · (1 − 18/26) = 6/13.
    expect(test.alpha).toBeCloseTo(6 / 13, 12);
    expect(test.kr20).toBeCloseTo(6 / 13, 12);
    const zeroed = matrix([
      [1, 1, 0],
      [1, 0, 1],
      [0, 0, 1],
      [1, 1, 1],
      [0, 0, 0],
    ]);
    expect(test.alpha!).toBeCloseTo(analyseItems(zeroed).test.alpha!, 12);
  });

  it('are left out of the item statistics', () => {
    expect(items.map((s) => s.n)).toEqual([5, 4, 4]);
    // Item 1 answered by S0 S1 S3 S4: p = 2/4, not 2/5.
    expect(items[1]!.p).toBe(0.5);
    expect(items[2]!.p).toBe(0.75);
    // Item 1 over its responders: x = 1 0 1 0, rest = 1 2 2 0 (mean 1.25);
    // cov = 3/4 − 0.5 · 1.25 = 0.125; var x = 1/4, var R = 9/4 − 1.5625 = 11/16. r = 0.125/√(11/64) = 1/√11.
    expect(items[1]!.pointBiserial).toBeCloseTo(1 / Math.sqrt(11), 12);
    expect(items[1]!.pointBiserial!).toBeCloseTo(pointBiserial([1, 0, nan, 1, 0], [1, 2, nan, 2, 0])!, 12);
    // Groups (g = ceil(1.35) = 2) by total: ranked S4 S2 S0 S1 S3; lower S4 S2, upper S1 S3 (S0/S1 tie → S1).
    // Item 1: upper (0, 1) → 1/2; lower: S4 0, S2 missing → 0 over one responder. D = 1/2.
    // Item 2: upper (1, 1) → 1; lower (0, 1) → 1/2. D = 1/2.
    expect(items.map((s) => s.discrimination)).toEqual([1, 0.5, 0.5]);
  });
});

describe('simulated Rasch data with one reversed item', () => {
  const N = 2000;
  const K = 21; // 20 Rasch items, b evenly in [−2, 2], plus item 20 with P = σ(−θ)
  const b = Array.from({ length: 20 }, (_, i) => -2 + (4 * i) / 19);
  const prob = (theta: number, i: number) => (i < 20 ? 1 / (1 + Math.exp(-(theta - b[i]!))) : 1 / (1 + Math.exp(theta)));
  const rand = mulberry32(2024);
  const z = normal(rand);
  const scores = new Float64Array(N * K);
  for (let s = 0; s < N; s++) {
    const theta = z();
    for (let i = 0; i < K; i++) scores[s * K + i] = rand() < prob(theta, i) ? 1 : 0;
  }
  const m: ItemResponseMatrix = { scores, students: N, items: K, maxPoints: new Array(K).fill(1) };
  const { test, items } = analyseItems(m);

  it('flags the reversed item, and only it, as negatively discriminating', () => {
    expect(items[20]!.flags).toContain('negative_discrimination');
    expect(items[20]!.pointBiserial!).toBeLessThan(-0.2);
    expect(items[20]!.discrimination!).toBeLessThan(-0.2);
    for (let i = 0; i < 20; i++) expect(items[i]!.flags).not.toContain('negative_discrimination');
    // Dropping it raises alpha; dropping a good item lowers it.
    expect(items[20]!.alphaIfDeleted!).toBeGreaterThan(test.alpha!);
    expect(items[10]!.alphaIfDeleted!).toBeLessThan(test.alpha!);
  });

  it('p orders the items like the true difficulties', () => {
    const p = items.slice(0, 20).map((s) => s.p);
    expect(spearman(p, b.map((x) => -x))).toBeGreaterThan(0.95);
  });

  it('alpha matches a naive O(N·k²) implementation and the population value', () => {
    expect(test.alpha!).toBeCloseTo(naiveAlpha(m), 10);
    expect(test.kr20!).toBeCloseTo(test.alpha!, 12);
    // Population alpha under the model, by quadrature over θ ~ N(0, 1): items are independent
    // given θ, so var_i = μ_i(1 − μ_i) and cov_ij = E[P_i P_j] − μ_i μ_j.
    const Q = 801;
    const mu = new Float64Array(K);
    const eij = new Float64Array(K * K);
    let wsum = 0;
    for (let q = 0; q < Q; q++) {
      const theta = -8 + (16 * q) / (Q - 1);
      const w = Math.exp(-0.5 * theta * theta);
      wsum += w;
      for (let i = 0; i < K; i++) {
        mu[i]! += w * prob(theta, i);
        for (let j = 0; j < K; j++) eij[i * K + j]! += w * prob(theta, i) * prob(theta, j);
      }
    }
    let trace = 0;
    let total = 0;
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        const mi = mu[i]! / wsum;
        const mj = mu[j]! / wsum;
        const c = i === j ? mi * (1 - mi) : eij[i * K + j]! / wsum - mi * mj;
        if (i === j) trace += c;
        total += c;
      }
    }
    const alphaPop = (K / (K - 1)) * (1 - trace / total);
    // SE of alpha here is about √(2k/((k−1)N)) (1 − α) ≈ 0.01; allow 3 SE.
    expect(alphaPop).toBeGreaterThan(0.6);
    expect(alphaPop).toBeLessThan(0.9);
    expect(Math.abs(test.alpha! - alphaPop)).toBeLessThan(0.03);
  });
});

describe('edge cases', () => {
  it('one student', () => {
    const { test, items } = analyseItems(matrix([[1, 0, 1]]));
    expect(test.mean).toBe(2);
    expect(test.sd).toBe(0);
    expect(test.median).toBe(2);
    expect(test.alpha).toBeNull();
    expect(test.kr20).toBeNull();
    expect(test.sem).toBeNull();
    for (const s of items) {
      expect(s.n).toBe(1);
      expect(s.pointBiserial).toBeNull();
      expect(s.itemTotal).toBeNull();
      expect(s.discrimination).toBeNull(); // g = min(ceil(0.27), floor(1/2)) = 0
      expect(s.alphaIfDeleted).toBeNull();
    }
    expect(items[0]!.flags).toEqual(['too_easy']);
    expect(items[1]!.flags).toEqual(['too_hard']);
    const ds = analyseDistractors({ chosen: ['A'], options: ['A', 'B'], key: 'A' }, [2]);
    expect(ds[1]!.upper).toBeNaN();
    expect(ds[0]!.pointBiserial).toBeNull();
  });

  it('an item everyone got right', () => {
    const { items, test } = analyseItems(
      matrix([
        [1, 1, 0, 1],
        [1, 0, 0, 0],
        [1, 1, 1, 1],
        [1, 0, 1, 0],
        [1, 1, 1, 0],
      ]),
    );
    expect(items[0]!.p).toBe(1);
    expect(items[0]!.pointBiserial).toBeNull(); // var x = 0
    expect(items[0]!.itemTotal).toBeNull();
    expect(items[0]!.discrimination).toBe(0);
    expect(items[0]!.flags).toEqual(['too_easy']);
    // A constant item adds nothing to the total's variance but counts in k.
    expect(Number.isFinite(items[0]!.alphaIfDeleted!)).toBe(true);
    expect(Number.isFinite(test.alpha!)).toBe(true);
  });

  it('an item nobody answered', () => {
    const m = matrix([
      [1, nan, 1],
      [0, nan, 1],
      [1, nan, 0],
      [0, nan, 0],
    ]);
    const { items, test } = analyseItems(m);
    expect(items[1]!.n).toBe(0);
    expect(items[1]!.mean).toBeNaN();
    expect(items[1]!.p).toBeNaN();
    expect(items[1]!.pointBiserial).toBeNull();
    expect(items[1]!.itemTotal).toBeNull();
    expect(items[1]!.discrimination).toBeNull();
    expect(items[1]!.flags).toEqual([]);
    // It scores 0 for everyone, so it is a constant item in the reliability.
    expect(test.alpha!).toBeCloseTo(naiveAlpha(m), 12);
  });

  it('a constant total', () => {
    const { test, items } = analyseItems(matrix([[1, 0], [0, 1], [1, 0]]));
    expect(test.sd).toBe(0);
    expect(test.alpha).toBeNull();
    expect(items[0]!.itemTotal).toBeNull();
    // The rest score (the other item) varies: items are perfectly negatively related.
    expect(items[0]!.pointBiserial).toBeCloseTo(-1, 12);
  });

  it('fractional scores: a variable constant among an item\'s few responders gives null, not noise', () => {
    // Item 2 is answered only by students 1 and 3, whose totals are both 1.1 on paper
    // (0.7 + 0.1 + 0.3 and 0.6 + 0.3 + 0.2; in floating point they may differ in the last bit).
    const rows = [
      [0.1, 0.9, nan],
      [0.7, 0.1, 0.3],
      [0.2, 0.3, nan],
      [0.6, 0.3, 0.2],
      [0.9, 0.8, nan],
      [0.4, 0.6, nan],
    ];
    const { items } = analyseItems(matrix(rows));
    expect(items[2]!.n).toBe(2);
    expect(items[2]!.itemTotal).toBeNull(); // total constant over the responders
    // Rest 0.8 and 0.9 against x 0.3 and 0.2: perfectly negative.
    expect(items[2]!.pointBiserial).toBeCloseTo(-1, 9);
  });

  it('histogram bins cover [0, Σ max] and count everyone', () => {
    const rand = mulberry32(3);
    const rows = Array.from({ length: 500 }, () => [Math.floor(rand() * 4), Math.floor(rand() * 3), rand() < 0.5 ? 1 : 0]);
    const { test } = analyseItems(matrix(rows, [3, 2, 1]), { bins: 3 });
    expect(test.histogram.map((h) => [h.from, h.to])).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
    ]);
    const total = rows.map((r) => r[0]! + r[1]! + r[2]!);
    expect(test.histogram.map((h) => h.count)).toEqual([
      total.filter((t) => t < 2).length,
      total.filter((t) => t >= 2 && t < 4).length,
      total.filter((t) => t >= 4).length,
    ]);
  });

  it('group size 0.27 × 100 is 27, not 28', () => {
    // Totals: 0 for students 0–49, 1 for 50–72, 2 for 73–99. Item 0 is right for exactly the 27
    // students with total 2, so with g = 27 the upper group is all right and D = 1 − 0 = 1; with
    // g = 28 (naive ceil(27.000000000000004)) student 72 would join it and D = 27/28.
    const rows = Array.from({ length: 100 }, (_, s) => [s >= 73 ? 1 : 0, s >= 50 ? 1 : 0]);
    const { items } = analyseItems(matrix(rows));
    expect(items[0]!.discrimination).toBe(1);
    expect(analyseItems(matrix(rows), { groupFraction: 0.28 }).items[0]!.discrimination).toBeCloseTo(27 / 28, 12);
  });

  it('rejects malformed input', () => {
    expect(() => analyseItems(matrix([[2, 0]]))).toThrow(RangeError); // above max
    expect(() => analyseItems(matrix([[-1, 0]]))).toThrow(RangeError);
    expect(() => analyseItems(matrix([[Infinity, 0]]))).toThrow(RangeError);
    expect(() => analyseItems(matrix([[1, 0]], [1, 0]))).toThrow(RangeError);
    expect(() => analyseItems({ scores: new Float64Array(3), students: 2, items: 2, maxPoints: [1, 1] })).toThrow(RangeError);
    expect(() => analyseItems({ scores: new Float64Array(0), students: 0, items: 2, maxPoints: [1, 1] })).toThrow(RangeError);
    expect(() => analyseItems(matrix([[1, 0]]), { groupFraction: 0.6 })).toThrow(RangeError);
    expect(() => analyseItems(matrix([[1, 0]]), { bins: 0 })).toThrow(RangeError);
  });
});

describe('pointBiserial', () => {
  it('is Pearson, skipping NaN pairs', () => {
    // x = 1 0 1 0 1, y = 5 3 4 1 2: means 0.6, 3; Σxy = 11; cov = 11/5 − 1.8 = 0.4;
    // var x = 0.24, var y = 55/5 − 9 = 2. r = 0.4/√0.48.
    expect(pointBiserial([1, 0, 1, 0, 1], [5, 3, 4, 1, 2])).toBeCloseTo(0.4 / Math.sqrt(0.48), 12);
    expect(pointBiserial([1, 0, 1, 0, 1, nan, 0], [5, 3, 4, 1, 2, 7, nan])).toBeCloseTo(0.4 / Math.sqrt(0.48), 12);
    const rand = mulberry32(9);
    const a = Array.from({ length: 50 }, () => rand());
    const c = a.map((v) => v + rand());
    expect(pointBiserial(a, c)).toBeCloseTo(pearson(a, c), 12);
  });

  it('is null for constant input or fewer than 2 pairs', () => {
    expect(pointBiserial([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(pointBiserial([0.1, 0.1, 0.1], [1, 2, 3])).toBeNull();
    expect(pointBiserial([1, 0], [2, 2])).toBeNull();
    expect(pointBiserial([1], [2])).toBeNull();
    expect(pointBiserial([1, nan], [nan, 2])).toBeNull();
    expect(() => pointBiserial([1, 2], [1])).toThrow(RangeError);
  });
});

describe('scale', () => {
  it('100 000 students × 50 items completes with finite results', () => {
    const N = 100_000;
    const K = 50;
    const rand = mulberry32(77);
    const z = normal(rand);
    const maxPoints = Array.from({ length: K }, (_, i) => (i % 10 === 9 ? 3 : 1));
    const scores = new Float64Array(N * K);
    for (let s = 0; s < N; s++) {
      const theta = z();
      for (let i = 0; i < K; i++) {
        const p = 1 / (1 + Math.exp(-(theta - (-2 + (4 * i) / (K - 1)))));
        const mx = maxPoints[i]!;
        scores[s * K + i] = rand() < 0.01 ? nan : mx === 1 ? (rand() < p ? 1 : 0) : Math.min(mx, Math.floor(p * (mx + 1)));
      }
    }
    const { test, items, totals } = analyseItems({ scores, students: N, items: K, maxPoints });
    expect(totals.length).toBe(N);
    for (const v of [test.mean, test.sd, test.median, test.alpha!, test.sem!]) expect(Number.isFinite(v)).toBe(true);
    expect(test.kr20).toBeNull();
    expect(test.histogram.reduce((t, h) => t + h.count, 0)).toBe(N);
    for (const s of items) {
      for (const v of [s.p, s.pointBiserial!, s.itemTotal!, s.discrimination!, s.alphaIfDeleted!]) expect(Number.isFinite(v)).toBe(true);
    }
  });
});
