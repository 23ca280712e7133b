/**
 * Logistic knowledge tracing: PFA (Pavlik, Cen, Koedinger 2009) and "Best-LR" (Gervet,
 * Koedinger, Schneider, Mitchell, "When is deep learning the best approach to knowledge
 * tracing?", JEDM 2020), with the extra history features that pay off on ASSISTments.
 *
 * Both are one sparse logistic regression, P(correct) = σ(Σ w_f x_f). For each response the
 * features describe the student's history up to (not including) that response — prior
 * successes and failures per knowledge point (skill) and overall, recent windows, the previous
 * outcome — plus item and skill easiness. The weights are readable ("one more success on skill
 * 12 adds 0.31 to the logit"; explainPrediction lists the terms), the fit takes seconds, and
 * the online update after a response only bumps a few counters, O(#skills of the item).
 *
 * Feature groups (FeatureGroup; each key below is one weight in `model.weights`):
 *   bias            'bias' — the global intercept (always on, not regularised).
 *   item            'i:<item>' item easiness, when the response carries an item id.
 *   skill           'k:<skill>' skill easiness.
 *   pfa             'k:<skill>:s', 'k:<skill>:f' — PFA on log(1+count): per-skill learning
 *                   from prior successes and from prior failures.
 *   pfa-linear      'k:<skill>:S', 'k:<skill>:F' — the same on raw counts (PFA as published).
 *   skill-counts    'kc:<skill>:a|s|f' — Best-LR's skill counts: per-skill weights on
 *                   log(1+attempts), log(1+successes), log(1+failures) on that skill.
 *   total-counts    't:a|s|f' — Best-LR's total counts: the same over all prior responses.
 *   item-counts     'ic:a|s' — log(1+prior attempts/successes) on this very item (repeats).
 *   skill-windows   'kw<w>:a|s' — log(1+attempts), log(1+successes) among the last w attempts
 *                   on the skill, w in featureSpec.windows (attempt windows: there are no
 *                   timestamps here, unlike DAS3H's time windows); weights shared by skills.
 *   total-windows   'tw<w>:a|s' — the same over the student's last w responses.
 *   prev            'p:same1|same0|diff1|diff0' — outcome of the previous response, split by
 *                   whether it shared a skill with this one.
 *   skill-prev      'kp:<skill>:same1|…' — the same with a weight per skill.
 *   pair            'q:<prev skill>><skill>:1|0' — previous response's skill → this skill,
 *                   × previous outcome: transfer between related knowledge points.
 *   pair2           'q2:<skill two back>><skill>:1|0' — the same one response further back.
 *   gated           '<prev cell>|<key>' — copies of the shared count/window terms with a
 *                   separate weight per prev cell (same1, …): how much the history matters
 *                   depends on whether the student just switched skill and how it went.
 *   rate            'r' — logit of the smoothed success rate (s+1)/(n+2) overall; 'rk' on the skill.
 *   run             'run' — log(1+length of the current run of responses on this skill).
 * Shared-weight skill features are averaged over the skills of a multi-skill item; per-skill
 * weights are summed, as in PFA. bench/kt.ts chose LOGISTIC_KT_FEATURES['best-lr'] by forward
 * selection on train folds (see its output for the ablation).
 *
 * A caveat on pair/pair2: datasets that expand a multi-skill item into several consecutive
 * rows with the same outcome (the ASSISTments 2009 DKVMN split does, and the published DKT/DKVMN
 * figures on it profit from this too) make these weights learn "copy the previous outcome
 * when skill A is followed by skill B". On such data part of their gain is that artefact, not
 * learning; on data with one row per answer they are plain transfer terms. The benchmark
 * reports the model with and without them.
 *
 * Unknown skills and items at prediction time have no weights (absent keys weigh 0): the
 * prediction falls back to the global intercept plus the shared history terms (overall counts,
 * windows, previous outcome), i.e. an item of average difficulty for this student.
 *
 * Ids: skill and item ids are used as String(id); an id containing ':', '>', '|' or '%' is
 * percent-encoded so that keys cannot collide.
 *
 * Fitting: L2-regularised logistic regression, full-batch L-BFGS on a compressed sparse row
 * matrix (deterministic, no learning rate to tune; seconds for 200k responses). The same
 * feature code feeds the batch fit and the online predictNext, so the two cannot drift.
 */

import { mulberry32 } from '../stats/random.js';

export interface ResponseRow {
  student: string | number;
  item?: string | number;
  skills: (string | number)[];
  correct: boolean | 0 | 1;
}

export type FeatureGroup =
  | 'item'
  | 'skill'
  | 'pfa'
  | 'pfa-linear'
  | 'skill-counts'
  | 'total-counts'
  | 'item-counts'
  | 'skill-windows'
  | 'total-windows'
  | 'prev'
  | 'skill-prev'
  | 'pair'
  | 'pair2'
  | 'gated'
  | 'rate'
  | 'run';

export const FEATURE_GROUPS: readonly FeatureGroup[] = [
  'item',
  'skill',
  'pfa',
  'pfa-linear',
  'skill-counts',
  'total-counts',
  'item-counts',
  'skill-windows',
  'total-windows',
  'prev',
  'skill-prev',
  'pair',
  'pair2',
  'gated',
  'rate',
  'run',
];

export interface FeatureSpec {
  groups: FeatureGroup[];
  /** Window lengths for skill-windows / total-windows; each ≤ KT_HISTORY_BITS. */
  windows: number[];
}

export type LogisticKtKind = 'pfa' | 'best-lr';

export interface LogisticKtModel {
  kind: LogisticKtKind;
  /** Weight per feature key (see the module comment); absent keys weigh 0. */
  weights: Record<string, number>;
  featureSpec: FeatureSpec;
  /** The L2 penalty the model was fitted with (sum-of-log-loss scale). */
  l2: number;
  /** Training-set size, for the record. */
  trainedOn: { responses: number; students: number };
  version: string;
}

export const LOGISTIC_KT_VERSION = 'logistic-kt/1';

/** Outcomes kept per skill and overall for the recent windows (bit 0 = most recent). */
export const KT_HISTORY_BITS = 16;
const HISTORY_MASK = (1 << KT_HISTORY_BITS) - 1;

/** Default L2 penalty per kind (chosen by 5-fold train CV on ASSISTments 2009, bench/kt.ts). */
export const LOGISTIC_KT_L2: Record<LogisticKtKind, number> = { pfa: 3, 'best-lr': 3 };

/**
 * Default feature sets. PFA's is PFA; Best-LR's is Gervet et al.'s Best-LR plus the groups
 * that 5-fold train CV on ASSISTments 2009 kept (bench/kt.ts, "best-lr+").
 */
export const LOGISTIC_KT_FEATURES: Record<LogisticKtKind, FeatureSpec> = {
  pfa: { groups: ['item', 'skill', 'pfa'], windows: [] },
  'best-lr': {
    groups: ['item', 'skill', 'skill-counts', 'total-counts', 'item-counts', 'skill-windows', 'total-windows', 'prev', 'pair', 'pair2'],
    windows: [1, 3, 10],
  },
};

// ---------------------------------------------------------------------------------------------
// Student state

/** Counters for one skill (or item): attempts, successes, recent outcomes as bits. */
export interface KtTally {
  n: number;
  s: number;
  /** Last KT_HISTORY_BITS outcomes, bit 0 = most recent; only the lowest min(n, KT_HISTORY_BITS) bits mean anything. */
  h: number;
}

/**
 * Everything the model needs to know about one student's past: a few numbers per skill and per
 * item answered. Plain JSON. O(#skills + #items seen) in size.
 */
export interface StudentState {
  n: number;
  s: number;
  h: number;
  skills: Record<string, KtTally>;
  items: Record<string, KtTally>;
  /** Skills of the previous response (null before the first). */
  last: string[] | null;
  lastCorrect: boolean;
  /** Skills and outcome of the response before the previous one. */
  last2: string[] | null;
  last2Correct: boolean;
  /** Consecutive responses so far sharing a skill with the previous one (≥ 1 once there is a previous response). */
  run: number;
}

export function emptyState(): StudentState {
  return { n: 0, s: 0, h: 0, skills: {}, items: {}, last: null, lastCorrect: false, last2: null, last2Correct: false, run: 0 };
}

function get(rec: Record<string, KtTally>, key: string): KtTally | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

function bump(t: KtTally, c: number): void {
  t.n++;
  t.s += c;
  t.h = ((t.h << 1) | c) & HISTORY_MASK;
}

function sharesSkill(a: readonly string[] | null, b: readonly string[]): boolean {
  if (!a) return false;
  for (const x of b) if (a.includes(x)) return true;
  return false;
}

/**
 * Records a marked response. Mutates `state` and returns it (O(#skills), microseconds);
 * structuredClone first if the previous state is still needed.
 */
export function updateState(
  state: StudentState,
  response: { item?: string | number; skills: (string | number)[]; correct: boolean | 0 | 1 },
): StudentState {
  const c = response.correct ? 1 : 0;
  const skills = uniqueKeys(response.skills);
  state.run = sharesSkill(state.last, skills) ? state.run + 1 : 1;
  bump(state, c);
  for (const k of skills) {
    let t = get(state.skills, k);
    if (!t) state.skills[k] = t = { n: 0, s: 0, h: 0 };
    bump(t, c);
  }
  if (response.item !== undefined) {
    const key = idKey(response.item);
    let t = get(state.items, key);
    if (!t) state.items[key] = t = { n: 0, s: 0, h: 0 };
    bump(t, c);
  }
  state.last2 = state.last;
  state.last2Correct = state.lastCorrect;
  state.last = skills;
  state.lastCorrect = c === 1;
  return state;
}

/** String(id), percent-encoded when it holds a character that the feature keys use as a separator. */
function idKey(id: string | number): string {
  const k = String(id);
  return /[:>|%]/.test(k) ? encodeURIComponent(k) : k;
}

function uniqueKeys(skills: readonly (string | number)[]): string[] {
  const out: string[] = [];
  for (const s of skills) {
    const k = idKey(s);
    if (!out.includes(k)) out.push(k);
  }
  return out;
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** log(1+attempts), log(1+successes) among the last w outcomes of a tally. */
function windowCounts(t: KtTally | undefined, w: number): [number, number] {
  if (!t || t.n === 0) return [0, 0];
  const m = Math.min(w, t.n);
  const s = popcount(t.h & ((1 << m) - 1));
  return [Math.log1p(m), Math.log1p(s)];
}

const logitRate = (s: number, n: number) => Math.log((s + 1) / (n - s + 1));

// ---------------------------------------------------------------------------------------------
// Features

type Emit = (group: FeatureGroup | 'bias', key: string, value: number) => void;

/**
 * Emits the features of `next` given the student's history `state`. The single source of truth
 * for batch fitting and online prediction.
 */
function emitFeatures(
  spec: FeatureSpec,
  has: ReadonlySet<FeatureGroup>,
  state: StudentState,
  next: { item?: string | number; skills: (string | number)[] },
  emit: Emit,
): void {
  emit('bias', 'bias', 1);
  const skills = uniqueKeys(next.skills);
  const inv = skills.length ? 1 / skills.length : 0;
  const item = next.item === undefined ? undefined : idKey(next.item);
  const same = sharesSkill(state.last, skills);
  const prevCell = state.last ? `${same ? 'same' : 'diff'}${state.lastCorrect ? 1 : 0}` : '';
  const emitShared: Emit =
    has.has('gated') && prevCell
      ? (g, key, v) => {
          emit(g, key, v);
          emit('gated', `${prevCell}|${key}`, v);
        }
      : emit;

  if (item !== undefined && has.has('item')) emit('item', `i:${item}`, 1);
  if (item !== undefined && has.has('item-counts')) {
    const t = get(state.items, item);
    if (t) {
      emit('item-counts', 'ic:a', Math.log1p(t.n));
      emit('item-counts', 'ic:s', Math.log1p(t.s));
    }
  }
  for (const k of skills) {
    const t = get(state.skills, k);
    const n = t?.n ?? 0;
    const s = t?.s ?? 0;
    if (has.has('skill')) emit('skill', `k:${k}`, 1);
    if (has.has('pfa')) {
      if (s) emit('pfa', `k:${k}:s`, Math.log1p(s));
      if (n - s) emit('pfa', `k:${k}:f`, Math.log1p(n - s));
    }
    if (has.has('pfa-linear')) {
      if (s) emit('pfa-linear', `k:${k}:S`, s);
      if (n - s) emit('pfa-linear', `k:${k}:F`, n - s);
    }
    if (has.has('skill-counts') && n) {
      emit('skill-counts', `kc:${k}:a`, Math.log1p(n));
      if (s) emit('skill-counts', `kc:${k}:s`, Math.log1p(s));
      if (n - s) emit('skill-counts', `kc:${k}:f`, Math.log1p(n - s));
    }
    if (has.has('skill-windows') && n) {
      for (const w of spec.windows) {
        const [a, sw] = windowCounts(t, w);
        emitShared('skill-windows', `kw${w}:a`, a * inv);
        if (sw) emitShared('skill-windows', `kw${w}:s`, sw * inv);
      }
    }
    if (has.has('skill-prev') && prevCell) emit('skill-prev', `kp:${k}:${prevCell}`, 1);
    if (has.has('pair') && state.last) {
      for (const p of state.last) emit('pair', `q:${p}>${k}:${state.lastCorrect ? 1 : 0}`, 1);
    }
    if (has.has('pair2') && state.last2) {
      for (const p of state.last2) emit('pair2', `q2:${p}>${k}:${state.last2Correct ? 1 : 0}`, 1);
    }
    if (has.has('rate')) emit('rate', 'rk', logitRate(s, n) * inv);
  }
  if (has.has('total-counts') && state.n) {
    emitShared('total-counts', 't:a', Math.log1p(state.n));
    if (state.s) emitShared('total-counts', 't:s', Math.log1p(state.s));
    if (state.n - state.s) emitShared('total-counts', 't:f', Math.log1p(state.n - state.s));
  }
  if (has.has('total-windows') && state.n) {
    for (const w of spec.windows) {
      const [a, sw] = windowCounts(state, w);
      emitShared('total-windows', `tw${w}:a`, a);
      if (sw) emitShared('total-windows', `tw${w}:s`, sw);
    }
  }
  if (has.has('prev') && prevCell) emit('prev', `p:${prevCell}`, 1);
  if (has.has('rate')) emit('rate', 'r', logitRate(state.s, state.n));
  if (has.has('run') && same) emitShared('run', 'run', Math.log1p(state.run));
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * The group set of a model's spec, built once per spec object (predictNext runs per answer).
 * Models are treated as immutable: edit a copy, not model.featureSpec in place.
 */
const groupSets = new WeakMap<FeatureSpec, ReadonlySet<FeatureGroup>>();
function groupSet(spec: FeatureSpec): ReadonlySet<FeatureGroup> {
  let set = groupSets.get(spec);
  if (!set) groupSets.set(spec, (set = new Set(spec.groups)));
  return set;
}

/** P(correct) of the student's next response. Does not change `state`. */
export function predictNext(
  model: LogisticKtModel,
  state: StudentState,
  next: { item?: string | number; skills: (string | number)[] },
): number {
  const w = model.weights;
  let z = 0;
  emitFeatures(model.featureSpec, groupSet(model.featureSpec), state, next, (_g, key, v) => {
    z += (w[key] ?? 0) * v;
  });
  return sigmoid(z);
}

/** The terms of predictNext's logit, largest first: what a teacher-facing "why" can show. */
export function explainPrediction(
  model: LogisticKtModel,
  state: StudentState,
  next: { item?: string | number; skills: (string | number)[] },
): { feature: string; value: number; weight: number; contribution: number }[] {
  const out: { feature: string; value: number; weight: number; contribution: number }[] = [];
  emitFeatures(model.featureSpec, groupSet(model.featureSpec), state, next, (_g, key, value) => {
    const weight = model.weights[key] ?? 0;
    out.push({ feature: key, value, weight, contribution: weight * value });
  });
  return out.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
}

/**
 * Mastery of one skill now: the predicted success on an item of average difficulty for the
 * skill (no item id, so no item term) if it were asked next, and the attempts behind it.
 */
export function skillMastery(
  model: LogisticKtModel,
  state: StudentState,
  skill: string | number,
): { pCorrect: number; attempts: number } {
  return { pCorrect: predictNext(model, state, { skills: [skill] }), attempts: get(state.skills, idKey(skill))?.n ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// Design matrix

/**
 * The features of every row (from the student's own earlier rows) as a sparse matrix, with
 * one column per feature key. Built once; fits and cross-validation select columns by group.
 */
export interface KtDesign {
  spec: FeatureSpec;
  keys: string[];
  /** Feature group of each column ('bias' for the intercept). */
  groups: (FeatureGroup | 'bias')[];
  rowPtr: Int32Array;
  col: Int32Array;
  val: Float64Array;
  y: Uint8Array;
  /** Dense student index of each row. */
  student: Int32Array;
  nStudents: number;
}

class Grow<T extends Int32Array | Float64Array> {
  len = 0;
  constructor(
    public buf: T,
    private make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.len === this.buf.length) {
      const b = this.make(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.len++] = v;
  }
  done(): T {
    return this.buf.subarray(0, this.len) as T;
  }
}

export function buildKtDesign(rows: readonly ResponseRow[], spec: FeatureSpec): KtDesign {
  checkSpec(spec);
  const has = new Set(spec.groups);
  const colOf = new Map<string, number>();
  const keys: string[] = [];
  const groups: (FeatureGroup | 'bias')[] = [];
  const col = new Grow(new Int32Array(1 << 16), (n) => new Int32Array(n));
  const val = new Grow(new Float64Array(1 << 16), (n) => new Float64Array(n));
  const rowPtr = new Int32Array(rows.length + 1);
  const y = new Uint8Array(rows.length);
  const student = new Int32Array(rows.length);
  const states = new Map<string | number, { id: number; state: StudentState }>();
  const emit: Emit = (g, key, v) => {
    let j = colOf.get(key);
    if (j === undefined) {
      j = keys.length;
      colOf.set(key, j);
      keys.push(key);
      groups.push(g);
    }
    col.push(j);
    val.push(v);
  };
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    let st = states.get(r.student);
    if (!st) states.set(r.student, (st = { id: states.size, state: emptyState() }));
    student[i] = st.id;
    emitFeatures(spec, has, st.state, r, emit);
    rowPtr[i + 1] = col.len;
    y[i] = r.correct ? 1 : 0;
    updateState(st.state, { item: r.item, skills: r.skills, correct: r.correct });
  }
  return { spec, keys, groups, rowPtr, col: col.done(), val: val.done(), y, student, nStudents: states.size };
}

function checkSpec(spec: FeatureSpec): void {
  for (const g of spec.groups) if (!FEATURE_GROUPS.includes(g)) throw new RangeError(`unknown feature group "${g}"`);
  for (const w of spec.windows) {
    if (!Number.isInteger(w) || w < 1 || w > KT_HISTORY_BITS) throw new RangeError(`window ${w} not in 1..${KT_HISTORY_BITS}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Fitting: L2 logistic regression by L-BFGS

export interface LogisticFitOptions {
  /** L2 penalty on every weight but the intercept, on the summed log-loss. Default 1 (fitLogisticKt: LOGISTIC_KT_L2). */
  l2?: number;
  /** Maximum L-BFGS iterations (each one or a few passes over the data). Default 200. */
  epochs?: number;
  /** Stop when an iteration improves the loss by less than this fraction. Default 1e-6. */
  tolerance?: number;
}

/** Compact CSR of selected rows and columns. */
interface Csr {
  rowPtr: Int32Array;
  col: Int32Array;
  val: Float64Array;
  y: Uint8Array;
  nCols: number;
}

function selectCsr(d: KtDesign, rowIdx: Int32Array, colMap: Int32Array, nCols: number): Csr {
  // One pass into arrays sized for the selected rows' full length, then trimmed; locals rather
  // than property loads in the loop (this runs once per fold over ~10⁷ entries).
  const dPtr = d.rowPtr;
  const dCol = d.col;
  const dVal = d.val;
  let bound = 0;
  for (let r = 0; r < rowIdx.length; r++) bound += dPtr[rowIdx[r]! + 1]! - dPtr[rowIdx[r]!]!;
  const rowPtr = new Int32Array(rowIdx.length + 1);
  const col = new Int32Array(bound);
  const val = new Float64Array(bound);
  const y = new Uint8Array(rowIdx.length);
  let q = 0;
  for (let r = 0; r < rowIdx.length; r++) {
    const i = rowIdx[r]!;
    const end = dPtr[i + 1]!;
    for (let p = dPtr[i]!; p < end; p++) {
      const j = colMap[dCol[p]!]!;
      if (j >= 0) {
        col[q] = j;
        val[q++] = dVal[p]!;
      }
    }
    rowPtr[r + 1] = q;
    y[r] = d.y[i]!;
  }
  return { rowPtr, col: col.subarray(0, q), val: val.subarray(0, q), y, nCols };
}

/** Summed log-loss + ½·Σ pen_j·w_j² and its gradient. */
function lossGrad(m: Csr, w: Float64Array, pen: Float64Array, g: Float64Array): number {
  g.fill(0);
  let f = 0;
  const { rowPtr, col, val, y } = m;
  for (let i = 0; i < y.length; i++) {
    const a = rowPtr[i]!;
    const b = rowPtr[i + 1]!;
    let z = 0;
    for (let p = a; p < b; p++) z += w[col[p]!]! * val[p]!;
    // log(1+e^z) − y·z and σ(z) − y from one exponential, without overflow.
    const e = Math.exp(-Math.abs(z));
    f += (z > 0 ? z : 0) + Math.log1p(e) - (y[i]! ? z : 0);
    const r = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - y[i]!;
    for (let p = a; p < b; p++) g[col[p]!] += r * val[p]!;
  }
  for (let j = 0; j < w.length; j++) {
    f += 0.5 * pen[j]! * w[j]! * w[j]!;
    g[j] += pen[j]! * w[j]!;
  }
  return f;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/**
 * L-BFGS (memory 10) with a backtracking Armijo line search. The objective is smooth and
 * strictly convex (L2 > 0), so this converges to the unique optimum from w = 0 or from any
 * warm start; no randomness involved.
 */
function lbfgs(m: Csr, pen: Float64Array, maxIter: number, tol: number, init?: Float64Array): Float64Array {
  const n = m.nCols;
  const M = 10;
  let w: Float64Array = init ?? new Float64Array(n);
  let g = new Float64Array(n);
  let f = lossGrad(m, w, pen, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(M);
  let wNew: Float64Array = new Float64Array(n);
  let gNew = new Float64Array(n);
  for (let it = 0; it < maxIter; it++) {
    // Two-loop recursion: d = −H·g.
    for (let j = 0; j < n; j++) d[j] = -g[j]!;
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k]! * dot(S[k]!, d);
      const yk = Y[k]!;
      for (let j = 0; j < n; j++) d[j] -= alpha[k]! * yk[j]!;
    }
    if (S.length) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let j = 0; j < n; j++) d[j] *= gamma;
    }
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k]! * dot(Y[k]!, d);
      const sk = S[k]!;
      for (let j = 0; j < n; j++) d[j] += (alpha[k]! - beta) * sk[j]!;
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let j = 0; j < n; j++) d[j] = -g[j]!;
      slope = dot(g, d);
    }
    let step = S.length ? 1 : 1 / Math.max(1, Math.sqrt(-slope));
    let fNew = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let j = 0; j < n; j++) wNew[j] = w[j]! + step * d[j]!;
      fNew = lossGrad(m, wNew, pen, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < f)) break; // no progress possible at machine precision
    const s = new Float64Array(n);
    const yv = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = wNew[j]! - w[j]!;
      yv[j] = gNew[j]! - g[j]!;
    }
    const sy = dot(s, yv);
    if (sy > 1e-12) {
      if (S.length === M) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
    }
    const improvement = f - fNew;
    [w, wNew] = [wNew, w];
    [g, gNew] = [gNew, g];
    f = fNew;
    if (improvement < tol * Math.max(1, Math.abs(f))) break;
  }
  return w;
}

/** Design column → compact column (−1 when its group is off), compact → design, and the intercept. */
function activeColumns(d: KtDesign, groups: readonly FeatureGroup[]): { colMap: Int32Array; back: Int32Array; free: number } {
  const active = new Set<FeatureGroup | 'bias'>(['bias', ...groups]);
  const colMap = new Int32Array(d.keys.length).fill(-1);
  const back: number[] = [];
  for (let j = 0; j < d.keys.length; j++) {
    if (active.has(d.groups[j]!)) {
      colMap[j] = back.length;
      back.push(j);
    }
  }
  return { colMap, back: Int32Array.from(back), free: colMap[d.keys.indexOf('bias')]! };
}

/**
 * Some rows of a compact matrix; runs of consecutive rows (a student's) are copied as blocks,
 * into `buf` (at least m's size) when given: reusing one buffer across folds spares the
 * garbage collector ~100 MB per fold.
 */
function csrRows(m: Csr, rowIdx: Int32Array, buf?: { col: Int32Array; val: Float64Array }): Csr {
  let nnz = 0;
  for (let r = 0; r < rowIdx.length; r++) nnz += m.rowPtr[rowIdx[r]! + 1]! - m.rowPtr[rowIdx[r]!]!;
  const rowPtr = new Int32Array(rowIdx.length + 1);
  const col = buf ? buf.col.subarray(0, nnz) : new Int32Array(nnz);
  const val = buf ? buf.val.subarray(0, nnz) : new Float64Array(nnz);
  const y = new Uint8Array(rowIdx.length);
  let q = 0;
  for (let r = 0; r < rowIdx.length; ) {
    let e = r + 1;
    while (e < rowIdx.length && rowIdx[e] === rowIdx[e - 1]! + 1) e++;
    const from = m.rowPtr[rowIdx[r]!]!;
    const to = m.rowPtr[rowIdx[e - 1]! + 1]!;
    col.set(m.col.subarray(from, to), q);
    val.set(m.val.subarray(from, to), q);
    for (let k = r; k < e; k++) {
      rowPtr[k + 1] = q + m.rowPtr[rowIdx[k]! + 1]! - from;
      y[k] = m.y[rowIdx[k]!]!;
    }
    q += to - from;
    r = e;
  }
  return { rowPtr, col, val, y, nCols: m.nCols };
}

/**
 * L2 logistic regression on a compact matrix; `init` (compact columns) warm-starts. Scales
 * m.val in place, so `m` must be a private copy.
 */
function fitCsr(m: Csr, free: number, options: LogisticFitOptions, init?: Float64Array): Float64Array {
  const l2 = options.l2 ?? 1;
  // Diagonal preconditioning: solve for u_j = s_j·w_j with s_j ≈ √(Hessian diagonal at w = 0)
  // = √(¼·Σ_i x_ij² + λ). Same optimum, but rare one-hot columns and large count columns no
  // longer differ in curvature by orders of magnitude, which L-BFGS would pay for in iterations.
  const { col, val } = m;
  const scale = new Float64Array(m.nCols);
  for (let p = 0; p < col.length; p++) scale[col[p]!] += 0.25 * val[p]! * val[p]!;
  const pen = new Float64Array(m.nCols);
  for (let j = 0; j < m.nCols; j++) {
    const reg = j === free ? 0 : l2;
    scale[j] = Math.sqrt(scale[j]! + reg) || 1;
    pen[j] = reg / (scale[j]! * scale[j]!);
  }
  for (let p = 0; p < col.length; p++) val[p]! /= scale[col[p]!]!;
  const u0 = init ? Float64Array.from(init, (w, j) => w * scale[j]!) : undefined;
  const u = lbfgs(m, pen, options.epochs ?? 200, options.tolerance ?? 1e-6, u0);
  for (let j = 0; j < u.length; j++) u[j]! /= scale[j]!;
  return u;
}

/**
 * Fits the weights of the columns whose group is in `groups` on the rows `rowIdx` of a design
 * (all rows when omitted); `init` (one weight per design column) warm-starts the optimiser.
 * Returns one weight per design column (0 for unused columns).
 */
export function fitDesign(
  d: KtDesign,
  groups: readonly FeatureGroup[],
  options: LogisticFitOptions & { init?: Float64Array } = {},
  rowIdx?: Int32Array,
): Float64Array {
  const { colMap, back, free } = activeColumns(d, groups);
  const m = selectCsr(d, rowIdx ?? allRows(d.y.length), colMap, back.length);
  const w = fitCsr(m, free, options, options.init && Float64Array.from(back, (j) => options.init![j]!));
  const out = new Float64Array(d.keys.length);
  for (let c = 0; c < back.length; c++) out[back[c]!] = w[c]!;
  return out;
}

function allRows(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** σ(x·w) of design rows. */
export function predictDesign(d: KtDesign, w: Float64Array, rowIdx: ArrayLike<number>): Float64Array {
  const { rowPtr, col, val } = d;
  const out = new Float64Array(rowIdx.length);
  for (let r = 0; r < rowIdx.length; r++) {
    const i = rowIdx[r]!;
    const end = rowPtr[i + 1]!;
    let z = 0;
    for (let p = rowPtr[i]!; p < end; p++) z += w[col[p]!]! * val[p]!;
    out[r] = sigmoid(z);
  }
  return out;
}

/**
 * K-fold cross-validation by student (seeded shuffle of students, fold = position mod K):
 * out-of-fold P(correct) for every row. Folds hold whole students, as a test split does.
 * Each fold's fit is warm-started from the previous fold's weights (the first from `init`,
 * e.g. the `weights` of a neighbouring feature set or λ); `weights` returned are the last
 * fold's, for the next warm start.
 */
export function crossValidateDesign(
  d: KtDesign,
  groups: readonly FeatureGroup[],
  options: LogisticFitOptions & { folds?: number; seed?: number; init?: Float64Array } = {},
): { predictions: Float64Array; weights: Float64Array } {
  const k = options.folds ?? 5;
  const fold = studentFolds(d.nStudents, k, options.seed ?? 1);
  const { colMap, back, free } = activeColumns(d, groups);
  // Select the columns once; each fold then only copies row blocks.
  const all = selectCsr(d, allRows(d.y.length), colMap, back.length);
  const buf = { col: new Int32Array(all.col.length), val: new Float64Array(all.val.length) };
  const predictions = new Float64Array(d.y.length);
  let w: Float64Array | undefined = options.init ? Float64Array.from(back, (j) => options.init![j]!) : undefined;
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    for (let i = 0; i < d.y.length; i++) if (fold[d.student[i]!] !== f) train.push(i);
    w = fitCsr(csrRows(all, Int32Array.from(train), buf), free, options, w);
    for (let i = 0; i < d.y.length; i++) {
      if (fold[d.student[i]!] !== f) continue;
      let z = 0;
      for (let p = all.rowPtr[i]!; p < all.rowPtr[i + 1]!; p++) z += w[all.col[p]!]! * all.val[p]!;
      predictions[i] = sigmoid(z);
    }
  }
  const weights = new Float64Array(d.keys.length);
  for (let c = 0; c < back.length; c++) weights[back[c]!] = w![c]!;
  return { predictions, weights };
}

/** Fold of each student: a seeded Fisher–Yates shuffle, then position mod k (sizes differ by ≤ 1). */
function studentFolds(nStudents: number, k: number, seed: number): Int32Array {
  const rand = mulberry32(seed);
  const order = Array.from({ length: nStudents }, (_, i) => i);
  for (let i = nStudents - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const fold = new Int32Array(nStudents);
  order.forEach((s, pos) => (fold[s] = pos % k));
  return fold;
}

/** Packs design weights into a model (zero weights dropped: absent keys weigh 0). */
export function modelFromDesign(
  d: KtDesign,
  w: Float64Array,
  kind: LogisticKtKind,
  groups: readonly FeatureGroup[],
  l2: number,
): LogisticKtModel {
  const weights: Record<string, number> = {};
  for (let j = 0; j < d.keys.length; j++) if (w[j] !== 0) weights[d.keys[j]!] = w[j]!;
  return {
    kind,
    weights,
    featureSpec: { groups: [...groups], windows: [...d.spec.windows] },
    l2,
    trainedOn: { responses: d.y.length, students: d.nStudents },
    version: LOGISTIC_KT_VERSION,
  };
}

/**
 * Fits a PFA or Best-LR model on responses in time order per student (students may
 * interleave). Deterministic (full-batch L-BFGS from zero, so there is no seed); the feature
 * set and λ default to LOGISTIC_KT_FEATURES[kind] and LOGISTIC_KT_L2[kind].
 */
export function fitLogisticKt(
  rows: readonly ResponseRow[],
  options: LogisticFitOptions & { kind?: LogisticKtKind; features?: Partial<FeatureSpec> } = {},
): LogisticKtModel {
  const kind = options.kind ?? 'best-lr';
  const base = LOGISTIC_KT_FEATURES[kind];
  const spec: FeatureSpec = {
    groups: [...(options.features?.groups ?? base.groups)],
    windows: [...(options.features?.windows ?? base.windows)],
  };
  const l2 = options.l2 ?? LOGISTIC_KT_L2[kind];
  const d = buildKtDesign(rows, spec);
  const w = fitDesign(d, spec.groups, { ...options, l2 });
  return modelFromDesign(d, w, kind, spec.groups, l2);
}
