import { describe, expect, it } from 'vitest';
import { difficultyLevelFromB, effectiveDifficulty } from './difficulty-level.js';

describe('difficulty levels from IRT', () => {
  it('maps b to five one-logit bands, boundaries belonging to the harder band', () => {
    expect([-3, -1.5001, -1.5, -0.6, -0.5, 0, 0.4999, 0.5, 1.49, 1.5, 4].map(difficultyLevelFromB)).toEqual([1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5]);
  });

  it('refuses a non-finite b', () => {
    expect(() => difficultyLevelFromB(Number.NaN)).toThrow(RangeError);
  });

  it('prefers the calibration over the author estimate', () => {
    expect(effectiveDifficulty({ difficulty: 2, irt: null })).toEqual({ level: 2, source: 'estimated' });
    expect(effectiveDifficulty({ difficulty: 2, irt: { b: 1.8 } })).toEqual({ level: 5, source: 'calibrated' });
  });
});
