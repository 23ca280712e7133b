/**
 * Tokenisation of Chinese (and mixed Chinese/ASCII/LaTeX) text for full-text search.
 *
 * Pipeline: NFKC (full-width → half-width, ² → 2, ｘ → x), lowercase, LaTeX commands become
 * plain words (`\frac{1}{2}x^2` → frac 1 2 x 2), then the text is split into runs: Han runs go
 * to a word segmenter, letter runs and number runs (3, 3.14) are kept as they are, and
 * everything else (punctuation, operators, braces, whitespace) separates tokens. Stop words
 * are dropped. Queries go through `tokenizeQuery`, which applies the same pipeline and the same
 * dictionary, so every query term is also a document token of the same text.
 *
 * Segmenter: jieba (`@node-rs/jieba`, native, loaded once on first use); a word of three or
 * more characters also yields all its dictionary sub-words: 一元二次方程 → 一元 一元二次方程 二次
 * 二次方 二次方程 次方 方程. The jieba dictionary is extended with junior/senior-school maths terms it lacks
 * (配方法, 求根公式, 等腰三角形, …). See docs/decisions/0004-chinese-segmentation.md.
 *
 * The module has no top-level Node import: outside Node (a browser bundle) `tokenize` falls
 * back to `Intl.Segmenter`, which is also exported as `tokenizeIntl` for comparison.
 */
import type { Jieba } from '@node-rs/jieba';

/**
 * Maths terms missing from jieba's default dictionary, added on load so that each is kept
 * whole (its sub-words are still emitted). Terms jieba already knows (一元二次方程,
 * 勾股定理, 平行四边形, 一次函数, …) are not repeated: re-adding them would change their
 * frequencies.
 */
export const CURRICULUM_TERMS: readonly string[] = [
  // number and algebra
  '一元一次方程', '二元一次方程', '二元一次方程组', '一元一次不等式', '一元一次不等式组', '求根公式',
  '根的判别式', '根与系数', '韦达定理', '配方法', '公式法', '因式分解法', '直接开平方法', '提公因式法',
  '十字相乘法', '平方差公式', '完全平方公式', '合并同类项', '二次根式', '最简二次根式', '科学记数法',
  '算术平方根', '代入消元法', '加减消元法',
  // functions
  '正比例函数', '反比例函数', '二次函数', '顶点坐标', '平面直角坐标系',
  // geometry
  '勾股定理逆定理', '勾股数', '等腰三角形', '等边三角形', '全等三角形', '相似三角形', '三角形内角和',
  '三角形中位线', '中位线', '角平分线', '垂直平分线', '等腰梯形', '圆周角定理', '垂径定理', '切线长定理',
  '扇形面积', '弧长', '锐角三角函数', '邻补角', '全等', '相似比',
  // statistics and probability
  '树状图', '列表法',
];

/**
 * Words dropped from documents and queries: function words that carry no topic, and LaTeX
 * layout commands. Kept small on purpose: BM25's idf already discounts frequent words, and
 * single characters such as 角, 边, 圆, 解 are meaningful in maths.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  '的', '地', '得', '了', '着', '过', '是', '在', '和', '与', '及', '或', '等', '吗', '呢', '啊', '吧', '呀',
  '也', '都', '就', '而', '之', '其', '这', '那', '个', '把', '被', '将', '对', '从', '则', '即', '并', '且',
  '哪些', '什么', '多少', '请', '一个',
  // English function words; single letters (a, b, c, x) stay, they are variables in maths.
  'an', 'the', 'of', 'to', 'and', 'or', 'in', 'on', 'at', 'is', 'are', 'be', 'for', 'with', 'by',
  'as', 'it', 'this', 'that',
  // LaTeX layout (content commands such as frac, sqrt, sin stay searchable)
  'left', 'right', 'big', 'bigl', 'bigr', 'quad', 'qquad', 'displaystyle', 'textstyle', 'text',
  'mathrm', 'mathbf', 'rm', 'begin', 'end',
]);

// A Han run, a number (digits with an optional decimal part), or a run of other letters.
// Everything else — whitespace, punctuation, maths operators, braces — separates tokens.
const RUN = /(\p{Script=Han}+)|(\d+(?:\.\d+)?)|([^\P{L}\p{Script=Han}]+)/gu;
const LATEX_COMMAND = /\\([a-z]+)/g;

function prepare(text: string): string {
  return typeof text === 'string' ? text.normalize('NFKC').toLowerCase().replace(LATEX_COMMAND, ' $1 ') : '';
}

function tokenizeWith(text: string, cutHan: (run: string) => string[]): string[] {
  const out: string[] = [];
  if (typeof text !== 'string' || text.length === 0) return out;
  for (const m of prepare(text).matchAll(RUN)) {
    if (m[1] !== undefined) {
      for (const w of cutHan(m[1])) {
        if (!STOP_WORDS.has(w)) out.push(w);
      }
    } else {
      const w = m[0];
      if (!STOP_WORDS.has(w)) out.push(w);
    }
  }
  return out;
}

let jieba: Jieba | null = null;
let intl: Intl.Segmenter | null = null;

/** The jieba instance with its default dictionary plus CURRICULUM_TERMS; null outside Node. */
function loadJieba(): Jieba | null {
  if (jieba) return jieba;
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return null;
  const require = proc.getBuiltinModule('node:module').createRequire(import.meta.url);
  const mod = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
  const { dict } = require('@node-rs/jieba/dict.js') as typeof import('@node-rs/jieba/dict.js');
  const j = mod.Jieba.withDict(dict);
  // A frequency well above the parts' keeps each term whole in jieba's best route.
  j.loadDict(new TextEncoder().encode(CURRICULUM_TERMS.map((t) => `${t} 3000 n\n`).join('')));
  jieba = j;
  return j;
}

function intlCut(run: string): string[] {
  intl ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const out: string[] = [];
  for (const seg of intl.segment(run)) if (seg.isWordLike) out.push(seg.segment);
  return out;
}

/**
 * Search tokens of `text` for indexing, in order, duplicates kept: jieba's words plus the
 * dictionary sub-words of each word of three or more characters. Queries can use the same
 * function or, better ranked, `tokenizeQuery`. Outside Node it falls back to `tokenizeIntl`.
 */
export function tokenize(text: string): string[] {
  const j = loadJieba();
  if (!j) return tokenizeIntl(text);
  return tokenizeWith(text, (run) => searchCut(j, run));
}

/** A query term and its weight in the score (see `tokenizeQuery`). */
export interface WeightedTerm {
  term: string;
  weight: number;
}

/** Weight of a sub-word in a query, relative to 1 for a word the query actually contains. */
export const SUBWORD_QUERY_WEIGHT = 0.3;

/**
 * Query terms: the same pipeline as `tokenize`, but only the words of jieba's best route get
 * weight 1; the sub-words of a long word get SUBWORD_QUERY_WEIGHT. So 配方法解方程 still finds
 * 解一元二次方程 through 方程, while 勾股定理 直角三角形 is not drowned by 三角, 角形, 三角形
 * matching every triangle item. Pass it as `Bm25Index`'s `tokenizeQuery` next to `tokenize`.
 * Each term appears once, with its highest weight.
 */
export function tokenizeQuery(text: string): WeightedTerm[] {
  const j = loadJieba();
  const weights = new Map<string, number>();
  const add = (t: string, w: number) => {
    if (!STOP_WORDS.has(t) && (weights.get(t) ?? 0) < w) weights.set(t, w);
  };
  if (!j) {
    for (const t of tokenizeIntl(text)) add(t, 1);
  } else {
    for (const m of prepare(text).matchAll(RUN)) {
      if (m[1] === undefined) {
        add(m[0], 1);
        continue;
      }
      for (const w of j.cut(m[1], true)) {
        add(w, 1);
        if (w.length >= 3) for (const sub of j.cutAll(w)) if (sub.length >= 2) add(sub, SUBWORD_QUERY_WEIGHT);
      }
    }
  }
  return [...weights].map(([term, weight]) => ({ term, weight }));
}

/**
 * jieba's best route, plus every dictionary word of two or more characters inside each word
 * of three or more. Unlike jieba's own search mode (2- and 3-character sub-words only) this
 * keeps 勾股定理 inside 勾股定理逆定理 and 二次方程 inside 一元二次方程.
 */
function searchCut(j: Jieba, run: string): string[] {
  const words = j.cut(run, true);
  const out: string[] = [];
  for (const w of words) {
    if (w.length < 3) {
      out.push(w);
      continue;
    }
    const start = out.length;
    out.push(w); // even when HMM made it up and cutAll does not list it
    for (const sub of j.cutAll(w)) {
      if (sub.length < 2) continue;
      let dup = false;
      for (let i = start; i < out.length; i++) if (out[i] === sub) dup = true;
      if (!dup) out.push(sub);
    }
  }
  return out;
}

/**
 * The same pipeline with `Intl.Segmenter('zh', { granularity: 'word' })` (ICU's dictionary)
 * for Chinese runs. No dependency and works in browsers, but splits several curriculum terms
 * (平行四边形 → 平行 四边 形) and yields no sub-words; see ADR 0004.
 */
export function tokenizeIntl(text: string): string[] {
  return tokenizeWith(text, intlCut);
}
