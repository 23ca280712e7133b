/**
 * Marking of objective items (single choice, multiple choice, true/false) and of
 * fill-in-the-blank items. Pure and deterministic, so every result has confidence 1.
 *
 * The item shapes mirror the server's item schema, declared structurally here because the
 * engine must not depend on the server. A student's response arrives as untrusted JSON, so it is
 * typed `unknown`: a missing or wrongly shaped response scores 0 with a `malformed` note in
 * `detail` instead of throwing, so one bad submission never stops a batch.
 */

export interface MarkResult {
  score: number;
  max: number;
  /** Full marks. */
  correct: boolean;
  /** 0..1; always 1 here because these engines are deterministic. */
  confidence: number;
  /** Which engine produced the mark, e.g. `objective/exact`, for the audit trail. */
  engine: string;
  detail: unknown;
}

export interface SingleChoiceMarkSpec {
  answer: string;
}

export type PartialCreditPolicy = 'none' | 'proportional' | 'lenient';

export interface MultipleChoiceMarkSpec {
  answer: readonly string[];
  partialCredit: PartialCreditPolicy;
}

export interface TrueFalseMarkSpec {
  answer: boolean;
}

export interface BlankNormaliseOptions {
  ignoreWidth: boolean;
  ignoreSpaces: boolean;
  ignoreCase: boolean;
}

export interface BlankMarkSpec extends BlankNormaliseOptions {
  id: string;
  accepted: readonly string[];
  score: number;
}

export interface FillBlankMarkSpec {
  blanks: readonly BlankMarkSpec[];
}

export interface BlankMarkResult {
  id: string;
  score: number;
  max: number;
  correct: boolean;
  /** The student's text as given, or null when the blank was missing or not text. */
  given: string | null;
  /** The accepted variant (as written by the teacher) that matched, or null. */
  matched: string | null;
}

const EXACT = 'objective/exact';
const FILL_BLANK = 'objective/fill-blank';

/** Rounds to 2 decimals; the epsilon keeps 0.125 → 0.13 rather than 0.12 after binary rounding. */
function round2(x: number): number {
  return Math.round((x + Number.EPSILON) * 100) / 100;
}

/** A negative, NaN or infinite maximum would poison totals; treat it as 0. */
function safeMax(max: number): number {
  return Number.isFinite(max) && max > 0 ? round2(max) : 0;
}

function result(score: number, max: number, engine: string, detail: unknown): MarkResult {
  const s = round2(score);
  return { score: s, max, correct: max > 0 && s >= max, confidence: 1, engine, detail };
}

function kindOf(v: unknown): string {
  if (v === undefined || v === null) return 'missing';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

// ---------------------------------------------------------------------------------------------
// Choice keys

/**
 * Canonical option key: trimmed, full-width letters folded (ＡＢ typed with a Chinese IME) and
 * upper-cased. Keys are single letters A–Z, so case and width carry no meaning. Returns null
 * for anything that is not a single letter.
 */
function choiceKey(v: string): string | null {
  const k = foldFullWidth(v.trim()).toUpperCase();
  return /^[A-Z]$/.test(k) ? k : null;
}

export function markSingleChoice(spec: SingleChoiceMarkSpec, response: unknown, max: number): MarkResult {
  const m = safeMax(max);
  const expected = spec.answer;
  if (typeof response !== 'string') {
    return result(0, m, EXACT, { given: null, expected, malformed: `expected an option key, got ${kindOf(response)}` });
  }
  if (response.trim() === '') return result(0, m, EXACT, { given: '', expected });
  const key = choiceKey(response);
  if (key === null) {
    return result(0, m, EXACT, { given: response, expected, malformed: 'not a single option letter A–Z' });
  }
  return result(key === choiceKey(expected) ? m : 0, m, EXACT, { given: key, expected });
}

export function markMultipleChoice(spec: MultipleChoiceMarkSpec, response: unknown, max: number): MarkResult {
  const m = safeMax(max);
  const policy = spec.partialCredit;
  const expected = [...new Set(spec.answer.map((k) => choiceKey(k) ?? k))].sort();
  const base = { expected, policy };
  if (!Array.isArray(response)) {
    return result(0, m, EXACT, { ...base, given: null, malformed: `expected a list of option keys, got ${kindOf(response)}` });
  }
  const keys: string[] = [];
  for (const v of response) {
    const k = typeof v === 'string' ? choiceKey(v) : null;
    if (k === null) {
      return result(0, m, EXACT, { ...base, given: null, malformed: 'every entry must be a single option letter A–Z' });
    }
    keys.push(k);
  }
  // Order and repeats carry no meaning: a student who ticks A twice has chosen A.
  const given = [...new Set(keys)].sort();
  const want = new Set(expected);
  const right = given.filter((k) => want.has(k)).length;
  const wrong = given.length - right;
  const exact = wrong === 0 && want.size > 0 && right === want.size;

  let score = 0;
  if (exact) score = m;
  else if (wrong === 0 && right > 0) {
    // A wrong key always forfeits partial credit: otherwise ticking every box would pay.
    if (policy === 'proportional') score = (m * right) / want.size;
    else if (policy === 'lenient') score = m / 2;
  }
  return result(score, m, EXACT, { ...base, given, right, wrong });
}

/**
 * Spellings of true/false beyond JSON booleans, for answers that come from scanned answer
 * sheets or spreadsheets: 对/错, √/×, T/F, 正确/错误.
 */
const TRUE_WORDS = new Set(['true', 't', '对', '正确', '是', '√', '✓', '✔']);
const FALSE_WORDS = new Set(['false', 'f', '错', '错误', '否', '×', '✗', '✘', 'x']);

function toBoolean(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return null;
  const w = foldFullWidth(v.trim()).toLowerCase();
  if (TRUE_WORDS.has(w)) return true;
  if (FALSE_WORDS.has(w)) return false;
  return null;
}

export function markTrueFalse(spec: TrueFalseMarkSpec, response: unknown, max: number): MarkResult {
  const m = safeMax(max);
  const given = toBoolean(response);
  if (given === null) {
    const what = typeof response === 'string' ? `"${response.slice(0, 20)}"` : kindOf(response);
    return result(0, m, EXACT, { given: null, expected: spec.answer, malformed: `expected true or false, got ${what}` });
  }
  return result(given === spec.answer ? m : 0, m, EXACT, { given, expected: spec.answer });
}

// ---------------------------------------------------------------------------------------------
// Fill in the blank

/**
 * Punctuation that a Chinese IME produces in place of the ASCII a teacher typed, outside the
 * full-width block (which `foldFullWidth` handles arithmetically). 。 as a decimal point and − (the
 * maths minus sign) are the common cases in maths answers; 、 is the Chinese list comma.
 */
const EQUIVALENT_PUNCTUATION: Readonly<Record<string, string>> = {
  '\u3000': ' ', // ideographic space
  '。': '.',
  '、': ',',
  '\u2212': '-', // − minus sign
  '\u2013': '-', // – en dash
  '\u2014': '-', // — em dash
  '\u2018': "'",
  '\u2019': "'",
  '\u201C': '"',
  '\u201D': '"',
  '【': '[',
  '】': ']',
  '〔': '(',
  '〕': ')',
};
const EQUIVALENT_RE = new RegExp(`[${Object.keys(EQUIVALENT_PUNCTUATION).join('')}]`, 'g');

/** Full-width ASCII (U+FF01–U+FF5E: ＡＢＣ１２３，（）＋－) → ASCII. */
function foldFullWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/**
 * The text a blank is compared by. Applied to the student's text and to every accepted
 * variant alike, so a teacher may write accepted answers in any of the folded forms.
 *
 * Always: NFC (a composed and a decomposed ü are the same letter), `$` maths delimiters removed
 * (an accepted `$\frac{1}{2}$` matches a typed `\frac{1}{2}`; write a literal dollar as `\$`),
 * `\dfrac`/`\tfrac` read as `\frac` (display size only), surrounding whitespace trimmed.
 * NFKC is deliberately not used: besides width it folds x² to x2 and ½ to 1⁄2, which changes a
 * maths answer, and it would apply width folding even when the teacher turned it off.
 *
 * ignoreWidth: full-width ASCII and the ideographic space → ASCII, plus the IME punctuation above.
 * ignoreSpaces: all whitespace removed. ignoreCase: lower-cased.
 */
export function normaliseBlank(s: string, opts: BlankNormaliseOptions): string {
  let t = s.normalize('NFC');
  if (opts.ignoreWidth) {
    t = foldFullWidth(t).replace(EQUIVALENT_RE, (c) => EQUIVALENT_PUNCTUATION[c] ?? c);
  }
  t = t.replace(/(?<!\\)\$/g, '').replace(/\\[dt]frac(?![a-zA-Z])/g, '\\frac');
  t = opts.ignoreSpaces ? t.replace(/\s+/g, '') : t.trim();
  if (opts.ignoreCase) t = t.toLowerCase();
  return t;
}

function markBlank(b: BlankMarkSpec, raw: unknown): BlankMarkResult {
  const max = safeMax(b.score);
  // A number is accepted as its decimal text: some clients send {"1": 3} for a numeric blank.
  const given = typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : null;
  let matched: string | null = null;
  if (given !== null) {
    const g = normaliseBlank(given, b);
    // An empty answer never matches, even if a variant normalises to empty (e.g. "$$").
    if (g !== '') matched = b.accepted.find((a) => normaliseBlank(a, b) === g) ?? null;
  }
  const correct = matched !== null && max > 0;
  return { id: b.id, score: correct ? max : 0, max, correct, given, matched };
}

export function markFillBlank(spec: FillBlankMarkSpec, response: unknown): MarkResult {
  const isRecord = typeof response === 'object' && response !== null && !Array.isArray(response);
  const answers = isRecord ? (response as Record<string, unknown>) : {};
  const blanks = spec.blanks.map((b) =>
    markBlank(b, Object.prototype.hasOwnProperty.call(answers, b.id) ? answers[b.id] : undefined),
  );
  const max = round2(blanks.reduce((s, b) => s + b.max, 0));
  const score = blanks.reduce((s, b) => s + b.score, 0);
  const detail = isRecord
    ? { blanks }
    : { blanks, malformed: `expected an object of blank id → text, got ${kindOf(response)}` };
  return result(score, max, FILL_BLANK, detail);
}
