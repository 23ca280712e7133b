import { describe, expect, it } from 'vitest';
import { auc } from './auc.js';
import { mulberry32 } from './random.js';

/** AUC by its definition over all positive–negative pairs (ties count ½): O(n²), independent route. */
function aucPairs(labels: number[], scores: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!labels[i]) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j]) continue;
      den++;
      if (scores[i]! > scores[j]!) num += 1;
      else if (scores[i] === scores[j]) num += 0.5;
    }
  }
  return num / den;
}

describe('auc', () => {
  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(auc([true, false], [2, 1])).toBe(1);
  });

  it('is 0.5 when every score ties', () => {
    expect(auc([0, 1, 0, 1, 1], [0.3, 0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });

  it('matches a hand example with a tie', () => {
    // Positives score 0.8 and 0.4; negatives 0.4 and 0.1. Pairs: (0.8>0.4) 1, (0.8>0.1) 1,
    // (0.4=0.4) ½, (0.4>0.1) 1 → 3.5 / 4.
    expect(auc([1, 0, 1, 0], [0.8, 0.4, 0.4, 0.1])).toBe(0.875);
    // One inversion out of 2·2 pairs.
    expect(auc([1, 0, 1, 0], [0.9, 0.5, 0.3, 0.1])).toBe(0.75);
  });

  it('agrees with the pairwise definition on random data with ties', () => {
    const r = mulberry32(7);
    const labels: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < 300; i++) {
      labels.push(r() < 0.4 ? 1 : 0);
      scores.push(Math.round(r() * 20) / 20 + (labels[i]! ? 0.1 : 0)); // coarse grid: many ties
    }
    expect(auc(labels as (0 | 1)[], scores)).toBeCloseTo(aucPairs(labels, scores), 12);
  });

  it('is NaN with one class and rejects bad input', () => {
    expect(auc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(() => auc([1, 0], [0.2])).toThrow(RangeError);
    expect(() => auc([1, 0], [0.2, NaN])).toThrow(RangeError);
  });
});
