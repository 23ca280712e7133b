import { describe, expect, it } from 'vitest';
import { pearson } from '../stats/agreement.js';
import { mulberry32 } from '../stats/random.js';
import { estimateAbility, fitIrt, irtProbability, type IrtFit } from './irt.js';

function normal(r: () => number): number {
  // Box–Muller; 1 − r() avoids log(0).
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

interface Sim {
  thetas: number[];
  a: number[];
  b: number[];
  responses: { person: string; item: string; correct: boolean }[];
}

/** Persons θ ~ N(0, 1); b evenly spread over [−2, 2]; a uniform in [0.6, 2] for 2PL, else 1. */
function simulate(persons: number, items: number, twoPl: boolean, seed: number, answerShare = 1): Sim {
  const r = mulberry32(seed);
  const thetas = Array.from({ length: persons }, () => normal(r));
  const b = Array.from({ length: items }, (_, i) => -2 + (4 * i) / (items - 1));
  const a = Array.from({ length: items }, () => (twoPl ? 0.6 + 1.4 * r() : 1));
  const responses: Sim['responses'] = [];
  for (let p = 0; p < persons; p++) {
    for (let i = 0; i < items; i++) {
      if (answerShare < 1 && r() >= answerShare) continue;
      responses.push({ person: `p${p}`, item: `i${i}`, correct: r() < irtProbability(thetas[p]!, a[i]!, b[i]!) });
    }
  }
  return { thetas, a, b, responses };
}

function timedFit(sim: Sim, model: 'rasch' | '2pl', label: string): IrtFit {
  const t0 = performance.now();
  const fit = fitIrt(sim.responses, { model });
  const ms = performance.now() - t0;
  console.log(`${label}: ${ms.toFixed(0)} ms, ${fit.iterations} EM iterations, converged ${fit.converged}`);
  // Loose guard only (shared CI machines): a few hundred ms when idle.
  expect(ms).toBeLessThan(15000);
  return fit;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

function report(label: string, sim: Sim, fit: IrtFit) {
  // Items come back in first-seen order; line the truth up by id ("i<k>").
  const trueB = fit.items.map((it) => sim.b[Number(it.id.slice(1))]!);
  const trueA = fit.items.map((it) => sim.a[Number(it.id.slice(1))]!);
  const bHat = fit.items.map((it) => it.b);
  const aHat = fit.items.map((it) => it.a);
  const maeB = mean(bHat.map((x, i) => Math.abs(x - trueB[i]!)));
  const maeA = mean(aHat.map((x, i) => Math.abs(x - trueA[i]!)));
  const coverB = mean(fit.items.map((it, i) => (Math.abs(it.b - trueB[i]!) < 2 * it.seB! ? 1 : 0)));
  const coverA =
    fit.model === '2pl' ? mean(fit.items.map((it, i) => (Math.abs(it.a - trueA[i]!) < 2 * it.seA! ? 1 : 0))) : NaN;
  const rTheta = pearson(
    fit.persons.map((p) => p.theta),
    fit.persons.map((p) => sim.thetas[Number(p.id.slice(1))]!),
  );
  const stats = {
    rB: pearson(bHat, trueB),
    rA: fit.model === '2pl' ? pearson(aHat, trueA) : NaN,
    maeB,
    maeA,
    coverB,
    coverA,
    rTheta,
    meanSeB: mean(fit.items.map((it) => it.seB!)),
    latentSd: fit.latentSd,
  };
  console.log(label, Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, Number(v.toFixed(3))])));
  return stats;
}

describe('fitIrt — Rasch', () => {
  it('recovers difficulties of 1,000 persons × 30 items (r > 0.97, MAE < 0.15, 2·SE covers ≥ 85%)', () => {
    const sim = simulate(1000, 30, false, 101);
    const fit = timedFit(sim, 'rasch', 'Rasch 1000×30');
    const s = report('Rasch 1000×30', sim, fit);
    expect(fit.converged).toBe(true);
    expect(fit.items.every((it) => it.a === 1 && it.seA === null)).toBe(true);
    expect(s.rB).toBeGreaterThan(0.97);
    expect(s.maeB).toBeLessThan(0.15);
    expect(s.coverB).toBeGreaterThanOrEqual(0.85);
    // SEs of the right size: for ~1,000 responses per item, about 0.07–0.12.
    expect(s.meanSeB).toBeGreaterThan(0.05);
    expect(s.meanSeB).toBeLessThan(0.15);
    expect(Math.abs(fit.latentSd - 1)).toBeLessThan(0.1);
    expect(s.rTheta).toBeGreaterThan(0.85);
    expect(fit.persons).toHaveLength(1000);
  });

  it('puts the scale into the latent SD when abilities are more spread out', () => {
    // θ ~ N(0, 2²): with a fixed at 1, σ must come out near 2 and b stay on the θ scale.
    const r = mulberry32(5);
    const b = Array.from({ length: 20 }, (_, i) => -3 + (6 * i) / 19);
    const responses: { person: string; item: string; correct: boolean }[] = [];
    for (let p = 0; p < 1500; p++) {
      const th = 2 * normal(r);
      for (let i = 0; i < 20; i++) responses.push({ person: `p${p}`, item: `i${i}`, correct: r() < irtProbability(th, 1, b[i]!) });
    }
    const fit = fitIrt(responses);
    expect(Math.abs(fit.latentSd - 2)).toBeLessThan(0.15);
    expect(mean(fit.items.map((it, i) => Math.abs(it.b - b[i]!)))).toBeLessThan(0.15);
  });

  it('still recovers when each person answers a random 50% of the items', () => {
    const sim = simulate(1000, 30, false, 202, 0.5);
    const fit = timedFit(sim, 'rasch', 'Rasch 1000×30, 50% sparse');
    const s = report('Rasch sparse', sim, fit);
    expect(s.rB).toBeGreaterThan(0.97);
    expect(s.maeB).toBeLessThan(0.2);
    expect(s.coverB).toBeGreaterThanOrEqual(0.85);
    expect(fit.items.every((it) => it.n > 400 && it.n < 600)).toBe(true);
  });

  it('has item fit near 1 for model-conforming data and flags a misfitting item', () => {
    const sim = simulate(1000, 30, false, 303);
    // Replace item i15's answers by coin flips: it measures nothing, so its residuals are noise.
    const r = mulberry32(8);
    const responses = sim.responses.map((x) => (x.item === 'i15' ? { ...x, correct: r() < 0.5 } : x));
    const fit = fitIrt(responses);
    const others = fit.items.filter((it) => it.id !== 'i15');
    const bad = fit.items.find((it) => it.id === 'i15')!;
    // Conforming items sit a little below 1 (the EAP abilities were estimated from the same
    // answers, so residuals are slightly too small); the coin-flip item stands out.
    for (const it of others) {
      expect(it.infit).toBeGreaterThan(0.8);
      expect(it.infit).toBeLessThan(1.1);
      expect(it.outfit).toBeGreaterThan(0.75);
      expect(it.outfit).toBeLessThan(1.1);
    }
    expect(bad.infit).toBeGreaterThan(1.1);
    expect(bad.outfit).toBeGreaterThan(1.15);
    expect(bad.infit - Math.max(...others.map((it) => it.infit))).toBeGreaterThan(0.1);
  });
});

describe('fitIrt — 2PL', () => {
  it('recovers a and b of 1,000 persons × 30 items (r_b > 0.97, MAE a < 0.2, MAE b < 0.2)', () => {
    const sim = simulate(1000, 30, true, 404);
    const fit = timedFit(sim, '2pl', '2PL 1000×30');
    const s = report('2PL 1000×30', sim, fit);
    expect(fit.converged).toBe(true);
    expect(fit.latentSd).toBe(1);
    expect(s.rB).toBeGreaterThan(0.97);
    expect(pearson(fit.items.map((it) => it.a), sim.a)).toBeGreaterThan(0.9);
    expect(s.maeA).toBeLessThan(0.2);
    expect(s.maeB).toBeLessThan(0.2);
    expect(s.coverB).toBeGreaterThanOrEqual(0.85);
    expect(s.coverA).toBeGreaterThanOrEqual(0.85);
  });

  it('still recovers when each person answers a random 50% of the items', () => {
    const sim = simulate(1000, 30, true, 505, 0.5);
    const fit = timedFit(sim, '2pl', '2PL 1000×30, 50% sparse');
    const s = report('2PL sparse', sim, fit);
    expect(s.rB).toBeGreaterThan(0.97);
    expect(s.maeA).toBeLessThan(0.25);
    expect(s.maeB).toBeLessThan(0.25);
    expect(s.coverB).toBeGreaterThanOrEqual(0.85);
  });

  it('item-block SEs are a little smaller than full-matrix ones; priors can be switched off', () => {
    const sim = simulate(1000, 30, true, 404);
    const full = fitIrt(sim.responses, { model: '2pl' });
    const blocks = fitIrt(sim.responses, { model: '2pl', seMethod: 'item-blocks' });
    expect(full.seMethod).toBe('full');
    expect(blocks.seMethod).toBe('item-blocks');
    full.items.forEach((it, i) => {
      const bl = blocks.items[i]!;
      expect(bl.b).toBe(it.b); // same estimates, only the SEs differ
      expect(bl.seB! / it.seB!).toBeGreaterThan(0.7);
      expect(bl.seB! / it.seB!).toBeLessThanOrEqual(1 + 1e-9);
      expect(bl.seA! / it.seA!).toBeGreaterThan(0.7);
      expect(bl.seA! / it.seA!).toBeLessThanOrEqual(1 + 1e-9);
    });
    // With 1,000 persons the weak priors matter little on average (most for hard, flat items,
    // whose b is least determined).
    const free = fitIrt(sim.responses, { model: '2pl', priorA: null, priorB: null });
    const diffA = free.items.map((it, i) => Math.abs(it.a - full.items[i]!.a));
    const diffB = free.items.map((it, i) => Math.abs(it.b - full.items[i]!.b));
    console.log(`prior effect: mean |Δa| ${mean(diffA).toFixed(3)}, mean |Δb| ${mean(diffB).toFixed(3)}, max |Δb| ${Math.max(...diffB).toFixed(3)}`);
    expect(mean(diffA)).toBeLessThan(0.05);
    expect(mean(diffB)).toBeLessThan(0.05);
    // Without priors the fit is pure ML, so its likelihood can only be higher.
    expect(free.logLik).toBeGreaterThanOrEqual(full.logLik - 1e-3);
  });

  it('beats Rasch in likelihood on 2PL data, and Rasch misfit shows in infit', () => {
    const sim = simulate(1000, 30, true, 606);
    const two = fitIrt(sim.responses, { model: '2pl' });
    const one = fitIrt(sim.responses, { model: 'rasch' });
    // 29 extra parameters; a real difference in discrimination gives far more than 29 log-lik units.
    expect(two.logLik - one.logLik).toBeGreaterThan(50);
    // Under Rasch, the most discriminating items look "too predictable" (infit < 1) and the least "noisy" (> 1).
    const order = sim.a.map((x, i) => [x, i] as const).sort((x, y) => x[0] - y[0]);
    const lowA = one.items[order[0]![1]]!;
    const highA = one.items[order[order.length - 1]![1]]!;
    expect(lowA.infit).toBeGreaterThan(highA.infit);
  });
});

describe('fitIrt — edge cases', () => {
  it('keeps items everyone got right (or wrong) finite, and small samples stable', () => {
    const sim = simulate(60, 8, true, 707);
    const responses = sim.responses
      .filter((x) => x.item !== 'i0' && x.item !== 'i7')
      .concat(Array.from({ length: 60 }, (_, p) => ({ person: `p${p}`, item: 'easy', correct: true })))
      .concat(Array.from({ length: 60 }, (_, p) => ({ person: `p${p}`, item: 'hard', correct: false })));
    for (const model of ['rasch', '2pl'] as const) {
      const fit = fitIrt(responses, { model });
      for (const it of fit.items) {
        expect(Number.isFinite(it.a) && Number.isFinite(it.b)).toBe(true);
        expect(it.a).toBeGreaterThan(0);
      }
      const easy = fit.items.find((it) => it.id === 'easy')!;
      const hard = fit.items.find((it) => it.id === 'hard')!;
      expect(easy.pValue).toBe(1);
      expect(easy.b).toBeLessThan(-2);
      expect(hard.b).toBeGreaterThan(2);
    }
  });

  it('counts a repeated (person, item) pair once, with its first answer', () => {
    const base = [
      { person: 'x', item: 'q1', correct: 1 as const },
      { person: 'y', item: 'q1', correct: 0 as const },
      { person: 'x', item: 'q2', correct: 0 as const },
      { person: 'y', item: 'q2', correct: 1 as const },
    ];
    const fit = fitIrt([...base, { person: 'x', item: 'q1', correct: 0 }]);
    const q1 = fit.items.find((it) => it.id === 'q1')!;
    expect(q1.n).toBe(2);
    expect(q1.pValue).toBe(0.5);
  });

  it('returns an empty fit for no responses and rejects bad options', () => {
    expect(fitIrt([]).items).toEqual([]);
    expect(() => fitIrt([{ person: 'a', item: 'b', correct: 1 }], { quadraturePoints: 2 })).toThrow(RangeError);
    expect(() => fitIrt([{ person: 'a', item: 'b', correct: 1 }], { priorB: { mean: 0, sd: 0 } })).toThrow(RangeError);
    expect(() => fitIrt([{ person: 'a', item: 'b', correct: 1 }], { model: '3pl' as 'rasch' })).toThrow(RangeError);
  });

  it('is deterministic and independent of response order', () => {
    const sim = simulate(200, 10, true, 808);
    const shuffled = sim.responses.slice().reverse();
    const f1 = fitIrt(sim.responses, { model: '2pl' });
    const f2 = fitIrt(shuffled, { model: '2pl' });
    const byId = new Map(f2.items.map((it) => [it.id, it]));
    for (const it of f1.items) {
      expect(byId.get(it.id)!.a).toBeCloseTo(it.a, 6);
      expect(byId.get(it.id)!.b).toBeCloseTo(it.b, 6);
    }
    expect(fitIrt(sim.responses, { model: '2pl' })).toEqual(f1);
  });
});

describe('estimateAbility', () => {
  it('matches the EAP abilities of a fit', () => {
    const sim = simulate(300, 15, true, 909);
    const fit = fitIrt(sim.responses, { model: '2pl' });
    const items = new Map(fit.items.map((it) => [it.id, it]));
    for (const person of fit.persons.slice(0, 20)) {
      const answered = sim.responses
        .filter((x) => x.person === person.id)
        .map((x) => ({ a: items.get(x.item)!.a, b: items.get(x.item)!.b, correct: x.correct }));
      const est = estimateAbility(answered);
      expect(est.theta).toBeCloseTo(person.theta, 8);
      expect(est.se).toBeCloseTo(person.se, 8);
    }
  });

  it('is monotone in the answers and shrinks its SE with more items', () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ a: 1.2, b: -2 + (4 * i) / 19 }));
    let prev = -Infinity;
    for (let k = 0; k <= 20; k++) {
      // The k easiest right, the rest wrong: more right answers → higher ability.
      const est = estimateAbility(items.map((it, i) => ({ ...it, correct: i < k })));
      expect(est.theta).toBeGreaterThan(prev);
      prev = est.theta;
    }
    const none = estimateAbility([]);
    expect(none.theta).toBeCloseTo(0, 10);
    expect(none.se).toBeCloseTo(1, 2);
    const few = estimateAbility(items.slice(0, 5).map((it) => ({ ...it, correct: true })));
    const many = estimateAbility(items.map((it, i) => ({ ...it, correct: i % 2 === 0 })));
    expect(many.se).toBeLessThan(few.se);
    expect(estimateAbility([{ a: 1, b: 0, correct: true }], { priorMean: 1, priorSd: 0.5 }).theta).toBeGreaterThan(1);
  });

  it('irtProbability is the logistic curve', () => {
    expect(irtProbability(0, 1, 0)).toBe(0.5);
    expect(irtProbability(1, 2, 0.5)).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(irtProbability(-1, 1, 0)).toBeLessThan(irtProbability(1, 1, 0));
  });
});
