/**
 * Essay scoring trained on one teacher's own scored samples for one prompt (语文作文 or
 * 英语作文), per rubric dimension (内容/结构/语言, …). No language model: the scores come from
 * linguistic features plus a hashed bag of words, fitted by ridge regression.
 *
 * Features (per essay; the language is detected from the share of Han characters):
 * - dense, named (ESSAY_FEATURES): length (Han characters + Latin words for Chinese, words
 *   for English; log and square root, because score grows with length but flattens), sentence
 *   count, mean and sd of sentence length, paragraphs, vocabulary richness (type-token ratio,
 *   Guiraud's root TTR, number of distinct words), word length and the share of long words
 *   (4-character words such as 成语 for Chinese), the share of words outside a small common
 *   English list (rare words and misspellings both land there), distinct Han characters,
 *   punctuation variety and density, discourse connectives (首先/然而/因此/总之 …, first/
 *   however/therefore/in conclusion …), repeated n-grams (copying and padding), lower-case
 *   sentence starts (English), overlap with the prompt text when given, and similarity to the
 *   training essays' centroid (topicality);
 * - sparse: words and word bigrams (English), words and Han character bigrams (Chinese, from
 *   the jieba segmenter in text/segment.ts), sublinear tf × idf, hashed with a sign bit into
 *   2^hashBits buckets (12 → 4,096) and L2-normalised. Ridge on tf-idf n-grams plus length is
 *   the usual strong non-neural baseline on ASAP-AES.
 *
 * Model: one ridge regression per dimension over [standardised dense features, s × tf-idf],
 * with the ridge strength λ and the text-block scale s (0 = dense features only) chosen from a
 * small grid by stratified 5-fold cross-validation on the samples. Ridge shrinks predictions
 * towards the mean, which QWK punishes (with matched spreads QWK ≈ Pearson r; with shrunk
 * predictions it is lower), so predictions are stretched around the mean by
 * sd(scores)/sd(out-of-fold predictions), kept in [0.5, 4], before rounding; the grid point
 * with the lowest out-of-fold squared error after that stretch wins. The same out-of-fold
 * predictions give cvQwk, the agreement the platform can expect on new essays, per dimension
 * (slightly optimistic: the grid point and the stretch were chosen on them).
 *
 * Solvers, no dependency: for up to DUAL_MAX_ROWS samples a Cholesky of the samples' kernel
 * matrix (one factorisation serves every dimension); above that, an exact D×D Cholesky for the
 * dense block and preconditioned conjugate gradients on the Schur complement for the text
 * block, using only sparse products. Everything is pure, synchronous and deterministic (fixed
 * folds, no RNG), and the model is plain JSON.
 *
 * Known limits: the features are surface features — a fluent, well-connected essay that argues
 * nonsense or misreads the material scores well, and an original essay unlike every sample is
 * flagged rather than understood; 错别字 show only through rare character bigrams; the model
 * learns whatever the teacher's samples reward, biases included; with few samples cvQwk is a
 * noisy estimate; idf and standardisation are computed on all samples before cross-validation
 * (label-free, so the leak is small).
 */
import { quadraticWeightedKappa } from '../stats/agreement.js';
import { tokenize } from '../text/segment.js';

export const ESSAY_MODEL_VERSION = 'zhijiao-essay-ridge/1';

/**
 * Fewest scored samples a model is trained on. Below about 20 the cross-validated QWK that
 * decides whether the platform trusts the model has a standard error around 0.15 (it says
 * little), each of 5 folds holds under 4 essays, and 20+ dense features plus the text block
 * are fitted to fewer points than there are score levels on a 0–20 dimension. The caller may
 * lower it (not below 5, one essay per fold).
 */
export const DEFAULT_ESSAY_MIN_SAMPLES = 20;

/** cvQwk below this marks a dimension as not trustworthy (flag 'low_model_agreement'). */
export const ESSAY_LOW_AGREEMENT_QWK = 0.5;

const DEFAULT_HASH_BITS = 12;
const FOLDS = 5;
/** λ from strongest to weakest: the solver warm-starts each from the previous solution. */
const LAMBDAS = [1000, 300, 100, 30, 10, 3, 1] as const;
/** Up to this many samples the dual solver is used (its cost grows with n³, CG's with n). */
const DUAL_MAX_ROWS = 500;
const TEXT_SCALES = [0, 1, 2] as const;
/** Bounds of the stretch factor, so that a near-constant prediction is not blown up. */
const STRETCH_MIN = 0.5;
const STRETCH_MAX = 4;
const CG_TOLERANCE = 1e-4;
const CG_MAX_ITERATIONS = 250;

export type EssayLanguage = 'zh' | 'en';

export type EssayFlag =
  | 'too_short'
  | 'too_long'
  | 'out_of_distribution'
  | 'off_topic'
  | 'language_mismatch'
  | 'low_model_agreement';

export interface EssayDimension {
  id: string;
  /** Integer bounds of the dimension's scale. */
  min: number;
  max: number;
}

export interface EssaySample {
  text: string;
  /** Score per dimension id. Clipped to the dimension's range; need not be integers. */
  scores: Record<string, number>;
}

export interface TrainEssayOptions {
  /** Default DEFAULT_ESSAY_MIN_SAMPLES; at least 5. */
  minSamples?: number;
  /** The prompt (题目/材料) text, for the prompt-overlap feature. */
  prompt?: string;
  /** log2 of the hashed text dimensions, 8–16 (default 12). */
  hashBits?: number;
  /**
   * Ridge solver, for tests and benchmarks: 'dual' (Cholesky on the samples' Gram matrix,
   * fast for few samples), 'cg' (conjugate gradients, fast for many); both give the same
   * model up to the CG tolerance. Default 'auto': dual up to DUAL_MAX_ROWS samples.
   */
  solver?: 'auto' | 'dual' | 'cg';
}

export interface EssayDimensionModel {
  id: string;
  min: number;
  max: number;
  intercept: number;
  /** Weights on the standardised dense features, in ESSAY_FEATURES order. */
  dense: number[];
  /** Weights on the hashed, L2-normalised tf-idf vector (empty when the text block is off). */
  text: number[];
  lambda: number;
  textScale: number;
  /** Mean training score; predictions are stretched around it. */
  center: number;
  stretch: number;
  /** Cross-validated QWK on the samples; null when the samples show no variation. */
  cvQwk: number | null;
}

/** Plain JSON: store it as is and pass it back to scoreEssay. */
export interface EssayModel {
  version: string;
  language: EssayLanguage;
  samples: number;
  hashBits: number;
  features: string[];
  /** Per dense feature over the samples: mean, sd (0 = constant, ignored), min, max. */
  mean: number[];
  sd: number[];
  lo: number[];
  hi: number[];
  /** Smoothed idf per hash bucket. */
  idf: number[];
  /** Mean normalised tf-idf vector of the samples (for topic similarity). */
  centroid: number[];
  /** Topic similarity of the samples to the others' centroid: minimum and 5th percentile. */
  topic: { min: number; p05: number };
  promptTerms: string[];
  /** Shortest and longest sample, in length units (characters for zh, words for en). */
  lengthRange: [number, number];
  dimensions: EssayDimensionModel[];
}

export type EssayModelResult =
  | { ok: true; model: EssayModel; samples: number; cvQwk: Record<string, number | null> }
  | { ok: false; reason: 'too_few_samples'; samples: number; needed: number };

export interface EssayScore {
  /** score: integer, clipped to [min, max]; raw: the continuous prediction before that. */
  dimensions: { id: string; score: number; raw: number }[];
  total: number;
  /** 0–1: the model's cross-validated agreement, cut down when the essay looks unlike the samples. */
  confidence: number;
  flags: EssayFlag[];
}

// ---------------------------------------------------------------------------------------------
// Features

export const ESSAY_FEATURES = [
  'log_length',
  'sqrt_length',
  'log_sentences',
  'mean_sentence_length',
  'sd_sentence_length',
  'log_paragraphs',
  'type_token_ratio',
  'root_ttr',
  'log_types',
  'mean_word_length',
  'long_word_share',
  'very_long_word_share',
  'uncommon_word_share',
  'han_char_richness',
  'punctuation_types',
  'punctuation_per_sentence',
  'connectives_per_sentence',
  'connective_types',
  'repeated_ngram_share',
  'lowercase_start_share',
  'prompt_overlap',
  'topic_similarity',
] as const;
const D = ESSAY_FEATURES.length;
const TOPIC = D - 1;

/** Discourse markers; longer phrases first only matters for readability, matches may overlap. */
const CONNECTIVES_ZH = [
  '首先', '其次', '再次', '然后', '最后', '然而', '但是', '可是', '不过', '因此', '所以', '因为', '由于',
  '总之', '总而言之', '综上所述', '例如', '比如', '譬如', '而且', '并且', '此外', '另外', '同时', '虽然',
  '尽管', '即使', '如果', '假如', '只有', '只要', '不仅', '不但', '甚至', '于是', '可见', '换句话说',
  '一方面', '另一方面', '正如', '诚然', '与其', '不如', '何况', '况且', '由此可见',
];
const CONNECTIVES_EN = [
  'first', 'firstly', 'second', 'secondly', 'third', 'thirdly', 'finally', 'lastly', 'however',
  'therefore', 'moreover', 'furthermore', 'additionally', 'in addition', 'consequently', 'thus',
  'hence', 'although', 'though', 'because', 'since', 'for example', 'for instance', 'in conclusion',
  'to conclude', 'in summary', 'to sum up', 'on the other hand', 'nevertheless', 'nonetheless',
  'meanwhile', 'besides', 'instead', 'otherwise', 'similarly', 'likewise', 'as a result', 'in fact',
  'overall', 'whereas', 'unless', 'in contrast', 'such as', 'above all',
];
const CONNECTIVE_EN_RE = new RegExp(`\\b(?:${CONNECTIVES_EN.map((c) => c.replace(/ /g, '\\s+')).join('|')})\\b`, 'g');

/** Common English words (function words and the most frequent content words). */
const COMMON_EN: ReadonlySet<string> = new Set(
  `a about after again all also always am an and another any are around as ask at away back bad be
  because been before being best better big both but by came can could day did different do does
  don't down each end even every family feel few find first for friend friends from fun get give go
  going good got great had has have he help her here him his home house how i if important in into
  is it it's its just keep kind know last learn let life like little live long look lot made make
  many may me mean more most mother much must my need never new next no not nothing now of off old on
  once one only or other our out over own part people place play put read really right said same say
  school see she should show so some something start still such sure take talk tell than that the
  their them then there these they thing things think this those thought through time to today told
  too try two up us use used very want was way we well went were what when where which while who why
  will with without work world would year years yes you your able believe reason reasons example`.split(/\s+/),
);

const HAN = /\p{Script=Han}/u;
const HAN_G = /\p{Script=Han}/gu;
const LATIN_LETTER_G = /[A-Za-z]/g;
const EN_WORD = /@[a-z]+\d*|[a-z]+(?:'[a-z]+)?|\d+(?:\.\d+)?/g;
const PUNCT_G = /\p{P}/gu;

interface Analysis {
  language: EssayLanguage;
  units: number;
  /** Raw dense features; the topic similarity slot is filled once a centroid exists. */
  dense: Float64Array;
  /** Hashed signed sublinear term frequencies: bucket → value. */
  buckets: Map<number, number>;
}

/** Chinese when Han characters are at least a quarter of all letters (Han + Latin). */
export function detectEssayLanguage(text: string): EssayLanguage {
  const han = (text.match(HAN_G) ?? []).length;
  const latin = (text.match(LATIN_LETTER_G) ?? []).length;
  return han > 0 && han >= 0.25 * (han + latin) ? 'zh' : 'en';
}

function enWords(s: string): string[] {
  // ASAP anonymises names and numbers as @PERSON1, @CAPS2, @NUM1: one token per kind.
  return (s.toLowerCase().replace(/[‘’`]/g, "'").match(EN_WORD) ?? []).map((w) => (w[0] === '@' ? w.replace(/\d+$/, '') : w));
}

/**
 * Chinese words: `tokenize` (jieba, stop words dropped) also emits the dictionary sub-words of
 * every word of three or more characters right after it (一元二次方程 → 一元, 二次, …); those are
 * dropped here so that counts and type-token ratios are about the words the student wrote.
 */
function zhWords(s: string): string[] {
  const out: string[] = [];
  let parent = '';
  const subs = new Set<string>(); // searchCut lists each sub-word of a parent once
  for (const t of tokenize(s)) {
    if (parent && t.length < parent.length && parent.includes(t) && !subs.has(t)) {
      subs.add(t);
      continue;
    }
    out.push(t);
    parent = t.length >= 3 && HAN.test(t) ? t : '';
    subs.clear();
  }
  return out;
}

function unitsOf(s: string, language: EssayLanguage): number {
  if (language === 'en') return enWords(s).length;
  const han = (s.match(HAN_G) ?? []).length;
  return han + enWords(s.replace(HAN_G, ' ')).length;
}

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a over UTF-16 code units, then a murmur finaliser so that every bit is mixed. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

function repeatedShare(items: string[], n: number): number {
  const total = items.length - n + 1;
  if (total <= 0) return 0;
  const counts = new Map<string, number>();
  for (let i = 0; i < total; i++) {
    const g = items.slice(i, i + n).join('\u0001');
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  let repeated = 0;
  for (const c of counts.values()) if (c > 1) repeated += c;
  return repeated / total;
}

function meanSd(xs: number[]): [number, number] {
  if (xs.length === 0) return [0, 0];
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const v = xs.reduce((s, x) => s + (x - m) * (x - m), 0) / xs.length;
  return [m, Math.sqrt(v)];
}

/** Words of the task instructions rather than of the topic; left out of prompt overlap. */
const PROMPT_INSTRUCTIONS: ReadonlySet<string> = new Set([
  '写一篇', '一篇', '文章', '作文', '题目', '话题', '自拟', '标题', '不少', '不少于', '不得少于', '字数', '左右', '文体',
  '不限', '诗歌', '除外', '要求', '阅读', '下面', '以下', '材料', '根据', '立意', '角度', '自选', '抄袭', '套作',
  '不要', '不得', '出现', '真实', '人名', '校名', '地名', '600', '800',
  'essay', 'write', 'writing', 'explain', 'describe', 'paragraph', 'words', 'response', 'prompt',
  'support', 'details', 'opinion', 'position', 'least', 'letter',
]);

function promptTermsOf(prompt: string, language: EssayLanguage): string[] {
  const words = language === 'zh' ? zhWords(prompt).filter((w) => w.length >= 2) : enWords(prompt);
  const topical = words.filter(
    (w) => !PROMPT_INSTRUCTIONS.has(w) && !/^\d+$/.test(w) && (language === 'zh' || (w.length >= 3 && !COMMON_EN.has(w))),
  );
  return [...new Set(topical)];
}

function analyse(raw: string, language: EssayLanguage, hashBits: number, promptTerms: readonly string[]): Analysis {
  const text = (typeof raw === 'string' ? raw : '').normalize('NFKC');
  const zh = language === 'zh';
  const units = unitsOf(text, language);

  const sentences = text
    .split(zh ? /[。!?]+|\.{3,}|[\r\n]+/ : /[.!?]+(?=\s|$|["'”’)\]])|[\r\n]+/)
    .map((s) => s.trim())
    .filter((s) => unitsOf(s, language) > 0);
  const sentenceLengths = sentences.map((s) => unitsOf(s, language));
  const [meanSentence, sdSentence] = meanSd(sentenceLengths);
  const paragraphs = text.split(zh ? /\r?\n| {2,}/ : /\r?\n| {3,}/).filter((p) => p.trim().length > 0).length;

  const words = zh ? zhWords(text) : enWords(text);
  const types = new Set(words);
  const nWords = Math.max(words.length, 1);
  let letters = 0;
  let long = 0;
  let veryLong = 0;
  let uncommon = 0;
  for (const w of words) {
    letters += w.length;
    if (zh ? w.length >= 3 : w.length >= 7) long++;
    if (zh ? w.length === 4 && HAN.test(w) : w.length >= 10) veryLong++;
    if (!zh && /^[a-z]/.test(w) && !COMMON_EN.has(w)) uncommon++;
  }
  const hanChars = text.match(HAN_G) ?? [];
  const punct = text.match(PUNCT_G) ?? [];
  const nSentences = Math.max(sentences.length, 1);

  let connectives = 0;
  const connectiveTypes = new Set<string>();
  if (zh) {
    for (const c of CONNECTIVES_ZH) {
      let at = text.indexOf(c);
      if (at >= 0) connectiveTypes.add(c);
      while (at >= 0) {
        connectives++;
        at = text.indexOf(c, at + c.length);
      }
    }
  } else {
    for (const m of text.toLowerCase().matchAll(CONNECTIVE_EN_RE)) {
      connectives++;
      connectiveTypes.add(m[0].replace(/\s+/g, ' '));
    }
  }

  let lowercaseStarts = 0;
  if (!zh) {
    for (const s of sentences) if (/^[^A-Za-z]*[a-z]/.test(s)) lowercaseStarts++;
    lowercaseStarts += (text.match(/(?:^|\s)i(?=[\s,.!?']|$)/g) ?? []).length;
  }

  let overlap = 0;
  if (promptTerms.length > 0) {
    let hit = 0;
    for (const t of promptTerms) if (types.has(t)) hit++;
    overlap = hit / promptTerms.length;
  }

  const dense = new Float64Array(D);
  dense.set([
    Math.log1p(units),
    Math.sqrt(units),
    Math.log1p(sentences.length),
    meanSentence,
    sdSentence,
    Math.log1p(paragraphs),
    types.size / nWords,
    types.size / Math.sqrt(nWords),
    Math.log1p(types.size),
    letters / nWords,
    long / nWords,
    veryLong / nWords,
    uncommon / nWords,
    zh ? new Set(hanChars).size / Math.sqrt(Math.max(hanChars.length, 1)) : 0,
    new Set(punct).size,
    punct.length / nSentences,
    connectives / nSentences,
    connectiveTypes.size,
    zh ? repeatedShare(hanChars, 4) : repeatedShare(words, 3),
    zh ? 0 : lowercaseStarts / nSentences,
    overlap,
    0,
  ]);

  // Terms for the hashed bag: words and word bigrams (en); words and Han bigrams (zh).
  const counts = new Map<string, number>();
  const add = (t: string) => counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const w of words) add(w);
  if (zh) {
    for (let i = 0; i + 1 < hanChars.length; i++) add(`\u0002${hanChars[i]}${hanChars[i + 1]}`);
  } else {
    for (let i = 0; i + 1 < words.length; i++) add(`${words[i]} ${words[i + 1]}`);
  }
  const mask = (1 << hashBits) - 1;
  const buckets = new Map<number, number>();
  for (const [term, tf] of counts) {
    const h = hash32(term);
    const b = h & mask;
    const v = (h >>> 31 ? -1 : 1) * (1 + Math.log(tf));
    buckets.set(b, (buckets.get(b) ?? 0) + v);
  }
  return { language, units, dense, buckets };
}

/** Named dense features of one essay (for explanations in the UI and for tests). */
export function essayFeatures(text: string, options: { language?: EssayLanguage; prompt?: string } = {}): Record<string, number> {
  const language = options.language ?? detectEssayLanguage(text);
  const a = analyse(text, language, DEFAULT_HASH_BITS, options.prompt ? promptTermsOf(options.prompt, language) : []);
  const out: Record<string, number> = { length: a.units };
  ESSAY_FEATURES.forEach((name, i) => {
    if (i !== TOPIC) out[name] = a.dense[i]!;
  });
  return out;
}

/** Sparse L2-normalised tf-idf row of an analysis. */
function tfidfRow(a: Analysis, idf: ArrayLike<number>): { idx: number[]; val: number[] } {
  const idx: number[] = [];
  const val: number[] = [];
  let norm = 0;
  for (const [b, v] of a.buckets) {
    if (v === 0) continue;
    const x = v * idf[b]!;
    idx.push(b);
    val.push(x);
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let k = 0; k < val.length; k++) val[k]! /= norm;
  return { idx, val };
}

// ---------------------------------------------------------------------------------------------
// Ridge regression

/** Training rows: standardised dense block Z (n × D, row-major) and tf-idf rows in CSR form. */
interface Design {
  n: number;
  T: number;
  z: Float64Array;
  rowPtr: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

/** In-place Cholesky of a symmetric positive definite m × m matrix (lower triangle). */
function cholesky(a: Float64Array, m: number): void {
  for (let j = 0; j < m; j++) {
    let d = a[j * m + j]!;
    for (let k = 0; k < j; k++) d -= a[j * m + k]! * a[j * m + k]!;
    const ljj = Math.sqrt(Math.max(d, 1e-12));
    a[j * m + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      let s = a[i * m + j]!;
      for (let k = 0; k < j; k++) s -= a[i * m + k]! * a[j * m + k]!;
      a[i * m + j] = s / ljj;
    }
  }
}

function cholSolve(l: Float64Array, m: number, b: Float64Array): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < m; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= l[i * m + k]! * x[k]!;
    x[i] = s / l[i * m + i]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < m; k++) s -= l[k * m + i]! * x[k]!;
    x[i] = s / l[i * m + i]!;
  }
  return x;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

interface Solver {
  /** y: targets aligned with the problem's rows; warm: a previous solution of the same kind. */
  solve(y: Float64Array, warm: Float64Array | null): Fit;
}

interface Fit {
  intercept: number;
  dense: Float64Array;
  /** Text weights applying to the unscaled normalised tf-idf (null: text block off). */
  text: Float64Array | null;
  /** The solver's own text weights, to warm-start the next λ. */
  warm: Float64Array | null;
}

/**
 * min_w ‖y − ȳ − Xc w‖² + λ‖w‖² over the rows `rows` of the design, X = [Z, s·tfidf], centred
 * on those rows (so the intercept is not penalised). Setup (centring, the dense Cholesky) is
 * shared by every target solved with the same rows, λ and s.
 *
 * With A = Zcᵀ Zc + λI the dense weights are w_d = A⁻¹ Zcᵀ (y − Tc w_t), and the text weights
 * solve the Schur complement system (Tcᵀ P Tc + λI) w_t = Tcᵀ P y with P = I − Zc A⁻¹ Zcᵀ,
 * by conjugate gradients with a Jacobi preconditioner. The dense block, whose features are
 * strongly correlated (the length measures), is thus handled exactly and CG only sees the
 * better-conditioned text block.
 */
class RidgeProblem implements Solver {
  private readonly m: number;
  private readonly zc: Float64Array;
  private readonly zMean: Float64Array;
  private readonly chol: Float64Array;
  private readonly tMean: Float64Array | null;
  private readonly precond: Float64Array | null;

  constructor(
    private readonly x: Design,
    private readonly rows: readonly number[],
    private readonly lambda: number,
    private readonly scale: number,
  ) {
    const m = (this.m = rows.length);
    const { z, T } = x;
    this.zMean = new Float64Array(D);
    for (const r of rows) for (let j = 0; j < D; j++) this.zMean[j]! += z[r * D + j]! / m;
    this.zc = new Float64Array(m * D);
    rows.forEach((r, i) => {
      for (let j = 0; j < D; j++) this.zc[i * D + j] = z[r * D + j]! - this.zMean[j]!;
    });
    const a = new Float64Array(D * D);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < D; j++) {
        const v = this.zc[i * D + j]!;
        if (v === 0) continue;
        for (let k = 0; k <= j; k++) a[j * D + k]! += v * this.zc[i * D + k]!;
      }
    }
    for (let j = 0; j < D; j++) a[j * D + j]! += lambda;
    cholesky(a, D);
    this.chol = a;
    if (scale === 0) {
      this.tMean = null;
      this.precond = null;
      return;
    }
    const tMean = new Float64Array(T);
    const sq = new Float64Array(T);
    for (const r of rows) {
      for (let k = x.rowPtr[r]!; k < x.rowPtr[r + 1]!; k++) {
        const v = scale * x.val[k]!;
        tMean[x.col[k]!]! += v / m;
        sq[x.col[k]!]! += v * v;
      }
    }
    // Diagonal of Tcᵀ Tc + λI: Σ (s·x)² − m·mean².
    for (let b = 0; b < T; b++) sq[b] = Math.max(sq[b]! - m * tMean[b]! * tMean[b]!, 0) + lambda;
    this.tMean = tMean;
    this.precond = sq;
  }

  /** u = Tc v (length m). */
  private textTimes(v: Float64Array, out: Float64Array): void {
    const { rowPtr, col, val } = this.x;
    const shift = dot(this.tMean!, v);
    this.rows.forEach((r, i) => {
      let s = 0;
      for (let k = rowPtr[r]!; k < rowPtr[r + 1]!; k++) s += val[k]! * v[col[k]!]!;
      out[i] = this.scale * s - shift;
    });
  }

  /** g = Tcᵀ u (length T). */
  private textTransposeTimes(u: Float64Array, out: Float64Array): void {
    const { rowPtr, col, val } = this.x;
    out.fill(0);
    let sum = 0;
    this.rows.forEach((r, i) => {
      const ui = this.scale * u[i]!;
      sum += u[i]!;
      for (let k = rowPtr[r]!; k < rowPtr[r + 1]!; k++) out[col[k]!]! += val[k]! * ui;
    });
    if (sum !== 0) for (let b = 0; b < out.length; b++) out[b]! -= this.tMean![b]! * sum;
  }

  /** A⁻¹ Zcᵀ u. */
  private denseSolve(u: Float64Array): Float64Array {
    const g = new Float64Array(D);
    for (let i = 0; i < this.m; i++) {
      const ui = u[i]!;
      if (ui === 0) continue;
      for (let j = 0; j < D; j++) g[j]! += this.zc[i * D + j]! * ui;
    }
    return cholSolve(this.chol, D, g);
  }

  /** u − Zc A⁻¹ Zcᵀ u, in place. */
  private project(u: Float64Array): void {
    const w = this.denseSolve(u);
    for (let i = 0; i < this.m; i++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += this.zc[i * D + j]! * w[j]!;
      u[i]! -= s;
    }
  }

  /** y: targets aligned with `rows`. */
  solve(y: Float64Array, warm: Float64Array | null): Fit {
    const m = this.m;
    let yMean = 0;
    for (let i = 0; i < m; i++) yMean += y[i]! / m;
    const yc = y.map((v) => v - yMean);
    let wt: Float64Array | null = null;
    const resid = Float64Array.from(yc);
    if (this.tMean) {
      const T = this.x.T;
      const u = new Float64Array(m);
      const applyS = (v: Float64Array, out: Float64Array) => {
        this.textTimes(v, u);
        this.project(u);
        this.textTransposeTimes(u, out);
        for (let b = 0; b < T; b++) out[b]! += this.lambda * v[b]!;
      };
      const pu = Float64Array.from(yc);
      this.project(pu);
      const rhs = new Float64Array(T);
      this.textTransposeTimes(pu, rhs);
      wt = warm ? Float64Array.from(warm) : new Float64Array(T);
      conjugateGradient(applyS, rhs, wt, this.precond!);
      const tw = new Float64Array(m);
      this.textTimes(wt, tw);
      for (let i = 0; i < m; i++) resid[i]! -= tw[i]!;
    }
    const wd = this.denseSolve(resid);
    let intercept = yMean;
    for (let j = 0; j < D; j++) intercept -= this.zMean[j]! * wd[j]!;
    let text: Float64Array | null = null;
    if (wt) {
      intercept -= dot(this.tMean!, wt);
      text = wt.map((v) => v * this.scale);
    }
    return { intercept, dense: wd, text, warm: wt };
  }
}

/** Preconditioned CG for S x = b, x holding the start and receiving the result. */
function conjugateGradient(
  applyS: (v: Float64Array, out: Float64Array) => void,
  b: Float64Array,
  x: Float64Array,
  diag: Float64Array,
): void {
  const n = b.length;
  const bNorm = Math.sqrt(dot(b, b));
  if (bNorm === 0) {
    x.fill(0);
    return;
  }
  const r = new Float64Array(n);
  const sx = new Float64Array(n);
  applyS(x, sx);
  for (let i = 0; i < n; i++) r[i] = b[i]! - sx[i]!;
  const zv = r.map((v, i) => v / diag[i]!);
  const p = Float64Array.from(zv);
  let rz = dot(r, zv);
  const sp = new Float64Array(n);
  for (let it = 0; it < CG_MAX_ITERATIONS; it++) {
    if (Math.sqrt(dot(r, r)) <= CG_TOLERANCE * bNorm) break;
    applyS(p, sp);
    const alpha = rz / dot(p, sp);
    for (let i = 0; i < n; i++) {
      x[i]! += alpha * p[i]!;
      r[i]! -= alpha * sp[i]!;
      zv[i] = r[i]! / diag[i]!;
    }
    const rzNew = dot(r, zv);
    const beta = rzNew / rz;
    rz = rzNew;
    for (let i = 0; i < n; i++) p[i] = zv[i]! + beta * p[i]!;
  }
}

/**
 * Per-fold parts of the dual problem that do not depend on λ or s: the centred dense block
 * Zc, its kernel Zc Zcᵀ, and the fold-centred text kernel H K H (K the precomputed Gram matrix
 * of the normalised tf-idf rows, H the centring on the fold's rows).
 */
class DualFold {
  readonly m: number;
  readonly zc: Float64Array;
  readonly zMean: Float64Array;
  readonly kd: Float64Array;
  readonly kt: Float64Array;
  /** Mean of K over the fold's rows, per row, and overall (for centring new rows). */
  readonly rowMean: Float64Array;
  readonly total: number;

  constructor(
    readonly x: Design,
    readonly rows: readonly number[],
    readonly gram: Float64Array,
  ) {
    const m = (this.m = rows.length);
    const { z, n } = x;
    this.zMean = new Float64Array(D);
    for (const r of rows) for (let j = 0; j < D; j++) this.zMean[j]! += z[r * D + j]! / m;
    this.zc = new Float64Array(m * D);
    for (let i = 0; i < m; i++) for (let j = 0; j < D; j++) this.zc[i * D + j] = z[rows[i]! * D + j]! - this.zMean[j]!;
    this.rowMean = new Float64Array(m);
    let total = 0;
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += gram[rows[i]! * n + rows[j]!]!;
      this.rowMean[i] = s / m;
      total += s / m;
    }
    this.total = total /= m;
    this.kd = new Float64Array(m * m);
    this.kt = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j <= i; j++) {
        let v = 0;
        for (let d = 0; d < D; d++) v += this.zc[i * D + d]! * this.zc[j * D + d]!;
        this.kd[i * m + j] = v;
        this.kt[i * m + j] = gram[rows[i]! * n + rows[j]!]! - this.rowMean[i]! - this.rowMean[j]! + total;
      }
    }
  }
}

/**
 * The ridge problem in dual form, for small sample sets: with X = [Zc, s·Tc] the weights are
 * w = Xᵀ a, (X Xᵀ + λI) a = y − ȳ, X Xᵀ = Zc Zcᵀ + s²·H K H. One m × m Cholesky per
 * (fold, λ, s) serves every dimension, and held-out rows are predicted through the kernel
 * without forming the 2^hashBits text weights. For m ≲ 500 this is faster than CG, whose
 * cost grows with the rows' non-zeros rather than with m³.
 */
class DualRidgeProblem implements Solver {
  private readonly chol: Float64Array;

  constructor(
    private readonly f: DualFold,
    lambda: number,
    private readonly scale: number,
  ) {
    const { m, kd, kt } = f;
    const s2 = scale * scale;
    const g = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j <= i; j++) g[i * m + j] = kd[i * m + j]! + s2 * kt[i * m + j]!;
      g[i * m + i]! += lambda;
    }
    cholesky(g, m);
    this.chol = g;
  }

  private coefficients(y: Float64Array): { a: Float64Array; yMean: number; dense: Float64Array } {
    const { m, zc } = this.f;
    let yMean = 0;
    for (let i = 0; i < m; i++) yMean += y[i]! / m;
    const a = cholSolve(this.chol, m, y.map((v) => v - yMean));
    const dense = new Float64Array(D);
    for (let i = 0; i < m; i++) for (let j = 0; j < D; j++) dense[j]! += zc[i * D + j]! * a[i]!;
    return { a, yMean, dense };
  }

  /** Predictions for other rows of the design (held-out rows of the fold). */
  predict(y: Float64Array, others: readonly number[]): Float64Array {
    const { a, yMean, dense } = this.coefficients(y);
    const { m, rows, gram, rowMean, total, zMean, x } = this.f;
    const n = x.n;
    const s2 = this.scale * this.scale;
    return Float64Array.from(others, (r) => {
      let v = yMean;
      for (let j = 0; j < D; j++) v += (x.z[r * D + j]! - zMean[j]!) * dense[j]!;
      if (s2 > 0) {
        let colMean = 0;
        for (let i = 0; i < m; i++) colMean += gram[rows[i]! * n + r]! / m;
        let t = 0;
        for (let i = 0; i < m; i++) t += a[i]! * (gram[rows[i]! * n + r]! - rowMean[i]! - colMean + total);
        v += s2 * t;
      }
      return v;
    });
  }

  solve(y: Float64Array): Fit {
    const { a, yMean, dense } = this.coefficients(y);
    const { m, rows, x, zMean } = this.f;
    const { rowPtr, col, val, T } = x;
    const s2 = this.scale * this.scale;
    // Text weights on the raw rows: s² Σ a_i (x_i − x̄).
    const xMean = new Float64Array(T);
    const text = new Float64Array(T);
    let aSum = 0;
    for (let i = 0; i < m; i++) {
      const r = rows[i]!;
      aSum += a[i]!;
      for (let k = rowPtr[r]!; k < rowPtr[r + 1]!; k++) {
        xMean[col[k]!]! += val[k]! / m;
        text[col[k]!]! += s2 * a[i]! * val[k]!;
      }
    }
    let intercept = yMean;
    for (let b = 0; b < T; b++) {
      text[b]! -= s2 * aSum * xMean[b]!;
      intercept -= xMean[b]! * text[b]!;
    }
    for (let j = 0; j < D; j++) intercept -= zMean[j]! * dense[j]!;
    return { intercept, dense, text, warm: null };
  }
}

/** Gram matrix (n × n, full) of the normalised tf-idf rows. */
function gramMatrix(x: Design): Float64Array {
  const { n, T, rowPtr, col, val } = x;
  const g = new Float64Array(n * n);
  const dense = new Float64Array(T);
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) dense[col[k]!] = val[k]!;
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = rowPtr[j]!; k < rowPtr[j + 1]!; k++) s += val[k]! * dense[col[k]!]!;
      g[i * n + j] = s;
      g[j * n + i] = s;
    }
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) dense[col[k]!] = 0;
  }
  return g;
}

function predictRow(x: Design, r: number, intercept: number, dense: ArrayLike<number>, text: ArrayLike<number> | null): number {
  let s = intercept;
  for (let j = 0; j < D; j++) s += x.z[r * D + j]! * dense[j]!;
  if (text && text.length > 0) for (let k = x.rowPtr[r]!; k < x.rowPtr[r + 1]!; k++) s += x.val[k]! * text[x.col[k]!]!;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Training

function toGrid(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(v)));
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Six significant digits keep the stored JSON small; the returned model is the rounded one. */
function r6(x: number): number {
  return x === 0 || !Number.isFinite(x) ? 0 : Number(x.toPrecision(6));
}

function validateDimensions(dimensions: readonly EssayDimension[]): void {
  if (dimensions.length === 0) throw new RangeError('trainEssayModel: no dimensions');
  const ids = new Set<string>();
  for (const d of dimensions) {
    if (!Number.isInteger(d.min) || !Number.isInteger(d.max) || d.max <= d.min) {
      throw new RangeError(`trainEssayModel: dimension ${d.id} needs integer min < max`);
    }
    if (ids.has(d.id)) throw new RangeError(`trainEssayModel: duplicate dimension ${d.id}`);
    ids.add(d.id);
  }
}

/**
 * Trains one ridge model per rubric dimension on a teacher's scored essays for one prompt.
 * Samples whose text is not a string or that lack a finite score for some dimension are left
 * out; with fewer than `minSamples` usable samples the result is `too_few_samples` and the
 * platform should route that prompt's essays to teacher review. Throws RangeError on bad
 * dimensions.
 */
export function trainEssayModel(
  samples: readonly EssaySample[],
  dimensions: readonly EssayDimension[],
  options: TrainEssayOptions = {},
): EssayModelResult {
  validateDimensions(dimensions);
  const needed = Math.max(5, Math.floor(options.minSamples ?? DEFAULT_ESSAY_MIN_SAMPLES));
  const hashBits = Math.min(16, Math.max(8, Math.floor(options.hashBits ?? DEFAULT_HASH_BITS)));
  const usable = samples.filter(
    (s) => typeof s.text === 'string' && dimensions.every((d) => Number.isFinite(s.scores?.[d.id])),
  );
  const n = usable.length;
  if (n < needed) return { ok: false, reason: 'too_few_samples', samples: n, needed };

  const zhCount = usable.filter((s) => detectEssayLanguage(s.text) === 'zh').length;
  const language: EssayLanguage = zhCount * 2 >= n ? 'zh' : 'en';
  const promptTerms = options.prompt ? promptTermsOf(options.prompt, language) : [];
  const analyses = usable.map((s) => analyse(s.text, language, hashBits, promptTerms));

  // idf over buckets, then normalised rows in CSR form.
  const T = 1 << hashBits;
  const df = new Float64Array(T);
  for (const a of analyses) for (const [b, v] of a.buckets) if (v !== 0) df[b]! += 1;
  const idf = Array.from(df, (d) => r6(Math.log((1 + n) / (1 + d)) + 1));
  const rows = analyses.map((a) => tfidfRow(a, idf));
  const rowPtr = new Int32Array(n + 1);
  rows.forEach((r, i) => (rowPtr[i + 1] = rowPtr[i]! + r.idx.length));
  const col = new Int32Array(rowPtr[n]!);
  const val = new Float64Array(rowPtr[n]!);
  rows.forEach((r, i) => {
    col.set(r.idx, rowPtr[i]!);
    val.set(r.val, rowPtr[i]!);
  });

  // Centroid, and each sample's similarity to the centroid of the others (leave-one-out, so
  // that training essays are not more "on topic" than new ones just by being in the mean).
  const centroidSum = new Float64Array(T);
  for (let k = 0; k < val.length; k++) centroidSum[col[k]!]! += val[k]!;
  const sumSq = dot(centroidSum, centroidSum);
  const topicSims: number[] = [];
  analyses.forEach((a, i) => {
    let vs = 0;
    let vv = 0;
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) {
      vs += val[k]! * centroidSum[col[k]!]!;
      vv += val[k]! * val[k]!;
    }
    const restDot = vs - vv;
    const restNorm = Math.sqrt(Math.max(sumSq - 2 * vs + vv, 0));
    const sim = restNorm > 0 ? restDot / restNorm : 0;
    a.dense[TOPIC] = sim;
    topicSims.push(sim);
  });
  const centroid = Array.from(centroidSum, (v) => r6(v / n));

  // Standardisation (kept as stored, rounded, so that training and scoring agree exactly).
  const mean: number[] = [];
  const sd: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (let j = 0; j < D; j++) {
    const col_j = analyses.map((a) => a.dense[j]!);
    const [m, s] = meanSd(col_j);
    mean.push(r6(m));
    sd.push(s > 1e-9 * Math.max(1, Math.abs(m)) ? r6(s) : 0);
    lo.push(r6(Math.min(...col_j)));
    hi.push(r6(Math.max(...col_j)));
  }
  const z = new Float64Array(n * D);
  analyses.forEach((a, i) => {
    for (let j = 0; j < D; j++) z[i * D + j] = sd[j]! > 0 ? (a.dense[j]! - mean[j]!) / sd[j]! : 0;
  });
  const design: Design = { n, T, z, rowPtr, col, val };

  const targets = dimensions.map((d) =>
    Float64Array.from(usable, (s) => Math.min(d.max, Math.max(d.min, s.scores[d.id]!))),
  );

  // Stratified folds: essays sorted by their normalised total score, dealt out in turn.
  const k = Math.min(FOLDS, n);
  const totals = usable.map((_, i) =>
    dimensions.reduce((s, d, di) => s + (targets[di]![i]! - d.min) / (d.max - d.min), 0),
  );
  const order = totals.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const fold = new Int32Array(n);
  order.forEach(([, i], rank) => (fold[i] = rank % k));

  // Out-of-fold predictions for every (scale, λ) and dimension.
  const solver = options.solver === 'cg' || options.solver === 'dual' ? options.solver : n <= DUAL_MAX_ROWS ? 'dual' : 'cg';
  const gram = solver === 'dual' ? gramMatrix(design) : null;
  const grid: { scale: number; lambda: number }[] = [];
  for (const scale of TEXT_SCALES) for (const lambda of LAMBDAS) grid.push({ scale, lambda });
  const oof = grid.map(() => dimensions.map(() => new Float64Array(n)));
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? test : train).push(i);
    const ys = targets.map((t) => Float64Array.from(train, (i) => t[i]!));
    const dualFold = gram ? new DualFold(design, train, gram) : null;
    for (const scale of TEXT_SCALES) {
      const warm: (Float64Array | null)[] = dimensions.map(() => null);
      for (const lambda of LAMBDAS) {
        const g = grid.findIndex((c) => c.scale === scale && c.lambda === lambda);
        if (dualFold && scale > 0) {
          const p = new DualRidgeProblem(dualFold, lambda, scale);
          dimensions.forEach((_, di) => {
            const pred = p.predict(ys[di]!, test);
            test.forEach((i, t) => (oof[g]![di]![i] = pred[t]!));
          });
          continue;
        }
        const p = new RidgeProblem(design, train, lambda, scale);
        dimensions.forEach((_, di) => {
          const fit = p.solve(ys[di]!, warm[di]!);
          warm[di] = fit.warm;
          for (const i of test) oof[g]![di]![i] = predictRow(design, i, fit.intercept, fit.dense, fit.text);
        });
      }
    }
  }

  const all = Array.from({ length: n }, (_, i) => i);
  const finals = new Map<number, Solver>();
  const dimModels: EssayDimensionModel[] = dimensions.map((d, di) => {
    const y = targets[di]!;
    const [center, sdY] = meanSd(Array.from(y));
    // Pick the grid point with the lowest out-of-fold squared error after the stretch that
    // will be applied (uncapped that is 2·var(y)·(1 − r): it ranks by correlation, and the
    // cap penalises a λ so strong that the predictions cannot be stretched back).
    const stretchOf = (pred: ArrayLike<number>) => {
      const [, sdPred] = meanSd(Array.from(pred));
      return sdPred > 0 && sdY > 0 ? Math.min(STRETCH_MAX, Math.max(STRETCH_MIN, sdY / sdPred)) : 1;
    };
    const errs = grid.map((_, g) => {
      const pred = oof[g]![di]!;
      const c = stretchOf(pred);
      let err = 0;
      for (let i = 0; i < n; i++) err += (center + c * (pred[i]! - center) - y[i]!) ** 2;
      return err;
    });
    const best = errs.indexOf(Math.min(...errs));
    const { scale, lambda } = grid[best]!;
    const pred = Array.from(oof[best]![di]!);
    const stretch = stretchOf(pred);
    let cvQwk: number | null = null;
    if (sdY > 0) {
      const truth = Array.from(y, (v) => toGrid(v, d.min, d.max));
      const guess = pred.map((p) => toGrid(center + stretch * (p - center), d.min, d.max));
      cvQwk = r6(quadraticWeightedKappa(truth, guess, d.min, d.max));
    }
    let p = finals.get(best);
    if (!p) {
      p = gram && scale > 0 ? new DualRidgeProblem(new DualFold(design, all, gram), lambda, scale) : new RidgeProblem(design, all, lambda, scale);
      finals.set(best, p);
    }
    const fit = p.solve(y, null);
    return {
      id: d.id,
      min: d.min,
      max: d.max,
      intercept: r6(fit.intercept),
      dense: Array.from(fit.dense, r6),
      text: fit.text ? Array.from(fit.text, r6) : [],
      lambda,
      textScale: scale,
      center: r6(center),
      stretch: r6(stretch),
      cvQwk,
    };
  });

  const sortedSims = [...topicSims].sort((a, b) => a - b);
  const lengths = analyses.map((a) => a.units);
  const model: EssayModel = {
    version: ESSAY_MODEL_VERSION,
    language,
    samples: n,
    hashBits,
    features: [...ESSAY_FEATURES],
    mean,
    sd,
    lo,
    hi,
    idf,
    centroid,
    topic: { min: r6(sortedSims[0]!), p05: r6(quantile(sortedSims, 0.05)) },
    promptTerms,
    lengthRange: [Math.min(...lengths), Math.max(...lengths)],
    dimensions: dimModels,
  };
  return {
    ok: true,
    model,
    samples: n,
    cvQwk: Object.fromEntries(dimModels.map((d) => [d.id, d.cvQwk])),
  };
}

// ---------------------------------------------------------------------------------------------
// Scoring

/** An essay shorter than this share of the shortest sample is 'too_short'. */
const TOO_SHORT = 0.5;
/** Longer than this multiple of the longest sample is 'too_long'. */
const TOO_LONG = 2;
/** A dense feature further than this many sds outside the samples' range is out of distribution. */
const OOD_SDS = 3;
/** Topic similarity under this share of the samples' 5th percentile is 'off_topic'. */
const OFF_TOPIC = 0.5;
/** Confidence multiplier for each problem found with the essay. */
const FLAG_PENALTY = 0.3;

/**
 * Scores one essay with a trained model: one integer score per dimension (clipped to its
 * range), their total, a confidence in [0, 1] and flags. Essays flagged too_short, too_long,
 * out_of_distribution, off_topic or language_mismatch, or scored by a dimension whose cvQwk is
 * under ESSAY_LOW_AGREEMENT_QWK ('low_model_agreement'), should go to a teacher.
 */
export function scoreEssay(model: EssayModel, essay: string): EssayScore {
  const text = typeof essay === 'string' ? essay : '';
  if (model.version !== ESSAY_MODEL_VERSION) throw new RangeError(`scoreEssay: unknown model version ${model.version}`);
  const a = analyse(text, model.language, model.hashBits, model.promptTerms);
  const { idx, val } = tfidfRow(a, model.idf);
  let cc = 0;
  let vc = 0;
  for (const c of model.centroid) cc += c * c;
  for (let k = 0; k < idx.length; k++) vc += val[k]! * model.centroid[idx[k]!]!;
  a.dense[TOPIC] = cc > 0 ? vc / Math.sqrt(cc) : 0;

  const flags = new Set<EssayFlag>();
  const z = new Float64Array(D);
  for (let j = 0; j < D; j++) {
    const sd = model.sd[j]!;
    if (sd <= 0) continue;
    const x = a.dense[j]!;
    z[j] = (x - model.mean[j]!) / sd;
    if (j !== TOPIC && (x < model.lo[j]! - OOD_SDS * sd || x > model.hi[j]! + OOD_SDS * sd)) flags.add('out_of_distribution');
  }
  const [shortest, longest] = model.lengthRange;
  if (a.units === 0 || a.units < TOO_SHORT * shortest) flags.add('too_short');
  if (a.units > TOO_LONG * longest) flags.add('too_long');
  if (flags.has('too_short') || flags.has('too_long')) flags.add('out_of_distribution');
  if (a.dense[TOPIC]! < OFF_TOPIC * model.topic.p05) flags.add('off_topic');
  if (/\p{L}/u.test(text) && detectEssayLanguage(text) !== model.language) {
    flags.add('language_mismatch');
    flags.add('out_of_distribution');
  }

  let agreement = 0;
  const dimensions = model.dimensions.map((d) => {
    let s = d.intercept;
    for (let j = 0; j < D; j++) s += z[j]! * d.dense[j]!;
    if (d.text.length > 0) for (let k = 0; k < idx.length; k++) s += val[k]! * d.text[idx[k]!]!;
    const raw = d.center + d.stretch * (s - d.center);
    agreement += Math.max(0, d.cvQwk ?? 0);
    if (d.cvQwk === null || d.cvQwk < ESSAY_LOW_AGREEMENT_QWK) flags.add('low_model_agreement');
    return { id: d.id, score: toGrid(raw, d.min, d.max), raw };
  });
  let confidence = Math.min(1, agreement / Math.max(1, model.dimensions.length));
  for (const f of ['out_of_distribution', 'off_topic'] as const) if (flags.has(f)) confidence *= FLAG_PENALTY;
  return {
    dimensions,
    total: dimensions.reduce((s, d) => s + d.score, 0),
    confidence: Math.round(confidence * 1000) / 1000,
    flags: [...flags],
  };
}
