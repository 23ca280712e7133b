import { describe, expect, it } from 'vitest';
import { auc } from '../stats/auc.js';
import { mulberry32 } from '../stats/random.js';
import {
  buildKtDesign,
  crossValidateDesign,
  emptyState,
  explainPrediction,
  FEATURE_GROUPS,
  fitLogisticKt,
  LOGISTIC_KT_VERSION,
  predictDesign,
  predictNext,
  skillMastery,
  updateState,
  type LogisticKtModel,
  type ResponseRow,
  type StudentState,
} from './logistic.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * A known logistic KT process (PFA on log counts): skill k has easiness BETA[k] and learns
 * GAMMA[k] per log-success and RHO[k] per log-failure; students differ a little in ability.
 */
const BETA = [-1.2, -0.5, 0.1, 0.7, 1.3];
const GAMMA = [0.2, 0.45, 0.7, 0.95, 1.2];
const RHO = [0.5, 0.1, -0.1, 0.3, 0.0];

function simulate(students: number, perStudent: number, seed: number, prefix = 's'): ResponseRow[] {
  const r = mulberry32(seed);
  const rows: ResponseRow[] = [];
  for (let st = 0; st < students; st++) {
    const ability = (r() - 0.5) * 0.6;
    const succ = BETA.map(() => 0);
    const fail = BETA.map(() => 0);
    let k = Math.floor(r() * BETA.length);
    for (let t = 0; t < perStudent; t++) {
      // Practice comes in short runs on one skill, as in skill-builder assignments.
      if (r() < 0.3) k = Math.floor(r() * BETA.length);
      const p = sigmoid(ability + BETA[k]! + GAMMA[k]! * Math.log1p(succ[k]!) + RHO[k]! * Math.log1p(fail[k]!));
      const correct = r() < p;
      if (correct) succ[k]!++;
      else fail[k]!++;
      rows.push({ student: `${prefix}${st}`, skills: [`K${k}`], correct });
    }
  }
  return rows;
}

/** Online predictions for rows in time order per student (state starts empty per student). */
function predictOnline(model: LogisticKtModel, rows: readonly ResponseRow[]): number[] {
  const states = new Map<string | number, StudentState>();
  return rows.map((row) => {
    let s = states.get(row.student);
    if (!s) states.set(row.student, (s = emptyState()));
    const p = predictNext(model, s, row);
    updateState(s, { item: row.item, skills: row.skills, correct: Boolean(row.correct) });
    return p;
  });
}

const labels = (rows: readonly ResponseRow[]) => rows.map((r) => (r.correct ? 1 : 0) as 0 | 1);
const logLoss = (y: number[], p: number[]) => -y.reduce((s, yi, i) => s + Math.log(yi ? p[i]! : 1 - p[i]!), 0) / y.length;

function ranks(xs: number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const out = new Array<number>(xs.length);
  order.forEach((i, r) => (out[i] = r));
  return out;
}

const train = simulate(400, 40, 11);
const heldOut = simulate(200, 40, 12, 'h');

describe('fitLogisticKt on a simulated PFA process', () => {
  const pfa = fitLogisticKt(train, { kind: 'pfa', l2: 1 });

  it('recovers the ordering of skill easiness and learning rates', () => {
    const w = pfa.weights;
    const beta = BETA.map((_, k) => w[`k:K${k}`] ?? 0);
    const gamma = GAMMA.map((_, k) => w[`k:K${k}:s`] ?? 0);
    expect(ranks(beta)).toEqual(ranks(BETA));
    expect(ranks(gamma)).toEqual(ranks(GAMMA));
    for (const g of gamma) expect(g).toBeGreaterThan(0);
    // The clearly non-zero failure effects keep their sign.
    expect(w['k:K0:f']).toBeGreaterThan(0.2);
    expect(w['k:K3:f']).toBeGreaterThan(0.1);
  });

  it('beats the per-skill success rate on held-out students', () => {
    const rate = new Map<string, [number, number]>();
    for (const r of train) {
      const t = rate.get(String(r.skills[0])) ?? [0, 0];
      t[0] += r.correct ? 1 : 0;
      t[1]++;
      rate.set(String(r.skills[0]), t);
    }
    const base = heldOut.map((r) => {
      const t = rate.get(String(r.skills[0]))!;
      return t[0] / t[1];
    });
    const y = labels(heldOut);
    const pPfa = predictOnline(pfa, heldOut);
    const best = fitLogisticKt(train, { kind: 'best-lr' });
    const pBest = predictOnline(best, heldOut);
    expect(auc(y, pPfa)).toBeGreaterThan(auc(y, base) + 0.03);
    expect(logLoss(y, pPfa)).toBeLessThan(logLoss(y, base));
    expect(auc(y, pBest)).toBeGreaterThan(auc(y, base) + 0.03);
  });

  it('predicts higher success after each correct answer on a skill that learns', () => {
    const s = emptyState();
    let prev = predictNext(pfa, s, { skills: ['K3'] });
    for (let i = 0; i < 6; i++) {
      updateState(s, { skills: ['K3'], correct: true });
      const p = predictNext(pfa, s, { skills: ['K3'] });
      expect(p).toBeGreaterThan(prev);
      prev = p;
    }
    expect(skillMastery(pfa, s, 'K3')).toEqual({ pCorrect: prev, attempts: 6 });
  });

  it('matches a hand computation of the PFA logit from the raw history', () => {
    const s = emptyState();
    const history: [string, boolean][] = [['K2', true], ['K2', false], ['K1', true], ['K2', true], ['K2', true]];
    for (const [k, c] of history) updateState(s, { skills: [k], correct: c });
    const w = pfa.weights;
    const z = w.bias! + w['k:K2']! + w['k:K2:s']! * Math.log1p(3) + w['k:K2:f']! * Math.log1p(1);
    expect(predictNext(pfa, s, { skills: ['K2'] })).toBeCloseTo(sigmoid(z), 12);
    // An unknown skill gets the global intercept (no shared history terms in plain PFA).
    expect(predictNext(pfa, s, { skills: ['never-seen'] })).toBeCloseTo(sigmoid(w.bias!), 12);
  });
});

describe('item ids', () => {
  it('learns item easiness within a skill and treats an unknown item as average', () => {
    const r = mulberry32(21);
    const rows: ResponseRow[] = [];
    for (let st = 0; st < 300; st++) {
      for (let t = 0; t < 12; t++) {
        const item = ['easy', 'mid', 'hard'][t % 3]!;
        const p = { easy: 0.9, mid: 0.6, hard: 0.25 }[item]!;
        rows.push({ student: st, item, skills: ['fractions'], correct: r() < p });
      }
    }
    const m = fitLogisticKt(rows, { kind: 'best-lr' });
    expect(m.weights['i:easy']!).toBeGreaterThan(m.weights['i:mid']!);
    expect(m.weights['i:mid']!).toBeGreaterThan(m.weights['i:hard']!);
    const s = emptyState();
    const pEasy = predictNext(m, s, { item: 'easy', skills: ['fractions'] });
    const pHard = predictNext(m, s, { item: 'hard', skills: ['fractions'] });
    const pNew = predictNext(m, s, { item: 'brand-new', skills: ['fractions'] });
    expect(pNew).toBeLessThan(pEasy);
    expect(pNew).toBeGreaterThan(pHard);
  });
});

describe('the optimiser', () => {
  it('reaches the closed-form optimum of per-skill intercepts', () => {
    // Skill one-hots only, negligible penalty: the MLE predicts each skill's success rate.
    const m = fitLogisticKt(train, { kind: 'pfa', features: { groups: ['skill'] }, l2: 1e-6, tolerance: 1e-12, epochs: 500 });
    for (let k = 0; k < BETA.length; k++) {
      const rows = train.filter((r) => r.skills[0] === `K${k}`);
      const rate = rows.filter((r) => r.correct).length / rows.length;
      expect(predictNext(m, emptyState(), { skills: [`K${k}`] })).toBeCloseTo(rate, 4);
    }
  });

  it('is deterministic', () => {
    const a = fitLogisticKt(train.slice(0, 3000), { kind: 'best-lr' });
    const b = fitLogisticKt(train.slice(0, 3000), { kind: 'best-lr' });
    expect(a).toEqual(b);
  });

  it('cross-validates by student and returns one out-of-fold prediction per row', () => {
    const d = buildKtDesign(train, { groups: ['skill', 'pfa'], windows: [] });
    const { predictions: p, weights } = crossValidateDesign(d, ['skill', 'pfa'], { l2: 1, folds: 4, seed: 3 });
    expect(p.length).toBe(train.length);
    expect(auc(d.y, p)).toBeGreaterThan(0.6);
    // A warm start changes the path, not the optimum (up to the stopping tolerance).
    const warm = crossValidateDesign(d, ['skill', 'pfa'], { l2: 1, folds: 4, seed: 3, init: weights });
    expect(auc(d.y, warm.predictions)).toBeCloseTo(auc(d.y, p), 4);
  });
});

describe('online state versus batch features', () => {
  // Items, multi-skill rows, interleaved students, odd ids: every feature group at once.
  function messyRows(seed: number): ResponseRow[] {
    const r = mulberry32(seed);
    const rows: ResponseRow[] = [];
    const skills = ['a', 'b', 'c:d', 'e>f', 7, '50%'];
    for (let t = 0; t < 1500; t++) {
      const n = 1 + Math.floor(r() * 2);
      const ks = Array.from({ length: n }, () => skills[Math.floor(r() * skills.length)]!);
      rows.push({ student: Math.floor(r() * 25), item: `q${Math.floor(r() * 40)}`, skills: ks, correct: r() < 0.6 });
    }
    return rows;
  }
  const rows = messyRows(5);
  const all = { groups: [...FEATURE_GROUPS], windows: [1, 2, 5, 16] };

  it('predictNext from the running state equals the design-matrix prediction', () => {
    const d = buildKtDesign(rows, all);
    // Random weights on every column, so that every feature has to line up.
    const r = mulberry32(9);
    const w = Float64Array.from(d.keys, () => r() - 0.5);
    const weights: Record<string, number> = {};
    d.keys.forEach((k, j) => (weights[k] = w[j]!));
    const model: LogisticKtModel = {
      kind: 'best-lr',
      weights,
      featureSpec: all,
      l2: 1,
      trainedOn: { responses: rows.length, students: d.nStudents },
      version: LOGISTIC_KT_VERSION,
    };
    const batch = predictDesign(d, w, Int32Array.from(rows, (_, i) => i));
    const online = predictOnline(model, rows);
    for (let i = 0; i < rows.length; i++) expect(online[i]).toBeCloseTo(batch[i]!, 12);
    // Ids holding the key separators stay distinct from their look-alikes.
    expect(d.keys).toContain('k:c%3Ad');
    expect(d.keys).toContain('k:e%3Ef');
    expect(d.keys).toContain('k:50%25');
  });

  it('state from replaying the history equals the incrementally updated state', () => {
    const inc = emptyState();
    const mine = rows.filter((x) => x.student === 3);
    for (const x of mine) updateState(inc, { item: x.item, skills: x.skills, correct: Boolean(x.correct) });
    const replay = mine.reduce((s, x) => updateState(s, { item: x.item, skills: x.skills, correct: Boolean(x.correct) }), emptyState());
    expect(replay).toEqual(inc);
    const last = mine.filter((x) => x.skills.includes('a'));
    expect(inc.skills.a!.n).toBe(last.length);
    expect(inc.skills.a!.s).toBe(last.filter((x) => x.correct).length);
  });

  it('window features count the last w attempts on the skill', () => {
    const m = fitLogisticKt(rows, { kind: 'best-lr', features: all });
    const s = emptyState();
    const seq = [true, false, true, true, false, true, true];
    for (const c of seq) updateState(s, { skills: ['a'], correct: c });
    const terms = new Map(explainPrediction(m, s, { skills: ['a'] }).map((t) => [t.feature, t.value]));
    expect(terms.get('kw2:s')).toBeCloseTo(Math.log1p(2), 12); // last two: t t
    expect(terms.get('kw5:s')).toBeCloseTo(Math.log1p(4), 12); // last five: t t f t t
    expect(terms.get('kw5:a')).toBeCloseTo(Math.log1p(5), 12);
    expect(terms.get('kw16:a')).toBeCloseTo(Math.log1p(7), 12); // fewer attempts than the window
    expect(terms.get('kw16:s')).toBeCloseTo(Math.log1p(5), 12);
    expect(terms.get('p:same1')).toBe(1);
    expect(terms.get('run')).toBeCloseTo(Math.log1p(7), 12);
  });
});

describe('serialisation and speed', () => {
  const model = fitLogisticKt(train, { kind: 'best-lr' });

  it('round-trips model and state through JSON', () => {
    const s = emptyState();
    for (const r of train.slice(0, 60)) updateState(s, { skills: r.skills, correct: Boolean(r.correct) });
    const m2 = JSON.parse(JSON.stringify(model)) as LogisticKtModel;
    const s2 = JSON.parse(JSON.stringify(s)) as StudentState;
    for (const k of ['K0', 'K1', 'K4', 'unknown']) {
      expect(predictNext(m2, s2, { skills: [k] })).toBe(predictNext(model, s, { skills: [k] }));
    }
    updateState(s, { skills: ['K2'], correct: false });
    updateState(s2, { skills: ['K2'], correct: false });
    expect(predictNext(m2, s2, { skills: ['K2'] })).toBe(predictNext(model, s, { skills: ['K2'] }));
    expect(s2).toEqual(s);
  });

  it('explains a prediction as terms that sum to its logit', () => {
    const s = emptyState();
    for (const r of train.slice(0, 30)) updateState(s, { skills: r.skills, correct: Boolean(r.correct) });
    const terms = explainPrediction(model, s, { skills: ['K1'] });
    const z = terms.reduce((a, t) => a + t.contribution, 0);
    expect(predictNext(model, s, { skills: ['K1'] })).toBeCloseTo(sigmoid(z), 12);
  });

  it('updates and predicts in well under a millisecond', () => {
    const s = emptyState();
    const t0 = performance.now();
    for (const r of train.slice(0, 5000)) {
      predictNext(model, s, r);
      updateState(s, { skills: r.skills, correct: Boolean(r.correct) });
    }
    expect((performance.now() - t0) / 5000).toBeLessThan(0.1);
  });
});
