/**
 * Item difficulty on the teacher's 1 (easy) … 5 (hard) scale, preferring a calibrated IRT
 * difficulty over the author's estimate once an item has one.
 *
 * The IRT difficulty b lives on the ability (θ) scale, where a calibration centres students at 0
 * with unit spread. The five levels are the five one-logit bands around the mean student:
 * b < −1.5 is answered correctly by most students (level 1), −1.5 ≤ b < −0.5 level 2,
 * −0.5 ≤ b < 0.5 level 3 (the typical student has an even chance), 0.5 ≤ b < 1.5 level 4,
 * b ≥ 1.5 level 5 (hard even for a student one SD above the mean).
 */

export type DifficultyLevel = 1 | 2 | 3 | 4 | 5;

const CUTS = [-1.5, -0.5, 0.5, 1.5];

/** The 1…5 level of a calibrated IRT difficulty b (see the module comment for the bands). */
export function difficultyLevelFromB(b: number): DifficultyLevel {
  if (!Number.isFinite(b)) throw new RangeError(`difficulty b must be finite, got ${b}`);
  let level = 1;
  for (const cut of CUTS) if (b >= cut) level++;
  return level as DifficultyLevel;
}

/** The level assembly and search use: calibrated when the item has a calibration, else the estimate. */
export function effectiveDifficulty(item: { difficulty: number; irt: { b: number } | null }): { level: number; source: 'calibrated' | 'estimated' } {
  return item.irt && Number.isFinite(item.irt.b)
    ? { level: difficultyLevelFromB(item.irt.b), source: 'calibrated' }
    : { level: item.difficulty, source: 'estimated' };
}
