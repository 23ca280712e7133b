/**
 * Bayesian Knowledge Tracing (Corbett & Anderson 1995): a two-state hidden Markov model per
 * skill. A student either knows the skill (K) or not (U); at each attempt they answer correctly
 * with probability 1 − slip when K and `guess` when U; after each attempt an unknown skill
 * becomes known with probability `pLearn`. Known skills are never forgotten (standard BKT).
 *
 *   P(K before attempt 1)          = pInit
 *   P(correct | K), P(correct | U) = 1 − pSlip, pGuess
 *   P(K_{t+1} | U_t), P(K_{t+1} | K_t) = pLearn, 1
 *
 * Parameters are fitted per skill by EM (Baum–Welch, accelerated with SQUAREM), one sequence
 * per student, within BKT_BOUNDS and from several starts. Everything here is pure and
 * deterministic; the online pieces (`bktPredict`, `bktUpdate`) are a handful of
 * multiplications so they can run on every answer.
 */

/** One answer: true / 1 = correct, false / 0 = wrong (any non-zero number counts as correct). */
export type BktAnswer = boolean | number;

export interface BktParams {
  pInit: number;
  pLearn: number;
  pGuess: number;
  pSlip: number;
}

export interface BktFit extends BktParams {
  /** Log-likelihood of this skill's data under the returned parameters (natural log). */
  logLik: number;
  /** EM iterations (E-steps) of the winning start, screening included (0 for a pooled or default fit). */
  iterations: number;
  /** Number of non-empty sequences (students) of this skill. */
  sequences: number;
  /** Number of attempts of this skill. */
  observations: number;
  /**
   * Where the parameters come from: 'skill' = fitted on this skill's own data; 'pooled' =
   * too little data, parameters fitted on all skills together; 'default' = too little data
   * even pooled, `BKT_DEFAULTS`.
   */
  source: 'skill' | 'pooled' | 'default';
  /** False when the winning start stopped at maxIterations. */
  converged: boolean;
}

/**
 * Box constraints enforced on every fit.
 *
 * guess and slip are capped at 0.3. Unconstrained EM happily finds "degenerate" optima that
 * fit the likelihood about as well but mean nonsense: guess + slip > 1 turns the hidden state
 * upside down (knowing the skill makes you *more* likely to fail, so a correct answer lowers
 * P(know)), and a huge guess with a tiny pLearn describes students who never learn but answer
 * right by luck. The cap keeps guess + slip < 1, which is exactly the condition under which a
 * correct answer always raises P(know) more than a wrong one (see `bktUpdate`), and matches
 * the usual practice (Baker, Corbett & Aleven 2008). The lower bounds (1e-3) and the upper
 * 0.999 keep every probability away from 0 and 1 so logs stay finite and no single answer
 * becomes absolute proof.
 */
export const BKT_BOUNDS: {
  pInit: [number, number];
  pLearn: [number, number];
  guess: [number, number];
  slip: [number, number];
} = {
  pInit: [1e-3, 0.999],
  pLearn: [1e-3, 0.999],
  guess: [1e-3, 0.3],
  slip: [1e-3, 0.3],
};

/** Parameters used when a skill (and the pool) has too little data: middle-of-the-road values. */
export const BKT_DEFAULTS: BktParams = { pInit: 0.3, pLearn: 0.1, pGuess: 0.2, pSlip: 0.1 };

export interface FitBktOptions {
  /** EM iterations per start, default 500. */
  maxIterations?: number;
  /** Stop when an iteration gains less than this × observations in log-likelihood, default 1e-7. */
  tolerance?: number;
  /** First start (the other starts are fixed, spread-out values). */
  init?: Partial<BktParams>;
}

/**
 * Starts besides the caller's: EM on this model has local optima (mostly the trade-off between
 * a high pInit and a fast pLearn, and between learning and guessing), so a few spread-out
 * starts are tried and the best log-likelihood kept. Fixed values keep the fit deterministic.
 */
const EXTRA_STARTS: readonly BktParams[] = [
  { pInit: 0.5, pLearn: 0.2, pGuess: 0.1, pSlip: 0.05 },
  { pInit: 0.1, pLearn: 0.05, pGuess: 0.25, pSlip: 0.2 },
  { pInit: 0.7, pLearn: 0.4, pGuess: 0.05, pSlip: 0.15 },
];

function clamp(x: number, [lo, hi]: [number, number]): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function clampParams(p: BktParams): BktParams {
  return {
    pInit: clamp(p.pInit, BKT_BOUNDS.pInit),
    pLearn: clamp(p.pLearn, BKT_BOUNDS.pLearn),
    pGuess: clamp(p.pGuess, BKT_BOUNDS.guess),
    pSlip: clamp(p.pSlip, BKT_BOUNDS.slip),
  };
}

/** All sequences of one skill packed into one byte array with offsets (cache-friendly EM). */
interface Packed {
  obs: Uint8Array;
  /** offsets[s]..offsets[s+1] is sequence s; empty sequences are dropped. */
  offsets: Int32Array;
  maxLen: number;
}

function pack(sequences: readonly ArrayLike<BktAnswer>[]): Packed {
  let total = 0;
  let count = 0;
  let maxLen = 0;
  for (const s of sequences) {
    if (s.length === 0) continue;
    total += s.length;
    count++;
    if (s.length > maxLen) maxLen = s.length;
  }
  const obs = new Uint8Array(total);
  const offsets = new Int32Array(count + 1);
  let k = 0;
  let j = 0;
  for (const s of sequences) {
    if (s.length === 0) continue;
    for (let t = 0; t < s.length; t++) obs[k++] = s[t] ? 1 : 0;
    offsets[++j] = k;
  }
  return { obs, offsets, maxLen };
}

function logLikPacked(p: BktParams, d: Packed): number {
  let ll = 0;
  const nSeq = d.offsets.length - 1;
  for (let s = 0; s < nSeq; s++) {
    let prior = p.pInit;
    for (let t = d.offsets[s]!; t < d.offsets[s + 1]!; t++) {
      const eK = d.obs[t] ? 1 - p.pSlip : p.pSlip;
      const eU = d.obs[t] ? p.pGuess : 1 - p.pGuess;
      const c = prior * eK + (1 - prior) * eU;
      ll += Math.log(c);
      const f = (prior * eK) / c;
      prior = f + (1 - f) * p.pLearn;
    }
  }
  return ll;
}

/** Log-likelihood of sequences (one per student, in time order) under given parameters. */
export function bktLogLikelihood(p: BktParams, sequences: readonly ArrayLike<BktAnswer>[]): number {
  return logLikPacked(p, pack(sequences));
}

/**
 * One EM iteration from p: returns the updated parameters and the log-likelihood AT p.
 *
 * E-step: scaled forward–backward per sequence. With two states the forward pass is just the
 * filtered P(K) after each attempt (f_t) and the normalising constant c_t = P(o_t | o_<t)
 * (Σ log c_t is the log-likelihood, for free); the backward pass carries β_t(K), β_t(U) scaled
 * by the same c_t, so γ_t = f_t·β_t is already normalised. M-step: the closed-form Baum–Welch
 * ratios, then clamped to BKT_BOUNDS. Clamping is the exact constrained M-step here, because
 * each parameter's part of the expected complete-data log-likelihood is a separate concave
 * Bernoulli term, so the log-likelihood still never decreases.
 *
 * f and c are scratch arrays of the longest sequence's length (c holds 1 / c_t).
 */
function emMap(d: Packed, p: BktParams, f: Float64Array, c: Float64Array): { next: BktParams; ll: number } {
  const nSeq = d.offsets.length - 1;
  const { pInit, pLearn, pGuess, pSlip } = p;
  let ll = 0;
  let sumInitK = 0;
  let sumLearn = 0; // Σ ξ(U→K)
  let sumUBefore = 0; // Σ_{t<T} γ_t(U)
  let sumU = 0;
  let sumUCorrect = 0;
  let sumK = 0;
  let sumKWrong = 0;
  for (let s = 0; s < nSeq; s++) {
    const o0 = d.offsets[s]!;
    const T = d.offsets[s + 1]! - o0;
    let prior = pInit;
    // Σ log c_t via a running product, logged every 32 steps (each c_t ≥ 10⁻³, so no
    // underflow): the log is the most expensive operation in the loop.
    let prod = 1;
    for (let t = 0; t < T; t++) {
      const y = d.obs[o0 + t]!;
      const eK = y ? 1 - pSlip : pSlip;
      const eU = y ? pGuess : 1 - pGuess;
      const ct = prior * eK + (1 - prior) * eU;
      const inv = 1 / ct;
      const ft = prior * eK * inv;
      c[t] = inv;
      f[t] = ft;
      prod *= ct;
      if ((t & 31) === 31) {
        ll += Math.log(prod);
        prod = 1;
      }
      prior = ft + (1 - ft) * pLearn;
    }
    ll += Math.log(prod);
    let bK = 1;
    let bU = 1;
    for (let t = T - 1; t >= 0; t--) {
      const y = d.obs[o0 + t]!;
      const gK = f[t]! * bK;
      const gU = (1 - f[t]!) * bU;
      // Normalised up to rounding; renormalise so the counts stay exact.
      const iz = 1 / (gK + gU);
      const pK = gK * iz;
      const pU = gU * iz;
      sumK += pK;
      sumU += pU;
      if (y) sumUCorrect += pU;
      else sumKWrong += pK;
      if (t === 0) sumInitK += pK;
      else {
        // Move β one step back: β_{t-1}(s) = Σ_s' A(s,s') e_s'(o_t) β_t(s') / c_t.
        const eK = y ? 1 - pSlip : pSlip;
        const eU = y ? pGuess : 1 - pGuess;
        const toK = eK * bK * c[t]!;
        const toU = eU * bU * c[t]!;
        const fPrev = 1 - f[t - 1]!;
        sumLearn += fPrev * pLearn * toK;
        sumUBefore += fPrev * (pLearn * toK + (1 - pLearn) * toU);
        bK = toK;
        bU = pLearn * toK + (1 - pLearn) * toU;
      }
    }
  }
  const next = clampParams({
    pInit: sumInitK / nSeq,
    pLearn: sumUBefore > 0 ? sumLearn / sumUBefore : pLearn,
    pGuess: sumU > 0 ? sumUCorrect / sumU : pGuess,
    pSlip: sumK > 0 ? sumKWrong / sumK : pSlip,
  });
  return { next, ll };
}

const KEYS = ['pInit', 'pLearn', 'pGuess', 'pSlip'] as const;
const logit = (x: number) => Math.log(x / (1 - x));

/** An EM run in progress. */
interface EmState {
  p: BktParams;
  /** Log-likelihood at `p` (−∞ before the first evaluation). */
  ll: number;
  /** EM maps evaluated (E-steps). */
  iterations: number;
  converged: boolean;
}

/**
 * Advances a run until it converges or has used `budget` E-steps in total.
 *
 * Plain EM crawls along the long flat ridges of the BKT likelihood (pInit against pLearn,
 * learning against guessing), often for hundreds of iterations. Each cycle here is one
 * SQUAREM step (Varadhan & Roland 2008, scheme S3): two EM steps p0 → p1 → p2, the
 * extrapolation p' = p0 − 2αr + α²v with r = p1 − p0, v = p2 − 2p1 + p0, α = −|r|/|v| (in
 * logit space, so p' stays a probability; then clamped to the bounds), and one EM step from
 * p'. If p' is worse than p1 the cycle falls back to p2, which plain EM guarantees is no worse,
 * so the log-likelihood still never decreases.
 *
 * Converged when a cycle gains less than `tolPerObs` × observations in log-likelihood:
 * parameters that differ by 10⁻³ in log-likelihood are statistically indistinguishable.
 */
function emRun(d: Packed, st: EmState, budget: number, tolPerObs: number, f: Float64Array, c: Float64Array): void {
  const minGain = tolPerObs * d.obs.length;
  while (!st.converged && st.iterations + 3 <= budget) {
    const s0 = emMap(d, st.p, f, c);
    const s1 = emMap(d, s0.next, f, c);
    st.iterations += 2;
    const before = st.ll;
    const l0 = s0.ll;
    let r2 = 0;
    let v2 = 0;
    const r: number[] = [];
    const v: number[] = [];
    for (const k of KEYS) {
      const x0 = logit(st.p[k]);
      const x1 = logit(s0.next[k]);
      const x2 = logit(s1.next[k]);
      r.push(x1 - x0);
      v.push(x2 - 2 * x1 + x0);
      r2 += (x1 - x0) ** 2;
      v2 += (x2 - 2 * x1 + x0) ** 2;
    }
    let alpha = v2 > 0 ? -Math.sqrt(r2 / v2) : -1;
    if (!(alpha < -1)) alpha = -1; // α = −1 gives p' = p2: plain EM
    let next: BktParams = s1.next;
    let ll = s1.ll; // a lower bound for LL(p2)
    if (alpha < -1) {
      const ext = {} as BktParams;
      KEYS.forEach((k, i) => {
        const x = logit(st.p[k]) - 2 * alpha * r[i]! + alpha * alpha * v[i]!;
        ext[k] = 1 / (1 + Math.exp(-x));
      });
      const s2 = emMap(d, clampParams(ext), f, c);
      st.iterations++;
      if (s2.ll >= s1.ll) {
        next = s2.next;
        ll = s2.ll;
      }
    }
    st.p = next;
    st.ll = ll;
    // Gain over the cycle, measured on the likelihoods actually evaluated.
    if (Number.isFinite(before) && Math.max(ll, l0) - before < minGain) st.converged = true;
  }
}

/** E-steps every start gets before only the best one is run on to convergence. */
const SCREEN_ITERATIONS = 9;

/**
 * Fits BKT to all sequences of ONE skill (one sequence per student, in time order) by
 * accelerated EM (see emRun) with BKT_BOUNDS enforced. Starts: the caller's `init` (over
 * BKT_DEFAULTS) and three fixed, spread-out ones. Each start gets SCREEN_ITERATIONS E-steps;
 * the one with the highest log-likelihood then runs to convergence (the early iterations decide
 * which basin a start is in; finishing all of them would cost 4× for the same answer in nearly
 * every case). Deterministic. Empty sequences are ignored; with no observations at all the
 * defaults are returned (source 'default').
 */
export function fitBkt(sequences: readonly ArrayLike<BktAnswer>[], options: FitBktOptions = {}): BktFit {
  const maxIterations = Math.max(3, options.maxIterations ?? 500);
  const tolerance = options.tolerance ?? 1e-7;
  const d = pack(sequences);
  const nSeq = d.offsets.length - 1;
  if (d.obs.length === 0) {
    return { ...BKT_DEFAULTS, logLik: 0, iterations: 0, sequences: 0, observations: 0, source: 'default', converged: true };
  }
  const f = new Float64Array(d.maxLen);
  const c = new Float64Array(d.maxLen);
  const starts = [{ ...BKT_DEFAULTS, ...options.init }, ...EXTRA_STARTS];
  let best: EmState | null = null;
  for (const s of starts) {
    const st: EmState = { p: clampParams(s), ll: -Infinity, iterations: 0, converged: false };
    emRun(d, st, Math.min(SCREEN_ITERATIONS, maxIterations), tolerance, f, c);
    if (best === null || st.ll > best.ll + 1e-9) best = st;
  }
  const b = best!;
  emRun(d, b, maxIterations, tolerance, f, c);
  return {
    ...b.p,
    // st.ll is a lower bound after an EM step; report the exact likelihood of what we return.
    logLik: logLikPacked(b.p, d),
    iterations: b.iterations,
    sequences: nSeq,
    observations: d.obs.length,
    source: 'skill',
    converged: b.converged,
  };
}

export interface FitBktBySkillOptions extends FitBktOptions {
  /** A skill needs at least this many attempts for its own fit, default 100. */
  minObservations?: number;
  /** …and at least this many students, default 10. */
  minSequences?: number;
}

/**
 * Fits one BKT model per skill. `rows` must be in time order for each student (rows of
 * different students may interleave); each (student, skill) pair becomes one sequence.
 *
 * Four free parameters are not identifiable from a handful of attempts: a skill with fewer
 * than `minObservations` attempts or `minSequences` students gets the parameters of a pooled
 * fit over every (student, skill) sequence of all skills — "a typical skill in this data" —
 * which is a better guess than a noisy per-skill optimum. If even the pooled data is below the
 * thresholds, BKT_DEFAULTS are used. Either way logLik/sequences/observations describe the
 * skill's own data. Keys of the map are `String(skill)`.
 */
export function fitBktBySkill(
  rows: readonly { student: string | number; skill: string | number; correct: boolean | 0 | 1 }[],
  options: FitBktBySkillOptions = {},
): Map<string, BktFit> {
  const minObs = options.minObservations ?? 100;
  const minSeq = options.minSequences ?? 10;
  // skill → student → answers, in first-seen order (Map keeps insertion order).
  const bySkill = new Map<string, Map<string, (0 | 1)[]>>();
  for (const r of rows) {
    const skill = String(r.skill);
    let students = bySkill.get(skill);
    if (!students) bySkill.set(skill, (students = new Map()));
    const student = String(r.student);
    let seq = students.get(student);
    if (!seq) students.set(student, (seq = []));
    seq.push(r.correct ? 1 : 0);
  }
  const out = new Map<string, BktFit>();
  const small: [string, (0 | 1)[][], number][] = [];
  const all: (0 | 1)[][] = [];
  for (const [skill, students] of bySkill) {
    const seqs = [...students.values()];
    let n = 0;
    for (const s of seqs) n += s.length;
    for (const s of seqs) all.push(s);
    if (n >= minObs && seqs.length >= minSeq) out.set(skill, fitBkt(seqs, options));
    else small.push([skill, seqs, n]);
  }
  if (small.length > 0) {
    let totalObs = 0;
    for (const s of all) totalObs += s.length;
    const pooledOk = totalObs >= minObs && all.length >= minSeq;
    const params: BktParams = pooledOk ? paramsOf(fitBkt(all, options)) : BKT_DEFAULTS;
    for (const [skill, seqs, n] of small) {
      out.set(skill, {
        ...params,
        logLik: bktLogLikelihood(params, seqs),
        iterations: 0,
        sequences: seqs.length,
        observations: n,
        source: pooledOk ? 'pooled' : 'default',
        converged: true,
      });
    }
  }
  // Report skills in first-seen order regardless of which path fitted them.
  const ordered = new Map<string, BktFit>();
  for (const skill of bySkill.keys()) ordered.set(skill, out.get(skill)!);
  return ordered;
}

function paramsOf(f: BktParams): BktParams {
  return { pInit: f.pInit, pLearn: f.pLearn, pGuess: f.pGuess, pSlip: f.pSlip };
}

/** P(next answer correct) when P(know) = pKnow. */
export function bktPredict(p: BktParams, pKnow: number): number {
  return pKnow * (1 - p.pSlip) + (1 - pKnow) * p.pGuess;
}

/**
 * New P(know) after one answer: Bayes' rule on the answer, then the learning transition.
 *
 * Monotonicity: the posterior after a correct answer is at least the one after a wrong answer
 * iff (1 − slip)(1 − guess) ≥ slip·guess, i.e. guess + slip ≤ 1 — guaranteed by BKT_BOUNDS —
 * and the learning step is increasing in its input, so the order survives it.
 */
export function bktUpdate(p: BktParams, pKnow: number, correct: boolean): number {
  const post = correct
    ? (pKnow * (1 - p.pSlip)) / (pKnow * (1 - p.pSlip) + (1 - pKnow) * p.pGuess)
    : (pKnow * p.pSlip) / (pKnow * p.pSlip + (1 - pKnow) * (1 - p.pGuess));
  return post + (1 - post) * p.pLearn;
}

export interface Mastery {
  /** P(know) before the next attempt, after all observed answers. */
  pKnow: number;
  observations: number;
  /**
   * In [0, 1], 1 = nothing known. The posterior P(know) is computed as if the skill's
   * parameters were exact, so after one or two answers it looks far more certain than it is.
   * We combine two parts, each in [0, 1]:
   *   evidence e = 1 / √(n + 1)               (1 with no answers, 0.5 after 3, 0.3 after 10)
   *   spread   h = 2 √(pKnow (1 − pKnow))      (1 at pKnow = 0.5, 0 at 0 or 1; the SD of the
   *                                             hidden know/not-know state, scaled to [0, 1])
   *   uncertainty = 1 − (1 − e)(1 − h)
   * i.e. "uncertain if either there is little evidence or the posterior sits near the middle".
   * It falls with more answers at a fixed pKnow and rises as pKnow moves towards 0.5. A
   * display and triage measure, not a calibrated probability.
   */
  uncertainty: number;
  state: 'not_enough_evidence' | 'learning' | 'mastered';
}

export interface MasteryOptions {
  /** P(know) at or above which the skill counts as mastered, default 0.95 (the usual BKT threshold). */
  masteredAt?: number;
  /** Fewer answers than this → 'not_enough_evidence' whatever pKnow is, default 3. */
  minObservations?: number;
}

/** Runs `bktUpdate` from pInit over the answers (oldest first) and classifies the result. */
export function masteryOf(p: BktParams, correctSeq: readonly BktAnswer[], options: MasteryOptions = {}): Mastery {
  let pKnow = p.pInit;
  for (const y of correctSeq) pKnow = bktUpdate(p, pKnow, Boolean(y));
  const n = correctSeq.length;
  return { pKnow, observations: n, ...classifyMastery(pKnow, n, options) };
}

/**
 * The state and uncertainty of a running posterior (what `masteryOf` computes at the end of a
 * sequence), for callers that update P(know) online and keep only it and the answer count.
 * See `Mastery.uncertainty` for the definition.
 */
export function classifyMastery(pKnow: number, observations: number, options: MasteryOptions = {}): Omit<Mastery, 'pKnow' | 'observations'> {
  const masteredAt = options.masteredAt ?? 0.95;
  const minObservations = options.minObservations ?? 3;
  const e = 1 / Math.sqrt(observations + 1);
  const h = 2 * Math.sqrt(Math.max(0, pKnow * (1 - pKnow)));
  const state = observations < minObservations ? 'not_enough_evidence' : pKnow >= masteredAt ? 'mastered' : 'learning';
  return { uncertainty: 1 - (1 - e) * (1 - h), state };
}
