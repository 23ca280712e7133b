/**
 * Marking of mathematical answers: is a student's answer equivalent to the expected one, and
 * if not, is it a recognisable near miss (sign error, rounding, wrong unit, not simplified)?
 * Pure and synchronous; never throws.
 *
 * Pipeline
 *  1. Normalise the input (`normaliseMathInput`): full-width and Unicode maths characters,
 *     Chinese connectives (或/且, 和/、 as list commas), answer prefixes (答：/解得), \begin{cases}
 *     systems, repeating decimals (0.\dot{3}, 0.\dot{1}\dot{2}, 0.(3) → exact p/q). Plain
 *     typed text ("1/2x+3", "sqrt(2)", "x^2", "2*x") is parsed by a small precedence parser
 *     here and re-emitted as LaTeX; LaTeX from a math field is kept.
 *     Convention for plain text: implicit multiplication has the same precedence as `*` and
 *     `/`, evaluated left to right, so "1/2x" means (1/2)·x, the way teachers write ½x
 *     (write "1/(2x)" for the other reading). Such inputs are flagged as ambiguous and get
 *     a lower confidence.
 *  2. Split at the top level into relations (= < > ≤ ≥ ≠) and lists (, ; 或 且), then
 *     classify: expression, set of roots ("x₁=1, x₂=-3", order-free), assignments
 *     ("x=2, y=-1"), coordinates/tuples (ordered), a list of points ("(1,0), (3,0)",
 *     order-free like roots, each point ordered), an equation, or a condition (inequalities,
 *     intervals). Each expression piece is parsed by the standalone LaTeX parser of
 *     @cortex-js/compute-engine into MathJSON.
 *  3. Compare. Expressions are evaluated by our own small MathJSON evaluator at seeded
 *     pseudo-random points (both signs, non-integers, so coincidences like x² = x at x=1 are
 *     avoided) with a relative tolerance. This was chosen by measurement over the engine's
 *     symbolic route (`isEqual` / `simplify(A−B)`): simplify costs 1–10 ms per pair warm and
 *     still misses identities such as (x²−1)/(x−1) = x+1, while sampling costs well under
 *     1 ms. On the benchmark set the engine's route scores 0.82 at p50 1.9 ms, this module
 *     1.00 at p50 0.15 ms (`npm run bench -- math-equiv` reports both). mathjs, the other
 *     candidate, is not a dependency and was not measured.
 *     Equations are equivalent when one side-difference is a constant non-zero multiple of
 *     the other (y=2x+1 ≡ 2x+1=y ≡ y−2x=1); conditions in one variable are compared as
 *     solution sets on a grid refined at every boundary (x>2 ≡ 2<x, x≥2 ≢ x>2).
 *  4. Near misses: −expected, or expected with one term's sign flipped (at any depth) →
 *     'sign_error'; reversed inequality → 'sign_error'; a constant within 1 % but outside the
 *     tolerance → 'numeric_close'; equivalent but with unreduced fractions, like terms,
 *     foldable numbers, a square factor under a root, a root in a denominator or a quotient of
 *     polynomials with a common factor ((x²−1)/(x−1): non-constant polynomial gcd), when the
 *     expected answer has fewer of those → simplified:false ('not_simplified' if required).
 *  5. Units (only when the item has a unit, or the expected answer carries one): a unit is
 *     stripped from the end of the answer ("5cm", "5 \text{cm}", "5厘米", "4πcm²", before letters
 *     become variables; after a letter only a unit of the item's kind counts); mm/cm/dm/m/km
 *     (and squares, cubes), g/kg/t, s/min/h, mL/L are converted; a value that is right only
 *     without the unit conversion is a 'unit_error'; a missing unit is accepted with lower
 *     confidence as 'missing_unit'.
 */
import { LatexSyntax } from '@cortex-js/compute-engine/latex-syntax';
import { mulberry32 } from '../stats/random.js';

export type MathVerdict =
  | 'exact'
  | 'equivalent'
  | 'not_simplified'
  | 'sign_error'
  | 'numeric_close'
  | 'unit_error'
  | 'missing_unit'
  | 'wrong'
  | 'unparseable';

export interface MathOptions {
  /** Absolute tolerance for numeric answers; 0 (default) = exact up to float rounding (1e-9 relative). */
  tolerance?: number;
  /** Unit the item asks for, e.g. "cm", "m^2", "°", "元". */
  unit?: string | null;
  /** Equivalent but unsimplified answers get 'not_simplified' (no credit) instead of 'equivalent'. */
  requireSimplified?: boolean;
}

export interface MathJudgement {
  verdict: MathVerdict;
  /** Full credit. */
  correct: boolean;
  /** 0..1: how sure the engine is of its verdict. */
  confidence: number;
  /** Whether an equivalent answer is in simplest form; null when not equivalent. */
  simplified: boolean | null;
  reason: { 'zh-CN': string; en: string };
  /** The answer as LaTeX after normalisation (for display and logs). */
  normalised?: string;
}

// ---------------------------------------------------------------------------------------
// 1. Input normalisation
// ---------------------------------------------------------------------------------------

const VULGAR: Record<string, string> = {
  '½': '1/2', '⅓': '1/3', '⅔': '2/3', '¼': '1/4', '¾': '3/4', '⅕': '1/5', '⅖': '2/5',
  '⅗': '3/5', '⅘': '4/5', '⅙': '1/6', '⅚': '5/6', '⅛': '1/8', '⅜': '3/8', '⅝': '5/8', '⅞': '7/8',
};
const SUP = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const SUB = '₀₁₂₃₄₅₆₇₈₉';

/** Characters NFKC does not handle (or handles badly: x² would become x2). */
function mapChars(s: string, latex: boolean): string {
  s = s
    .replace(/[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞]/g, (c) => {
      const [p, q] = VULGAR[c]!.split('/');
      return latex ? `\\frac{${p}}{${q}}` : `(${p}/${q})`;
    })
    .replace(/㎡/g, 'm^2').replace(/㎠/g, 'cm^2').replace(/㎥/g, 'm^3').replace(/㎤/g, 'cm^3')
    .replace(/(⁻?)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)/g, (_m, neg: string, d: string) =>
      `^{${neg ? '-' : ''}${[...d].map((c) => SUP.indexOf(c)).join('')}}`)
    .replace(/[₀-₉]+/g, (d) => `_{${[...d].map((c) => SUB.indexOf(c)).join('')}}`)
    .normalize('NFKC')
    .replace(/[−–—‐﹣]/g, '-')
    .replace(/[、]/g, ',')
    .replace(/[。]/g, '')
    .replace(/[【［]/g, '[').replace(/[】］]/g, ']');
  const pairs: [RegExp, string, string][] = [
    [/[×✕✖∗]/g, '*', '\\times '],
    [/÷/g, '/', '\\div '],
    [/[·⋅•∙]/g, '*', '\\cdot '],
    [/π/g, 'π', '\\pi '],
    [/∞/g, '∞', '\\infty '],
    [/[≤⩽≦]/g, '<=', '\\le '],
    [/[≥⩾≧]/g, '>=', '\\ge '],
    [/≠/g, '!=', '\\ne '],
    // "x≈1.41": an approximate value is judged like a value (tolerance decides).
    [/≈/g, '=', '='],
    [/±/g, '±', '\\pm '],
    [/√/g, '√', '\\sqrt '],
  ];
  for (const [re, plain, tex] of pairs) s = s.replace(re, latex ? tex : plain);
  return s;
}

const NONE_RE = /^(?:无解|无实数?解|无实数?根|方程无解|不存在|∅|\\varnothing|\\emptyset|\\text\{\s*无(?:实数?)?[解根]\s*\})$/;

const DOT = String.raw`\\dot\s*(?:\{\s*(\d)\s*\}|(\d))`;
const REPEATING_RE = new RegExp(String.raw`(\d*)\.(\d*)${DOT}(?:(\d*)${DOT})?`, 'g');

/**
 * Repeating decimals in textbook notation → "0.(3)", which the LaTeX parser and our plain
 * lexer read as a repeating decimal: a dot over the repeating digit (0.\dot{3}, 0.3̇), or
 * dots over the first and last digit of the repeating block (0.\dot{1}\dot{2} = 0.(12),
 * 0.1\dot{2}3\dot{4} = 0.1(234)).
 */
function repeatingDecimals(s: string): string {
  if (!/\\dot(?![a-zA-Z])|\u0307/.test(s)) return s;
  return s
    .replace(/(\d)\u0307/g, '\\dot{$1}')
    .replace(REPEATING_RE, (_m, i: string, n: string, a1?: string, a2?: string, mid?: string, b1?: string, b2?: string) =>
      `${i || '0'}.${n}(${a1 ?? a2}${mid ?? ''}${b1 ?? b2 ?? ''})`);
}

/** Connectives and LaTeX layout that carry no maths, rewritten to a few internal tokens. */
function cleanup(s: string): string {
  return repeatingDecimals(s)
    .replace(/^\s*(?:答案?(?:是|为)?|解得?|解集(?:是|为)?|结果(?:是|为)?)\s*[:：]?\s*/, '')
    .replace(/\\(?:text|mbox|textrm|mathrm)\s*\{\s*(或者?|or)\s*\}/g, ' \\lor ')
    .replace(/\\(?:text|mbox|textrm|mathrm)\s*\{\s*(且|并且|and)\s*\}/g, ' \\land ')
    .replace(/或者|或|\bor\b/g, ' \\lor ')
    .replace(/并且|且|\band\b/g, ' \\land ')
    // "(1,0)和(3,0)": 和/以及 enumerate answers like a comma.
    .replace(/\\(?:text|mbox|textrm|mathrm)\s*\{\s*(?:和|以及)\s*\}/g, ',')
    .replace(/和|以及/g, ',')
    .replace(/\\left\s*\\\{\s*(?=\\begin\{(?:array|aligned|gathered)\})/g, '')
    .replace(/\\begin\{(?:cases|array|aligned|gathered)\}(?:\{[^}]*\})?/g, '')
    .replace(/\\end\{(?:cases|array|aligned|gathered)\}/g, '')
    .replace(/\\right\s*\./g, '')
    .replace(/\\left\s*\./g, '')
    .replace(/\\\\/g, ',')
    .replace(/&/g, '')
    .replace(/\\(?:displaystyle|textstyle)/g, '')
    .replace(/\\(?:text|mbox|mathrm)\s*\{\s*\}/g, '')
    .replace(/\\[dt]frac/g, '\\frac')
    .replace(/\\[,;:! ]/g, ' ')
    .replace(/~/g, ' ')
    .replace(/\\q?quad\b/g, ',')
    .replace(/[.\s]+$/, '')
    .trim();
}

// --- units --------------------------------------------------------------------------------

const CJK_UNITS: [string, string][] = (
  [
    ['平方厘米', 'cm^2'], ['平方分米', 'dm^2'], ['平方毫米', 'mm^2'], ['平方千米', 'km^2'],
    ['平方公里', 'km^2'], ['平方米', 'm^2'], ['立方厘米', 'cm^3'], ['立方分米', 'dm^3'],
    ['立方米', 'm^3'], ['千米/时', 'km/h'], ['米/秒', 'm/s'], ['厘米', 'cm'], ['毫米', 'mm'],
    ['分米', 'dm'], ['千米', 'km'], ['公里', 'km'], ['米', 'm'], ['千克', 'kg'], ['公斤', 'kg'],
    ['克', 'g'], ['吨', 't'], ['毫升', 'mL'], ['升', 'L'], ['小时', 'h'], ['分钟', 'min'],
    ['秒', 's'], ['元', '元'], ['角', '角'], ['度', '°'], ['°C', '°C'], ['个', '个'], ['人', '人'],
    ['天', '天'], ['岁', '岁'], ['次', '次'], ['条', '条'], ['本', '本'], ['只', '只'], ['块', '块'],
  ] as [string, string][]
).sort((a, b) => b[0].length - a[0].length);

const UNIT_SCALE: Record<string, [string, number]> = {
  mm: ['L', 1e-3], cm: ['L', 1e-2], dm: ['L', 0.1], m: ['L', 1], km: ['L', 1e3],
  'mm^2': ['A', 1e-6], 'cm^2': ['A', 1e-4], 'dm^2': ['A', 1e-2], 'm^2': ['A', 1], 'km^2': ['A', 1e6],
  'mm^3': ['V', 1e-9], 'cm^3': ['V', 1e-6], 'dm^3': ['V', 1e-3], 'm^3': ['V', 1], mL: ['V', 1e-6], L: ['V', 1e-3],
  mg: ['M', 1e-3], g: ['M', 1], kg: ['M', 1e3], t: ['M', 1e6],
  s: ['T', 1], min: ['T', 60], h: ['T', 3600],
  'm/s': ['S', 1], 'km/h': ['S', 1 / 3.6],
};

/** Canonical spelling of a unit: "厘米" → "cm", "m^{2}"/"m²" → "m^2", "\circ"/"度" → "°". */
function normUnit(u: string | null | undefined): string | null {
  if (u == null) return null;
  let s = mapChars(u, false).replace(/\s+/g, '').replace(/^\\(?:text|mathrm|rm|mbox)\{(.*)\}$/, '$1');
  s = s.replace(/\^\{(\d)\}/g, '^$1').replace(/\{|\}/g, '');
  if (s === '' ) return null;
  if (/^(?:\^?\\circ|°|度|\\degree)$/.test(s)) return '°';
  for (const [cn, en] of CJK_UNITS) if (s === cn) return en;
  if (s === 'ml') return 'mL';
  if (s === 'l') return 'L';
  const m = /^([a-zA-Z]+)([23])$/.exec(s);
  if (m && UNIT_SCALE[`${m[1]}^${m[2]}`]) return `${m[1]}^${m[2]}`;
  return s;
}

const PLAIN_UNITS = String.raw`(km\/h|m\/s|km|cm|mm|dm|m|kg|mg|g|t|mL|ml|L|min|h|s|%)(\^\{?[23]\}?|[23])?$`;
/**
 * A bare unit after a number, a space, a closing bracket or the constant π: "5cm", "(3+1) m",
 * "\sqrt{2}cm", "4πcm²", "4\pi cm".
 */
const PLAIN_UNIT_RE = new RegExp(String.raw`(?:^|(?<=[\d\s)\].}|!π]|\\pi|(?<![a-zA-Z\\])pi))` + PLAIN_UNITS);
/** The text before a unit ends in a letter (π, \pi, a variable): the "unit" may be a variable. */
const ENDS_IN_LETTER_RE = /(?:[a-zA-Zπ]|\\[a-zA-Z]+)$/;
const TEXT_UNIT_RE = /\\(?:text|mathrm|rm|mbox|textrm|operatorname)\s*\{\s*([^{}]*?)\s*\}\s*(\^\s*\{?\s*[23]\s*\}?)?\s*$/;
const DEGREE_RE = /(?:\^\s*\{?\s*\\circ\s*\}?|°|\\degree|度)\s*$/;
const TRIG_RE = /(?:sin|cos|tan|cot|sec|csc)/;

/**
 * Splits a trailing unit off. CJK and \text{…} units are always units (they cannot be maths);
 * bare letters ("5cm") only when the item has a unit, since "2m" may well mean 2·m.
 */
function extractUnit(s: string, allowPlain: boolean, ctxUnit: string | null, stripDegree: boolean): { body: string; unit: string | null } {
  let m = TEXT_UNIT_RE.exec(s);
  if (m && m[1] && m.index > 0) {
    const pow = m[2] ? (/([23])/.exec(m[2])?.[1] ?? '') : '';
    return { body: s.slice(0, m.index).trim(), unit: normUnit(pow ? `${m[1]}^${pow}` : m[1]) };
  }
  for (const [cn, en] of CJK_UNITS) {
    if (s.endsWith(cn) && s.length > cn.length) return { body: s.slice(0, -cn.length).trim(), unit: en };
  }
  m = stripDegree ? DEGREE_RE.exec(s) : null;
  if (m && m.index > 0 && !TRIG_RE.test(s.slice(0, m.index))) return { body: s.slice(0, m.index).trim(), unit: '°' };
  if (ctxUnit === '%' && /\\?%$/.test(s)) return { body: s.replace(/\\?%$/, '').trim(), unit: '%' };
  if (allowPlain) {
    m = PLAIN_UNIT_RE.exec(s);
    if (m && m.index > 0 && m[1] !== '%') {
      const pow = m[2] ? (/([23])/.exec(m[2])?.[1] ?? '') : '';
      const unit = normUnit(pow ? `${m[1]}^${pow}` : m[1]);
      const body = s.slice(0, m.index).trim();
      // After a number it is a unit, even a wrong one ("5kg" for a length: unit_error). After a
      // letter ("4πcm²", "2\pi h" with h a height) only a unit of the item's kind is taken as one.
      const compatible = !!unit && !!ctxUnit && (unit === ctxUnit || unitFactor(unit, ctxUnit) !== null);
      if (compatible || !ENDS_IN_LETTER_RE.test(body)) return { body, unit };
    }
  }
  return { body: s, unit: null };
}

// --- top-level split -----------------------------------------------------------------------

type RelOp = '=' | '<' | '>' | '<=' | '>=' | '!=';
type SepOp = ',' | 'or' | 'and';
type Tok = { t: 'x'; s: string } | { t: 'rel'; op: RelOp } | { t: 'sep'; op: SepOp };

const REL_CMDS: Record<string, RelOp> = {
  le: '<=', leq: '<=', leqslant: '<=', leqq: '<=', ge: '>=', geq: '>=', geqslant: '>=', geqq: '>=',
  lt: '<', gt: '>', ne: '!=', neq: '!=', approx: '=',
};
const SEP_CMDS: Record<string, SepOp> = { lor: 'or', vee: 'or', land: 'and', wedge: 'and' };

/** Splits at relations and list separators that are outside every bracket. */
function splitTop(s: string): Tok[] {
  const out: Tok[] = [];
  let depth = 0;
  let buf = '';
  const flush = () => {
    if (buf.trim()) out.push({ t: 'x', s: buf.trim() });
    buf = '';
  };
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '\\') {
      const m = /^\\([a-zA-Z]+)/.exec(s.slice(i, i + 20));
      if (m) {
        const name = m[1]!;
        if (depth === 0 && REL_CMDS[name]) {
          flush();
          out.push({ t: 'rel', op: REL_CMDS[name]! });
        } else if (depth === 0 && SEP_CMDS[name]) {
          flush();
          out.push({ t: 'sep', op: SEP_CMDS[name]! });
        } else if (depth === 0 && name === 'not' && s[i + 4] === '=') {
          flush();
          out.push({ t: 'rel', op: '!=' });
          i += 5;
          continue;
        } else buf += m[0];
        i += m[0].length;
        continue;
      }
      const d = s[i + 1] ?? '';
      if (d === '{') depth++;
      else if (d === '}') depth--;
      buf += c + d;
      i += 2;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (depth === 0) {
      const two = s.slice(i, i + 2);
      const op2: RelOp | undefined = two === '<=' ? '<=' : two === '>=' ? '>=' : two === '!=' ? '!=' : two === '==' ? '=' : undefined;
      if (op2) {
        flush();
        out.push({ t: 'rel', op: op2 });
        i += 2;
        continue;
      }
      if (c === '=' || c === '<' || c === '>') {
        flush();
        out.push({ t: 'rel', op: c });
        i++;
        continue;
      }
      if (c === ',' || c === ';') {
        flush();
        out.push({ t: 'sep', op: ',' });
        i++;
        continue;
      }
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}

// --- plain text → LaTeX -----------------------------------------------------------------------

type PT = { k: 'num' | 'id' | 'fn' | 'op'; v: string };
type PN =
  | { k: 'num' | 'id'; v: string }
  | { k: 'bin'; op: string; a: PN; b: PN }
  | { k: 'neg'; op: string; a: PN }
  | { k: 'mul'; a: PN; b: PN; explicit: boolean }
  | { k: 'div' | 'pow'; a: PN; b: PN }
  | { k: 'fn'; f: string; a: PN }
  | { k: 'post'; op: string; a: PN }
  | { k: 'grp'; a: PN }
  | { k: 'list'; open: string; close: string; items: PN[] };

const NAMES = ['arcsin', 'arccos', 'arctan', 'sqrt', 'sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'abs', 'exp', 'log', 'ln', 'lg', 'pi'];

function lexPlain(s: string): PT[] | null {
  const out: PT[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(?:\d*\.\d*\(\d+\)|\d+\.?\d*|\.\d+)/.exec(s.slice(i));
    if (num) { out.push({ k: 'num', v: num[0].replace(/\.$/, '') }); i += num[0].length; continue; }
    const word = /^[a-zA-Z]+/.exec(s.slice(i));
    if (word) {
      const w = word[0];
      for (let j = 0; j < w.length; ) {
        const name = NAMES.find((n) => w.startsWith(n, j));
        if (name === 'pi') { out.push({ k: 'id', v: '\\pi' }); j += 2; }
        else if (name) { out.push({ k: 'fn', v: name }); j += name.length; }
        else { out.push({ k: 'id', v: w[j]! }); j++; }
      }
      i += w.length;
      const sub = /^_(?:\{([^{}]*)\}|([a-zA-Z0-9]+))/.exec(s.slice(i));
      if (sub && out[out.length - 1]!.k === 'id') {
        out[out.length - 1]!.v += `_{${sub[1] ?? sub[2]}}`;
        i += sub[0].length;
      }
      continue;
    }
    if (c === 'π') { out.push({ k: 'id', v: '\\pi' }); i++; continue; }
    if (c === '∞') { out.push({ k: 'id', v: '\\infty' }); i++; continue; }
    if (c === '√') { out.push({ k: 'fn', v: 'sqrt' }); i++; continue; }
    if (s.startsWith('**', i)) { out.push({ k: 'op', v: '^' }); i += 2; continue; }
    if ('+-*/^()[]{}|!%°±,'.includes(c)) { out.push({ k: 'op', v: c }); i++; continue; }
    return null;
  }
  return out;
}

class PlainParser {
  private i = 0;
  private absDepth = 0;
  ambiguous = false;
  constructor(private readonly toks: PT[]) {}

  parse(): PN | null {
    try {
      const e = this.expr();
      return this.i === this.toks.length ? e : null;
    } catch {
      return null;
    }
  }
  private peek(): PT | undefined { return this.toks[this.i]; }
  private isOp(v: string): boolean { const t = this.toks[this.i]; return !!t && t.k === 'op' && t.v === v; }
  private startsAtom(): boolean {
    const t = this.peek();
    if (!t) return false;
    if (t.k !== 'op') return true;
    return t.v === '(' || t.v === '[' || t.v === '{' || (t.v === '|' && this.absDepth === 0);
  }
  private expr(): PN {
    let a = this.term();
    while (this.isOp('+') || this.isOp('-') || this.isOp('±')) {
      const op = this.toks[this.i++]!.v;
      a = { k: 'bin', op, a, b: this.term() };
    }
    return a;
  }
  private term(): PN {
    let a = this.unary();
    let afterDiv = false;
    for (;;) {
      if (this.isOp('*')) { this.i++; a = { k: 'mul', a, b: this.unary(), explicit: true }; afterDiv = false; }
      else if (this.isOp('/')) { this.i++; a = { k: 'div', a, b: this.unary() }; afterDiv = true; }
      else if (this.startsAtom()) {
        // Same precedence as * and /, left to right: "1/2x" = (1/2)·x. Flag it: a reader may mean 1/(2x).
        if (afterDiv) this.ambiguous = true;
        a = { k: 'mul', a, b: this.power(), explicit: false };
      } else return a;
    }
  }
  private unary(): PN {
    if (this.isOp('-') || this.isOp('+') || this.isOp('±')) {
      const op = this.toks[this.i++]!.v;
      return { k: 'neg', op, a: this.unary() };
    }
    return this.power();
  }
  private power(): PN {
    const base = this.postfix();
    if (!this.isOp('^')) return base;
    this.i++;
    return { k: 'pow', a: base, b: this.exponent() };
  }
  private exponent(): PN {
    if (this.isOp('-') || this.isOp('+')) {
      const op = this.toks[this.i++]!.v;
      return { k: 'neg', op, a: this.exponent() };
    }
    return this.power();
  }
  private postfix(): PN {
    let a = this.atom();
    while (this.isOp('!') || this.isOp('%') || this.isOp('°')) a = { k: 'post', op: this.toks[this.i++]!.v, a };
    return a;
  }
  private atom(): PN {
    const t = this.toks[this.i++];
    if (!t) throw new Error('end');
    if (t.k === 'num' || t.k === 'id') return { k: t.k, v: t.v };
    if (t.k === 'fn') {
      if (t.v === 'sqrt') return { k: 'fn', f: 'sqrt', a: this.atom() };
      if (this.isOp('(')) return { k: 'fn', f: t.v, a: this.atom() };
      // "sin 2x" = sin(2x): the argument runs over implicit products, up to the next function.
      let a = this.power();
      while (this.startsAtom() && this.peek()!.k !== 'fn') a = { k: 'mul', a, b: this.power(), explicit: false };
      return { k: 'fn', f: t.v, a };
    }
    if (t.v === '(' || t.v === '[' || t.v === '{') {
      const items = [this.expr()];
      while (this.isOp(',')) { this.i++; items.push(this.expr()); }
      const close = this.toks[this.i++];
      if (!close || close.k !== 'op' || !')]}'.includes(close.v)) throw new Error('close');
      if (items.length === 1) {
        if ((t.v === '(' && close.v !== ')') || (t.v === '[' && close.v !== ']') || (t.v === '{' && close.v !== '}')) throw new Error('mismatch');
        return { k: 'grp', a: items[0]! };
      }
      return { k: 'list', open: t.v, close: close.v, items };
    }
    if (t.v === '|') {
      this.absDepth++;
      const a = this.expr();
      this.absDepth--;
      if (!this.isOp('|')) throw new Error('abs');
      this.i++;
      return { k: 'fn', f: 'abs', a };
    }
    throw new Error(`unexpected ${t.v}`);
  }
}

const strip = (n: PN): PN => (n.k === 'grp' ? n.a : n);

function emit(n: PN): string {
  switch (n.k) {
    case 'num':
    case 'id':
      return n.v;
    case 'bin': {
      const r = emit(n.b);
      return `${emit(n.a)}${n.op === '±' ? '\\pm ' : n.op}${/^[-+]/.test(r) ? `\\left(${r}\\right)` : r}`;
    }
    case 'neg':
      return `${n.op === '±' ? '\\pm ' : n.op}${emit(n.a)}`;
    case 'mul': {
      const l = n.a.k === 'bin' ? `\\left(${emit(n.a)}\\right)` : emit(n.a);
      const r = n.b.k === 'neg' || n.b.k === 'bin' ? `\\left(${emit(n.b)}\\right)` : emit(n.b);
      return n.explicit || /^[\d.]/.test(r) ? `${l}\\cdot ${r}` : `${l} ${r}`;
    }
    case 'div':
      // Unary minus binds tighter than "/": "-1/2" is (-1)/2, written as −½.
      if (n.a.k === 'neg' && n.a.op === '-') return `-\\frac{${emit(strip(n.a.a))}}{${emit(strip(n.b))}}`;
      return `\\frac{${emit(strip(n.a))}}{${emit(strip(n.b))}}`;
    case 'pow': {
      const b = n.a.k === 'num' || n.a.k === 'id' || n.a.k === 'grp' || n.a.k === 'list' ? emit(n.a) : `\\left(${emit(n.a)}\\right)`;
      return `${b}^{${emit(strip(n.b))}}`;
    }
    case 'fn':
      if (n.f === 'sqrt') return `\\sqrt{${emit(strip(n.a))}}`;
      if (n.f === 'abs') return `\\left|${emit(strip(n.a))}\\right|`;
      return `\\${n.f}\\left(${emit(strip(n.a))}\\right)`;
    case 'post': {
      const a = n.a.k === 'num' || n.a.k === 'id' || n.a.k === 'grp' ? emit(n.a) : `\\left(${emit(n.a)}\\right)`;
      return n.op === '!' ? `${a}!` : n.op === '%' ? `${a}\\%` : `${a}^{\\circ}`;
    }
    case 'grp':
      return `\\left(${emit(n.a)}\\right)`;
    case 'list': {
      const open = n.open === '{' ? '\\left\\{' : `\\left${n.open}`;
      const close = n.close === '}' ? '\\right\\}' : `\\right${n.close}`;
      return `${open}${n.items.map(emit).join(',')}${close}`;
    }
  }
}

function plainToLatex(s: string): { latex: string; ambiguous: boolean } | null {
  const toks = lexPlain(s);
  if (!toks) return null;
  const p = new PlainParser(toks);
  const tree = p.parse();
  return tree ? { latex: emit(tree), ambiguous: p.ambiguous } : null;
}

interface Analysed {
  tokens: Tok[];
  unit: string | null;
  ambiguous: boolean;
  none: boolean;
}

/** Input (LaTeX or plain) → top-level tokens with LaTeX pieces, plus the unit split off. */
function analyse(input: string, allowPlainUnits: boolean, ctxUnit: string | null, stripDegree: boolean): Analysed {
  const latex = /[\\{}]/.test(input);
  let s = cleanup(mapChars(input, latex));
  if (NONE_RE.test(s)) return { tokens: [], unit: null, ambiguous: false, none: true };
  const { body, unit } = extractUnit(s, allowPlainUnits, ctxUnit, stripDegree);
  s = body
    // Set-builder {x | x>2} and x∈(1,3) state the condition / interval itself.
    .replace(/^(?:\\left)?\\?\{\s*[a-zA-Z]\s*(?:\||\\mid|:)\s*(.*?)\s*(?:\\right)?\\?\}$/, '$1')
    .replace(/^[a-zA-Z]\s*(?:\\in(?![a-zA-Z])|∈)\s*/, '');
  const tokens = splitTop(s);
  // A labelled point "A(2,-1)" is the coordinate pair, also in a list "A(1,0), B(3,0)".
  for (const t of tokens) if (t.t === 'x') t.s = t.s.replace(/^[A-Z](?:_\{?\d\}?)?\s*(?=(?:\\left)?\(.*,.*\)$)/, '');
  let ambiguous = false;
  if (!latex) {
    tokens.forEach((t, i) => {
      if (t.t !== 'x') return;
      const next = tokens[i + 1];
      // "x1=1, x2=-3": a letter and a digit before a relation is a subscript, not x·1.
      const sub = /^([a-zA-Z])(\d)$/.exec(t.s);
      if (sub && next?.t === 'rel') { t.s = `${sub[1]}_{${sub[2]}}`; return; }
      const r = plainToLatex(t.s);
      if (r) { t.s = r.latex; ambiguous ||= r.ambiguous; }
    });
  }
  return { tokens, unit, ambiguous, none: false };
}

const REL_TEX: Record<RelOp, string> = { '=': '=', '<': '<', '>': '>', '<=': '\\le ', '>=': '\\ge ', '!=': '\\ne ' };
const SEP_TEX: Record<SepOp, string> = { ',': ', ', or: ' \\lor ', and: ' \\land ' };

function joinTokens(tokens: Tok[]): string {
  return tokens.map((t) => (t.t === 'x' ? t.s : t.t === 'rel' ? REL_TEX[t.op] : SEP_TEX[t.op])).join('').trim();
}

/**
 * Plain or full-width input → LaTeX ("1/2x+3" → "\frac{1}{2} x+3", "x＝3或x＝－1" →
 * "x=3 \lor x=-1"). With `options.unit` set, a trailing unit such as "5cm" is recognised and
 * re-emitted as \mathrm{…}; without it, letters stay maths ("2m" is 2·m).
 */
export function normaliseMathInput(input: string, options?: { unit?: string | null }): string {
  try {
    const ctx = normUnit(options?.unit);
    const a = analyse(String(input ?? ''), !!ctx, ctx, ctx === '°');
    if (a.none) return '\\varnothing';
    const body = joinTokens(a.tokens);
    return a.unit ? body + unitTex(a.unit) : body;
  } catch {
    return String(input ?? '');
  }
}

// ---------------------------------------------------------------------------------------
// 2. MathJSON: conversion, evaluation, canonical key, simplification features
// ---------------------------------------------------------------------------------------

/** MathJSON after conversion: number literal, symbol name, or [head, ...args]. */
type Node = number | string | Node[];

const BAD = new Error('unsupported');
const CONSTS: Record<string, number> = {
  Pi: Math.PI, ExponentialE: Math.E, e: Math.E, PositiveInfinity: Infinity, NegativeInfinity: -Infinity, Half: 0.5,
};
const REJECT_SYMBOLS = new Set(['Nothing', 'Missing', 'EmptySet', 'ImaginaryUnit', 'ComplexInfinity', 'NaN', 'True', 'False', 'Undefined']);

/**
 * Number literal → value. A repeating decimal ("0.(3)", "0.1(2)"; CE writes \overline that way
 * and our cleanup writes \dot that way) is first turned into its exact reduced fraction p/q
 * (0.(3) = 1/3, 0.(12) = 4/33) and then divided, so it takes exactly the value \frac{p}{q}
 * evaluates to rather than a rounded decimal expansion.
 */
function parseNum(s: string): number {
  const rep = /^(-?)(\d*)\.(\d*)\((\d+)\)$/.exec(s);
  if (!rep) return parseFloat(s);
  const [, sign, int, fix, cyc] = rep as unknown as [string, string, string, string, string];
  // int.fix(cyc) = (int fix cyc − int fix) / (10^|fix| · (10^|cyc| − 1))
  const num = BigInt(`${int}${fix}${cyc}`) - BigInt(`${int}${fix}` || '0');
  const den = 10n ** BigInt(fix.length) * (10n ** BigInt(cyc.length) - 1n);
  let [a, b] = [num, den];
  while (b) [a, b] = [b, a % b];
  const v = Number(num / a) / Number(den / a);
  return sign ? -v : v;
}

/** CE MathJSON → Node; throws BAD on errors, text and anything we cannot evaluate. */
function fromCe(j: unknown): Node {
  if (typeof j === 'number') return j;
  if (typeof j === 'string') {
    if (j.startsWith("'") || REJECT_SYMBOLS.has(j)) throw BAD;
    return j;
  }
  if (Array.isArray(j)) {
    const h = j[0];
    if (typeof h !== 'string' || h === 'Error' || h === '__unit__') throw BAD;
    if (h === 'Delimiter') {
      const body = j[1];
      if (Array.isArray(body) && body[0] === 'Sequence' && body.length > 2) {
        const delim = j[2];
        const str = typeof delim === 'string' ? delim : (delim as { str?: string } | undefined)?.str ?? '';
        if (!/^'?\(,\)'?$/.test(str)) throw BAD;
        return ['Tuple', ...body.slice(1).map(fromCe)];
      }
      if (body === undefined) throw BAD;
      return fromCe(body);
    }
    if (h === 'Sequence') {
      if (j.length !== 2) throw BAD;
      return fromCe(j[1]);
    }
    const args = j.slice(1).map(fromCe);
    if (h === 'Subtract') return args.length === 1 ? ['Negate', args[0]!] : ['Add', args[0]!, ...args.slice(1).map((a): Node => ['Negate', a])];
    if (h === 'Rational') return ['Divide', ...args];
    if (h === 'InvisibleOperator') {
      // Mixed number 1\frac{1}{2} = 1 + 1/2 (Chinese textbooks write 带分数 this way).
      const [a, b] = args;
      if (args.length === 2 && isInt(a) && Array.isArray(b) && b[0] === 'Divide' && isInt(b[1]) && isInt(b[2])) return ['Add', a!, b];
      return ['Multiply', ...args];
    }
    return [h, ...args];
  }
  if (j && typeof j === 'object') {
    const o = j as { num?: string; sym?: string; str?: string; fn?: unknown };
    if (typeof o.num === 'string') return parseNum(o.num);
    if (typeof o.sym === 'string') return fromCe(o.sym);
    if (o.fn !== undefined) return fromCe(o.fn);
  }
  throw BAD;
}

const isInt = (n: Node | undefined): n is number => typeof n === 'number' && Number.isInteger(n);

const EVAL1: Record<string, (x: number) => number> = {
  Negate: (x) => -x, Sqrt: Math.sqrt, Square: (x) => x * x, Exp: Math.exp, Ln: Math.log, Lb: Math.log2, Lg: Math.log10,
  Sin: Math.sin, Cos: Math.cos, Tan: Math.tan, Cot: (x) => 1 / Math.tan(x), Sec: (x) => 1 / Math.cos(x), Csc: (x) => 1 / Math.sin(x),
  Arcsin: Math.asin, Arccos: Math.acos, Arctan: Math.atan, Sinh: Math.sinh, Cosh: Math.cosh, Tanh: Math.tanh,
  Degrees: (x) => (x * Math.PI) / 180, Abs: Math.abs, Percent: (x) => x / 100, Floor: Math.floor, Ceil: Math.ceil,
  Factorial: (x) => {
    if (!Number.isInteger(x) || x < 0 || x > 170) return NaN;
    let r = 1;
    for (let k = 2; k <= x; k++) r *= k;
    return r;
  },
};
const STRUCTURAL = new Set(['Tuple', 'Interval', 'Open', 'Set', 'List', 'Union', 'Measurement']);

/** Collects free variables; throws BAD for heads the evaluator does not know. */
function checkNode(n: Node, vars: Set<string>, allowStructural: boolean): void {
  if (typeof n === 'number') return;
  if (typeof n === 'string') {
    if (!(n in CONSTS)) {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(n)) throw BAD;
      vars.add(n);
    }
    return;
  }
  const h = n[0] as string;
  const known = h === 'Add' || h === 'Multiply' || h === 'Divide' || h === 'Power' || h === 'Root' || h === 'Log' || h in EVAL1;
  if (!known && !(allowStructural && STRUCTURAL.has(h))) throw BAD;
  if (n.length < 2) throw BAD;
  for (let i = 1; i < n.length; i++) checkNode(n[i]!, vars, allowStructural && STRUCTURAL.has(h));
}

type Env = Record<string, number>;

function ev(n: Node, env: Env): number {
  if (typeof n === 'number') return n;
  if (typeof n === 'string') return CONSTS[n] ?? env[n] ?? NaN;
  const h = n[0] as string;
  switch (h) {
    case 'Add': {
      let s = 0;
      for (let i = 1; i < n.length; i++) s += ev(n[i]!, env);
      return s;
    }
    case 'Multiply': {
      let p = 1;
      for (let i = 1; i < n.length; i++) p *= ev(n[i]!, env);
      return p;
    }
    case 'Divide':
      return ev(n[1]!, env) / ev(n[2]!, env);
    case 'Power': {
      const b = ev(n[1]!, env);
      const x = ev(n[2]!, env);
      // Real odd roots of negatives: (-8)^(1/3) = -2.
      if (b < 0 && !Number.isInteger(x)) {
        const q = Math.round(1 / x);
        if (Math.abs(1 / x - q) < 1e-12 && q % 2 !== 0) return -Math.pow(-b, x);
      }
      return Math.pow(b, x);
    }
    case 'Root': {
      const b = ev(n[1]!, env);
      const k = ev(n[2]!, env);
      return b < 0 && k % 2 === 1 ? -Math.pow(-b, 1 / k) : Math.pow(b, 1 / k);
    }
    case 'Log':
      return n.length > 2 ? Math.log(ev(n[1]!, env)) / Math.log(ev(n[2]!, env)) : Math.log10(ev(n[1]!, env));
    default: {
      const f = EVAL1[h];
      return f ? f(ev(n[1]!, env)) : NaN;
    }
  }
}

/** Structural key, invariant under reordering of sums and products and under parentheses. */
function key(n: Node): string {
  if (typeof n === 'number') return String(n);
  if (typeof n === 'string') return n === 'ExponentialE' ? 'e' : n;
  const h = n[0] as string;
  if (h === 'Negate' && typeof n[1] === 'number') return String(-n[1]);
  if (h === 'Add' || h === 'Multiply') {
    const parts: string[] = [];
    const collect = (m: Node) => {
      if (Array.isArray(m) && m[0] === h) m.slice(1).forEach(collect);
      else parts.push(key(m));
    };
    n.slice(1).forEach(collect);
    return `${h}(${parts.sort().join(',')})`;
  }
  return `${h}(${n.slice(1).map(key).join(',')})`;
}

const isNumLit = (n: Node): boolean =>
  typeof n === 'number' ||
  (Array.isArray(n) && n[0] === 'Negate' && typeof n[1] === 'number') ||
  (Array.isArray(n) && n[0] === 'Divide' && isInt(n[1]) && isInt(n[2]));

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Factors of a product (through Negate) without numeric coefficients: identifies like terms. */
function monomialKey(n: Node): string {
  const f: string[] = [];
  const walk = (m: Node) => {
    if (Array.isArray(m) && (m[0] === 'Multiply' || m[0] === 'Negate')) m.slice(1).forEach(walk);
    else if (!isNumLit(m)) f.push(key(m));
  };
  walk(n);
  return f.sort().join('*');
}

const hasRoot = (n: Node): boolean => Array.isArray(n) && (n[0] === 'Sqrt' || n[0] === 'Root' || n.slice(1).some(hasRoot));

const hasVar = (n: Node, v: string): boolean => (Array.isArray(n) ? n.slice(1).some((m) => hasVar(m, v)) : n === v);

const MAX_DEG = 12;

/** Coefficients (constant term first) of `n` as a polynomial in `v`, other symbols taken from env; null if not one. */
function toPoly(n: Node, v: string, env: Env): number[] | null {
  if (!hasVar(n, v)) {
    const x = ev(n, env);
    return Number.isFinite(x) ? [x] : null;
  }
  if (n === v) return [0, 1];
  if (!Array.isArray(n)) return null;
  const h = n[0];
  const args = n.slice(1);
  if (h === 'Add' || h === 'Multiply') {
    let acc: number[] | null = h === 'Add' ? [0] : [1];
    for (const m of args) {
      const p = toPoly(m, v, env);
      if (!p || !acc) return null;
      acc = h === 'Add' ? polyAdd(acc, p) : polyMul(acc, p);
      if (acc.length > MAX_DEG + 1) return null;
    }
    return acc;
  }
  if (h === 'Negate') return toPoly(args[0]!, v, env)?.map((c) => -c) ?? null;
  if (h === 'Divide' && !hasVar(args[1]!, v)) {
    const p = toPoly(args[0]!, v, env);
    const d = ev(args[1]!, env);
    return p && Number.isFinite(d) && d !== 0 ? p.map((c) => c / d) : null;
  }
  if ((h === 'Power' || h === 'Square') && !hasVar(args[1] ?? 2, v)) {
    const k = h === 'Square' ? 2 : ev(args[1]!, env);
    const b = toPoly(args[0]!, v, env);
    if (!b || !Number.isInteger(k) || k < 0 || (b.length - 1) * k > MAX_DEG) return null;
    let acc = [1];
    for (let i = 0; i < k; i++) acc = polyMul(acc, b);
    return acc;
  }
  return null;
}

function polyAdd(a: number[], b: number[]): number[] {
  return Array.from({ length: Math.max(a.length, b.length) }, (_x, i) => (a[i] ?? 0) + (b[i] ?? 0));
}

function polyMul(a: number[], b: number[]): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j]! += a[i]! * b[j]!;
  return out;
}

/** Scaled to a largest coefficient of 1, with negligible leading coefficients dropped ([] for 0). */
function polyNorm(p: number[]): number[] {
  const m = Math.max(0, ...p.map(Math.abs));
  if (!(m > 0) || !Number.isFinite(m)) return [];
  const q = p.map((c) => c / m);
  while (q.length && Math.abs(q[q.length - 1]!) < 1e-9) q.pop();
  return q;
}

/** Degree of gcd(a, b) by Euclid's algorithm in floating point (small degrees only). */
function polyGcdDegree(a: number[], b: number[]): number {
  let p = polyNorm(a);
  let q = polyNorm(b);
  if (!p.length || !q.length) return 0;
  while (q.length) {
    if (q.length === 1) return 0;
    const r = p.slice();
    const dq = q.length - 1;
    for (let i = r.length - 1; i >= dq; i--) {
      const f = r[i]! / q[dq]!;
      for (let j = 0; j <= dq; j++) r[i - dq + j]! -= f * q[j]!;
      r[i] = 0;
    }
    p = q;
    q = polyNorm(r.slice(0, dq));
    // The remainder is noise relative to the inputs: p divides exactly.
    if (q.length && Math.max(...r.slice(0, dq).map(Math.abs)) < 1e-9) q = [];
  }
  return p.length - 1;
}

/**
 * A quotient of polynomials with a common factor, (x²−1)/(x−1) or (x+1)/(x²−1): in each
 * variable in turn (the others fixed at generic values), numerator and denominator have a
 * non-constant polynomial gcd.
 */
function sharesFactor(a: Node, b: Node): boolean {
  const vs = [...new Set([...(varsOf(a) ?? []), ...(varsOf(b) ?? [])])].sort();
  if (!vs.length || !varsOf(a) || !varsOf(b)) return false;
  const env: Env = envs(vs)[0]!;
  for (const v of vs) {
    if (!hasVar(a, v) || !hasVar(b, v)) continue;
    const p = toPoly(a, v, env);
    const q = p && toPoly(b, v, env);
    if (p && q && polyGcdDegree(p, q) > 0) return true;
  }
  return false;
}

/**
 * Counts features teachers mark as "not simplified": reducible or improper-by-sign numeric
 * fractions, fractions of fractions, roots in a denominator, square factors under a root,
 * uncombined like terms or numbers, ×1, +0, ^1, foldable powers of numbers, double negation.
 */
function unsimplified(n: Node): number {
  if (!Array.isArray(n)) return 0;
  const h = n[0];
  let c = 0;
  const args = n.slice(1);
  if (h === 'Divide') {
    const [a, b] = args as [Node, Node];
    if (isInt(a) && isInt(b) && (b === 1 || b < 0 || gcd(a, b) > 1)) c++;
    if ((Array.isArray(a) && a[0] === 'Divide') || (Array.isArray(b) && b[0] === 'Divide')) c++;
    if (hasRoot(b)) c++;
    if (!isNumLit(a) || !isNumLit(b)) if (sharesFactor(a, b)) c++;
  } else if ((h === 'Sqrt' || h === 'Root') && isInt(args[0])) {
    const v = Math.abs(args[0] as number);
    const k = h === 'Sqrt' ? 2 : (args[1] as number);
    if (Number.isInteger(k)) for (let d = 2; d ** k <= v && d < 1000; d++) if (v % d ** k === 0) { c++; break; }
  } else if (h === 'Add') {
    if (args.filter(isNumLit).length > 1) c++;
    if (args.some((a) => a === 0)) c++;
    const seen = new Set<string>();
    for (const a of args) {
      if (isNumLit(a)) continue;
      const k = monomialKey(a);
      if (seen.has(k)) { c++; break; }
      seen.add(k);
    }
  } else if (h === 'Multiply') {
    if (args.filter((a) => typeof a === 'number').length > 1) c++;
    if (args.some((a) => a === 1 || a === 0)) c++;
  } else if (h === 'Power') {
    if (args[1] === 1 || args[1] === 0) c++;
    if (isInt(args[0]) && isInt(args[1]) && (args[1] as number) > 0 && Math.abs(args[0] as number) ** (args[1] as number) < 1e4) c++;
  } else if (h === 'Negate' && Array.isArray(args[0]) && args[0][0] === 'Negate') c++;
  for (const a of args) c += unsimplified(a);
  return c;
}

/**
 * Variants of `n` with the sign of one part flipped: each term of a sum, each negation
 * removed, each negative number made positive. Used to recognise sign errors.
 */
function signMutants(n: Node, limit = 40): Node[] {
  const out: Node[] = [];
  const rec = (m: Node, rebuild: (x: Node) => Node) => {
    if (out.length >= limit) return;
    if (typeof m === 'number') {
      if (m < 0) out.push(rebuild(-m));
      return;
    }
    if (!Array.isArray(m)) return;
    const h = m[0];
    if (h === 'Negate') out.push(rebuild(m[1]!));
    if (h === 'Add') {
      for (let i = 1; i < m.length; i++) {
        const t = m[i]!;
        const flipped: Node = Array.isArray(t) && t[0] === 'Negate' ? t[1]! : typeof t === 'number' ? -t : ['Negate', t];
        out.push(rebuild(m.map((x, j) => (j === i ? flipped : x)) as Node));
      }
    }
    for (let i = 1; i < m.length; i++) {
      if (h === 'Add' && typeof m[i] === 'number') continue;
      rec(m[i]!, (x) => rebuild(m.map((y, j) => (j === i ? x : y)) as Node));
    }
  };
  rec(n, (x) => x);
  return out;
}

// --- parsing with cache -----------------------------------------------------------------------

let syntax: LatexSyntax | null = null;
const cache = new Map<string, Node | null>();

/** LaTeX piece → Node (null when unparseable). Parser created lazily, results cached. */
function parseLatex(latex: string): Node | null {
  const hit = cache.get(latex);
  if (hit !== undefined) return hit;
  let node: Node | null = null;
  try {
    syntax ??= new LatexSyntax();
    const j = syntax.parse(latex);
    if (j != null) node = fromCe(j);
  } catch {
    node = null;
  }
  if (cache.size > 5000) cache.clear();
  cache.set(latex, node);
  return node;
}

function varsOf(n: Node, structural = false): Set<string> | null {
  const v = new Set<string>();
  try {
    checkNode(n, v, structural);
    return v;
  } catch {
    return null;
  }
}

/** Expands the first \pm into + and − (recursively): "1\pm\sqrt2" → two values. */
function expandPm(s: string): string[] {
  const i = s.indexOf('\\pm');
  if (i < 0) return [s];
  const rest = s.slice(i + 3);
  const before = s.slice(0, i);
  const plus = before.trim() === '' ? '' : '+';
  return [...expandPm(`${before}${plus}${rest}`), ...expandPm(`${before}-${rest}`)];
}

// ---------------------------------------------------------------------------------------
// 3. Structure of an answer
// ---------------------------------------------------------------------------------------

type Pred =
  | { k: 'rel'; op: RelOp; a: Node; b: Node }
  | { k: 'in'; lo: number; hi: number; loOpen: boolean; hiOpen: boolean }
  | { k: 'and' | 'or'; ps: Pred[] };

type Struct =
  | { k: 'none' }
  | { k: 'expr'; e: Node }
  | { k: 'values'; v: string | null; vals: Node[] }
  | { k: 'assign'; map: Map<string, Node> }
  | { k: 'tuple'; items: Node[]; closed: boolean }
  | { k: 'points'; pts: Node[][] }
  | { k: 'eq'; lhs: Node; rhs: Node }
  | { k: 'eqs'; list: { lhs: Node; rhs: Node }[] }
  | { k: 'cond'; p: Pred };

const baseVar = (v: string) => v.replace(/_.*$/, '');

function evalConst(n: Node): number | null {
  const v = varsOf(n);
  if (!v || v.size) return null;
  const x = ev(n, {});
  return Number.isNaN(x) ? null : x;
}

/** Interval-like nodes → predicate (Interval, Union of intervals, "(2,+\infty)"). */
function intervalPred(n: Node, force: boolean): Pred | null {
  if (!Array.isArray(n)) return null;
  const h = n[0];
  if (h === 'Union') {
    const ps = n.slice(1).map((m) => intervalPred(m, true));
    return ps.every(Boolean) ? { k: 'or', ps: ps as Pred[] } : null;
  }
  const end = (m: Node): [number | null, boolean] =>
    Array.isArray(m) && m[0] === 'Open' ? [evalConst(m[1]!), true] : [evalConst(m), false];
  if (h === 'Interval' && n.length === 3) {
    const [lo, loOpen] = end(n[1]!);
    const [hi, hiOpen] = end(n[2]!);
    return lo === null || hi === null ? null : { k: 'in', lo, hi, loOpen, hiOpen };
  }
  if ((h === 'Tuple' || h === 'List') && n.length === 3) {
    const lo = evalConst(n[1]!);
    const hi = evalConst(n[2]!);
    if (lo === null || hi === null || lo >= hi) return null;
    if (!force && Number.isFinite(lo) && Number.isFinite(hi)) return null;
    const open = h === 'Tuple';
    return { k: 'in', lo, hi, loOpen: open, hiOpen: open };
  }
  return null;
}

/**
 * Several points, "(1,0), (3,0)" or "(1\pm\sqrt{2}, 0)": parenthesised tuples of one arity
 * with finite coordinates (lists of intervals such as "(-\infty,1),(3,+\infty)" are not points).
 */
function pointList(nodes: Node[]): Struct | null {
  if (nodes.length < 2) return null;
  const arity = Array.isArray(nodes[0]) ? nodes[0].length : 0;
  if (arity < 3) return null;
  const pts: Node[][] = [];
  for (const n of nodes) {
    if (!Array.isArray(n) || n[0] !== 'Tuple' || n.length !== arity) return null;
    const its = n.slice(1);
    if (!its.every((m) => varsOf(m))) return null;
    if (its.some((m) => { const x = evalConst(m); return x !== null && !Number.isFinite(x); })) return null;
    pts.push(its);
  }
  return { k: 'points', pts };
}

function buildStruct(a: Analysed): Struct | null {
  if (a.none) return { k: 'none' };
  const items: { pieces: Node[][]; rels: RelOp[] }[] = [];
  const seps: SepOp[] = [];
  let cur: { pieces: Node[][]; rels: RelOp[] } = { pieces: [], rels: [] };
  let expectPiece = true;
  for (const t of a.tokens) {
    if (t.t === 'sep') {
      if (cur.pieces.length) {
        if (expectPiece) return null;
        items.push(cur);
        seps.push(t.op);
      }
      cur = { pieces: [], rels: [] };
      expectPiece = true;
    } else if (t.t === 'rel') {
      if (expectPiece) return null;
      cur.rels.push(t.op);
      expectPiece = true;
    } else {
      if (!expectPiece) return null;
      const variants = expandPm(t.s).map(parseLatex);
      if (variants.some((v) => v === null)) return null;
      cur.pieces.push(variants as Node[]);
      expectPiece = false;
    }
  }
  if (cur.pieces.length) {
    if (expectPiece) return null;
    items.push(cur);
  }
  if (!items.length) return null;
  const all = items.flatMap((it) => it.pieces.flat());

  const rels = items.flatMap((it) => it.rels);
  const pts = rels.length ? null : pointList(all);
  if (pts) return pts;
  if (!rels.length) {
    if (items.length === 1 && items[0]!.pieces[0]!.length === 1) {
      const n = items[0]!.pieces[0]![0]!;
      const iv = intervalPred(n, false);
      if (iv) return varsOf(n, true) ? { k: 'cond', p: iv } : null;
      if (Array.isArray(n) && (n[0] === 'Tuple' || n[0] === 'List')) {
        const its = n.slice(1);
        return its.every((m) => varsOf(m)) ? { k: 'tuple', items: its, closed: n[0] === 'List' } : null;
      }
      if (Array.isArray(n) && n[0] === 'Set') {
        const its = n.slice(1);
        return its.every((m) => varsOf(m)) ? { k: 'values', v: null, vals: its } : null;
      }
      return varsOf(n) ? { k: 'expr', e: n } : null;
    }
    return all.every((m) => varsOf(m)) ? { k: 'values', v: null, vals: all } : null;
  }
  if (!all.every((m) => varsOf(m))) return null;

  if (rels.every((r) => r === '=')) {
    // Assignments: x=3, x_1=x_2=2, 3=x, bare values after an assignment (x=1,-3).
    const pairs: [string | null, Node][] = [];
    let ok = true;
    for (const it of items) {
      const ps = it.pieces;
      const isSym = (p: Node[]) => p.length === 1 && typeof p[0] === 'string' && !(p[0] in CONSTS);
      const isConst = (p: Node[]) => p.every((m) => varsOf(m)!.size === 0);
      if (ps.length === 1 && isConst(ps[0]!)) ps[0]!.forEach((v) => pairs.push([null, v]));
      else if (ps.length >= 2 && isConst(ps[ps.length - 1]!) && ps.slice(0, -1).every(isSym)) {
        for (const s of ps.slice(0, -1)) ps[ps.length - 1]!.forEach((v) => pairs.push([s[0] as string, v]));
      } else if (ps.length === 2 && isConst(ps[0]!) && isSym(ps[1]!)) {
        ps[0]!.forEach((v) => pairs.push([ps[1]![0] as string, v]));
      } else ok = false;
    }
    if (ok && pairs.some((p) => p[0] !== null)) {
      const names = [...new Set(pairs.map((p) => p[0]).filter((x): x is string => x !== null))];
      const bases = new Set(names.map(baseVar));
      if (bases.size === 1) return { k: 'values', v: [...bases][0]!, vals: pairs.map((p) => p[1]) };
      if (pairs.every((p) => p[0] !== null) && names.length === pairs.length) {
        return { k: 'assign', map: new Map(pairs.map((p) => [p[0] as string, p[1]])) };
      }
      return null;
    }
    if (items.every((it) => it.pieces.length === 2 && it.pieces.every((p) => p.length === 1))) {
      const list = items.map((it) => ({ lhs: it.pieces[0]![0]!, rhs: it.pieces[1]![0]! }));
      return list.length === 1 ? { k: 'eq', ...list[0]! } : { k: 'eqs', list };
    }
    return null;
  }

  // Conditions: chains are conjunctions; items joined by 或/or are unions, by commas or 且 intersections.
  const preds: Pred[] = [];
  for (const it of items) {
    if (it.pieces.some((p) => p.length !== 1)) return null;
    const chain: Pred[] = it.rels.map((op, i) => ({ k: 'rel', op, a: it.pieces[i]![0]!, b: it.pieces[i + 1]![0]! }));
    if (!chain.length) {
      const iv = intervalPred(it.pieces[0]![0]!, true);
      if (!iv) return null;
      chain.push(iv);
    }
    preds.push(chain.length === 1 ? chain[0]! : { k: 'and', ps: chain });
  }
  return { k: 'cond', p: preds.length === 1 ? preds[0]! : { k: seps.includes('or') ? 'or' : 'and', ps: preds } };
}

// ---------------------------------------------------------------------------------------
// 4. Comparison
// ---------------------------------------------------------------------------------------

interface Res {
  verdict: MathVerdict;
  confidence: number;
  simplified: boolean | null;
  note?: 'unsolved' | 'boundary' | 'variable' | 'order' | 'count';
}

interface Ctx {
  tol: number;
  requireSimplified: boolean;
}

/** Fixed sample values per (point, variable slot): half positive (roots, logs), half mixed sign. */
const N_POINTS = 10;
const SAMPLE: number[][] = (() => {
  const r = mulberry32(0x5eed);
  return Array.from({ length: N_POINTS }, (_v, p) =>
    Array.from({ length: 12 }, () => {
      const m = 0.35 + r() * 2.4;
      return p < 5 || r() < 0.4 ? m : -m;
    }),
  );
})();

/** Larger positive values, for expressions undefined on the first set (e.g. \sqrt{x-5}). */
const SAMPLE_WIDE: number[][] = (() => {
  const r = mulberry32(0xfa11);
  return Array.from({ length: N_POINTS }, () => Array.from({ length: 12 }, () => 3 + r() * 57));
})();

function envs(vars: string[], wide = false): Env[] {
  if (!vars.length) return [{}];
  return (wide ? SAMPLE_WIDE : SAMPLE).map((row) => Object.fromEntries(vars.map((v, i) => [v, row[i % row.length]! + Math.floor(i / row.length) * 0.37])));
}

const values = (n: Node, es: Env[]) => es.map((e) => ev(n, e));

const close = (a: number, b: number, abs: number, rel: number) =>
  Math.abs(a - b) <= abs + rel * Math.max(1, Math.abs(a), Math.abs(b));

/** true/false when decided on enough points where both sides are defined; null otherwise. */
function sameValues(x: number[], y: number[], abs: number, rel: number): boolean | null {
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      if (a === b && !Number.isNaN(a)) n++;
      continue;
    }
    if (!close(a, b, abs, rel)) return false;
    n++;
  }
  return n >= Math.min(3, x.length) ? true : null;
}

function unionVars(...ns: Node[]): string[] {
  const s = new Set<string>();
  for (const n of ns) varsOf(n, true)?.forEach((v) => s.add(v));
  return [...s].sort();
}

function equivalentRes(e: Node, a: Node, ctx: Ctx, confidence: number): Res {
  const simplified = unsimplified(a) <= unsimplified(e);
  if (!simplified && ctx.requireSimplified) return { verdict: 'not_simplified', confidence: confidence * 0.95, simplified };
  return { verdict: 'equivalent', confidence, simplified };
}

function compareExpr(e: Node, a: Node, ctx: Ctx): Res {
  if (key(e) === key(a)) return { verdict: 'exact', confidence: 1, simplified: true };
  const vars = unionVars(e, a);
  let es = envs(vars);
  let ve = values(e, es);
  let va = values(a, es);
  const constant = vars.length === 0;
  const abs = constant ? ctx.tol : 0;
  const rel = constant ? 1e-9 : 1e-8;
  let same = sameValues(ve, va, abs, rel);
  if (same === null && !constant) {
    es = envs(vars, true);
    ve = values(e, es);
    va = values(a, es);
    same = sameValues(ve, va, abs, rel);
  }
  if (same) return equivalentRes(e, a, ctx, constant ? 0.99 : 0.95);
  if (same === null) return { verdict: 'wrong', confidence: 0.5, simplified: null };
  // Near misses.
  const nonzero = ve.some((v) => Number.isFinite(v) && Math.abs(v) > 1e-12);
  if (nonzero && sameValues(ve.map((v) => -v), va, abs, rel)) return { verdict: 'sign_error', confidence: 0.9, simplified: null };
  for (const m of signMutants(e)) {
    const vm = values(m, es);
    if (sameValues(vm, ve, 0, rel)) continue; // the flip changed nothing (e.g. a zero term)
    if (sameValues(vm, va, abs, rel)) return { verdict: 'sign_error', confidence: 0.85, simplified: null };
  }
  // Within 1 % of the expected value (relative to it, not to max(1, …): 0.34 is not "close" to 1/3).
  if (constant && Number.isFinite(ve[0]!) && Number.isFinite(va[0]!) && ve[0] !== 0 && Math.abs(va[0]! - ve[0]!) <= 0.01 * Math.abs(ve[0]!)) {
    return { verdict: 'numeric_close', confidence: 0.9, simplified: null };
  }
  return { verdict: 'wrong', confidence: constant ? 0.99 : 0.97, simplified: null };
}

/** Combines element verdicts (coordinates, roots): all equal, one sign slip, all rounded, or wrong. */
function combine(results: Res[]): Res {
  if (results.every((r) => r.verdict === 'exact')) return { verdict: 'exact', confidence: 1, simplified: true };
  const ok = (r: Res) => r.verdict === 'exact' || r.verdict === 'equivalent' || r.verdict === 'not_simplified';
  const conf = Math.min(...results.map((r) => r.confidence));
  if (results.every(ok)) {
    const simplified = results.every((r) => r.simplified !== false);
    const ns = results.some((r) => r.verdict === 'not_simplified');
    return { verdict: ns ? 'not_simplified' : 'equivalent', confidence: conf, simplified };
  }
  const bad = results.filter((r) => !ok(r));
  if (bad.length === 1 && bad[0]!.verdict === 'sign_error') return { verdict: 'sign_error', confidence: 0.85, simplified: null };
  if (bad.every((r) => r.verdict === 'numeric_close')) return { verdict: 'numeric_close', confidence: 0.85, simplified: null };
  return { verdict: 'wrong', confidence: Math.max(0.8, Math.min(...bad.map((r) => r.confidence))), simplified: null };
}

/** Coordinates compared in order. */
const compareTuple = (e: Node[], a: Node[], ctx: Ctx): Res => combine(e.map((x, i) => compareExpr(x, a[i]!, ctx)));

/**
 * Order-free comparison of two lists of values (roots) or of points (intersections,
 * solutions of a system); duplicates collapse (x₁=x₂=2 ≡ x=2).
 */
function compareSets<T>(e: T[], a: T[], ctx: Ctx, cmp: (x: T, y: T, ctx: Ctx) => Res): Res {
  const dedupe = (xs: T[]) => {
    const out: T[] = [];
    for (const x of xs) if (!out.some((y) => isSame(cmp(y, x, { tol: 0, requireSimplified: false })))) out.push(x);
    return out;
  };
  const E = dedupe(e);
  const A = dedupe(a);
  const used = new Set<number>();
  const results: Res[] = [];
  const unmatched: T[] = [];
  for (const x of E) {
    let found = -1;
    let best: Res | null = null;
    for (let j = 0; j < A.length; j++) {
      if (used.has(j)) continue;
      const r = cmp(x, A[j]!, ctx);
      if (isSame(r) || r.verdict === 'not_simplified') { found = j; best = r; break; }
    }
    if (found >= 0) { used.add(found); results.push(best!); }
    else unmatched.push(x);
  }
  if (E.length !== A.length) return { verdict: 'wrong', confidence: 0.95, simplified: null, note: 'count' };
  if (!unmatched.length) return combine(results);
  const rest = A.filter((_x, j) => !used.has(j));
  if (unmatched.length === 1 && rest.length === 1) {
    const r = cmp(unmatched[0]!, rest[0]!, ctx);
    return combine([...results, r]);
  }
  return { verdict: 'wrong', confidence: 0.95, simplified: null };
}

const isSame = (r: Res) => r.verdict === 'exact' || r.verdict === 'equivalent';

/** Equations are equivalent when (lhs−rhs) of one is a constant non-zero multiple of the other's. */
function compareEq(e: { lhs: Node; rhs: Node }, a: { lhs: Node; rhs: Node }, ctx: Ctx): Res {
  const ke = [key(e.lhs), key(e.rhs)];
  const ka = [key(a.lhs), key(a.rhs)];
  if ((ke[0] === ka[0] && ke[1] === ka[1]) || (ke[0] === ka[1] && ke[1] === ka[0])) return { verdict: 'exact', confidence: 1, simplified: true };
  const de: Node = ['Add', e.lhs, ['Negate', e.rhs]];
  const da: Node = ['Add', a.lhs, ['Negate', a.rhs]];
  const vars = unionVars(de, da);
  const es = envs(vars);
  const proportional = (x: Node): boolean => {
    const vx = values(x, es);
    const va = values(da, es);
    let ratio: number | null = null;
    let n = 0;
    for (let i = 0; i < vx.length; i++) {
      const p = vx[i]!;
      const q = va[i]!;
      if (!Number.isFinite(p) || !Number.isFinite(q)) continue;
      if (Math.abs(p) < 1e-9) {
        if (Math.abs(q) > 1e-7) return false;
        continue;
      }
      const r = q / p;
      if (ratio === null) ratio = r;
      else if (!close(r, ratio, 0, 1e-7)) return false;
      n++;
    }
    return ratio !== null && Math.abs(ratio) > 1e-9 && n >= Math.min(3, vx.length);
  };
  const sameCurve = proportional(de) ? 0.9 : sameZeroSet(de, da, vars) ? 0.8 : 0;
  if (sameCurve) {
    const simplified = unsimplified(a.lhs) + unsimplified(a.rhs) <= unsimplified(e.lhs) + unsimplified(e.rhs);
    if (!simplified && ctx.requireSimplified) return { verdict: 'not_simplified', confidence: sameCurve - 0.05, simplified };
    return { verdict: 'equivalent', confidence: sameCurve, simplified };
  }
  for (const m of signMutants(de)) if (proportional(m)) return { verdict: 'sign_error', confidence: 0.8, simplified: null };
  return { verdict: 'wrong', confidence: 0.9, simplified: null };
}

/**
 * Same real zero set, for relations that are not constant multiples of each other
 * (y=3/x and xy=3): for each variable in turn, on a few slices with the other variables
 * fixed, every sign-change root of one side-difference must be a root of the other.
 */
function sameZeroSet(de: Node, da: Node, vars: string[]): boolean {
  if (!vars.length) return false;
  let matched = 0;
  const d = 1e-3;
  for (const solve of vars) {
    const others = vars.filter((v) => v !== solve);
    for (const env0 of envs(others).slice(0, 4)) {
      const env: Env = { ...env0 };
      const at = (n: Node, y: number) => {
        env[solve] = y;
        return ev(n, env);
      };
      for (const [f, g] of [[de, da], [da, de]] as const) {
        let prevY = -20;
        let prev = at(f, prevY);
        for (let y = -19.75; y <= 20; y += 0.25) {
          const cur = at(f, y);
          if (prev * cur < 0) {
            let lo = prevY;
            let hi = y;
            let flo = prev;
            for (let k = 0; k < 50; k++) {
              const mid = (lo + hi) / 2;
              const fm = at(f, mid);
              if (fm * flo <= 0) hi = mid;
              else { lo = mid; flo = fm; }
            }
            const r = (lo + hi) / 2;
            const fr = Math.abs(at(f, r));
            // A sign change across a pole (3/x at x=0) is not a root.
            if (Number.isFinite(fr) && fr <= 1e-6 * (Math.abs(at(f, r - d)) + Math.abs(at(f, r + d)))) {
              const gr = Math.abs(at(g, r));
              if (!(gr <= 1e-6 * (Math.abs(at(g, r - d)) + Math.abs(at(g, r + d))) || gr < 1e-12)) return false;
              matched++;
            }
          }
          prevY = y;
          prev = cur;
        }
      }
    }
  }
  return matched >= 2;
}

function evalPred(p: Pred, env: Env, x: number): boolean {
  switch (p.k) {
    case 'and':
      return p.ps.every((q) => evalPred(q, env, x));
    case 'or':
      return p.ps.some((q) => evalPred(q, env, x));
    case 'in':
      return (p.loOpen ? x > p.lo : x >= p.lo) && (p.hiOpen ? x < p.hi : x <= p.hi);
    case 'rel': {
      const a = ev(p.a, env);
      const b = ev(p.b, env);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      const d = a - b;
      const eq = Math.abs(d) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
      switch (p.op) {
        case '=': return eq;
        case '!=': return !eq;
        case '<': return !eq && d < 0;
        case '>': return !eq && d > 0;
        case '<=': return eq || d < 0;
        case '>=': return eq || d > 0;
      }
    }
  }
}

function predNodes(p: Pred, out: Node[] = []): Node[] {
  if (p.k === 'rel') out.push(p.a, p.b);
  else if (p.k === 'and' || p.k === 'or') p.ps.forEach((q) => predNodes(q, out));
  return out;
}

function predRels(p: Pred, out: { a: Node; b: Node }[] = [], ends: number[] = []): void {
  if (p.k === 'rel') out.push({ a: p.a, b: p.b });
  else if (p.k === 'in') ends.push(p.lo, p.hi);
  else p.ps.forEach((q) => predRels(q, out, ends));
}

function numberLiterals(n: Node, out: number[]): void {
  if (typeof n === 'number') out.push(n, -n);
  else if (Array.isArray(n)) n.slice(1).forEach((m) => numberLiterals(m, out));
}

function flipPred(p: Pred): Pred {
  const FLIP: Record<RelOp, RelOp> = { '<': '>=', '>': '<=', '<=': '>', '>=': '<', '=': '!=', '!=': '=' };
  if (p.k === 'rel') return { ...p, op: FLIP[p.op] };
  if (p.k === 'in') return p;
  return { k: p.k === 'and' ? 'or' : 'and', ps: p.ps.map(flipPred) };
}

/** Solution sets of conditions in one variable, compared on a grid refined at all boundaries. */
function compareCond(pe: Pred, pa: Pred): Res {
  const vars = unionVars(...predNodes(pe), ...predNodes(pa));
  if (vars.length > 1) {
    const r = mulberry32(7);
    for (let i = 0; i < 400; i++) {
      const env = Object.fromEntries(vars.map((v) => [v, (r() - 0.5) * 20]));
      if (evalPred(pe, env, 0) !== evalPred(pa, env, 0)) return { verdict: 'wrong', confidence: 0.85, simplified: null };
    }
    return { verdict: 'equivalent', confidence: 0.75, simplified: true };
  }
  const v = vars[0] ?? 'x';
  const rels: { a: Node; b: Node }[] = [];
  const ends: number[] = [];
  predRels(pe, rels, ends);
  predRels(pa, rels, ends);
  const env: Env = {};
  const f = (r: { a: Node; b: Node }, x: number) => {
    env[v] = x;
    return ev(r.a, env) - ev(r.b, env);
  };
  const truth = (p: Pred, x: number) => {
    env[v] = x;
    return evalPred(p, env, x);
  };
  const base = new Set<number>([-1e6, -1e4, 1e4, 1e6]);
  for (let x = -50; x <= 50; x += 0.5) base.add(x);
  for (const r of rels) { numberLiterals(r.a, ends); numberLiterals(r.b, ends); }
  ends.filter(Number.isFinite).forEach((x) => base.add(x));
  const sorted = [...base].sort((a, b) => a - b);
  const crit: number[] = ends.filter(Number.isFinite);
  for (const r of rels) {
    for (let i = 0; i + 1 < sorted.length; i++) {
      let lo = sorted[i]!;
      let hi = sorted[i + 1]!;
      let flo = f(r, lo);
      const fhi = f(r, hi);
      if (flo === 0) crit.push(lo);
      if (!(flo * fhi < 0)) continue;
      for (let k = 0; k < 60; k++) {
        const mid = (lo + hi) / 2;
        const fm = f(r, mid);
        if (fm * flo <= 0) hi = mid;
        else { lo = mid; flo = fm; }
      }
      crit.push((lo + hi) / 2);
    }
  }
  const test = new Set(sorted);
  for (const c of crit) {
    test.add(c);
    test.add(c - 1e-6);
    test.add(c + 1e-6);
  }
  const pts = [...test].sort((a, b) => a - b);
  for (let i = 0; i + 1 < pts.length; i++) test.add((pts[i]! + pts[i + 1]!) / 2);
  let differs = false;
  let interiorSame = false;
  const near = (x: number) => crit.some((c) => Math.abs(c - x) < 1e-5);
  for (const x of test) {
    const te = truth(pe, x);
    const ta = truth(pa, x);
    if (te !== ta) differs = true;
    else if (!near(x)) interiorSame = true;
  }
  if (!differs) return { verdict: 'equivalent', confidence: 0.9, simplified: true };
  // Reversed inequality (a classic slip when dividing by a negative number).
  let complement = true;
  const flipped = flipPred(pe);
  for (const x of test) if (!near(x) && truth(flipped, x) !== truth(pa, x)) { complement = false; break; }
  if (complement && !interiorSame) return { verdict: 'sign_error', confidence: 0.8, simplified: null };
  let boundaryOnly = true;
  for (const x of test) if (!near(x) && truth(pe, x) !== truth(pa, x)) { boundaryOnly = false; break; }
  return { verdict: 'wrong', confidence: 0.9, simplified: null, note: boundaryOnly ? 'boundary' : undefined };
}

function asPred(s: Struct): Pred | null {
  if (s.k === 'cond') return s.p;
  if (s.k === 'tuple' && s.items.length === 2) return intervalPred([s.closed ? 'List' : 'Tuple', ...s.items], true);
  if (s.k === 'values' && s.v) return { k: 'or', ps: s.vals.map((val): Pred => ({ k: 'rel', op: '=', a: s.v!, b: val })) };
  return null;
}

function compareStruct(E: Struct, A: Struct, ctx: Ctx): Res {
  const wrong: Res = { verdict: 'wrong', confidence: 0.9, simplified: null };
  switch (E.k) {
    case 'none':
      return A.k === 'none' ? { verdict: 'exact', confidence: 1, simplified: true } : wrong;
    case 'expr':
      if (A.k === 'expr') return compareExpr(E.e, A.e, ctx);
      // "x=3" for an expected constant 3.
      if (A.k === 'values' && A.vals.length === 1 && varsOf(E.e)!.size === 0) return compareExpr(E.e, A.vals[0]!, ctx);
      return wrong;
    case 'values':
      if (A.k === 'values') {
        if (E.v && A.v && E.v !== A.v) return { ...wrong, note: 'variable' };
        return compareSets(E.vals, A.vals, ctx, compareExpr);
      }
      if (A.k === 'expr' && E.vals.length >= 1 && varsOf(A.e)!.size === 0) return compareSets(E.vals, [A.e], ctx, compareExpr);
      if (A.k === 'eq' && E.v) {
        // An equation still to be solved ("2x=6") is not an answer to "solve", even when equivalent.
        const r = E.vals.length === 1 ? compareEq({ lhs: E.v, rhs: E.vals[0]! }, A, ctx) : wrong;
        return isSame(r) ? { verdict: 'wrong', confidence: 0.7, simplified: false, note: 'unsolved' } : r;
      }
      return wrong;
    case 'assign': {
      const keys = [...E.map.keys()].sort();
      if (A.k === 'assign') {
        const ka = [...A.map.keys()].sort();
        if (ka.join() !== keys.join()) return { ...wrong, note: 'variable' };
        return combine(keys.map((k) => compareExpr(E.map.get(k)!, A.map.get(k)!, ctx)));
      }
      if (A.k === 'tuple' && A.items.length === keys.length) return combine(keys.map((k, i) => compareExpr(E.map.get(k)!, A.items[i]!, ctx)));
      return wrong;
    }
    case 'tuple':
      if (A.k === 'tuple' && A.items.length === E.items.length && A.closed === E.closed) {
        const r = combine(E.items.map((x, i) => compareExpr(x, A.items[i]!, ctx)));
        if (r.verdict === 'wrong' && E.items.length === 2 && isSame(combine([compareExpr(E.items[0]!, A.items[1]!, ctx), compareExpr(E.items[1]!, A.items[0]!, ctx)]))) {
          return { ...r, note: 'order' };
        }
        return r;
      }
      if (A.k === 'assign' && A.map.size === E.items.length) {
        const keys = [...A.map.keys()].sort();
        return combine(keys.map((k, i) => compareExpr(E.items[i]!, A.map.get(k)!, ctx)));
      }
      if (A.k === 'cond') {
        const pe = asPred(E);
        return pe ? compareCond(pe, A.p) : wrong;
      }
      return wrong;
    case 'points':
      // A list of points (intersections, solutions) is order-free, like a list of roots.
      if (A.k === 'points' && A.pts.every((p) => p.length === E.pts[0]!.length)) return compareSets(E.pts, A.pts, ctx, compareTuple);
      if (A.k === 'tuple' && !A.closed && A.items.length === E.pts[0]!.length) return compareSets(E.pts, [A.items], ctx, compareTuple);
      return wrong;
    case 'eq':
      if (A.k === 'eq') return compareEq(E, A, ctx);
      if (A.k === 'values' && A.v && A.vals.length === 1) return compareEq(E, { lhs: A.v, rhs: A.vals[0]! }, ctx);
      return wrong;
    case 'eqs': {
      if (A.k !== 'eqs' || A.list.length !== E.list.length) return wrong;
      const used = new Set<number>();
      const rs: Res[] = [];
      for (const x of E.list) {
        const j = A.list.findIndex((y, i) => !used.has(i) && isSame(compareEq(x, y, ctx)));
        if (j < 0) return wrong;
        used.add(j);
        rs.push(compareEq(x, A.list[j]!, ctx));
      }
      return combine(rs);
    }
    case 'cond': {
      const pa = asPred(A);
      if (!pa || A.k === 'values') return wrong;
      return compareCond(E.p, pa);
    }
  }
}

// ---------------------------------------------------------------------------------------
// 5. Units and the public entry point
// ---------------------------------------------------------------------------------------

function scaleStruct(s: Struct, f: number): Struct | null {
  if (s.k === 'expr') return { k: 'expr', e: ['Multiply', f, s.e] };
  if (s.k === 'values') return { ...s, vals: s.vals.map((v): Node => ['Multiply', f, v]) };
  return null;
}

function unitFactor(from: string, to: string): number | null {
  const a = UNIT_SCALE[from];
  const b = UNIT_SCALE[to];
  return a && b && a[0] === b[0] ? a[1] / b[1] : null;
}

const REASONS: Record<MathVerdict, [string, string]> = {
  exact: ['与标准答案一致', 'Matches the expected answer'],
  equivalent: ['与标准答案等价', 'Equivalent to the expected answer'],
  not_simplified: ['结果正确但未化简', 'Correct value, but not in simplest form'],
  sign_error: ['符号错误', 'Sign error'],
  numeric_close: ['数值接近但超出允许误差（可能是取近似值时出错）', 'Numerically close but outside the tolerance (rounding?)'],
  unit_error: ['数值正确但单位错误', 'Right number, wrong unit'],
  missing_unit: ['数值正确，但缺少单位', 'Right value, but the unit is missing'],
  wrong: ['与标准答案不等价', 'Not equivalent to the expected answer'],
  unparseable: ['无法识别的数学表达式', 'Could not read the answer as mathematics'],
};

function judgement(r: Res, extra: { zh?: string; en?: string } = {}, normalised?: string): MathJudgement {
  let [zh, en] = REASONS[r.verdict];
  if (r.verdict === 'equivalent' && r.simplified === false) {
    zh = '与标准答案等价（未化简）';
    en = 'Equivalent to the expected answer (not simplified)';
  }
  if (r.note === 'unsolved') { zh = '方程尚未解出'; en = 'The equation has not been solved'; }
  if (r.note === 'boundary') { zh += '（端点取舍错误）'; en += ' (boundary point included/excluded wrongly)'; }
  if (r.note === 'order') { zh += '（顺序颠倒）'; en += ' (order swapped)'; }
  if (r.note === 'count') { zh += '（解的个数不对）'; en += ' (wrong number of solutions)'; }
  if (r.note === 'variable') { zh += '（变量不一致）'; en += ' (different variable)'; }
  if (extra.zh) zh += extra.zh;
  if (extra.en) en += extra.en;
  const correct = r.verdict === 'exact' || r.verdict === 'equivalent' || r.verdict === 'missing_unit';
  return {
    verdict: r.verdict,
    correct,
    confidence: Math.round(Math.max(0, Math.min(1, r.confidence)) * 1000) / 1000,
    simplified: correct || r.verdict === 'not_simplified' ? r.simplified ?? true : null,
    reason: { 'zh-CN': zh, en },
    ...(normalised !== undefined ? { normalised } : {}),
  };
}

const compact = (s: string) => s.replace(/\\left|\\right|\s+/g, '');

/** Judges a student's answer against the expected one. Synchronous; never throws. */
export function judgeMath(expected: string, answer: string, options: MathOptions = {}): MathJudgement {
  try {
    return judgeInner(String(expected ?? ''), String(answer ?? ''), options ?? {});
  } catch {
    return judgement({ verdict: 'unparseable', confidence: 0.5, simplified: null });
  }
}

/** Longer inputs are not a mathematical answer; refusing them keeps the worst case fast. */
const MAX_INPUT = 1000;

const unitTex = (u: string) => (u === '°' ? '^{\\circ}' : /^[\x20-\x7e]+$/.test(u) ? `\\,\\mathrm{${u}}` : `\\,\\text{${u}}`);

function judgeInner(expected: string, answer: string, options: MathOptions): MathJudgement {
  if (!answer.trim()) {
    return { verdict: 'wrong', correct: false, confidence: 1, simplified: null, reason: { 'zh-CN': '未作答', en: 'No answer given' } };
  }
  if (answer.length > MAX_INPUT || expected.length > MAX_INPUT) return judgement({ verdict: 'unparseable', confidence: 0.9, simplified: null });
  const tol = Math.max(0, Number(options.tolerance) || 0);
  const ctx: Ctx = { tol, requireSimplified: !!options.requireSimplified };
  const optUnit = normUnit(options.unit);
  const ea = analyse(expected, !!optUnit, optUnit, true);
  const unit = optUnit ?? ea.unit;
  const aa = analyse(answer, !!unit, unit, unit === '°');
  const normalised = aa.none ? '\\varnothing' : joinTokens(aa.tokens) + (aa.unit ? unitTex(aa.unit) : '');
  const E = buildStruct(ea);
  const A = buildStruct(aa);
  if (!E) {
    // Expected answer outside what we can read: fall back to comparing the text.
    const same = compact(joinTokens(ea.tokens)) === compact(joinTokens(aa.tokens)) && ea.tokens.length > 0;
    return judgement(same ? { verdict: 'exact', confidence: 0.8, simplified: true } : { verdict: 'unparseable', confidence: 0.3, simplified: null },
      same ? {} : { zh: '（标准答案无法解析，需人工批改）', en: ' (expected answer not machine-readable; mark by hand)' }, normalised);
  }
  if (!A) return judgement({ verdict: 'unparseable', confidence: 0.9, simplified: null }, {}, normalised);
  const damp = aa.ambiguous ? 0.85 : 1;
  const finish = (r: Res, extra?: { zh?: string; en?: string }) => judgement({ ...r, confidence: r.confidence * damp }, extra, normalised);

  if (!unit || (aa.unit && aa.unit === unit)) return finish(compareStruct(E, A, ctx));
  if (!aa.unit) {
    const r = compareStruct(E, A, ctx);
    if (isSame(r)) {
      return finish({ verdict: 'missing_unit', confidence: 0.6, simplified: r.simplified }, { zh: `（${unit}）`, en: ` (${unit})` });
    }
    return finish(r);
  }
  const f = unitFactor(aa.unit, unit);
  const scaled = f !== null ? scaleStruct(A, f) : null;
  if (scaled) {
    const r = compareStruct(E, scaled, ctx);
    // The simplicity of the answer as written, not of the converted value.
    const simplified = A.k === 'expr' ? unsimplified(A.e) === 0 : r.simplified;
    if (isSame(r)) return finish({ verdict: 'equivalent', confidence: r.confidence * 0.95, simplified }, { zh: `（已换算 ${aa.unit}→${unit}）`, en: ` (converted ${aa.unit} → ${unit})` });
  }
  const raw = compareStruct(E, A, ctx);
  if (isSame(raw)) return finish({ verdict: 'unit_error', confidence: 0.85, simplified: null }, { zh: `（应为 ${unit}）`, en: ` (expected ${unit})` });
  return finish(raw);
}
