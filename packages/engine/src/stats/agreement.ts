/**
 * Agreement statistics between two sets of scores for the same items (a model against a
 * teacher, or one rater against another). Shared by the essay model, the short-answer marker
 * and the benchmarks, so that every figure the platform reports is computed the same way.
 *
 * Quadratic weighted kappa (QWK) is the usual agreement measure for ordinal scores (the ASAP
 * essay competition and most automated-scoring literature report it): 1 for perfect agreement,
 * about 0 for agreement at chance level given the two score distributions, negative when the
 * raters disagree more than chance, -1 for e.g. exactly reversed scales. Disagreements are
 * weighted by their squared distance, so being off by 2 costs four times being off by 1.
 */

function checkPair(a: readonly number[], b: readonly number[], name: string): void {
  if (a.length !== b.length) throw new RangeError(`${name}: arrays differ in length (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new RangeError(`${name}: no ratings`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) throw new RangeError(`${name}: non-finite value at ${i}`);
  }
}

/**
 * Quadratic weighted kappa of two integer ratings of the same items:
 *   κ = 1 − Σ w_ij O_ij / Σ w_ij E_ij,  w_ij = (i − j)² / (N − 1)²,
 * O the observed joint histogram, E the outer product of the two marginal histograms divided
 * by the number of items (agreement expected by chance).
 *
 * `min`/`max` give the rating scale; they default to the smallest and largest rating in either
 * array. (Categories nobody used add nothing to either sum, so widening the scale does not
 * change κ; it is only checked.) Ratings must be integers inside [min, max]: round and clip
 * before calling, this function does not guess.
 *
 * Degenerate case: when the chance disagreement Σ w E is 0, κ is 0/0. That happens only when
 * both raters put every item in one and the same category (or the scale has one category):
 * returns 1 when the two arrays are identical, else 0. A constant model that happens to
 * match a constant teacher therefore gets 1; callers that care (the essay model's
 * cross-validation) check for variation in the scores first.
 *
 * Throws RangeError on arrays of different length, empty arrays, non-integer or out-of-range
 * ratings.
 */
export function quadraticWeightedKappa(a: readonly number[], b: readonly number[], min?: number, max?: number): number {
  checkPair(a, b, 'quadraticWeightedKappa');
  let lo = Infinity;
  let hi = -Infinity;
  for (const xs of [a, b]) {
    for (const x of xs) {
      if (!Number.isInteger(x)) throw new RangeError(`quadraticWeightedKappa: rating ${x} is not an integer`);
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  const rMin = min ?? lo;
  const rMax = max ?? hi;
  if (!Number.isInteger(rMin) || !Number.isInteger(rMax) || rMin > rMax) {
    throw new RangeError(`quadraticWeightedKappa: bad scale [${rMin}, ${rMax}]`);
  }
  if (lo < rMin || hi > rMax) throw new RangeError(`quadraticWeightedKappa: ratings outside [${rMin}, ${rMax}]`);
  const k = rMax - rMin + 1;
  const n = a.length;
  const identical = a.every((x, i) => x === b[i]);
  if (k === 1) return 1; // one category: every pair of ratings is identical

  const observed = new Float64Array(k * k);
  const histA = new Float64Array(k);
  const histB = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const x = a[i]! - rMin;
    const y = b[i]! - rMin;
    observed[x * k + y] += 1;
    histA[x] += 1;
    histB[y] += 1;
  }
  let num = 0;
  let den = 0;
  const scale = (k - 1) * (k - 1);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = ((i - j) * (i - j)) / scale;
      num += w * observed[i * k + j]!;
      den += (w * histA[i]! * histB[j]!) / n;
    }
  }
  if (den === 0) return identical ? 1 : 0;
  return 1 - num / den;
}

/**
 * Pearson correlation coefficient. NaN when either array has zero variance (correlation is
 * undefined there; NaN makes that visible instead of a made-up 0). Throws like QWK on
 * mismatched or empty input.
 */
export function pearson(a: readonly number[], b: readonly number[]): number {
  checkPair(a, b, 'pearson');
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return NaN;
  return sab / Math.sqrt(saa * sbb);
}

/** Root mean squared difference. Throws like QWK on mismatched or empty input. */
export function rmse(a: readonly number[], b: readonly number[]): number {
  checkPair(a, b, 'rmse');
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s / a.length);
}
