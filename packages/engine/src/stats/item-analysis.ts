/**
 * Classical test theory (CTT) item analysis for exam reports: difficulty, discrimination,
 * reliability and distractor analysis, from a students × items score matrix. Sits beside the
 * IRT calibration in kt/irt.ts: CTT needs no model fit, is exact and cheap (one teacher's class
 * of 40 up to a county exam of 100 000 × 50), and is what teachers' reports show first; IRT's
 * `pValue` is the same proportion correct as `p` here for dichotomous items answered by everyone.
 *
 * Cost: two passes over the matrix plus one sort of the N totals, O(N·k + N log N) time and
 * O(N + k) extra memory in typed arrays; nothing is allocated per cell.
 *
 * Conventions (every figure below follows them):
 *
 * - Missing answers. `NaN` in the matrix means the student has no answer to the item (not
 *   presented, blank, lost). For the total score and everything built on it (test mean/SD,
 *   reliability, SEM, the upper/lower groups, alpha-if-deleted) missing answers score zero, as
 *   on the exam. The per-item statistics (n, mean, p, the two item–total correlations, the
 *   group proportions) use only the students who answered that item. So an item nobody
 *   answered has n = 0, mean = p = NaN and null correlations, and contributes a constant 0 to
 *   the reliability.
 * - Variances are population variances (÷ N) everywhere, including the reported `sd`: the
 *   students tested are the group being described, not a sample. Cronbach's alpha is
 *   unchanged by the choice (the divisor cancels), and with ÷ N an item's variance is exactly
 *   p(1 − p) for 0/1 items, so KR-20 and alpha are the same number on dichotomous data.
 *   SEM = sd × √(1 − alpha) uses the same sd. (For a sample SD multiply by √(N / (N − 1)).)
 * - Correlations are Pearson; for a 0/1 item that is the point-biserial. `pointBiserial` is
 *   the corrected item–total correlation, with the rest score (total minus this item), which
 *   does not reward an item for correlating with itself; `itemTotal` is the uncorrected one.
 *   A correlation is null when either variable is constant (or n < 2): it is undefined there,
 *   and 0 would look like a measured "no discrimination".
 * - Upper/lower groups (Kelley's 27 %): students are ranked by (total score, student index)
 *   ascending; the lower group is the first g, the upper group the last g, with
 *   g = ceil(groupFraction × N) (computed with a 1e-9 tolerance, so 0.27 × 100 gives 27, not
 *   28) and capped at floor(N / 2) so the groups never overlap. Ties at a boundary are
 *   therefore broken by index: the lower group takes the lower-numbered of the tied students,
 *   the upper group the higher-numbered. Deterministic, and the same ranking is used by
 *   analyseItems and analyseDistractors. With N = 1 the groups are empty (g = 0): the
 *   discrimination index is null and the distractor group proportions are NaN.
 *   discrimination = p(upper) − p(lower), each the item's mean points ÷ max among the group's
 *   students who answered it (null if either group has no one who answered).
 * - Flags (in this order): too_easy p > easyAbove (0.9); too_hard p < hardBelow (0.2);
 *   negative_discrimination when the corrected point-biserial < 0 or the upper–lower index
 *   < 0; otherwise low_discrimination when 0 ≤ r < lowDiscrimination (0.2). An item whose
 *   correlation is null (everyone got the same score) gets no discrimination flag; it is
 *   usually flagged too_easy / too_hard instead. The distractor flags need the options
 *   chosen, which the score matrix does not have: run analyseDistractors per item, then
 *   flagDistractors, and merge (see there).
 *
 * Input is checked, not repaired: scores must be NaN or within [0, maxPoints[i]], maxPoints
 * finite and > 0; RangeError otherwise, and for N = 0 or k = 0.
 */

export interface ItemResponseMatrix {
  /** scores[s * items + i] = points student s got on item i; NaN = not answered (not presented / missing). */
  scores: Float64Array;
  students: number;
  items: number;
  /** Maximum points per item (1 for dichotomous). */
  maxPoints: ArrayLike<number>;
}

export interface ChoiceResponses {
  /**
   * The option each student chose for this item ('' or null = blank). For a multiple-answer
   * item give the options a student marked as an array (empty = blank); each marked option is
   * counted once.
   */
  chosen: readonly (string | readonly string[] | null)[];
  options: readonly string[];
  key: string | readonly string[];
  /**
   * Points each student got on this item (NaN = missing, counts as 0), used to take the item
   * out of the total for the rest score. Default: 1 when the student's chosen set equals the
   * key set exactly, else 0 (all-or-nothing marking).
   */
  scores?: ArrayLike<number>;
}

export interface DistractorStat {
  option: string;
  isKey: boolean;
  /** Students who chose this option. */
  count: number;
  /** count / N, N = all students including blanks. */
  proportion: number;
  /** proportion choosing it in the upper 27 % and lower 27 % groups (NaN when the groups are empty, N = 1) */
  upper: number;
  lower: number;
  /** point-biserial of choosing this option with the rest score; null if nobody or everybody chose it */
  pointBiserial: number | null;
}

export type ItemFlag =
  | 'too_easy'
  | 'too_hard'
  | 'negative_discrimination'
  | 'low_discrimination'
  | 'distractor_unused'
  | 'distractor_attracts_upper';

export interface ItemStat {
  item: number;
  /** Students with a response. */
  n: number;
  /** Mean points among them (NaN when n = 0). */
  mean: number;
  /** Difficulty index p: mean / max (proportion correct for dichotomous); NaN when n = 0. */
  p: number;
  /** Corrected item–total correlation: Pearson (point-biserial for 0/1) of the item with the rest score (total excluding this item). */
  pointBiserial: number | null;
  /** Uncorrected item–total correlation, for reference. */
  itemTotal: number | null;
  /** Upper–lower 27 % discrimination: p(upper) − p(lower), groups by total score (Kelley). */
  discrimination: number | null;
  /** Cronbach's alpha if this item were deleted (null with fewer than 3 items). */
  alphaIfDeleted: number | null;
  flags: ItemFlag[];
}

export interface TestStat {
  students: number;
  items: number;
  /** Total-score statistics (missing = 0); sd is the population SD (÷ N). */
  mean: number;
  sd: number;
  min: number;
  max: number;
  median: number;
  /** KR-20 when every item is dichotomous (max 1, every score 0 or 1), else null. */
  kr20: number | null;
  /** Cronbach's alpha (equals KR-20 for dichotomous items; population variances). Null with one item or a constant total. */
  alpha: number | null;
  /** Standard error of measurement: sd × √(1 − alpha). Null when alpha is. (A negative alpha gives sem > sd: the items do not measure one thing.) */
  sem: number | null;
  /**
   * Score distribution: `bins` equal-width bins over the possible range [0, Σ maxPoints];
   * each bin is [from, to) except the last, which includes its upper end.
   */
  histogram: { from: number; to: number; count: number }[];
}

export interface AnalysisOptions {
  /** too_easy when p > easyAbove; default 0.9. */
  easyAbove?: number;
  /** too_hard when p < hardBelow; default 0.2. */
  hardBelow?: number;
  /** low_discrimination when 0 ≤ corrected r < this; default 0.2. */
  lowDiscrimination?: number;
  /** Fraction of students in each of the upper and lower groups, in (0, 0.5]; default 0.27. */
  groupFraction?: number;
  /**
   * distractor_unused when a distractor's proportion < unusedBelow, or nobody chose it;
   * default 0.02. With N ≤ 1 / unusedBelow students (50 by default) that means exactly "chosen
   * by nobody", so small classes are not flagged for one student's choice.
   */
  unusedBelow?: number;
  /** Histogram bins, default 10. */
  bins?: number;
}

export interface ItemAnalysis {
  test: TestStat;
  items: ItemStat[];
  /** Each student's total score (missing = 0), for analyseDistractors and reports. */
  totals: Float64Array;
}

interface Resolved {
  easyAbove: number;
  hardBelow: number;
  lowDiscrimination: number;
  groupFraction: number;
  unusedBelow: number;
  bins: number;
}

function resolve(opts: AnalysisOptions, fn: string): Resolved {
  const r: Resolved = {
    easyAbove: opts.easyAbove ?? 0.9,
    hardBelow: opts.hardBelow ?? 0.2,
    lowDiscrimination: opts.lowDiscrimination ?? 0.2,
    groupFraction: opts.groupFraction ?? 0.27,
    unusedBelow: opts.unusedBelow ?? 0.02,
    bins: opts.bins ?? 10,
  };
  for (const name of ['easyAbove', 'hardBelow', 'unusedBelow'] as const) {
    if (!(r[name] >= 0 && r[name] <= 1)) throw new RangeError(`${fn}: ${name} must be in [0, 1], got ${r[name]}`);
  }
  if (!(r.lowDiscrimination >= 0 && r.lowDiscrimination <= 1)) {
    throw new RangeError(`${fn}: lowDiscrimination must be in [0, 1], got ${r.lowDiscrimination}`);
  }
  if (!(r.groupFraction > 0 && r.groupFraction <= 0.5)) {
    throw new RangeError(`${fn}: groupFraction must be in (0, 0.5], got ${r.groupFraction}`);
  }
  if (!Number.isInteger(r.bins) || r.bins < 1) throw new RangeError(`${fn}: bins must be a positive integer, got ${r.bins}`);
  return r;
}

/** Relative tolerance under which a centred sum of squares counts as zero (a constant variable). */
const ZERO_VARIANCE = 1e-12;

/** cov / √(vx·vy), or null when either variance is (numerically) zero; clipped to [−1, 1]. */
function corr(cxy: number, cxx: number, cyy: number, scaleX: number, scaleY: number): number | null {
  if (!(cxx > ZERO_VARIANCE * scaleX) || !(cyy > ZERO_VARIANCE * scaleY)) return null;
  const r = cxy / Math.sqrt(cxx * cyy);
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

function checkMatrix(m: ItemResponseMatrix, fn: string): void {
  const { students: N, items: k } = m;
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`${fn}: students must be a positive integer, got ${N}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${fn}: items must be a positive integer, got ${k}`);
  if (m.scores.length !== N * k) {
    throw new RangeError(`${fn}: scores has ${m.scores.length} entries, expected ${N} × ${k} = ${N * k}`);
  }
  if (m.maxPoints.length !== k) throw new RangeError(`${fn}: maxPoints has ${m.maxPoints.length} entries, expected ${k}`);
  for (let i = 0; i < k; i++) {
    const mx = m.maxPoints[i]!;
    if (!(mx > 0 && Number.isFinite(mx))) throw new RangeError(`${fn}: maxPoints[${i}] must be finite and > 0, got ${mx}`);
  }
}

/**
 * Each student's total (missing = 0), validating every score on the way. `binary` is true when
 * every max is 1 and every given score is 0 or 1.
 */
function totalsAndCheck(m: ItemResponseMatrix, fn: string): { totals: Float64Array; binary: boolean } {
  checkMatrix(m, fn);
  const { scores, students: N, items: k, maxPoints } = m;
  const max = Float64Array.from(maxPoints);
  let binary = true;
  for (let i = 0; i < k; i++) if (max[i] !== 1) binary = false;
  const totals = new Float64Array(N);
  for (let s = 0, o = 0; s < N; s++) {
    let t = 0;
    for (let i = 0; i < k; i++, o++) {
      const x = scores[o]!;
      if (x !== x) continue; // NaN: missing
      if (!(x >= 0 && x <= max[i]!)) {
        throw new RangeError(`${fn}: score ${x} of student ${s} on item ${i} is outside [0, ${max[i]}]`);
      }
      if (x * (1 - x) !== 0) binary = false; // x not 0 or 1 (one predictable branch, not two random ones)
      t += x;
    }
    totals[s] = t;
  }
  return { totals, binary };
}

/** Each student's total score, missing (NaN) answers scoring 0. Validates like analyseItems. */
export function totalScores(m: ItemResponseMatrix): Float64Array {
  return totalsAndCheck(m, 'totalScores').totals;
}

/** Group size g = min(ceil(f·N), floor(N/2)), with a tolerance so that 0.27 × 100 → 27. */
function groupSize(N: number, fraction: number): number {
  return Math.min(Math.ceil(fraction * N - 1e-9), Math.floor(N / 2));
}

/**
 * Upper/lower groups by (total, index) rank: +1 upper, −1 lower, 0 neither. `sorted` is the
 * totals sorted ascending.
 */
function rankGroups(totals: ArrayLike<number>, sorted: Float64Array, g: number): Int8Array {
  const N = totals.length;
  const group = new Int8Array(N);
  if (g === 0) return group;
  // Lower: everyone strictly below the g-th smallest total, then ties at it by ascending index.
  const tLow = sorted[g - 1]!;
  let below = 0;
  for (let s = 0; s < N; s++) if (totals[s]! < tLow) below++;
  let need = g - below;
  for (let s = 0; s < N; s++) {
    const t = totals[s]!;
    if (t < tLow) group[s] = -1;
    else if (t === tLow && need > 0) {
      group[s] = -1;
      need--;
    }
  }
  // Upper: everyone strictly above the g-th largest, then ties at it by descending index.
  const tHigh = sorted[N - g]!;
  let above = 0;
  for (let s = 0; s < N; s++) if (totals[s]! > tHigh) above++;
  need = g - above;
  for (let s = N - 1; s >= 0; s--) {
    const t = totals[s]!;
    if (t > tHigh) group[s] = 1;
    else if (t === tHigh && need > 0) {
      group[s] = 1;
      need--;
    }
  }
  return group;
}

function sortedCopy(totals: ArrayLike<number>): Float64Array {
  const sorted = Float64Array.from(totals);
  sorted.sort(); // typed-array sort is numeric
  return sorted;
}

function histogram(totals: Float64Array, hi: number, bins: number): TestStat['histogram'] {
  const from = new Float64Array(bins + 1);
  for (let b = 0; b <= bins; b++) from[b] = (hi * b) / bins;
  const count = new Float64Array(bins);
  for (let s = 0; s < totals.length; s++) {
    const t = totals[s]!;
    let b = Math.floor((t * bins) / hi);
    if (b > bins - 1) b = bins - 1;
    if (b < 0) b = 0;
    // Make the assignment agree exactly with the reported edges despite rounding.
    while (b < bins - 1 && t >= from[b + 1]!) b++;
    while (b > 0 && t < from[b]!) b--;
    count[b]!++;
  }
  const out: TestStat['histogram'] = [];
  for (let b = 0; b < bins; b++) out.push({ from: from[b]!, to: from[b + 1]!, count: count[b]! });
  return out;
}

/**
 * Item and test statistics of a score matrix; see the module comment for the conventions.
 * Returns the per-student totals too (for analyseDistractors).
 */
export function analyseItems(m: ItemResponseMatrix, opts: AnalysisOptions = {}): ItemAnalysis {
  const o = resolve(opts, 'analyseItems');
  const { totals, binary } = totalsAndCheck(m, 'analyseItems');
  const { scores, students: N, items: k } = m;
  const max = Float64Array.from(m.maxPoints);

  // Test-level total statistics. Totals are shifted by a round number near their mean before
  // squaring: less cancellation, and the sums stay exact for integer scores.
  let sumT = 0;
  for (let s = 0; s < N; s++) sumT += totals[s]!;
  const shift = Math.round(sumT / N);
  let sC = 0;
  let sCC = 0;
  for (let s = 0; s < N; s++) {
    const c = totals[s]! - shift;
    sC += c;
    sCC += c * c;
  }
  const meanT = sumT / N;
  const varT = Math.max(0, sCC / N - (sC / N) * (sC / N));
  const sorted = sortedCopy(totals);
  const median = N % 2 === 1 ? sorted[(N - 1) >> 1]! : (sorted[N / 2 - 1]! + sorted[N / 2]!) / 2;
  const g = groupSize(N, o.groupFraction);
  const group = rankGroups(totals, sorted, g);

  // One pass over the matrix: per-item sums over the students who answered it. Sums that do
  // not involve x (count, Σc, Σc², group counts) are kept for the MISSING cells instead, which
  // are rare, and subtracted from the all-student sums afterwards.
  const sx = new Float64Array(k);
  const sxx = new Float64Array(k);
  const sxc = new Float64Array(k); // Σ x (T − shift)
  const sUp = new Float64Array(k);
  const sLo = new Float64Array(k);
  const miss = new Float64Array(k);
  const missC = new Float64Array(k);
  const missCC = new Float64Array(k);
  const missUp = new Float64Array(k);
  const missLo = new Float64Array(k);
  for (let s = 0, off = 0; s < N; s++, off += k) {
    const c = totals[s]! - shift;
    const gr = group[s]!;
    const gs = gr === 1 ? sUp : gr === -1 ? sLo : null;
    for (let i = 0; i < k; i++) {
      const x = scores[off + i]!;
      if (x !== x) {
        miss[i]!++;
        missC[i]! += c;
        missCC[i]! += c * c;
        if (gr === 1) missUp[i]!++;
        else if (gr === -1) missLo[i]!++;
        continue;
      }
      sx[i]! += x;
      sxx[i]! += x * x;
      sxc[i]! += x * c;
      if (gs !== null) gs[i]! += x;
    }
  }
  const n = new Float64Array(k);
  const sc = new Float64Array(k); // Σ (T − shift) over responders
  const scc = new Float64Array(k);
  const nUp = new Float64Array(k);
  const nLo = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    n[i] = N - miss[i]!;
    sc[i] = sC - missC[i]!;
    scc[i] = sCC - missCC[i]!;
    nUp[i] = g - missUp[i]!;
    nLo[i] = g - missLo[i]!;
  }

  // Item variances and covariances with the total over ALL students (missing = 0): the sums
  // over responders are the sums over everyone with zeros filled in.
  const varItem = new Float64Array(k);
  let sumVar = 0;
  let sumPQ = 0;
  const meanC = sC / N;
  for (let i = 0; i < k; i++) {
    const mi = sx[i]! / N;
    varItem[i] = Math.max(0, sxx[i]! / N - mi * mi);
    sumVar += varItem[i]!;
    sumPQ += mi * (1 - mi);
  }
  const constantT = !(varT > ZERO_VARIANCE * (sCC / N));
  const alpha = k < 2 || constantT ? null : (k / (k - 1)) * (1 - sumVar / varT);
  const kr20 = !binary || k < 2 || constantT ? null : (k / (k - 1)) * (1 - sumPQ / varT);
  const sd = Math.sqrt(varT);

  const items: ItemStat[] = [];
  for (let i = 0; i < k; i++) {
    const ni = n[i]!;
    const mean = ni > 0 ? sx[i]! / ni : NaN;
    const p = mean / max[i]!;
    let pointBiserial: number | null = null;
    let itemTotal: number | null = null;
    if (ni >= 2) {
      const cxx = sxx[i]! - (sx[i]! * sx[i]!) / ni;
      const ccc = scc[i]! - (sc[i]! * sc[i]!) / ni;
      const cxc = sxc[i]! - (sx[i]! * sc[i]!) / ni;
      // Rest score r = T − x (the shift does not matter): C_rr = C_cc − 2 C_xc + C_xx, C_xr = C_xc − C_xx.
      const crr = ccc - 2 * cxc + cxx;
      // Zero-variance tolerances are relative to the all-student Σc², the magnitude the
      // responder sums were derived from (they are differences when answers are missing).
      itemTotal = corr(cxc, cxx, ccc, sxx[i]!, sCC);
      pointBiserial = corr(cxc - cxx, cxx, crr, sxx[i]!, sCC + sxx[i]!);
    }
    const discrimination = nUp[i]! > 0 && nLo[i]! > 0 ? (sUp[i]! / nUp[i]! - sLo[i]! / nLo[i]!) / max[i]! : null;

    let alphaIfDeleted: number | null = null;
    if (k >= 3) {
      const covIT = sxc[i]! / N - (sx[i]! / N) * meanC; // cov(x_i, T) over everyone, missing = 0
      const varRest = varT - 2 * covIT + varItem[i]!;
      if (varRest > ZERO_VARIANCE * (sCC / N + sxx[i]! / N)) {
        alphaIfDeleted = ((k - 1) / (k - 2)) * (1 - (sumVar - varItem[i]!) / varRest);
      }
    }

    const flags: ItemFlag[] = [];
    if (p > o.easyAbove) flags.push('too_easy');
    if (p < o.hardBelow) flags.push('too_hard');
    if ((pointBiserial !== null && pointBiserial < 0) || (discrimination !== null && discrimination < 0)) {
      flags.push('negative_discrimination');
    } else if (pointBiserial !== null && pointBiserial < o.lowDiscrimination) {
      flags.push('low_discrimination');
    }
    items.push({ item: i, n: ni, mean, p, pointBiserial, itemTotal, discrimination, alphaIfDeleted, flags });
  }

  let maxTotal = 0;
  for (let i = 0; i < k; i++) maxTotal += max[i]!;
  const test: TestStat = {
    students: N,
    items: k,
    mean: meanT,
    sd,
    min: sorted[0]!,
    max: sorted[N - 1]!,
    median,
    kr20,
    alpha,
    sem: alpha === null ? null : sd * Math.sqrt(1 - alpha),
    histogram: histogram(totals, maxTotal, o.bins),
  };
  return { test, items, totals };
}

/**
 * Option analysis of one multiple-choice item: for each option (in `options` order) how many
 * chose it, the proportion in the upper and lower groups (same ranking rule as analyseItems,
 * from `totals`), and the point-biserial of choosing it with the rest score
 * (totals − this item's points; see ChoiceResponses.scores). Every student counts in N,
 * blanks included (a blank chooses nothing). A good distractor is chosen by some students,
 * more by the lower group than the upper, and has a negative point-biserial.
 *
 * Throws RangeError on length mismatches, duplicate options, a key or a choice that is not
 * one of the options, or non-finite totals.
 */
export function analyseDistractors(
  choice: ChoiceResponses,
  totals: ArrayLike<number>,
  opts: AnalysisOptions = {},
): DistractorStat[] {
  const fn = 'analyseDistractors';
  const o = resolve(opts, fn);
  const { chosen, options } = choice;
  const N = chosen.length;
  if (N === 0) throw new RangeError(`${fn}: no students`);
  if (totals.length !== N) throw new RangeError(`${fn}: ${N} choices but ${totals.length} totals`);
  if (choice.scores !== undefined && choice.scores.length !== N) {
    throw new RangeError(`${fn}: ${N} choices but ${choice.scores.length} scores`);
  }
  const K = options.length;
  const index = new Map<string, number>();
  for (let j = 0; j < K; j++) {
    if (index.has(options[j]!)) throw new RangeError(`${fn}: duplicate option ${JSON.stringify(options[j])}`);
    if (options[j] === '') throw new RangeError(`${fn}: '' cannot be an option (it means blank)`);
    index.set(options[j]!, j);
  }
  const keys = typeof choice.key === 'string' ? [choice.key] : choice.key;
  const isKey = new Uint8Array(K);
  for (const key of keys) {
    const j = index.get(key);
    if (j === undefined) throw new RangeError(`${fn}: key ${JSON.stringify(key)} is not an option`);
    isKey[j] = 1;
  }
  let nKeys = 0;
  for (let j = 0; j < K; j++) nKeys += isKey[j]!;

  // Rest score per student, and the option indices each chose (flattened, deduplicated).
  const rest = new Float64Array(N);
  const start = new Int32Array(N + 1);
  const picks: number[] = [];
  /** Records option `opt` for student s (once); returns 1 if it is keyed and new, else 0. */
  const pick = (opt: string, s: number): number => {
    const j = index.get(opt);
    if (j === undefined) throw new RangeError(`${fn}: student ${s} chose ${JSON.stringify(opt)}, not an option`);
    for (let q = start[s]!; q < picks.length; q++) if (picks[q] === j) return 0;
    picks.push(j);
    return isKey[j]!;
  };
  for (let s = 0; s < N; s++) {
    const t = totals[s]!;
    if (!Number.isFinite(t)) throw new RangeError(`${fn}: total ${t} of student ${s} is not finite`);
    start[s] = picks.length;
    let keyed = 0;
    const c = chosen[s];
    if (typeof c === 'string') {
      if (c !== '') keyed += pick(c, s);
    } else if (c) {
      for (const opt of c) if (opt !== '') keyed += pick(opt, s);
    }
    const nPicked = picks.length - start[s]!;
    let item: number;
    if (choice.scores !== undefined) {
      const x = choice.scores[s]!;
      item = x !== x ? 0 : x;
    } else {
      item = nPicked > 0 && nPicked === nKeys && keyed === nKeys ? 1 : 0;
    }
    rest[s] = t - item;
  }
  start[N] = picks.length;

  const sorted = sortedCopy(totals);
  const g = groupSize(N, o.groupFraction);
  const group = rankGroups(totals, sorted, g);

  let sR = 0;
  for (let s = 0; s < N; s++) sR += rest[s]!;
  const shift = Math.round(sR / N);
  let sC = 0;
  let sCC = 0;
  const count = new Float64Array(K);
  const up = new Float64Array(K);
  const lo = new Float64Array(K);
  const sumC = new Float64Array(K); // Σ (rest − shift) over the students choosing the option
  for (let s = 0; s < N; s++) {
    const c = rest[s]! - shift;
    sC += c;
    sCC += c * c;
    const gr = group[s]!;
    for (let q = start[s]!; q < start[s + 1]!; q++) {
      const j = picks[q]!;
      count[j]!++;
      sumC[j]! += c;
      if (gr === 1) up[j]!++;
      else if (gr === -1) lo[j]!++;
    }
  }
  const cRR = sCC - (sC * sC) / N;

  const out: DistractorStat[] = [];
  for (let j = 0; j < K; j++) {
    const cnt = count[j]!;
    // Indicator I (0/1) against rest: C_II = cnt (1 − cnt/N), C_Ir = Σ_{I=1} c − cnt·Σc/N.
    const cII = cnt - (cnt * cnt) / N;
    const cIR = sumC[j]! - (cnt * sC) / N;
    out.push({
      option: options[j]!,
      isKey: isKey[j] === 1,
      count: cnt,
      proportion: cnt / N,
      upper: g > 0 ? up[j]! / g : NaN,
      lower: g > 0 ? lo[j]! / g : NaN,
      pointBiserial: cnt === 0 || cnt === N ? null : corr(cIR, cII, cRR, cnt, sCC),
    });
  }
  return out;
}

/**
 * Distractor flags for one item from its analyseDistractors result, to merge into that item's
 * ItemStat.flags: distractor_unused when some distractor (non-key option) was chosen by nobody
 * or by a proportion < unusedBelow; distractor_attracts_upper when some distractor was chosen
 * by a larger proportion of the upper group than of the lower group. Each flag at most once.
 */
export function flagDistractors(stats: readonly DistractorStat[], opts: AnalysisOptions = {}): ItemFlag[] {
  const o = resolve(opts, 'flagDistractors');
  let unused = false;
  let attracts = false;
  for (const d of stats) {
    if (d.isKey) continue;
    if (d.count === 0 || d.proportion < o.unusedBelow) unused = true;
    if (d.upper > d.lower) attracts = true;
  }
  const flags: ItemFlag[] = [];
  if (unused) flags.push('distractor_unused');
  if (attracts) flags.push('distractor_attracts_upper');
  return flags;
}

/**
 * Pearson correlation of x and y — the point-biserial when one of them is 0/1. Pairs where
 * either value is NaN are skipped. Null when fewer than 2 pairs remain or either variable is
 * constant over them. Throws RangeError when the lengths differ.
 */
export function pointBiserial(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  if (x.length !== y.length) throw new RangeError(`pointBiserial: arrays differ in length (${x.length} vs ${y.length})`);
  let n = 0;
  let mx = 0;
  let my = 0;
  let xFirst = NaN;
  let yFirst = NaN;
  let xConst = true;
  let yConst = true;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (a !== a || b !== b) continue;
    if (n === 0) {
      xFirst = a;
      yFirst = b;
    } else {
      if (a !== xFirst) xConst = false;
      if (b !== yFirst) yConst = false;
    }
    n++;
    mx += a;
    my += b;
  }
  if (n < 2 || xConst || yConst) return null;
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (a !== a || b !== b) continue;
    const da = a - mx;
    const db = b - my;
    sxy += da * db;
    sxx += da * da;
    syy += db * db;
  }
  if (!(sxx > 0) || !(syy > 0)) return null;
  const r = sxy / Math.sqrt(sxx * syy);
  return r > 1 ? 1 : r < -1 ? -1 : r;
}
