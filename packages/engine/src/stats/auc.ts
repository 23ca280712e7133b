/**
 * Area under the ROC curve, the figure knowledge-tracing papers report (DKT, DKVMN, Gervet et
 * al.), computed the way they compute it: over all predictions pooled, not per student.
 *
 * Rank form (Mann–Whitney U): AUC = (R⁺ − n⁺(n⁺+1)/2) / (n⁺ n⁻), where R⁺ is the sum of the
 * ranks of the positives among all scores. Tied scores share their average rank, which counts
 * a positive–negative tie as half a correct ordering — the same value as the trapezoidal area
 * under the ROC curve (scikit-learn's roc_auc_score). One sort: O(n log n).
 */

/**
 * AUC of `scores` (higher = more likely positive) against binary `labels` (truthy = positive;
 * a Uint8Array of 0/1 is accepted as is).
 * Returns NaN when all labels are equal (the AUC is undefined without both classes).
 * Throws RangeError on arrays of different length or a non-finite score.
 */
export function auc(labels: ArrayLike<0 | 1 | boolean> | Uint8Array, scores: ArrayLike<number>): number {
  const n = labels.length;
  if (scores.length !== n) throw new RangeError(`auc: ${n} labels but ${scores.length} scores`);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = scores[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`auc: non-finite score at ${i}`);
    s[i] = v;
  }
  // Sort indices by score; a typed array of indices with a numeric comparator keeps this fast
  // for the few hundred thousand predictions of a benchmark.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => s[a]! - s[b]!);

  let nPos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && s[order[j]!] === s[order[i]!]) j++;
    // Positions i..j-1 share the ranks i+1..j; their average is (i + 1 + j) / 2.
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (labels[order[k]!]) {
        nPos++;
        rankSumPos += avgRank;
      }
    }
    i = j;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
