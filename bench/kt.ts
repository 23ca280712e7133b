/**
 * Knowledge-tracing benchmark: `npm run bench -- kt [--data DIR] [--no-cv]`.
 *
 * Data: DIR holds one `*_train.csv` and one `*_test.csv`, three lines per student (number of
 * responses; comma-separated skill ids in time order; comma-separated 0/1 correctness) — the
 * format of the public DKT/DKVMN splits. Default: ../shared/data/assist2009-dkvmn beside the
 * repository (ASSISTments 2009 "updated", DKVMN split; its SOURCE.md has the published
 * figures, printed here as `BENCH kt published …`). No data → `BENCH kt skipped=data-absent`.
 *
 * Protocol (the DKVMN one): parameters come from the train file only; every response of the
 * test file is predicted from that student's earlier test responses (state starts empty), and
 * AUC/RMSE are computed over all test responses pooled. Items are only skills in these files.
 *
 * Model selection uses the train file only: 5-fold cross-validation by student (seeded).
 *   - PFA: log(1+count) vs raw counts, then λ ∈ {1, 3, 10}.
 *   - Best-LR (Gervet et al. 2020: skill easiness, skill and total counts), λ ∈ {1, 3, 10}.
 *   - Best-LR+: forward selection from Best-LR at λ = 3, one feature group at a time; a group
 *     is kept when it raises CV AUC by at least MIN_GAIN = 0.001; then λ on the result.
 * Each step prints `BENCH kt cv …`. The chosen settings are then fitted on the whole train
 * file once and evaluated on the test file once. `--no-cv` skips selection and uses the
 * library defaults (LOGISTIC_KT_FEATURES, which record the outcome of this selection).
 *
 * Models: `mean` (train success rate: AUC 0.5 by construction), `skill-mean` (per-skill train
 * success rate), `bkt` (per-skill BKT by EM, kt/bkt.ts), `pfa`, `best-lr`, `best-lr+`, and
 * `best-lr+nopair` = best-lr+ without the previous-skill → skill groups (pair, pair2), to show
 * how much of the figure comes from consecutive rows of one multi-skill item (see logistic.ts).
 *
 * Each model is fitted and tested in a fresh child process so that one model's memory does not
 * hide another's. base_mb: the child's RSS after loading the data (and a GC), just before the
 * fit. peak_mb: the child's RSS high-water mark during the fit — on Linux the kernel's VmHWM,
 * reset after loading (/proc/self/clear_refs), so it is base plus what the fit added at its
 * peak (peak_scope=fit); elsewhere process.resourceUsage().maxRSS since the child started,
 * which includes parsing the files (peak_scope=process). fit_s includes building the features.
 * online_us: mean wall time of one predictNext + updateState step over the test responses.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  auc,
  bktPredict,
  bktUpdate,
  buildKtDesign,
  crossValidateDesign,
  LOGISTIC_KT_FEATURES,
  LOGISTIC_KT_L2,
  emptyState,
  fitBktBySkill,
  fitLogisticKt,
  predictNext,
  updateState,
  type BktParams,
  type FeatureGroup,
  type ResponseRow,
} from '../packages/engine/src/index.js';
import { report, type BenchArgs } from './run.js';

const SUITE = 'kt';
const here = dirname(fileURLToPath(import.meta.url));
const DEFAULT_DATA = join(here, '..', '..', 'shared', 'data', 'assist2009-dkvmn');
const LAMBDAS = [1, 3, 10];
const CHAIN_L2 = 3;
/**
 * A feature group must add this much CV AUC to be kept: about five times the run-to-run
 * wobble of the CV figure from the optimiser's stopping point (±0.0002 seen with warm starts).
 */
const MIN_GAIN = 0.001;
/** CV fits stop at a looser tolerance (warm-started, the AUC agrees to 4 decimals); final fits use the default. */
const CV_TOL = 1e-5;

// ---------------------------------------------------------------------------------------------
// Data

interface Split {
  dir: string;
  train: ResponseRow[];
  test: ResponseRow[];
  trainStudents: number;
  testStudents: number;
}

function findSplit(dir: string): { train: string; test: string } | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir);
  const train = files.filter((f) => f.endsWith('_train.csv'));
  const test = files.filter((f) => f.endsWith('_test.csv'));
  if (train.length !== 1 || test.length !== 1) return undefined;
  return { train: join(dir, train[0]!), test: join(dir, test[0]!) };
}

/** Three lines per student; student ids are `prefix:index` so train and test never collide. */
function parseTriples(file: string, prefix: string): { rows: ResponseRow[]; students: number } {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length % 3 !== 0) throw new Error(`${basename(file)}: ${lines.length} lines, not a multiple of 3`);
  const rows: ResponseRow[] = [];
  for (let i = 0; i < lines.length; i += 3) {
    const n = Number(lines[i]);
    const skills = lines[i + 1]!.split(',').filter((x) => x !== '');
    const correct = lines[i + 2]!.split(',').filter((x) => x !== '');
    if (skills.length !== n || correct.length !== n) {
      const got = `${skills.length}/${correct.length}`;
      throw new Error(`${basename(file)}: student at line ${i + 1} declares ${n} responses, has ${got}`);
    }
    const student = `${prefix}:${i / 3}`;
    for (let t = 0; t < n; t++) rows.push({ student, skills: [skills[t]!], correct: correct[t] === '1' });
  }
  return { rows, students: lines.length / 3 };
}

function loadSplit(dir: string): Split | undefined {
  const f = findSplit(dir);
  if (!f) return undefined;
  const train = parseTriples(f.train, 'train');
  const test = parseTriples(f.test, 'test');
  return { dir, train: train.rows, test: test.rows, trainStudents: train.students, testStudents: test.students };
}

/** `NAME 0.xyz` pairs from the "Published …" paragraph of SOURCE.md, when there is one. */
function publishedFigures(dir: string): { model: string; auc: number }[] {
  const file = join(dir, 'SOURCE.md');
  if (!existsSync(file)) return [];
  const para = /Published[^\n]*(?:\n(?!\s*-|\s*$)[^\n]*)*/.exec(readFileSync(file, 'utf8'));
  if (!para) return [];
  const pairs = para[0].matchAll(/\b([A-Z][A-Za-z0-9+-]*)\s+(0\.\d+)/g);
  return [...pairs].map((m) => ({ model: m[1]!.toLowerCase(), auc: Number(m[2]) }));
}

// ---------------------------------------------------------------------------------------------
// Metrics

function rmseOf(y: ArrayLike<number | boolean>, p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += ((y[i] ? 1 : 0) - p[i]!) ** 2;
  return Math.sqrt(s / p.length);
}

const labelsOf = (rows: readonly ResponseRow[]) => Uint8Array.from(rows, (r) => (r.correct ? 1 : 0));

// ---------------------------------------------------------------------------------------------
// Model selection on train folds

interface LogisticChoice {
  groups: FeatureGroup[];
  windows: number[];
  l2: number;
}

interface Choices {
  pfa: LogisticChoice;
  'best-lr': LogisticChoice;
  'best-lr+': LogisticChoice;
}

const BEST_LR_BASE: FeatureGroup[] = ['item', 'skill', 'skill-counts', 'total-counts', 'item-counts'];
/** λ of the plain Best-LR under --no-cv (what the CV picked on ASSISTments 2009). */
const BEST_LR_BASE_L2 = 3;
/** Candidate additions for Best-LR+, in the order tried. */
const CHAIN: { name: string; groups: FeatureGroup[] }[] = [
  { name: 'windows', groups: ['skill-windows', 'total-windows'] },
  { name: 'prev', groups: ['prev'] },
  { name: 'pair', groups: ['pair'] },
  { name: 'pair2', groups: ['pair2'] },
  { name: 'gated', groups: ['gated'] },
  { name: 'run', groups: ['run'] },
  { name: 'rate', groups: ['rate'] },
  { name: 'skill-prev', groups: ['skill-prev'] },
  { name: 'pfa', groups: ['pfa'] },
];
const WINDOWS = [1, 3, 10];

function selectModels(train: ResponseRow[]): Choices {
  const t0 = performance.now();
  const all = new Set<FeatureGroup>(['pfa-linear', ...BEST_LR_BASE]);
  for (const c of CHAIN) for (const g of c.groups) all.add(g);
  const d = buildKtDesign(train, { groups: [...all], windows: WINDOWS });
  report(`${SUITE} cv`, {
    phase: 'design',
    rows: d.y.length,
    columns: d.keys.length,
    nonzeros: d.col.length,
    build_s: (performance.now() - t0) / 1000,
  });

  // Every CV run warm-starts from the weights of the previous one (columns it did not use start
  // at 0): same optima, far fewer L-BFGS iterations than starting each from zero.
  let warm: Float64Array | undefined;
  const cv = (model: string, note: Record<string, string>, groups: FeatureGroup[], l2: number) => {
    const t = performance.now();
    const run = crossValidateDesign(d, groups, { l2, tolerance: CV_TOL, folds: 5, seed: 1, init: warm });
    const pred = run.predictions;
    warm = run.weights;
    const a = auc(d.y, pred);
    report(`${SUITE} cv`, {
      model,
      ...note,
      features: groups.join('+'),
      l2,
      cv_auc: a.toFixed(4),
      cv_rmse: rmseOf(d.y, pred).toFixed(4),
      cv_s: (performance.now() - t) / 1000,
    });
    return a;
  };
  const bestLambda = (model: string, groups: FeatureGroup[], known: [number, number][]) => {
    const scores = new Map(known);
    for (const l2 of LAMBDAS) if (!scores.has(l2)) scores.set(l2, cv(model, { step: 'lambda' }, groups, l2));
    return [...scores].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  };

  // PFA: Pavlik's raw counts or log(1+count).
  const pfaLog: FeatureGroup[] = ['item', 'skill', 'pfa'];
  const pfaLin: FeatureGroup[] = ['item', 'skill', 'pfa-linear'];
  const aLog = cv('pfa', { step: 'counts' }, pfaLog, 1);
  const aLin = cv('pfa', { step: 'counts' }, pfaLin, 1);
  const pfaGroups = aLog >= aLin ? pfaLog : pfaLin;
  const pfaL2 = bestLambda('pfa', pfaGroups, [[1, Math.max(aLog, aLin)]]);

  // Best-LR as in Gervet et al.
  const baseAt: [number, number][] = [];
  for (const l2 of LAMBDAS) baseAt.push([l2, cv('best-lr', { step: 'lambda' }, BEST_LR_BASE, l2)]);
  const baseL2 = bestLambda('best-lr', BEST_LR_BASE, baseAt);

  // Best-LR+: forward selection at a fixed λ, then λ.
  let groups = [...BEST_LR_BASE];
  let score = baseAt.find(([l2]) => l2 === CHAIN_L2)![1];
  for (const step of CHAIN) {
    const trial = [...groups, ...step.groups];
    const a = cv('best-lr+', { step: `+${step.name}` }, trial, CHAIN_L2);
    const keep = a - score >= MIN_GAIN;
    const gain = (a - score).toFixed(4);
    report(`${SUITE} cv`, { model: 'best-lr+', step: `+${step.name}`, gain, kept: keep ? 'yes' : 'no' });
    if (keep) {
      groups = trial;
      score = a;
    }
  }
  const plusL2 = bestLambda('best-lr+', groups, [[CHAIN_L2, score]]);
  const defaults = LOGISTIC_KT_FEATURES['best-lr'];
  const same =
    plusL2 === LOGISTIC_KT_L2['best-lr'] &&
    groups.length === defaults.groups.length &&
    groups.every((g) => defaults.groups.includes(g));
  report(`${SUITE} cv`, {
    phase: 'total',
    cv_s: (performance.now() - t0) / 1000,
    selected: groups.join('+'),
    l2: plusL2,
    matches_library_default: same ? 'yes' : 'no',
  });
  return {
    pfa: { groups: pfaGroups, windows: [], l2: pfaL2 },
    'best-lr': { groups: BEST_LR_BASE, windows: [], l2: baseL2 },
    'best-lr+': { groups, windows: WINDOWS, l2: plusL2 },
  };
}

function defaultChoices(): Choices {
  return {
    pfa: { groups: [...LOGISTIC_KT_FEATURES.pfa.groups], windows: [], l2: LOGISTIC_KT_L2.pfa },
    'best-lr': { groups: BEST_LR_BASE, windows: [], l2: BEST_LR_BASE_L2 },
    'best-lr+': {
      groups: [...LOGISTIC_KT_FEATURES['best-lr'].groups],
      windows: [...LOGISTIC_KT_FEATURES['best-lr'].windows],
      l2: LOGISTIC_KT_L2['best-lr'],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// One model, fitted and tested in its own process

type ModelName = 'mean' | 'skill-mean' | 'bkt' | 'pfa' | 'best-lr' | 'best-lr+' | 'best-lr+nopair';
const MODELS: ModelName[] = ['mean', 'skill-mean', 'bkt', 'pfa', 'best-lr', 'best-lr+', 'best-lr+nopair'];
const PAIR_GROUPS: readonly FeatureGroup[] = ['pair', 'pair2'];

/** A predictor over one test student's responses, in order: predict, then observe. */
interface Online {
  predict(r: ResponseRow): number;
  observe(r: ResponseRow): void;
}

function fitModel(name: ModelName, train: ResponseRow[], choice?: LogisticChoice): (student: string | number) => Online {
  const mean = train.reduce((s, r) => s + (r.correct ? 1 : 0), 0) / train.length;
  switch (name) {
    case 'mean':
      return () => ({ predict: () => mean, observe: () => {} });
    case 'skill-mean': {
      const tally = new Map<string, [number, number]>();
      for (const r of train) {
        for (const k of r.skills) {
          const t = tally.get(String(k)) ?? [0, 0];
          t[0]++;
          t[1] += r.correct ? 1 : 0;
          tally.set(String(k), t);
        }
      }
      const rate = (k: string | number) => {
        const t = tally.get(String(k));
        return t ? t[1] / t[0] : mean;
      };
      return () => ({ predict: (r) => avg(r.skills.map(rate)), observe: () => {} });
    }
    case 'bkt': {
      const flat = train.flatMap((r) => r.skills.map((skill) => ({ student: r.student, skill, correct: r.correct })));
      const params = fitBktBySkill(flat);
      // Skills unseen in training: the train mean, and no update (there is no model for them).
      return () => {
        const pKnow = new Map<string, number>();
        const know = (k: string, p: BktParams) => pKnow.get(k) ?? p.pInit;
        return {
          predict: (r) =>
            avg(
              r.skills.map((s) => {
                const p = params.get(String(s));
                return p ? bktPredict(p, know(String(s), p)) : mean;
              }),
            ),
          observe: (r) => {
            for (const s of r.skills) {
              const p = params.get(String(s));
              if (p) pKnow.set(String(s), bktUpdate(p, know(String(s), p), Boolean(r.correct)));
            }
          },
        };
      };
    }
    default: {
      const c = choice!;
      const model = fitLogisticKt(train, {
        kind: name === 'pfa' ? 'pfa' : 'best-lr',
        features: { groups: c.groups, windows: c.windows },
        l2: c.l2,
      });
      return () => {
        const state = emptyState();
        return {
          predict: (r) => predictNext(model, state, r),
          observe: (r) => void updateState(state, r),
        };
      };
    }
  }
}

function avg(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Resets the kernel's RSS high-water mark of this process (Linux ≥ 4.0); false where unsupported. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** RSS high-water mark in bytes: VmHWM where /proc exists, else maxRSS. */
function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s*kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

function runOne(dir: string, name: ModelName, choice?: LogisticChoice): void {
  const split = loadSplit(dir)!;
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  const scope = resetPeakRss() ? 'fit' : 'process';
  const t0 = performance.now();
  const start = fitModel(name, split.train, choice);
  const fitS = (performance.now() - t0) / 1000;
  const peak = peakRss();

  const pred = new Float64Array(split.test.length);
  let online = 0;
  let current: string | number | undefined;
  let student: Online | undefined;
  for (let i = 0; i < split.test.length; i++) {
    const r = split.test[i]!;
    if (r.student !== current) {
      current = r.student;
      student = start(r.student);
    }
    const t = performance.now();
    pred[i] = student!.predict(r);
    student!.observe(r);
    online += performance.now() - t;
  }
  const y = labelsOf(split.test);
  report(SUITE, {
    model: name,
    auc: auc(y, pred).toFixed(4),
    rmse: rmseOf(y, pred).toFixed(4),
    fit_s: fitS,
    peak_mb: peak / 2 ** 20,
    base_mb: base / 2 ** 20,
    peak_scope: scope,
    online_us: (online * 1000) / split.test.length,
    ...(choice ? { features: choice.groups.join('+'), l2: choice.l2 } : {}),
  });
}

function spawnOne(dir: string, name: ModelName, choice?: LogisticChoice): void {
  const args = [...process.execArgv, '--expose-gc', join(here, 'run.ts'), SUITE, '--data', dir, '--single', name];
  if (choice) args.push('--choice', JSON.stringify(choice));
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) report(SUITE, { model: name, error: `exit-${r.status ?? r.signal}` });
}

// ---------------------------------------------------------------------------------------------

export default function kt(args: BenchArgs): void {
  const dir = resolve(args.data ?? DEFAULT_DATA);
  const flag = (f: string) => {
    const i = args.argv.indexOf(f);
    return i >= 0 ? args.argv[i + 1] : undefined;
  };
  const single = flag('--single') as ModelName | undefined;
  if (single) {
    const choice = flag('--choice');
    runOne(dir, single, choice ? (JSON.parse(choice) as LogisticChoice) : undefined);
    return;
  }

  const split = findSplit(dir) ? loadSplit(dir) : undefined;
  if (!split) {
    report(SUITE, { skipped: 'data-absent', path: dir });
    return;
  }
  const skills = new Set(split.train.flatMap((r) => r.skills.map(String)));
  report(SUITE, {
    data: basename(dir),
    train_students: split.trainStudents,
    train_responses: split.train.length,
    test_students: split.testStudents,
    test_responses: split.test.length,
    skills: skills.size,
    train_mean: split.train.reduce((s, r) => s + (r.correct ? 1 : 0), 0) / split.train.length,
  });
  for (const p of publishedFigures(dir)) report(`${SUITE} published`, { model: p.model, auc: p.auc });

  const choices = args.argv.includes('--no-cv') ? defaultChoices() : selectModels(split.train);
  split.train.length = split.test.length = 0; // the children load their own copy
  for (const name of MODELS) {
    let choice: LogisticChoice | undefined;
    if (name === 'pfa' || name === 'best-lr' || name === 'best-lr+') choice = choices[name];
    if (name === 'best-lr+nopair') {
      const plus = choices['best-lr+'];
      choice = { ...plus, groups: plus.groups.filter((g) => !PAIR_GROUPS.includes(g)) };
    }
    spawnOne(dir, name, choice);
  }
}
