/**
 * Item response theory for dichotomous items: item calibration by marginal maximum likelihood
 * with EM (Bock & Aitkin 1981), and ability estimates by EAP.
 *
 *   P(correct | θ) = 1 / (1 + exp(−a (θ − b)))        (logistic metric, no D = 1.7 factor)
 *
 * Rasch: a = 1 for every item. The unit of θ is then fixed by the items, so the spread of the
 * population cannot also be fixed: θ ~ N(0, σ²) with σ (`latentSd`) estimated alongside the
 * difficulties ("the latent SD absorbs the scale"). 2PL: a and b per item, θ ~ N(0, 1) fixes
 * the scale. Either way the mean ability is 0, which fixes the origin of b.
 *
 * The integral over θ uses Q evenly spaced nodes z on [−4, 4] with normalised N(0, 1) weights
 * (BILOG-style rectangular quadrature; θ = σ·z). E-step: each person's posterior over the
 * nodes, accumulated into expected counts n_iq (responses to item i at node q) and r_iq
 * (correct ones). M-step: per item, safeguarded Fisher-scoring steps on the expected
 * complete-data log-likelihood plus log-priors; for Rasch then one step on σ. Only the
 * responses present are used, so sparse designs (not every person answers every item) need no
 * special handling. A (person, item) pair given more than once counts with its first answer
 * (later attempts come after feedback and say less about the item).
 *
 * Priors (posterior-mode estimates, as in BILOG): a weak normal on b (default N(0, 3²)) keeps
 * items that everyone (or no one) answered correctly finite; for 2PL a lognormal on a
 * (default log a ~ N(0, 0.5²)) keeps discriminations positive and away from the 0/∞ that small
 * samples produce. Either can be switched off with null.
 */

export interface IrtItem {
  id: string;
  /** Discrimination (1 for Rasch). */
  a: number;
  /** Difficulty on the θ scale. */
  b: number;
  /** Standard error of a (null for Rasch, where a is fixed, or when the information is not positive definite). */
  seA: number | null;
  seB: number | null;
  /** Number of responses to the item. */
  n: number;
  /** Proportion correct. */
  pValue: number;
  /**
   * Item fit mean squares from EAP abilities: outfit = mean of squared standardised residuals
   * (y − P)² / (P(1 − P)), sensitive to surprises far from the item's difficulty; infit =
   * Σ (y − P)² / Σ P(1 − P), information-weighted. Both about 1 when the model fits (a
   * little below, ~0.9–1.0, because the abilities come from the same answers); above ~1.2–1.3
   * noisy/misfitting, below ~0.7 too predictable (more discriminating than modelled).
   */
  infit: number;
  outfit: number;
}

export interface IrtFit {
  model: 'rasch' | '2pl';
  items: IrtItem[];
  /** EM iterations. */
  iterations: number;
  /** Marginal log-likelihood at the estimates (priors not included). */
  logLik: number;
  /** True when the largest parameter change fell below the tolerance before maxIterations. */
  converged: boolean;
  /** SD of the ability distribution: estimated for Rasch, 1 by definition for 2PL. */
  latentSd: number;
  /** How the SEs were computed: 'full' information matrix, or per-item 'item-blocks' (see fitIrt). */
  seMethod: 'full' | 'item-blocks';
  /** Person abilities (EAP under N(0, latentSd²)) with posterior SD, in first-seen order. */
  persons: { id: string; theta: number; se: number }[];
}

export interface FitIrtOptions {
  model?: 'rasch' | '2pl';
  /** Quadrature nodes, default 31 (21–41 is plenty for calibration). */
  quadraturePoints?: number;
  /** Default 500. */
  maxIterations?: number;
  /** Stop when no parameter (a, b, σ) moves by more than this in one EM iteration; default 1e-4. */
  tolerance?: number;
  /** Lognormal prior on a (2PL only): log a ~ N(meanLog, sdLog²). Default {0, 0.5}; null = none. */
  priorA?: { meanLog: number; sdLog: number } | null;
  /** Normal prior on b. Default {0, 3}; null = none. */
  priorB?: { mean: number; sd: number } | null;
  /** 'auto' (default): the full information matrix when affordable; 'item-blocks': always the cheap per-item blocks. */
  seMethod?: 'auto' | 'item-blocks';
}

const Z_RANGE = 4;

/** Evenly spaced nodes on [−4, 4] with normalised standard-normal weights (as logs). */
function quadrature(points: number): { z: Float64Array; logW: Float64Array } {
  if (!Number.isInteger(points) || points < 5 || points > 201) {
    throw new RangeError(`quadrature points must be an integer in [5, 201], got ${points}`);
  }
  const z = new Float64Array(points);
  const logW = new Float64Array(points);
  let sum = 0;
  for (let q = 0; q < points; q++) {
    z[q] = -Z_RANGE + (2 * Z_RANGE * q) / (points - 1);
    sum += Math.exp(-0.5 * z[q]! * z[q]!);
  }
  const logSum = Math.log(sum);
  for (let q = 0; q < points; q++) logW[q] = -0.5 * z[q]! * z[q]! - logSum;
  return { z, logW };
}

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function irtProbability(theta: number, a: number, b: number): number {
  return 1 / (1 + Math.exp(-a * (theta - b)));
}

/**
 * EAP ability from answered items with known parameters, prior N(priorMean, priorSd²)
 * (default N(0, 1); pass `priorSd: fit.latentSd` for a Rasch calibration). Returns the
 * posterior mean and SD. With no items it returns the prior. Uses the same grid as fitIrt, so
 * it reproduces the fit's person estimates, and θ stays within priorMean ± 4·priorSd (a
 * student who gets everything right is "above the top of the scale", not at +∞).
 */
export function estimateAbility(
  items: readonly { a: number; b: number; correct: boolean }[],
  options: { quadraturePoints?: number; priorMean?: number; priorSd?: number } = {},
): { theta: number; se: number } {
  const { z, logW } = quadrature(options.quadraturePoints ?? 31);
  const mu = options.priorMean ?? 0;
  const sd = options.priorSd ?? 1;
  const Q = z.length;
  const acc = Float64Array.from(logW);
  for (const it of items) {
    for (let q = 0; q < Q; q++) {
      const eta = it.a * (mu + sd * z[q]! - it.b);
      acc[q] -= it.correct ? softplus(-eta) : softplus(eta);
    }
  }
  return eapFrom(acc, z, mu, sd);
}

/** Posterior mean/SD of θ = mu + sd·z from unnormalised log-posterior values at the nodes (overwrites acc). */
function eapFrom(acc: Float64Array, z: Float64Array, mu: number, sd: number): { theta: number; se: number } {
  const Q = z.length;
  let max = -Infinity;
  for (let q = 0; q < Q; q++) if (acc[q]! > max) max = acc[q]!;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  for (let q = 0; q < Q; q++) {
    const w = Math.exp(acc[q]! - max);
    s0 += w;
    s1 += w * z[q]!;
    s2 += w * z[q]! * z[q]!;
  }
  const m = s1 / s0;
  return { theta: mu + sd * m, se: sd * Math.sqrt(Math.max(0, s2 / s0 - m * m)) };
}

/** Responses in compressed rows by person. */
interface Data {
  personIds: string[];
  itemIds: string[];
  /** start[p]..start[p+1] are person p's responses. */
  start: Int32Array;
  item: Int32Array;
  y: Uint8Array;
}

function prepare(responses: readonly { person: string; item: string; correct: boolean | 0 | 1 }[]): Data {
  const personIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  for (const r of responses) {
    if (!personIndex.has(r.person)) personIndex.set(r.person, personIndex.size);
    if (!itemIndex.has(r.item)) itemIndex.set(r.item, itemIndex.size);
  }
  const P = personIndex.size;
  const I = itemIndex.size;
  const seen = new Set<number>();
  const kept: number[] = [];
  const count = new Int32Array(P + 1);
  for (let k = 0; k < responses.length; k++) {
    const r = responses[k]!;
    const p = personIndex.get(r.person)!;
    const key = p * I + itemIndex.get(r.item)!;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(k);
    count[p + 1]!++;
  }
  const start = new Int32Array(P + 1);
  for (let p = 0; p < P; p++) start[p + 1] = start[p]! + count[p + 1]!;
  const fill = start.slice(0, P);
  const item = new Int32Array(kept.length);
  const y = new Uint8Array(kept.length);
  for (const k of kept) {
    const r = responses[k]!;
    const j = fill[personIndex.get(r.person)!]!++;
    item[j] = itemIndex.get(r.item)!;
    y[j] = r.correct ? 1 : 0;
  }
  return { personIds: [...personIndex.keys()], itemIds: [...itemIndex.keys()], start, item, y };
}

/** Above these sizes the full information matrix is skipped (see fitIrt). */
const FULL_MAX_PARAMS = 1000;
const FULL_MAX_WORK = 3e8;

/**
 * Diagonal of the inverse of a symmetric positive definite m×m matrix (row-major) by Cholesky:
 * A = L Lᵀ, so (A⁻¹)_jj = Σ_i (L⁻¹)_ij². Null when A is not positive definite. Overwrites A.
 */
function inverseDiagonal(A: Float64Array, m: number): Float64Array | null {
  for (let j = 0; j < m; j++) {
    let s = A[j * m + j]!;
    for (let k = 0; k < j; k++) s -= A[j * m + k]! ** 2;
    if (!(s > 0)) return null;
    const ljj = Math.sqrt(s);
    A[j * m + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      let t = A[i * m + j]!;
      for (let k = 0; k < j; k++) t -= A[i * m + k]! * A[j * m + k]!;
      A[i * m + j] = t / ljj;
    }
  }
  // Column j of L⁻¹ by forward substitution of e_j; accumulate its squared norm.
  const out = new Float64Array(m);
  const x = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    x.fill(0);
    x[j] = 1 / A[j * m + j]!;
    let ss = x[j]! ** 2;
    for (let i = j + 1; i < m; i++) {
      let t = 0;
      for (let k = j; k < i; k++) t -= A[i * m + k]! * x[k]!;
      x[i] = t / A[i * m + i]!;
      ss += x[i]! ** 2;
    }
    out[j] = ss;
  }
  return out;
}

/**
 * Calibrates items by MML-EM and returns item parameters (with SEs and fit statistics) and EAP
 * person abilities. Deterministic; the result does not depend on the order of the responses
 * beyond which answer to a repeated (person, item) pair comes first. Throws RangeError on bad
 * options; with no responses returns an empty fit.
 *
 * Standard errors: observed information at convergence by Louis's (1982) formula, per person
 * the expected complete-data information minus the posterior covariance of the complete-data
 * score (the information lost by not knowing θ), plus the prior precision. The full matrix
 * over all item parameters (and σ for Rasch) is inverted when that is affordable
 * (≤ FULL_MAX_PARAMS parameters and ≤ FULL_MAX_WORK score products), so the SEs include the
 * uncertainty items share — the origin of θ is pinned by the mean of these same persons.
 * Otherwise (or if the matrix is not positive definite) each item's own block is inverted,
 * treating everything else as known: cheaper and somewhat optimistic (in a 1,000 × 30 Rasch
 * test the block SEs of b were ~5% smaller, and ±2·SE covered 83% of the actual errors
 * instead of 93%). `seMethod` says which was used.
 */
export function fitIrt(
  responses: readonly { person: string; item: string; correct: boolean | 0 | 1 }[],
  options: FitIrtOptions = {},
): IrtFit {
  const model = options.model ?? 'rasch';
  if (model !== 'rasch' && model !== '2pl') throw new RangeError(`fitIrt: unknown model ${String(model)}`);
  const maxIterations = options.maxIterations ?? 500;
  const tolerance = options.tolerance ?? 1e-4;
  const priorA = model === '2pl' ? (options.priorA === undefined ? { meanLog: 0, sdLog: 0.5 } : options.priorA) : null;
  const priorB = options.priorB === undefined ? { mean: 0, sd: 3 } : options.priorB;
  if (priorA && !(priorA.sdLog > 0)) throw new RangeError('fitIrt: priorA.sdLog must be > 0');
  if (priorB && !(priorB.sd > 0)) throw new RangeError('fitIrt: priorB.sd must be > 0');
  if (options.seMethod !== undefined && options.seMethod !== 'auto' && options.seMethod !== 'item-blocks') {
    throw new RangeError(`fitIrt: unknown seMethod ${String(options.seMethod)}`);
  }
  const { z, logW } = quadrature(options.quadraturePoints ?? 31);
  const Q = z.length;

  const d = prepare(responses);
  const I = d.itemIds.length;
  const P = d.personIds.length;
  if (d.y.length === 0) {
    return { model, items: [], iterations: 0, logLik: 0, converged: true, latentSd: 1, seMethod: 'full', persons: [] };
  }

  // Starting values: a = 1, b from the item's proportion correct.
  const nItem = new Float64Array(I);
  const rItem = new Float64Array(I);
  for (let j = 0; j < d.y.length; j++) {
    nItem[d.item[j]!]!++;
    rItem[d.item[j]!]! += d.y[j]!;
  }
  const a = new Float64Array(I).fill(1);
  const b = new Float64Array(I);
  for (let i = 0; i < I; i++) {
    const pv = (rItem[i]! + 0.5) / (nItem[i]! + 1);
    b[i] = -Math.log(pv / (1 - pv));
  }
  let sigma = 1;

  const logP = new Float64Array(I * Q);
  const log1mP = new Float64Array(I * Q);
  const nExp = new Float64Array(I * Q);
  const rExp = new Float64Array(I * Q);
  const acc = new Float64Array(Q);
  const theta = new Float64Array(Q);

  const refreshCurves = () => {
    for (let q = 0; q < Q; q++) theta[q] = sigma * z[q]!;
    for (let i = 0; i < I; i++) {
      for (let q = 0; q < Q; q++) {
        const eta = a[i]! * (theta[q]! - b[i]!);
        logP[i * Q + q] = -softplus(-eta);
        log1mP[i * Q + q] = -softplus(eta);
      }
    }
  };

  /** Person p's normalised posterior over the nodes into acc; returns log P(responses of p). */
  const posterior = (p: number): number => {
    acc.set(logW);
    for (let j = d.start[p]!; j < d.start[p + 1]!; j++) {
      const base = d.item[j]! * Q;
      const lp = d.y[j] ? logP : log1mP;
      for (let q = 0; q < Q; q++) acc[q] += lp[base + q]!;
    }
    let max = -Infinity;
    for (let q = 0; q < Q; q++) if (acc[q]! > max) max = acc[q]!;
    let s = 0;
    for (let q = 0; q < Q; q++) {
      const w = Math.exp(acc[q]! - max);
      acc[q] = w;
      s += w;
    }
    for (let q = 0; q < Q; q++) acc[q] /= s;
    return max + Math.log(s);
  };

  const eStep = (): number => {
    nExp.fill(0);
    rExp.fill(0);
    let ll = 0;
    for (let p = 0; p < P; p++) {
      ll += posterior(p);
      for (let j = d.start[p]!; j < d.start[p + 1]!; j++) {
        const base = d.item[j]! * Q;
        for (let q = 0; q < Q; q++) nExp[base + q] += acc[q]!;
        if (d.y[j]) for (let q = 0; q < Q; q++) rExp[base + q] += acc[q]!;
      }
    }
    return ll;
  };

  /** Expected complete-data log-likelihood of item i with parameters (ai, bi), plus log-priors. */
  const itemObjective = (i: number, ai: number, bi: number): number => {
    let f = 0;
    const base = i * Q;
    for (let q = 0; q < Q; q++) {
      const eta = ai * (theta[q]! - bi);
      const r = rExp[base + q]!;
      f -= r * softplus(-eta) + (nExp[base + q]! - r) * softplus(eta);
    }
    if (priorB) f -= (bi - priorB.mean) ** 2 / (2 * priorB.sd ** 2);
    if (priorA) f -= (Math.log(ai) - priorA.meanLog) ** 2 / (2 * priorA.sdLog ** 2);
    return f;
  };

  /**
   * M-step for item i: Fisher scoring in (log a, b) — (b) alone for Rasch — with step halving
   * whenever a step would lower the objective. Parametrising by log a keeps a > 0 and makes
   * the lognormal prior an ordinary quadratic penalty. Returns the largest parameter change.
   */
  const mStepItem = (i: number): number => {
    const base = i * Q;
    const a0 = a[i]!;
    const b0 = b[i]!;
    for (let inner = 0; inner < 5; inner++) {
      const ai = a[i]!;
      const bi = b[i]!;
      // Score and expected information of η = a(θ − b): ∂η/∂log a = η, ∂η/∂b = −a.
      let gA = 0;
      let gB = 0;
      let iAA = 0;
      let iAB = 0;
      let iBB = 0;
      for (let q = 0; q < Q; q++) {
        const eta = ai * (theta[q]! - bi);
        const pr = 1 / (1 + Math.exp(-eta));
        const n = nExp[base + q]!;
        const res = rExp[base + q]! - n * pr;
        const w = n * pr * (1 - pr);
        gA += res * eta;
        gB -= res * ai;
        iAA += w * eta * eta;
        iAB -= w * eta * ai;
        iBB += w * ai * ai;
      }
      if (priorB) {
        gB -= (bi - priorB.mean) / priorB.sd ** 2;
        iBB += 1 / priorB.sd ** 2;
      }
      let dA = 0;
      let dB: number;
      if (priorA) {
        const la = Math.log(ai);
        gA -= (la - priorA.meanLog) / priorA.sdLog ** 2;
        iAA += 1 / priorA.sdLog ** 2;
      }
      if (model === '2pl') {
        const det = iAA * iBB - iAB * iAB;
        if (!(det > 0)) break;
        dA = (iBB * gA - iAB * gB) / det;
        dB = (iAA * gB - iAB * gA) / det;
      } else {
        if (!(iBB > 0)) break;
        dB = gB / iBB;
      }
      // Cap the step: Fisher scoring from a poor start can overshoot on a flat likelihood.
      const big = Math.max(Math.abs(dA), Math.abs(dB));
      if (big > 1) {
        dA /= big;
        dB /= big;
      }
      const f0 = itemObjective(i, ai, bi);
      let step = 1;
      let accepted = false;
      for (let h = 0; h < 20; h++) {
        const an = ai * Math.exp(step * dA);
        const bn = bi + step * dB;
        if (itemObjective(i, an, bn) >= f0 - 1e-12) {
          a[i] = an;
          b[i] = bn;
          accepted = true;
          break;
        }
        step /= 2;
      }
      if (!accepted || step * big < 1e-9) break;
    }
    return Math.max(Math.abs(a[i]! - a0), Math.abs(b[i]! - b0));
  };

  /** Rasch: the objective summed over items as a function of σ (θ_q = σ z_q, a = 1). */
  const sigmaObjective = (s: number): number => {
    let f = 0;
    for (let i = 0; i < I; i++) {
      const base = i * Q;
      for (let q = 0; q < Q; q++) {
        const eta = s * z[q]! - b[i]!;
        const r = rExp[base + q]!;
        f -= r * softplus(-eta) + (nExp[base + q]! - r) * softplus(eta);
      }
    }
    return f;
  };

  const mStepSigma = (): number => {
    let g = 0;
    let info = 0;
    for (let i = 0; i < I; i++) {
      const base = i * Q;
      for (let q = 0; q < Q; q++) {
        const pr = 1 / (1 + Math.exp(-(sigma * z[q]! - b[i]!)));
        const n = nExp[base + q]!;
        g += (rExp[base + q]! - n * pr) * z[q]!;
        info += n * pr * (1 - pr) * z[q]! * z[q]!;
      }
    }
    if (!(info > 0)) return 0;
    let delta = Math.max(-0.5, Math.min(0.5, g / info));
    const f0 = sigmaObjective(sigma);
    const old = sigma;
    for (let h = 0; h < 20; h++) {
      const sn = Math.min(10, Math.max(0.05, sigma + delta));
      if (sigmaObjective(sn) >= f0 - 1e-12) {
        sigma = sn;
        break;
      }
      delta /= 2;
    }
    return Math.abs(sigma - old);
  };

  let iterations = 0;
  let converged = false;
  for (let it = 1; it <= maxIterations; it++) {
    refreshCurves();
    eStep();
    let change = 0;
    for (let i = 0; i < I; i++) change = Math.max(change, mStepItem(i));
    if (model === 'rasch') change = Math.max(change, mStepSigma());
    iterations = it;
    if (change < tolerance) {
      converged = true;
      break;
    }
  }

  // Final pass at the estimates: log-likelihood, EAP abilities and the observed information
  // (Louis 1982): per person, E[−∂²ℓ | responses] − Cov[∂ℓ | responses] over the posterior of
  // θ, where ℓ is the complete-data log-likelihood given θ. Parameters: 2PL (log a_i, b_i) at
  // 2i, 2i+1; Rasch b_i at i and σ at I.
  refreshCurves();
  const rasch = model === 'rasch';
  const dim = rasch ? 1 : 2;
  const m = rasch ? I + 1 : 2 * I;
  let work = 0;
  let maxK = 0;
  for (let p = 0; p < P; p++) {
    const k = (d.start[p + 1]! - d.start[p]!) * dim + (rasch ? 1 : 0);
    work += ((k * (k + 1)) / 2) * Q;
    if (k > maxK) maxK = k;
  }
  // The full matrix gives SEs that include what items share (the origin and, for Rasch, the
  // scale are estimated from the same persons); for very large calibrations fall back to each
  // item's own block, which is a little optimistic.
  const full =
    options.seMethod !== 'item-blocks' && m <= FULL_MAX_PARAMS && work <= FULL_MAX_WORK ? new Float64Array(m * m) : null;
  const block = new Float64Array(I * 3); // per item: [aa, ab, bb] (Rasch: bb only)
  const S = new Float64Array(maxK * Q); // complete-data scores at each node, then centred · √w
  const globalIdx = new Int32Array(maxK);
  const sqrtW = new Float64Array(Q);
  const persons: IrtFit['persons'] = [];
  const eap = new Float64Array(P);
  let logLik = 0;
  for (let p = 0; p < P; p++) {
    logLik += posterior(p);
    let m1 = 0;
    let m2 = 0;
    for (let q = 0; q < Q; q++) {
      m1 += acc[q]! * theta[q]!;
      m2 += acc[q]! * theta[q]! * theta[q]!;
    }
    eap[p] = m1;
    persons.push({ id: d.personIds[p]!, theta: m1, se: Math.sqrt(Math.max(0, m2 - m1 * m1)) });

    const j0 = d.start[p]!;
    const np = d.start[p + 1]! - j0;
    const k = np * dim + (rasch ? 1 : 0);
    const sig = np * dim; // local row of σ (Rasch)
    if (rasch) {
      globalIdx[sig] = I;
      S.fill(0, sig * Q, sig * Q + Q);
    }
    let hSS = 0;
    for (let r = 0; r < np; r++) {
      const i = d.item[j0 + r]!;
      const y = d.y[j0 + r]!;
      const ai = a[i]!;
      let hAA = 0;
      let hAB = 0;
      let hBB = 0;
      let hSB = 0;
      for (let q = 0; q < Q; q++) {
        const w = acc[q]!;
        const pr = Math.exp(logP[i * Q + q]!);
        const res = y - pr;
        const v = pr * (1 - pr);
        if (rasch) {
          // η = σz − b: ∇η = (∂σ: z, ∂b: −1), ∇²η = 0.
          S[r * Q + q] = -res;
          S[sig * Q + q] += res * z[q]!;
          hBB += w * v;
          hSB -= w * v * z[q]!;
          hSS += w * v * z[q]! * z[q]!;
        } else {
          // η = a(θ − b), a = e^α: ∇η = (η, −a), ∇²η = [[η, −a], [−a, 0]]; −∂²ℓ = v∇η∇ηᵀ − res∇²η.
          const eta = ai * (theta[q]! - b[i]!);
          S[2 * r * Q + q] = res * eta;
          S[(2 * r + 1) * Q + q] = -res * ai;
          hAA += w * (v * eta * eta - res * eta);
          hAB += w * (res * ai - v * eta * ai);
          hBB += w * v * ai * ai;
        }
      }
      if (rasch) {
        globalIdx[r] = i;
        block[3 * i + 2] += hBB;
        if (full) {
          full[i * m + i] += hBB;
          full[i * m + I] += hSB;
          full[I * m + i] += hSB;
        }
      } else {
        globalIdx[2 * r] = 2 * i;
        globalIdx[2 * r + 1] = 2 * i + 1;
        block[3 * i] += hAA;
        block[3 * i + 1] += hAB;
        block[3 * i + 2] += hBB;
        if (full) {
          const g = 2 * i;
          full[g * m + g] += hAA;
          full[g * m + g + 1] += hAB;
          full[(g + 1) * m + g] += hAB;
          full[(g + 1) * m + g + 1] += hBB;
        }
      }
    }
    if (rasch && full) full[I * m + I] += hSS;
    // Centre each score row on its posterior mean and scale by √w: Cov = C Cᵀ.
    for (let q = 0; q < Q; q++) sqrtW[q] = Math.sqrt(acc[q]!);
    for (let r = 0; r < k; r++) {
      let mean = 0;
      for (let q = 0; q < Q; q++) mean += acc[q]! * S[r * Q + q]!;
      for (let q = 0; q < Q; q++) S[r * Q + q] = (S[r * Q + q]! - mean) * sqrtW[q]!;
    }
    const dot = (r: number, c: number): number => {
      let s = 0;
      for (let q = 0; q < Q; q++) s += S[r * Q + q]! * S[c * Q + q]!;
      return s;
    };
    for (let r = 0; r < np; r++) {
      const i = d.item[j0 + r]!;
      if (rasch) block[3 * i + 2] -= dot(r, r);
      else {
        block[3 * i] -= dot(2 * r, 2 * r);
        block[3 * i + 1] -= dot(2 * r, 2 * r + 1);
        block[3 * i + 2] -= dot(2 * r + 1, 2 * r + 1);
      }
    }
    if (full) {
      for (let r = 0; r < k; r++) {
        const gr = globalIdx[r]!;
        for (let c = r; c < k; c++) {
          const gc = globalIdx[c]!;
          const cov = dot(r, c);
          full[gr * m + gc] -= cov;
          if (gc !== gr) full[gc * m + gr] -= cov;
        }
      }
    }
  }

  // Prior precision, then standard errors.
  const precA = priorA ? 1 / priorA.sdLog ** 2 : 0;
  const precB = priorB ? 1 / priorB.sd ** 2 : 0;
  const seA: (number | null)[] = new Array<number | null>(I).fill(null);
  const seB: (number | null)[] = new Array<number | null>(I).fill(null);
  let seMethod: IrtFit['seMethod'] = 'item-blocks';
  if (full) {
    for (let i = 0; i < I; i++) {
      if (rasch) full[i * m + i] += precB;
      else {
        full[2 * i * m + 2 * i] += precA;
        full[(2 * i + 1) * m + 2 * i + 1] += precB;
      }
    }
    const varDiag = inverseDiagonal(full, m);
    if (varDiag) {
      seMethod = 'full';
      for (let i = 0; i < I; i++) {
        if (rasch) seB[i] = Math.sqrt(varDiag[i]!);
        else {
          seA[i] = a[i]! * Math.sqrt(varDiag[2 * i]!); // delta method from log a
          seB[i] = Math.sqrt(varDiag[2 * i + 1]!);
        }
      }
    }
  }
  if (seMethod === 'item-blocks') {
    for (let i = 0; i < I; i++) {
      const bb = block[3 * i + 2]! + precB;
      if (rasch) {
        if (bb > 0) seB[i] = Math.sqrt(1 / bb);
        continue;
      }
      const aa = block[3 * i]! + precA;
      const ab = block[3 * i + 1]!;
      const det = aa * bb - ab * ab;
      if (det > 0 && aa > 0 && bb > 0) {
        seA[i] = a[i]! * Math.sqrt(bb / det);
        seB[i] = Math.sqrt(aa / det);
      }
    }
  }

  // Item fit from EAP abilities.
  const sumZ2 = new Float64Array(I);
  const sumR2 = new Float64Array(I);
  const sumV = new Float64Array(I);
  for (let p = 0; p < P; p++) {
    for (let j = d.start[p]!; j < d.start[p + 1]!; j++) {
      const i = d.item[j]!;
      const e = irtProbability(eap[p]!, a[i]!, b[i]!);
      const v = e * (1 - e);
      const r2 = (d.y[j]! - e) ** 2;
      sumR2[i] += r2;
      sumV[i] += v;
      sumZ2[i] += r2 / v;
    }
  }

  const items: IrtItem[] = [];
  for (let i = 0; i < I; i++) {
    items.push({
      id: d.itemIds[i]!,
      a: a[i]!,
      b: b[i]!,
      seA: seA[i]!,
      seB: seB[i]!,
      n: nItem[i]!,
      pValue: rItem[i]! / nItem[i]!,
      infit: sumV[i]! > 0 ? sumR2[i]! / sumV[i]! : NaN,
      outfit: sumZ2[i]! / nItem[i]!,
    });
  }
  return { model, items, iterations, logLik, converged, latentSd: rasch ? sigma : 1, seMethod, persons };
}
