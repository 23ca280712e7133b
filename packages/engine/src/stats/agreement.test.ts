import { describe, expect, it } from 'vitest';
import { pearson, quadraticWeightedKappa, rmse } from './agreement.js';

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

/**
 * QWK by its pairwise form, an independent route to the same number:
 * κ = 1 − n Σ_i (a_i − b_i)² / Σ_i Σ_j (a_i − b_j)²  (the (N−1)² weights cancel).
 */
function qwkPairwise(a: number[], b: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    for (let j = 0; j < b.length; j++) den += (a[i]! - b[j]!) ** 2;
  }
  return 1 - (a.length * num) / den;
}

describe('quadraticWeightedKappa', () => {
  it('is 1 for perfect agreement', () => {
    expect(quadraticWeightedKappa([0, 1, 2, 3, 3, 1], [0, 1, 2, 3, 3, 1])).toBe(1);
    expect(quadraticWeightedKappa([2, 4, 6], [2, 4, 6], 0, 10)).toBe(1);
  });

  it('matches a hand computation', () => {
    // Scale 1..3, w = (i−j)²/4. Observed: (1,1) (2,2) (3,2) → Σ w O = 1/4.
    // Marginals a = [1,1,1], b = [1,2,0]; Σ w E = (1/3)(2·¼ + ¼ + 1 + 2·¼) = 3/4. κ = 1 − ⅓.
    expect(quadraticWeightedKappa([1, 2, 3], [1, 2, 2])).toBeCloseTo(2 / 3, 12);
  });

  it('agrees with the pairwise formula on random ratings', () => {
    const r = mulberry32(7);
    for (let t = 0; t < 20; t++) {
      const a = Array.from({ length: 40 }, () => Math.floor(r() * 7));
      const b = a.map((x) => Math.max(0, Math.min(6, x + Math.floor(r() * 5) - 2)));
      expect(quadraticWeightedKappa(a, b, 0, 6)).toBeCloseTo(qwkPairwise(a, b), 10);
    }
  });

  it('is near 0 for independent ratings and −1 for a reversed scale', () => {
    const r = mulberry32(42);
    const a = Array.from({ length: 5000 }, () => Math.floor(r() * 5));
    const b = Array.from({ length: 5000 }, () => Math.floor(r() * 5));
    expect(Math.abs(quadraticWeightedKappa(a, b))).toBeLessThan(0.05);
    expect(quadraticWeightedKappa([1, 2, 3, 4, 5], [5, 4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(quadraticWeightedKappa([0, 0, 1, 1], [1, 1, 0, 0])).toBeLessThan(0);
  });

  it('does not depend on unused categories of the scale', () => {
    const a = [1, 2, 2, 3, 4];
    const b = [1, 3, 2, 3, 3];
    expect(quadraticWeightedKappa(a, b, 0, 10)).toBeCloseTo(quadraticWeightedKappa(a, b), 12);
  });

  it('handles zero expected disagreement: 1 if identical, else 0', () => {
    expect(quadraticWeightedKappa([3, 3, 3], [3, 3, 3])).toBe(1);
    expect(quadraticWeightedKappa([3, 3, 3], [3, 3, 3], 0, 5)).toBe(1);
    expect(quadraticWeightedKappa([2], [2])).toBe(1);
    // Two different constants: Σ w E > 0 and κ = 1 − 1 = 0.
    expect(quadraticWeightedKappa([3, 3, 3], [4, 4, 4])).toBe(0);
  });

  it('rejects malformed input', () => {
    expect(() => quadraticWeightedKappa([1, 2], [1])).toThrow(RangeError);
    expect(() => quadraticWeightedKappa([], [])).toThrow(RangeError);
    expect(() => quadraticWeightedKappa([1.5], [1])).toThrow(RangeError);
    expect(() => quadraticWeightedKappa([1, 7], [1, 2], 0, 5)).toThrow(RangeError);
  });
});

describe('pearson and rmse', () => {
  it('computes known values', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // x = [1,2,3,4], y = [1,3,2,4]: Σdxdy = 4, Σdx² = Σdy² = 5 → 0.8
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(rmse([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(rmse([0, 0, 0, 0], [1, -1, 1, -1])).toBe(1);
    expect(rmse([0, 0], [3, 4])).toBeCloseTo(Math.sqrt(12.5), 12);
    expect(() => rmse([1], [1, 2])).toThrow(RangeError);
  });
});
