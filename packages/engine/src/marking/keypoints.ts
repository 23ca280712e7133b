/**
 * Key-point marking of short answers. Pure (no I/O besides the segmenter's dictionaries).
 *
 * For each key point of a rubric (`meaning` plus optional `variants`) the matcher looks for the
 * clause, or pair of adjacent clauses, of the answer that expresses it best, awards the point's
 * score when the match is strong enough and not negated, and returns the evidence span as
 * offsets into the ORIGINAL answer string, so the UI can highlight it.
 *
 * Pipeline for the answer and for every rubric phrase (the same one, so both sides agree):
 * - normalise code point by code point (NFKC: full width → half width; lowercase; curly quotes
 *   → '), keeping for each normalised character the original range it came from;
 * - split into clauses at 。！？；;,，. and newlines ('.' between digits is a decimal point);
 * - tokens: `tokenize` (jieba with curriculum terms; words of ≥ 3 characters add their
 *   dictionary sub-words), located back in the normalised text; English words get a light
 *   stemmer (plural s, -ing, -ed, final e) and lose function words; a small table of
 *   near-synonyms (必须/需要, 释放/产生, 升高/增大 …) maps to one canonical word;
 * - negation cues (不 没 无 未 非 否 勿 毋, not no never without n't …) are found first, with a
 *   list of words that merely contain a cue character (不断, 非常, 无论, 是否, 未来, 不等式 …);
 *   cue characters are removed from the content tokens, so 不需要 and 需要 have the same
 *   wording and polarity is checked separately.
 *
 * Similarity of a phrase to an answer window (0..1), the best over meaning and variants:
 * - exact: the phrase, punctuation and spaces ignored, occurs in the answer on word
 *   boundaries (so 光照 is not found inside 阳光照射) → 1;
 * - otherwise the larger of two weighted recalls of the phrase in the window: its tokens, and
 *   its "atom" bigrams (Han characters and English words of the content tokens, adjacent within
 *   a clause; a bigram inside a word never matches one straddling two words). The token view
 *   handles word-order changes; the bigram view gives partial credit for partly matched long
 *   words and rewards local word order. Recall, not F1: an answer that says more is not
 *   penalised — except for "rival" terms, words that only OTHER key points use, found at the
 *   match (电压处处相等 for the point 电流处处相等): they count as unmatched weight.
 * Term weights are about rarity, because a generic word (需要, 进行) must not carry a point:
 * jieba's IDF table for Chinese words (8 for English words and numbers, 2 for single letters),
 * × 0.3 for sub-words, ÷ the number of key points of the rubric that share the term (the topic
 * shared by all points says nothing about which point is met), × 0.3 for terms of
 * `options.context` (the question stem: repeating the question earns nothing).
 *
 * Scoring (threshold t, default 0.6, partial width w, default 0.15):
 * - similarity ≥ t, not negated → full score, `matched`;
 * - t − w ≤ similarity < t → half score, `partial`, low confidence (0.3): the wording is close
 *   but not clearly there, a teacher should look;
 * - negated (see below) → 0, `negated`;
 * - below t − w → 0.
 * Negation: the cues in the evidence span plus the 4 characters / words before it (inside its
 * clause) are counted; if their parity differs from the parity of cues in the phrase itself,
 * the match is negated. So 需要光照 is negated by 不需要光照 (and by 并不需要, not by 并非不需要),
 * and the key point 不需要氧气 is negated by an answer saying 需要氧气. An opposite word in the
 * window instead of the key point's own (减慢 for 加快, decrease for increase) flips it too.
 * Confidence per point: 1 far from the decision boundaries, lower near them (0.5 at the
 * threshold, 0.3 in the partial band), 0.7 for a negation (a heuristic), ≤ 0.4 when the answer
 * both states and negates the point; the marking's confidence is the minimum, so one doubtful
 * point routes the answer to human review (suggested cut: confidence < 0.5).
 */
import { STOP_WORDS, tokenize } from '../text/segment.js';

export interface KeyPointSpec {
  id: string;
  /** The expected meaning as a phrase or sentence, e.g. 光合作用需要光照. */
  meaning: string;
  /** Synonyms / other phrasings, e.g. 需要阳光, 在光下进行. */
  variants?: string[];
  /** Points awarded when matched; finite and ≥ 0. */
  score: number;
}

export interface KeyPointEvidence {
  /** Offsets into the original answer string: answer.slice(start, end) === text. */
  start: number;
  end: number;
  text: string;
}

export interface KeyPointResult {
  id: string;
  max: number;
  score: number;
  /** Full credit given. */
  matched: boolean;
  /** Similarity in the partial band: half credit, low confidence. */
  partial: boolean;
  /** Best match strength, 0..1 (of the negated wording when `negated`). */
  similarity: number;
  /** Where the point was found (for a negated point: the wording including the cue); null when absent. */
  evidence: KeyPointEvidence | null;
  /** The wording matched but its polarity is the opposite of the key point's → no credit. */
  negated: boolean;
  /** exact: the meaning occurs verbatim; variant: a variant matched (verbatim or not); fuzzy: the meaning matched by overlap. */
  via: 'exact' | 'variant' | 'fuzzy' | null;
  /** 0..1, low when the decision for this point is doubtful. */
  confidence: number;
}

export interface KeyPointMarking {
  points: KeyPointResult[];
  score: number;
  max: number;
  /** 0..1, the lowest point confidence (0 when there are no key points: nothing was checked). */
  confidence: number;
}

export interface KeyPointOptions {
  /** Similarity for full credit, in (0, 1]; default 0.6. */
  threshold?: number;
  /** Width of the half-credit band below the threshold, in [0, threshold]; default 0.15. */
  partialWidth?: number;
  /** The question stem: its words are expected in any answer and weigh less. */
  context?: string;
}

export const DEFAULT_KEYPOINT_THRESHOLD = 0.6;
export const DEFAULT_PARTIAL_WIDTH = 0.15;

// ---------------------------------------------------------------------------------------------
// Normalisation with an offset map

interface Span {
  start: number;
  end: number;
}

interface Norm {
  text: string;
  /** Original start / end offset of each normalised UTF-16 unit. */
  from: number[];
  to: number[];
}

function normalise(s: string): Norm {
  let text = '';
  const from: number[] = [];
  const to: number[] = [];
  let i = 0;
  for (const ch of s) {
    // Per code point, so every output unit knows its source; NFKC may expand (㎏ → kg).
    const n = ch
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[\u2018\u2019\u02bc`]/gu, "'")
      .replace(/\s/gu, ' ');
    for (let k = 0; k < n.length; k++) {
      from.push(i);
      to.push(i + ch.length);
    }
    text += n;
    i += ch.length;
  }
  return { text, from, to };
}

const HAN = /\p{Script=Han}/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const LATIN_WORD = /^[^\P{L}\p{Script=Han}]+$/u;

// Clause separators; '.' only when not between digits (3.14), … becomes ... after NFKC.
const CLAUSE_SEP = /[。！？；;,!?\n\r]|\.(?!\d)|(?<!\d)\./gu;

function splitClauses(text: string): Span[] {
  const out: Span[] = [];
  let start = 0;
  const push = (s: number, e: number) => {
    while (s < e && text[s] === ' ') s++;
    while (e > s && text[e - 1] === ' ') e--;
    if (e > s) out.push({ start: s, end: e });
  };
  for (const m of text.matchAll(CLAUSE_SEP)) {
    push(start, m.index);
    start = m.index + m[0].length;
  }
  push(start, text.length);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Negation cues

const ZH_CUE_CHARS = new Set(['不', '没', '无', '未', '非', '否', '勿', '毋']);

/** Words that contain a cue character without negating anything (or that negate twice). */
const NOT_NEGATIONS: readonly string[] = [
  '不断', '不仅', '不但', '不过', '不久', '不少', '不管', '不论', '不同', '不得不', '不禁', '不错', '不等式',
  '不良', '不然', '非常', '除非', '非洲', '无论', '无数', '无机', '无理数', '无穷', '无限', '无线', '未来',
  '未知', '没错', '是否', '能否', '可否', '否则', '与否', '否定', '莫非',
];

/** Single characters that remain of a negation word once its cue is removed (无法 → 法, 毫无 → 毫). */
const NEG_REMAINDERS = new Set(['法', '毫', '从', '决', '绝', '尚', '还', '曾', '并', '须', '需', '必', '用', '要', '有', '是', '能', '会', '可']);

const EN_CUES = /\b(?:not|no|never|without|cannot|none|neither|nor|nothing|nobody|[a-z]*n't)\b/gu;

/** Cue spans in normalised text: one per negating character or English word. */
function findCues(text: string): Span[] {
  const excluded = new Uint8Array(text.length);
  for (const w of NOT_NEGATIONS) {
    for (let i = text.indexOf(w); i >= 0; i = text.indexOf(w, i + w.length)) excluded.fill(1, i, i + w.length);
  }
  const out: Span[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!excluded[i] && ZH_CUE_CHARS.has(text[i]!)) out.push({ start: i, end: i + 1 });
  }
  for (const m of text.matchAll(EN_CUES)) out.push({ start: m.index, end: m.index + m[0].length });
  return out.sort((a, b) => a.start - b.start);
}

// ---------------------------------------------------------------------------------------------
// Terms and weights

/** English function words dropped on top of segment.ts's STOP_WORDS. */
const EN_STOP = new Set([
  'was', 'were', 'been', 'being', 'am', 'has', 'have', 'had', 'do', 'does', 'did', 'can', 'could', 'will',
  'would', 'shall', 'should', 'may', 'might', 'must', 'which', 'what', 'when', 'where', 'who', 'whom',
  'whose', 'why', 'how', 'there', 'their', 'they', 'them', 'its', 'these', 'those', 'so', 'than', 'then',
  'if', 'but', 'from', 'into', 'also', 'such', 'each', 'any', 'all', 'some', 'very', 'only', 'just', 'you',
  'your', 'we', 'our', 'us', 'he', 'she', 'his', 'her', 'him', 'me', 'my', 'about', 'because', 'while',
  'etc', 'i.e', 'e.g', 'eg', 'ie', 's', 't', 'd', 'll', 're', 've', 'm',
]);

/**
 * A deliberately small table of near-synonyms that school answers swap freely (必须 for 需要,
 * 释放 for 产生, 升高 for 增大 …), mapped to one canonical word on both sides. Subject-specific
 * synonyms belong in the rubric's variants, where a teacher can see and change them.
 */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['需要', '必须', '必需', '需', '须'],
  ['产生', '生成', '释放', '放出', '产出'],
  ['增大', '增加', '增多', '变大', '升高', '上升', '提高', '增强'],
  ['减小', '减少', '变小', '降低', '下降', '减弱'],
  ['加快', '变快', '加速'],
  ['减慢', '变慢', '减速'],
  ['吸收', '吸入'],
  ['相等', '相同', '一样'],
  ['因为', '由于'],
  ['所以', '因此'],
];
const CANONICAL = new Map<string, string>(SYNONYM_GROUPS.flatMap((g) => g.map((w) => [w, g[0]!] as const)));

/**
 * Opposites (canonical forms; English stemmed below). An answer that has the opposite of a
 * key-point word and not the word itself says the reverse (温度升高，反应速率减慢 against
 * 反应速率加快), so it counts like a negation cue.
 */
const ANTONYM_PAIRS: readonly (readonly [string, string])[] = [
  // 增大 and 减小 stand for their synonym groups (升高/上升/提高 …, 降低/下降 …).
  ['增大', '减小'], ['加快', '减慢'], ['大于', '小于'], ['吸收', '产生'], ['正', '负'], ['升温', '降温'],
  ['放热', '吸热'], ['省力', '费力'],
  ['increase', 'decrease'], ['more', 'less'], ['larger', 'smaller'], ['higher', 'lower'], ['faster', 'slower'],
  ['absorb', 'release'], ['before', 'after'], ['public', 'private'], ['true', 'false'], ['minimum', 'maximum'],
];
const ANTONYMS = new Map<string, string[]>();
for (const [x, y] of ANTONYM_PAIRS) {
  const a = CANONICAL.get(x) ?? stemWord(x);
  const b = CANONICAL.get(y) ?? stemWord(y);
  ANTONYMS.set(a, [...(ANTONYMS.get(a) ?? []), b]);
  ANTONYMS.set(b, [...(ANTONYMS.get(b) ?? []), a]);
}

/** Light English stemmer: enough to equate store / stores / stored / storing. */
export function stemWord(w: string): string {
  if (w.length <= 3 || !/^[a-z]+$/.test(w)) return w;
  let s = w;
  if (s.endsWith('ies') && s.length > 4) s = `${s.slice(0, -3)}y`;
  else if (s.endsWith('sses')) s = s.slice(0, -2);
  else if (s.endsWith('ing') && s.length > 5) s = s.slice(0, -3);
  else if (s.endsWith('ed') && s.length > 4) s = s.slice(0, -2);
  else if (/(?:x|ch|sh|z)es$/.test(s)) s = s.slice(0, -2);
  else if (s.endsWith('s') && !/(?:ss|us|is)$/.test(s)) s = s.slice(0, -1);
  if (s.endsWith('e') && s.length > 3) s = s.slice(0, -1);
  return s;
}

interface IdfTable {
  lookup(word: string): number | null;
}

let idfTable: IdfTable | null | undefined;
const idfCache = new Map<string, number | null>();
const IDF_CACHE_MAX = 20_000;

/**
 * jieba's IDF table (idf.txt, already read by `@node-rs/jieba/dict.js` for the segmenter), searched
 * on demand instead of parsed: a Map of its 270,000 lines costs ~0.5 s and ~60 MB, a lookup in
 * the buffer ~1.5 ms and only rubric words are looked up (cached). null outside Node.
 */
function loadIdf(): IdfTable | null {
  if (idfTable !== undefined) return idfTable;
  idfTable = null;
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return null;
  try {
    const require = proc.getBuiltinModule('node:module').createRequire(import.meta.url);
    const { idf } = require('@node-rs/jieba/dict.js') as typeof import('@node-rs/jieba/dict.js');
    const { Buffer } = proc.getBuiltinModule('node:buffer');
    const buf = Buffer.from(idf.buffer, idf.byteOffset, idf.byteLength);
    idfTable = {
      lookup(word: string): number | null {
        const key = Buffer.from(`\n${word} `);
        // The first line has no newline before it.
        let i = buf.subarray(0, key.length - 1).equals(key.subarray(1)) ? 0 : buf.indexOf(key);
        if (i < 0) return null;
        if (buf[i] === 0x0a) i += 1;
        const a = i + key.length - 1;
        let b = buf.indexOf(0x0a, a);
        if (b < 0) b = buf.length;
        const v = Number(buf.toString('utf8', a, b).trim());
        return Number.isFinite(v) ? v : null;
      },
    };
  } catch {
    idfTable = null;
  }
  return idfTable;
}

/** Weight of a content term before rubric / context factors. */
function baseWeight(term: string): number {
  if (!HAN.test(term)) return term.length === 1 && /[a-z]/.test(term) ? 2 : 8;
  const table = loadIdf();
  if (!table) return 8;
  let v = idfCache.get(term);
  if (v === undefined) {
    v = table.lookup(term);
    if (idfCache.size >= IDF_CACHE_MAX) idfCache.clear();
    idfCache.set(term, v);
  }
  // Unknown words are rare words; jieba's own default is the median (≈ 12).
  return Math.min(14, Math.max(1, v ?? 12));
}

// ---------------------------------------------------------------------------------------------
// Analysis of a text (answer or rubric phrase)

interface Token extends Span {
  term: string;
  /** A dictionary sub-word of the previous, longer token. */
  sub: boolean;
  clause: number;
}

interface Atom extends Span {
  key: string;
  /** Index of its (non-sub) token. */
  tok: number;
}

interface Analysis {
  norm: Norm;
  clauses: Span[];
  cues: Span[];
  tokens: Token[];
  /** Atoms per clause, in order. */
  atoms: Atom[][];
  /** Positions where a word starts or ends (for exact matches inside Han runs). */
  bounds: Set<number>;
  /** Text without punctuation and with spaces only between word characters, and its map to norm. */
  compact: string;
  compactMap: number[];
}

function clauseOf(clauses: Span[], pos: number): number {
  for (let c = 0; c < clauses.length; c++) if (pos < clauses[c]!.end) return c;
  return clauses.length - 1;
}

function analyse(raw: string): Analysis {
  const norm = normalise(raw);
  const text = norm.text;
  const clauses = splitClauses(text);
  const cues = findCues(text);
  const cueAt = new Uint8Array(text.length);
  for (const c of cues) cueAt.fill(1, c.start, c.end);

  // Locate tokenize's tokens in the text: words in order; a sub-word inside the previous long word.
  const tokens: Token[] = [];
  const bounds = new Set<number>([0, text.length]);
  for (const c of clauses) bounds.add(c.start).add(c.end);
  let cursor = 0;
  let parent: Span & { word: string } = { start: 0, end: 0, word: '' };
  for (const t of tokenize(text)) {
    let start: number;
    let sub = false;
    // segment.ts adds sub-words (≥ 2 characters) right after a word of ≥ 3 characters.
    const inParent = t.length >= 2 && t.length < parent.word.length ? parent.word.indexOf(t) : -1;
    if (inParent >= 0) {
      start = parent.start + inParent;
      sub = true;
    } else {
      start = text.indexOf(t, cursor);
      if (start < 0) continue; // tokenize rewrote it (LaTeX); nothing to point at
      cursor = start + t.length;
      parent = { start, end: cursor, word: t };
    }
    const end = start + t.length;
    bounds.add(start).add(end);
    // Strip negation cues: 不需要 → 需要; a token that is only a cue (不, not, don't) goes.
    let term = '';
    for (let i = start; i < end; i++) if (!cueAt[i]) term += text[i];
    if (term.length === 0 || STOP_WORDS.has(term) || EN_STOP.has(term)) continue;
    if (term.length < t.length && term.length === 1 && NEG_REMAINDERS.has(term)) continue;
    // 'a' stays a variable (a>0, a is positive) but is an article before a content word.
    if (term === 'a') {
      const next = /^ +([a-z]{3,})/.exec(text.slice(end, end + 24))?.[1];
      if (next && !STOP_WORDS.has(next) && !EN_STOP.has(next)) continue;
    }
    if (LATIN_WORD.test(term)) term = stemWord(term);
    term = CANONICAL.get(term) ?? term;
    tokens.push({ term, start, end, sub, clause: clauseOf(clauses, start) });
  }

  // Atoms: the characters of Han words and whole other words, for the bigram view.
  const atoms: Atom[][] = clauses.map(() => []);
  tokens.forEach((tok, i) => {
    if (tok.sub) return;
    const list = atoms[tok.clause]!;
    if (!HAN.test(tok.term)) {
      list.push({ key: tok.term, start: tok.start, end: tok.end, tok: i });
      return;
    }
    // The term's characters (a synonym's canonical form has other characters than the text).
    const chars = [...tok.term].filter((ch) => HAN.test(ch));
    chars.forEach((ch, j) => {
      const start = chars.length === tok.end - tok.start ? tok.start + j : tok.start;
      const end = chars.length === tok.end - tok.start ? start + 1 : tok.end;
      list.push({ key: ch, start, end, tok: i });
    });
  });

  let compact = '';
  const compactMap: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ' ') {
      const prev = compact[compact.length - 1];
      const next = text[i + 1];
      if (prev && next && prev !== ' ' && !HAN.test(prev) && !HAN.test(next) && WORD_CHAR.test(prev) && WORD_CHAR.test(next)) {
        compact += ' ';
        compactMap.push(i);
      }
      continue;
    }
    if (/[\p{P}]/u.test(ch)) continue;
    compact += ch;
    compactMap.push(i);
  }
  return { norm, clauses, cues, tokens, atoms, bounds, compact, compactMap };
}

// ---------------------------------------------------------------------------------------------
// Rubric phrases

interface Phrase {
  via: 'exact' | 'variant'; // meaning or variant
  a: Analysis;
  /** Term → weight (final). */
  terms: Map<string, number>;
  /** Bigram key → weight. */
  grams: Map<string, number>;
  /** Cue count parity of the phrase itself. */
  negative: boolean;
}

/**
 * Bigram keys record whether the two atoms are in one word or straddle two: 光照 inside the word
 * 光照 is not the 光照 that straddles 阳光|照射, just as the exact match respects word boundaries.
 */
const gramKey = (x: Atom, y: Atom) => `${x.key}${x.tok === y.tok ? '\u0001' : '\u0002'}${y.key}`;
const SUBWORD_WEIGHT = 0.3;
const CONTEXT_WEIGHT = 0.3;

function phraseTermBases(a: Analysis): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of a.tokens) {
    const w = baseWeight(t.term) * (t.sub ? SUBWORD_WEIGHT : 1);
    if ((out.get(t.term) ?? 0) < w) out.set(t.term, w);
  }
  return out;
}

/**
 * Gram weights: each atom carries its token's weight divided by the token's atom count, a
 * bigram the sum of its two atoms'. So a long word does not outweigh a short rare one just by
 * having more internal bigrams (光合作用 has three, 光照 one).
 */
function buildGrams(a: Analysis, tokWeight: (i: number) => number): Map<string, number> {
  const grams = new Map<string, number>();
  const put = (k: string, w: number) => {
    if ((grams.get(k) ?? 0) < w) grams.set(k, w);
  };
  const atomsOfTok = new Map<number, number>();
  for (const list of a.atoms) for (const x of list) atomsOfTok.set(x.tok, (atomsOfTok.get(x.tok) ?? 0) + 1);
  const w = (x: Atom) => tokWeight(x.tok) / atomsOfTok.get(x.tok)!;
  for (const list of a.atoms) {
    for (let i = 1; i < list.length; i++) {
      const x = list[i - 1]!;
      const y = list[i]!;
      put(gramKey(x, y), w(x) + w(y));
    }
  }
  return grams;
}

interface Rubric {
  /** Per key point: its meaning (first, when given) and variants. */
  phrases: Phrase[][];
  /**
   * Per key point: terms of the OTHER key points that its own phrases lack,
   * with their weight. 电压 is a rival of 串联电路中电流处处相等 when another point is about 电压:
   * an answer saying 电压处处相等 has swapped the entities and must not earn the 电流 point.
   */
  rivals: Map<string, number>[];
}

function compileRubric(keyPoints: KeyPointSpec[], context: string | undefined): Rubric {
  const raw = keyPoints.map((kp) => {
    const texts = [kp.meaning, ...(kp.variants ?? [])].filter((s): s is string => typeof s === 'string' && s.trim() !== '');
    return texts.map((s, i) => ({ via: i === 0 && s === kp.meaning ? ('exact' as const) : ('variant' as const), a: analyse(s) }));
  });
  // Rubric document frequency: a term in every key point (the topic) tells them apart from nothing.
  const df = new Map<string, number>();
  for (const phrases of raw) {
    const seen = new Set<string>();
    for (const p of phrases) for (const t of p.a.tokens) seen.add(t.term);
    for (const t of seen) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const ctx = new Set<string>();
  if (context) for (const t of analyse(context).tokens) ctx.add(t.term);
  const rarity = (term: string) => 1 / (df.get(term) ?? 1);
  const factor = (term: string) => rarity(term) * (ctx.has(term) ? CONTEXT_WEIGHT : 1);

  const phrases = raw.map((list) =>
    list.map(({ via, a }): Phrase => {
      const terms = new Map<string, number>();
      for (const [t, w] of phraseTermBases(a)) terms.set(t, w * factor(t));
      const tokW = (i: number) => {
        const t = a.tokens[i]!;
        return baseWeight(t.term) * factor(t.term);
      };
      return { via, a, terms, grams: buildGrams(a, tokW), negative: a.cues.length % 2 === 1 };
    }),
  );
  // Rivals keep their full weight even when the question names them: 电流和电压 in the stem
  // does not make 电压处处相等 an answer about 电流.
  const own = phrases.map((list) => new Set(list.flatMap((p) => [...p.terms.keys()])));
  const rivals = phrases.map((_, k) => {
    const r = new Map<string, number>();
    raw.forEach((list, j) => {
      if (j === k) return;
      for (const { a } of list) {
        for (const [t, w] of phraseTermBases(a)) {
          const rw = w * rarity(t);
          if (!own[k]!.has(t) && (r.get(t) ?? 0) < rw) r.set(t, rw);
        }
      }
    });
    return r;
  });
  return { phrases, rivals };
}

// ---------------------------------------------------------------------------------------------
// Matching

/** Occurrences of terms and grams per answer clause. */
interface ClauseIndex {
  terms: Map<string, Span[]>;
  grams: Map<string, Span[]>;
}

function indexAnswer(a: Analysis): ClauseIndex[] {
  const idx: ClauseIndex[] = a.clauses.map(() => ({ terms: new Map(), grams: new Map() }));
  const add = (m: Map<string, Span[]>, k: string, s: Span) => {
    const l = m.get(k);
    if (l) l.push(s);
    else m.set(k, [s]);
  };
  for (const t of a.tokens) add(idx[t.clause]!.terms, t.term, t);
  a.atoms.forEach((list, c) => {
    for (let i = 0; i < list.length; i++) {
      if (i > 0) add(idx[c]!.grams, gramKey(list[i - 1]!, list[i]!), { start: list[i - 1]!.start, end: list[i]!.end });
    }
  });
  return idx;
}

interface Candidate {
  sim: number;
  verbatim: boolean;
  via: 'exact' | 'variant' | 'fuzzy';
  span: Span; // in normalised answer text
  negated: boolean;
  cueStart: number; // start of the first counted cue, or span.start
}

/** Smallest span holding one occurrence of every unit (units are few, occurrences short lists). */
function coveringSpan(units: Span[][]): Span | null {
  if (units.length === 0) return null;
  const ev: { s: Span; u: number }[] = [];
  units.forEach((occ, u) => {
    for (const s of occ) ev.push({ s, u });
  });
  ev.sort((x, y) => x.s.start - y.s.start);
  const count = new Array<number>(units.length).fill(0);
  let have = 0;
  let best: Span | null = null;
  let left = 0;
  for (let right = 0; right < ev.length; right++) {
    if (count[ev[right]!.u]!++ === 0) have++;
    while (have === units.length) {
      let end = 0;
      for (let k = left; k <= right; k++) end = Math.max(end, ev[k]!.s.end);
      const start = ev[left]!.s.start;
      if (!best || end - start < best.end - best.start) best = { start, end };
      if (--count[ev[left]!.u]! === 0) have--;
      left++;
    }
  }
  return best;
}

function coverage(weights: Map<string, number>, windows: Map<string, Span[]>[]): { cov: number; total: number; units: Span[][] } {
  let total = 0;
  let hit = 0;
  const units: Span[][] = [];
  for (const [k, w] of weights) {
    total += w;
    const occ: Span[] = [];
    for (const m of windows) {
      const l = m.get(k);
      if (l) occ.push(...l);
    }
    if (occ.length > 0) {
      hit += w;
      units.push(occ);
    }
  }
  return { cov: total > 0 ? hit / total : 0, total, units };
}

const NEGATION_LOOKBACK = 4;

/** Start of the few characters / English words before `span` (within its clause) that still qualify it. */
function lookback(a: Analysis, span: Span): number {
  const text = a.norm.text;
  const clause = a.clauses[clauseOf(a.clauses, span.start)]!;
  let i = span.start;
  let units = 0;
  while (i > clause.start && units < NEGATION_LOOKBACK) {
    const ch = text[i - 1]!;
    if (HAN.test(ch)) {
      i--;
      units++;
    } else if (WORD_CHAR.test(ch) || ch === "'") {
      while (i > clause.start && (WORD_CHAR.test(text[i - 1]!) || text[i - 1] === "'") && !HAN.test(text[i - 1]!)) i--;
      units++;
    } else i--;
  }
  return i;
}

/** Negation check of a span: cues inside it and in the few characters / words before it. */
function checkNegation(a: Analysis, span: Span, phraseNegative: boolean): { negated: boolean; cueStart: number } {
  const i = lookback(a, span);
  let n = 0;
  let cueStart = span.start;
  for (const c of a.cues) {
    if (c.end > i && c.start < span.end) {
      n++;
      cueStart = Math.min(cueStart, c.start);
    }
  }
  return { negated: (n % 2 === 1) !== phraseNegative, cueStart };
}

function isBoundary(a: Analysis, p: number): boolean {
  if (a.bounds.has(p)) return true;
  const t = a.norm.text;
  const x = t[p - 1];
  const y = t[p];
  if (!x || !y) return true;
  if (HAN.test(x) || HAN.test(y)) return false; // inside a Han run only word boundaries count
  return !(WORD_CHAR.test(x) && WORD_CHAR.test(y));
}

/** Weight of the rival terms (see `Rubric`) in `span` and just before it, each counted once. */
function rivalWeight(a: Analysis, span: Span, rivals: Map<string, number>): number {
  if (rivals.size === 0) return 0;
  const from = lookback(a, span);
  const seen = new Set<string>();
  let w = 0;
  for (const t of a.tokens) {
    if (t.start >= from && t.end <= span.end && !seen.has(t.term)) {
      seen.add(t.term);
      w += rivals.get(t.term) ?? 0;
    }
  }
  return w;
}

/**
 * Key-point words whose opposite the window has instead of them: an odd count flips the
 * polarity. Returns the first opposite's span, or null for an even count.
 */
function opposites(p: Phrase, win: ClauseIndex[]): Span | null {
  let n = 0;
  let first: Span | null = null;
  for (const t of p.terms.keys()) {
    const anti = ANTONYMS.get(t);
    if (!anti || win.some((w) => w.terms.has(t))) continue;
    for (const x of anti) {
      const occ = win.find((w) => w.terms.has(x))?.terms.get(x);
      if (occ) {
        n++;
        if (!first || occ[0]!.start < first.start) first = occ[0]!;
        break;
      }
    }
  }
  return n % 2 === 1 ? first : null;
}

function candidates(a: Analysis, idx: ClauseIndex[], p: Phrase, rivals: Map<string, number>): Candidate[] {
  const out: Candidate[] = [];
  const fuzzyVia = p.via === 'exact' ? 'fuzzy' : 'variant';
  // Verbatim (ignoring punctuation and spaces), on word boundaries, at least two characters.
  const needle = p.a.compact;
  if (needle.length >= 2) {
    for (let i = a.compact.indexOf(needle); i >= 0; i = a.compact.indexOf(needle, i + 1)) {
      const span = { start: a.compactMap[i]!, end: a.compactMap[i + needle.length - 1]! + 1 };
      if (!isBoundary(a, span.start) || !isBoundary(a, span.end)) continue;
      out.push({ sim: 1, verbatim: true, via: p.via, span, ...checkNegation(a, span, p.negative) });
    }
  }
  // Overlap, per clause and per pair of adjacent clauses.
  for (let c = 0; c < idx.length; c++) {
    for (const width of [1, 2]) {
      if (c + width > idx.length) break;
      const win = idx.slice(c, c + width);
      const tok = coverage(p.terms, win.map((w) => w.terms));
      const gram = coverage(p.grams, win.map((w) => w.grams));
      const best = gram.cov > tok.cov ? gram : tok;
      if (best.cov <= 0) continue;
      const span = coveringSpan(best.units);
      if (!span) continue;
      // Rival terms at the match count as unmatched weight (in token-weight units).
      const sim = best.cov * (tok.total / (tok.total + rivalWeight(a, span, rivals)));
      const neg = checkNegation(a, span, p.negative);
      const opposite = opposites(p, win);
      if (opposite) {
        neg.negated = !neg.negated;
        span.start = Math.min(span.start, opposite.start);
        span.end = Math.max(span.end, opposite.end);
      }
      out.push({ sim, verbatim: false, via: fuzzyVia, span, ...neg });
    }
  }
  return out;
}

const VIA_RANK = { exact: 0, fuzzy: 1, variant: 2 } as const;

/** Stronger, then verbatim, then the meaning before a variant, then the tighter span. */
function better(x: Candidate, y: Candidate | null): boolean {
  if (!y) return true;
  if (x.sim !== y.sim) return x.sim > y.sim;
  if (x.verbatim !== y.verbatim) return x.verbatim;
  if (x.via !== y.via) return VIA_RANK[x.via] < VIA_RANK[y.via];
  return x.span.end - x.span.start < y.span.end - y.span.start;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function evidenceOf(a: Analysis, raw: string, s: Span): KeyPointEvidence {
  const start = a.norm.from[s.start]!;
  const end = a.norm.to[s.end - 1]!;
  return { start, end, text: raw.slice(start, end) };
}

/**
 * Marks `answer` against the key points. See the module comment for the method; the result
 * lists every key point in order with its score, evidence span and confidence.
 */
export function matchKeyPoints(answer: string, keyPoints: KeyPointSpec[], options: KeyPointOptions = {}): KeyPointMarking {
  const threshold = options.threshold ?? DEFAULT_KEYPOINT_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], got ${threshold}`);
  const width = options.partialWidth ?? DEFAULT_PARTIAL_WIDTH;
  if (!(width >= 0 && width <= threshold)) throw new RangeError(`partialWidth must be in [0, threshold], got ${width}`);
  for (const kp of keyPoints) {
    if (!(Number.isFinite(kp.score) && kp.score >= 0)) throw new RangeError(`key point ${kp.id}: score must be finite and ≥ 0`);
  }
  const low = threshold - width;
  const text = typeof answer === 'string' ? answer : '';
  const a = analyse(text);
  const idx = indexAnswer(a);
  const rubric = compileRubric(keyPoints, options.context);

  const points = keyPoints.map((kp, k): KeyPointResult => {
    let pos: Candidate | null = null;
    let neg: Candidate | null = null;
    for (const p of rubric.phrases[k]!) {
      for (const c of candidates(a, idx, p, rubric.rivals[k]!)) {
        if (c.negated) {
          if (better(c, neg)) neg = c;
        } else if (better(c, pos)) pos = c;
      }
    }
    const base = { id: kp.id, max: kp.score };
    const posSim = pos?.sim ?? 0;
    if (pos && posSim >= threshold) {
      // Stated, and perhaps also denied elsewhere: credit, but ask for a look.
      const contradicted = neg !== null && neg.sim >= threshold;
      const conf = 0.5 + 0.5 * clamp01((posSim - threshold) / 0.2);
      return {
        ...base, score: kp.score, matched: true, partial: false, similarity: posSim,
        evidence: evidenceOf(a, text, pos.span), negated: false, via: pos.via,
        confidence: contradicted ? Math.min(conf, 0.4) : conf,
      };
    }
    if (neg && neg.sim >= low && neg.sim > posSim) {
      return {
        ...base, score: 0, matched: false, partial: false, similarity: neg.sim,
        evidence: evidenceOf(a, text, { start: Math.min(neg.cueStart, neg.span.start), end: neg.span.end }),
        negated: true, via: neg.via, confidence: neg.sim >= threshold ? 0.7 : 0.3,
      };
    }
    if (pos && posSim >= low) {
      return {
        ...base, score: kp.score / 2, matched: false, partial: true, similarity: posSim,
        evidence: evidenceOf(a, text, pos.span), negated: false, via: pos.via, confidence: 0.3,
      };
    }
    const sim = Math.max(posSim, neg?.sim ?? 0);
    return {
      ...base, score: 0, matched: false, partial: false, similarity: sim, evidence: null, negated: false, via: null,
      confidence: 0.5 + 0.5 * clamp01((low - sim) / 0.2),
    };
  });

  return {
    points,
    score: points.reduce((s, p) => s + p.score, 0),
    max: points.reduce((s, p) => s + p.max, 0),
    confidence: points.length === 0 ? 0 : Math.min(...points.map((p) => p.confidence)),
  };
}
