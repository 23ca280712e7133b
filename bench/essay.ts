/**
 * Essay scoring benchmark: `npm run bench -- essay [--data FILE] [--prompt N] [--hash-bits B]`
 * (--prompt: one essay_set only; --hash-bits: the model's hashed text dimensions, default 12).
 *
 * Data: ASAP-AES (the Hewlett Foundation's Automated Student Assessment Prize essays: 8
 * prompts, grades 7–10, English), file training_set_rel3.tsv in ../shared/data/asap-aes next to
 * the repository (see its SOURCE.md), or --data FILE with the same shape: a header row and
 * tab-separated columns essay_id, essay_set, essay, domain1_score (rater1_domain1 and
 * rater2_domain1 are used when present). Fields may be double-quoted with "" for a quote. The
 * file is decoded as UTF-8 when it is valid UTF-8, else as windows-1252 (the official ASAP file
 * is windows-1252/latin-1). Without a file the suite prints `skipped=data-absent` and exits 0.
 *
 * Split, fixed and documented: per prompt (essay_set), essays sorted by numeric essay_id;
 * every 5th (0-based positions 4, 9, 14, …) is test, the rest train (80/20). The model is
 * `trainEssayModel` on the train part with one dimension, domain1_score, whose range is the
 * train part's min–max; no prompt text, no language model. It is scored on the test part.
 *
 * Reported per prompt: train/test sizes, QWK of the model on the test part, QWK of a
 * length-only baseline (least-squares line on the word count, rounded and clipped, fitted on
 * the same train part), the model's own cross-validated QWK on the train part, rater 1 vs
 * rater 2 QWK on the test part (human agreement, when those columns exist), the share of test
 * essays the model flags for review, and training time. Then the means over prompts
 * (arithmetic), next to the published human agreement on ASAP (≈ 0.75 mean rater-1/rater-2 QWK,
 * Shermis & Hamner 2012) and the project's target of 0.75.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quadraticWeightedKappa, scoreEssay, trainEssayModel, type EssayFlag } from '../packages/engine/src/index.js';
import { report, type BenchArgs } from './run.js';

const SUITE = 'essay';
const EXPECTED = '../shared/data/asap-aes/training_set_rel3.tsv';
const TARGET_QWK = 0.75;
const PUBLISHED_HUMAN_QWK = 0.75;
const REVIEW_FLAGS: readonly EssayFlag[] = ['too_short', 'too_long', 'out_of_distribution', 'off_topic', 'language_mismatch'];

interface Essay {
  id: number;
  set: string;
  text: string;
  score: number;
  rater1: number | null;
  rater2: number | null;
}

function decode(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return new TextDecoder('windows-1252').decode(buf);
  }
}

/** Tab-separated rows; a field that starts with " runs to the next lone " ("" is a quote). */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field = '';
    if (text[i] === '"') {
      i++;
      while (i < n) {
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      while (i < n && text[i] !== '\t' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
    } else {
      const start = i;
      while (i < n && text[i] !== '\t' && text[i] !== '\n' && text[i] !== '\r') i++;
      field = text.slice(start, i);
    }
    row.push(field);
    if (text[i] === '\t') {
      i++;
      if (i === n) row.push('');
      continue;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
  }
  return rows;
}

function readEssays(file: string): Essay[] {
  const rows = parseTsv(decode(readFileSync(file)));
  const header = (rows.shift() ?? []).map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const [cId, cSet, cText, cScore, cR1, cR2] = ['essay_id', 'essay_set', 'essay', 'domain1_score', 'rater1_domain1', 'rater2_domain1'].map(col);
  if ([cId, cSet, cText, cScore].some((c) => c! < 0)) {
    throw new Error(`${file}: needs columns essay_id, essay_set, essay, domain1_score (found ${header.join(', ')})`);
  }
  const num = (s: string | undefined) => (s === undefined || s.trim() === '' ? null : Number(s));
  const essays: Essay[] = [];
  for (const r of rows) {
    const id = num(r[cId!]);
    const score = num(r[cScore!]);
    if (id === null || score === null || !Number.isFinite(id) || !Number.isFinite(score)) continue;
    essays.push({
      id,
      set: (r[cSet!] ?? '').trim(),
      text: r[cText!] ?? '',
      score: Math.round(score),
      rater1: cR1! >= 0 ? num(r[cR1!]) : null,
      rater2: cR2! >= 0 ? num(r[cR2!]) : null,
    });
  }
  return essays;
}

/** Least-squares line score ≈ a + b·words, rounded and clipped to [min, max]. */
function lengthBaseline(train: Essay[], min: number, max: number): (e: Essay) => number {
  const words = (e: Essay) => e.text.split(/\s+/).filter(Boolean).length;
  const xs = train.map(words);
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = train.reduce((s, e) => s + e.score, 0) / train.length;
  let sxy = 0;
  let sxx = 0;
  train.forEach((e, i) => {
    sxy += (xs[i]! - mx) * (e.score - my);
    sxx += (xs[i]! - mx) ** 2;
  });
  const b = sxx > 0 ? sxy / sxx : 0;
  return (e) => Math.min(max, Math.max(min, Math.round(my + b * (words(e) - mx))));
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

export default async function essayBench(args: BenchArgs): Promise<void> {
  const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
  const file = args.data ?? join(repoRoot, '..', 'shared', 'data', 'asap-aes', 'training_set_rel3.tsv');
  if (!existsSync(file)) {
    if (args.data) throw new Error(`--data ${args.data}: no such file`);
    report(SUITE, { skipped: 'data-absent', expected: EXPECTED });
    return;
  }
  const flag = (name: string) => {
    const i = args.argv.indexOf(name);
    return i >= 0 ? args.argv[i + 1] : undefined;
  };
  const only = flag('--prompt');
  const hashBits = flag('--hash-bits') === undefined ? undefined : Number(flag('--hash-bits'));

  const essays = readEssays(file);
  const sets = [...new Set(essays.map((e) => e.set))]
    .filter((s) => only === undefined || s === only)
    .sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  const qwks: number[] = [];
  const baselines: number[] = [];
  const humans: number[] = [];
  for (const set of sets) {
    const all = essays.filter((e) => e.set === set).sort((a, b) => a.id - b.id);
    const train = all.filter((_, i) => i % 5 !== 4);
    const test = all.filter((_, i) => i % 5 === 4);
    const min = Math.min(...train.map((e) => e.score));
    const max = Math.max(...train.map((e) => e.score));
    if (test.length === 0 || max <= min) {
      report(SUITE, { prompt: set, train: train.length, test: test.length, skipped: 'too-small' });
      continue;
    }
    const t0 = performance.now();
    const result = trainEssayModel(
      train.map((e) => ({ text: e.text, scores: { score: e.score } })),
      [{ id: 'score', min, max }],
      { hashBits },
    );
    const trainS = (performance.now() - t0) / 1000;
    if (!result.ok) {
      report(SUITE, { prompt: set, train: train.length, test: test.length, skipped: result.reason });
      continue;
    }
    const truth = test.map((e) => e.score);
    let flagged = 0;
    const predicted = test.map((e) => {
      const s = scoreEssay(result.model, e.text);
      if (s.flags.some((f) => REVIEW_FLAGS.includes(f))) flagged++;
      return s.dimensions[0]!.score;
    });
    const qwk = quadraticWeightedKappa(truth, predicted);
    const baseline = lengthBaseline(train, min, max);
    const baselineQwk = quadraticWeightedKappa(truth, test.map(baseline));
    const fields: Record<string, string | number> = {
      prompt: set,
      train: train.length,
      test: test.length,
      qwk,
      baseline_qwk: baselineQwk,
      cv_qwk: result.cvQwk.score ?? 'null',
    };
    const rated = test.filter((e) => Number.isInteger(e.rater1) && Number.isInteger(e.rater2));
    if (rated.length > 0) {
      const human = quadraticWeightedKappa(rated.map((e) => e.rater1!), rated.map((e) => e.rater2!));
      humans.push(human);
      fields.human_qwk = human;
    }
    fields.flagged = flagged / test.length;
    fields.text_scale = result.model.dimensions[0]!.textScale;
    fields.lambda = result.model.dimensions[0]!.lambda;
    fields.train_s = trainS;
    report(SUITE, fields);
    qwks.push(qwk);
    baselines.push(baselineQwk);
  }
  if (qwks.length === 0) {
    report(SUITE, { skipped: 'no-prompts', file: args.data ?? EXPECTED });
    return;
  }
  const summary: Record<string, string | number> = {
    qwk_mean: mean(qwks),
    baseline_qwk_mean: mean(baselines),
    published_human_qwk: PUBLISHED_HUMAN_QWK,
    target: TARGET_QWK,
    prompts: qwks.length,
  };
  if (humans.length > 0) summary.human_qwk_mean = mean(humans);
  summary.hash_bits = hashBits ?? 12;
  report(SUITE, summary);
}
