/**
 * Mathematical-answer marking benchmark: `npm run bench -- math-equiv [--data FILE] [--no-ce]`.
 *
 * Data: bench/data/math-equiv.jsonl (or --data FILE, same shape), one labelled pair per line:
 *   {"expected": LaTeX, "answer": LaTeX or plain text, "equivalent": bool,
 *    "options"?: MathOptions, "category"?: string, "note"?: string}
 * "equivalent" means "deserves full credit" under the options (so with requireSimplified an
 * unsimplified answer is labelled false). Labels were written by hand, not from the engine.
 *
 * Engine (judgeMath): accuracy of `correct === equivalent`, false accepts (credit given to a
 * non-equivalent answer, the costly error) and false rejects, p50/p99 time per judgement
 * measured on the first pass over the data after warming up on other inputs (the parse cache
 * does not help), accuracy per category, verdict counts. Misjudged pairs go to stderr.
 * Baselines measured in the same run:
 *  - string-baseline: equality after removing whitespace;
 *  - ce-isEqual: the compute engine's own route on the normalised input, `isEqual`, falling
 *    back to `simplify(A−B) = 0` (ignores tolerance, units and requireSimplified); --no-ce skips it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ComputeEngine } from '@cortex-js/compute-engine';
import { judgeMath, normaliseMathInput, type MathOptions } from '../packages/engine/src/index.js';
import { report, type BenchArgs } from './run.js';

const SUITE = 'math-equiv';

interface Pair {
  expected: string;
  answer: string;
  equivalent: boolean;
  options?: MathOptions;
  category?: string;
  note?: string;
}

function load(file: string): Pair[] {
  const pairs: Pair[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      const p = JSON.parse(line) as Pair;
      if (typeof p.expected !== 'string' || typeof p.answer !== 'string' || typeof p.equivalent !== 'boolean') {
        throw new Error(`${file}:${i + 1}: needs expected, answer (strings) and equivalent (boolean)`);
      }
      pairs.push(p);
    });
  return pairs;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : 0;
};

/** Warm-up inputs that do not occur in the data set, so the timed pass starts with a cold cache. */
function warmUp(): void {
  for (let i = 0; i < 60; i++) {
    const k = i + 11;
    judgeMath(`\\frac{${k}}{7}x^2-${k}x+1`, `${k}/7x^2-${k}x+1`);
    judgeMath(`x_1=${k}, x_2=-${k + 1}`, `x=${k}或x=${k + 1}`);
    judgeMath(`x>${k}`, `${k}<x`);
    judgeMath(`y=${k}x+1`, `y-${k}x=1`);
    judgeMath(`(${k},-${k})`, `(${k}, ${k})`);
    judgeMath(`${k}`, `${k}cm`, { unit: 'cm' });
  }
}

function ceBaseline(pairs: Pair[]): { accuracy: number; p50: number; p99: number } {
  const ce = new ComputeEngine();
  let right = 0;
  const times: number[] = [];
  for (const p of pairs) {
    const t = performance.now();
    let eq = false;
    try {
      const a = normaliseMathInput(p.expected, { unit: p.options?.unit });
      const b = normaliseMathInput(p.answer, { unit: p.options?.unit });
      const r = b.trim() ? ce.parse(a).isEqual(ce.parse(b)) : false;
      eq = r ?? ce.parse(`\\left(${a}\\right)-\\left(${b}\\right)`).simplify().is(0);
    } catch {
      eq = false;
    }
    times.push(performance.now() - t);
    if (eq === p.equivalent) right++;
  }
  return { accuracy: right / pairs.length, p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

export default async function run(args: BenchArgs): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const file = args.data ?? join(here, 'data', 'math-equiv.jsonl');
  const pairs = load(file);
  if (!pairs.length) throw new Error(`${file}: no pairs`);

  warmUp();
  const times: number[] = [];
  const verdicts = new Map<string, number>();
  const perCat = new Map<string, { n: number; ok: number }>();
  let right = 0;
  let falseAccept = 0;
  let falseReject = 0;
  for (const p of pairs) {
    const t = performance.now();
    const j = judgeMath(p.expected, p.answer, p.options);
    times.push(performance.now() - t);
    const predicted = j.correct || (j.verdict === 'not_simplified' && !p.options?.requireSimplified);
    const ok = predicted === p.equivalent;
    verdicts.set(j.verdict, (verdicts.get(j.verdict) ?? 0) + 1);
    const cat = perCat.get(p.category ?? 'all') ?? { n: 0, ok: 0 };
    cat.n++;
    if (ok) {
      cat.ok++;
      right++;
    } else {
      if (predicted) falseAccept++;
      else falseReject++;
      console.error(
        `MISJUDGED expected=${JSON.stringify(p.expected)} answer=${JSON.stringify(p.answer)} label=${p.equivalent} ` +
          `verdict=${j.verdict} confidence=${j.confidence} options=${JSON.stringify(p.options ?? {})} normalised=${JSON.stringify(j.normalised ?? '')}`,
      );
    }
    perCat.set(p.category ?? 'all', cat);
  }
  const n = pairs.length;
  const negatives = pairs.filter((p) => !p.equivalent).length;
  report(SUITE, {
    pairs: n,
    non_equivalent: negatives,
    accuracy: right / n,
    false_accept: falseAccept,
    false_reject: falseReject,
    p50_ms: quantile(times, 0.5),
    p99_ms: quantile(times, 0.99),
    max_ms: Math.max(...times),
  });

  const baseline = pairs.filter((p) => p.answer.replace(/\s+/g, '') === p.expected.replace(/\s+/g, '') === p.equivalent).length;
  report(SUITE, { engine: 'string-baseline', accuracy: baseline / n });

  if (!args.argv.includes('--no-ce')) {
    const ce = ceBaseline(pairs);
    report(SUITE, { engine: 'ce-isEqual', accuracy: ce.accuracy, p50_ms: ce.p50, p99_ms: ce.p99 });
  }

  for (const [category, c] of [...perCat].sort((a, b) => a[0].localeCompare(b[0]))) {
    report(SUITE, { category, pairs: c.n, accuracy: c.ok / c.n });
  }
  report(SUITE, Object.fromEntries([...verdicts].sort((a, b) => b[1] - a[1]).map(([k, v]) => [`verdict_${k}`, v])));
}
