/**
 * Aho–Corasick multi-pattern search, for dictionaries of thousands of terms (a safety lexicon, a
 * class roster) scanned on every model-gateway call. One pass over the text whatever the number of
 * patterns; no regular expression per term.
 *
 * Semantics: leftmost-longest, non-overlapping — among the matches starting at or after the
 * current position the one with the smallest start wins, ties go to the longest, and the search
 * resumes after it. Offsets are UTF-16 indices into the ORIGINAL text (end exclusive).
 *
 * Matching works on UTF-16 code units. `fold` (default on) maps each unit on its own, so offsets
 * never shift: ASCII upper → lower case, full-width ASCII U+FF01–U+FF5E → half-width (then lower
 * case), ideographic space U+3000 → space. `skip` names units the automaton steps over without
 * advancing (it is applied after folding, to the text and to the patterns alike), so with
 * `skip: isSeparator` the text "自 * 杀" matches the pattern "自杀"; a match then spans the
 * original text from its first to its last matched unit, skipped units inside included.
 *
 * Layout: the trie is flattened into typed arrays (per state: a sorted run of (code unit, child)
 * edges, failure link, depth, longest pattern ending there), plus a bitset of the units that can
 * start a pattern, so text that matches nothing costs one bit test per unit (when the root has
 * more than 256 edges, a 256 KB direct table replaces the search there). Build sorts the patterns,
 * then is linear in their total length.
 * Worst-case search is O(text × longest pattern) — the leftmost-longest rule can make the scan
 * re-read text after a match, by at most the longest pattern — and linear in practice.
 */

/** One match: UTF-16 offsets into the original text, `end` exclusive. */
export interface AcMatch<T> {
  start: number;
  end: number;
  value: T;
}

export interface AhoCorasickOptions {
  /** Case-fold ASCII and fold full-width ASCII / U+3000 (default true). */
  fold?: boolean;
  /** UTF-16 code units (after folding) ignored in text and patterns. */
  skip?: (code: number) => boolean;
}

/**
 * Optional per-call veto on a candidate match (e.g. a word-boundary or an applicability rule).
 * A rejected match is treated as if the pattern were absent at that place, so a shorter or later
 * match can still be found there.
 */
export type AcAccept<T> = (value: T, start: number, end: number, text: string) => boolean;

/** The folding of one UTF-16 code unit used by `fold: true`. */
export function foldCode(c: number): number {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
  if (c >= 0xff01 && c <= 0xff5e) {
    c -= 0xfee0;
    return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
  }
  return c === 0x3000 ? 0x20 : c;
}

/**
 * A default `skip` predicate for evasion-resistant matching: ASCII whitespace, controls and
 * punctuation; Latin-1 punctuation and no-break space; general punctuation (dashes, quotes, …, •,
 * ※); CJK punctuation and brackets (，。、·！？《》「」【】…); full-width and small-form punctuation;
 * zero-width and bidi-control characters (U+200B–U+200F, U+2028–U+202F, U+2060–U+2064, U+FEFF);
 * variation selectors; arrows, geometric shapes, miscellaneous symbols and dingbats (★ ♥ ✂); and
 * emoji (surrogate halves of U+1F000–U+1FBFF, and every low surrogate, so a pattern containing an
 * astral character keeps only its high surrogate — harmless for matching, patterns and text being
 * treated alike). Letters, digits and ideographs (including 〇 and 々) are never separators.
 */
export function isSeparator(c: number): boolean {
  if (c < 0x80) {
    return c <= 0x2f || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || c >= 0x7b;
  }
  if (c < 0x2000) {
    return c === 0xa0 || c === 0xa1 || c === 0xa7 || c === 0xab || c === 0xad || c === 0xb6 || c === 0xb7 || c === 0xbb || c === 0xbf;
  }
  if (c <= 0x206f) return c <= 0x205e || c >= 0x2060; // general punctuation, spaces, format chars
  if (c >= 0x2190 && c <= 0x21ff) return true; // arrows
  if (c >= 0x25a0 && c <= 0x27bf) return true; // geometric shapes, misc symbols, dingbats
  if (c >= 0x3000 && c <= 0x303f) {
    // CJK symbols and punctuation, except the ideograph-like 々〆〇, 〡–〩, 〱–〵, 〸–〼
    return c <= 0x3004 || (c >= 0x3008 && c <= 0x3020) || c === 0x3030 || c === 0x303d || c === 0x303e || c === 0x303f;
  }
  if (c === 0x30fb) return true; // katakana middle dot ・
  if (c >= 0xd800 && c <= 0xdfff) return c >= 0xdc00 || (c >= 0xd83c && c <= 0xd83e);
  if (c >= 0xfe00 && c <= 0xfe0f) return true; // variation selectors
  if (c >= 0xfe10 && c <= 0xfe6f) return true; // vertical, compatibility and small forms
  if (c === 0xfeff) return true;
  if (c >= 0xff01 && c <= 0xff65) {
    // full-width punctuation (letters and digits excluded) and half-width CJK punctuation
    return c <= 0xff0f || (c >= 0xff1a && c <= 0xff20) || (c >= 0xff3b && c <= 0xff40) || c >= 0xff5b;
  }
  return false;
}

/** A pattern or text as the automaton sees it: folded (if asked) and without skipped units. */
export function normalizeForMatch(text: string, opts: AhoCorasickOptions = {}): string {
  const fold = opts.fold !== false;
  const skip = opts.skip;
  let i = 0;
  // Most patterns are unchanged: copy only from the first unit that changes.
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const f = fold ? foldCode(c) : c;
    if (f !== c || (skip !== undefined && skip(f))) break;
  }
  if (i === text.length) return text;
  let out = text.slice(0, i);
  for (; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (fold) c = foldCode(c);
    if (skip !== undefined && skip(c)) continue;
    out += String.fromCharCode(c);
  }
  return out;
}

const NONE = -1;
/** Root fan-out above which root transitions use a 256 KB dense table instead of a search. */
const DENSE_ROOT_MIN = 256;

export class AhoCorasick<T> {
  /** Number of distinct patterns (after normalisation; empty ones are dropped). */
  readonly size: number;
  private readonly fold: boolean;
  private readonly skip: ((code: number) => boolean) | undefined;
  private readonly values: T[];
  /** Per pattern: its length in matched units, and the next shorter pattern that is its suffix. */
  private readonly patLen: Int32Array;
  private readonly shorter: Int32Array;
  /** Per state s: edges edgeStart[s] .. edgeStart[s+1]-1, sorted by code unit. */
  private readonly edgeStart: Int32Array;
  private readonly edgeCode: Uint16Array;
  private readonly edgeNext: Int32Array;
  private readonly fail: Int32Array;
  private readonly depth: Int32Array;
  /** Per state: the longest pattern that is a suffix of the state's string, or -1. */
  private readonly out: Int32Array;
  /** Bitset of the code units with an edge from the root. */
  private readonly rootBits: Uint32Array;
  /** Root transitions as a dense table (0 = none), when the root has many edges; else null. */
  private readonly rootTable: Int32Array | null;
  private readonly ringMask: number;
  private scratch: Int32Array | null;

  constructor(patterns: Iterable<readonly [string, T]>, opts: AhoCorasickOptions = {}) {
    this.fold = opts.fold !== false;
    this.skip = opts.skip;
    const index = new Map<string, number>();
    const keys: string[] = [];
    const values: T[] = [];
    for (const [pattern, value] of patterns) {
      if (typeof pattern !== 'string' || pattern === '') continue;
      const key = normalizeForMatch(pattern, opts);
      if (key === '') continue;
      const at = index.get(key);
      if (at === undefined) {
        index.set(key, keys.length);
        keys.push(key);
        values.push(value);
      } else values[at] = value; // duplicate: last value wins
    }
    this.size = keys.length;
    this.values = values;

    // 1. Trie, built from the keys in sorted order: each key shares its longest common prefix
    //    with the previous one, and every state's children are created in code-unit order.
    let total = 0;
    let maxLen = 1;
    for (const k of keys) {
      total += k.length;
      if (k.length > maxLen) maxLen = k.length;
    }
    const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
    const cap = total + 1;
    const parent = new Int32Array(cap);
    const code = new Uint16Array(cap);
    const depth = new Int32Array(cap);
    const terminal = new Int32Array(cap).fill(NONE);
    const path = new Int32Array(maxLen + 1); // path[d] = state at depth d of the previous key
    let states = 1;
    let prev = '';
    for (const p of order) {
      const k = keys[p]!;
      let lcp = 0;
      const lim = Math.min(k.length, prev.length);
      while (lcp < lim && k.charCodeAt(lcp) === prev.charCodeAt(lcp)) lcp++;
      for (let d = lcp; d < k.length; d++) {
        const t = states++;
        parent[t] = path[d]!;
        code[t] = k.charCodeAt(d);
        depth[t] = d + 1;
        path[d + 1] = t;
      }
      terminal[path[k.length]!] = p;
      prev = k;
    }

    // 2. Flatten edges: a stable counting sort by parent keeps each run in code-unit order.
    const edgeStart = new Int32Array(states + 1);
    for (let t = 1; t < states; t++) edgeStart[parent[t]! + 1]++;
    for (let s = 0; s < states; s++) edgeStart[s + 1] += edgeStart[s]!;
    const fill = edgeStart.slice(0, states);
    const edgeCode = new Uint16Array(Math.max(states - 1, 0));
    const edgeNext = new Int32Array(Math.max(states - 1, 0));
    for (let t = 1; t < states; t++) {
      const at = fill[parent[t]!]++;
      edgeCode[at] = code[t]!;
      edgeNext[at] = t;
    }
    this.edgeStart = edgeStart;
    this.edgeCode = edgeCode;
    this.edgeNext = edgeNext;

    const rootBits = new Uint32Array(2048);
    for (let e = edgeStart[0]!; e < edgeStart[1]!; e++) rootBits[edgeCode[e]! >>> 5] |= 1 << (edgeCode[e]! & 31);
    this.rootBits = rootBits;
    let rootTable: Int32Array | null = null;
    if (edgeStart[1]! > DENSE_ROOT_MIN) {
      rootTable = new Int32Array(65536);
      for (let e = 0; e < edgeStart[1]!; e++) rootTable[edgeCode[e]!] = edgeNext[e]!;
    }
    this.rootTable = rootTable;

    // 3. Failure links and outputs, breadth first.
    const fail = new Int32Array(states);
    const out = new Int32Array(states).fill(NONE);
    const queue = new Int32Array(states);
    let head = 0;
    let tail = 0;
    queue[tail++] = 0;
    while (head < tail) {
      const s = queue[head++]!;
      for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) {
        const c = edgeCode[e]!;
        const t = edgeNext[e]!;
        let f = 0;
        if (s !== 0) {
          let g = fail[s]!;
          for (;;) {
            const x = this.child(g, c);
            if (x !== NONE) {
              f = x;
              break;
            }
            if (g === 0) break;
            g = fail[g]!;
          }
        }
        fail[t] = f;
        out[t] = terminal[t] !== NONE ? terminal[t]! : out[f]!;
        queue[tail++] = t;
      }
    }
    this.fail = fail;
    this.depth = depth.subarray(0, states);
    this.out = out;

    const patLen = new Int32Array(keys.length);
    const shorter = new Int32Array(keys.length);
    for (let t = 1; t < states; t++) {
      const p = terminal[t]!;
      if (p === NONE) continue;
      patLen[p] = depth[t]!;
      shorter[p] = out[fail[t]!]!;
    }
    this.patLen = patLen;
    this.shorter = shorter;

    let ring = 1;
    while (ring < maxLen) ring <<= 1;
    this.ringMask = ring - 1;
    this.scratch = new Int32Array(ring);
  }

  /** All matches, leftmost-longest and non-overlapping, in text order. */
  findAll(text: string, accept?: AcAccept<T>): AcMatch<T>[] {
    const found: AcMatch<T>[] = [];
    if (this.size !== 0 && typeof text === 'string' && text !== '') this.run(text, accept, found);
    return found;
  }

  /** The first match findAll would return, or null; stops scanning as soon as it is known. */
  first(text: string, accept?: AcAccept<T>): AcMatch<T> | null {
    if (this.size === 0 || typeof text !== 'string' || text === '') return null;
    return this.run(text, accept, null);
  }

  private child(s: number, c: number): number {
    let lo = this.edgeStart[s]!;
    let hi = this.edgeStart[s + 1]!;
    const codes = this.edgeCode;
    if (hi - lo <= 8) {
      for (; lo < hi; lo++) if (codes[lo] === c) return this.edgeNext[lo]!;
      return NONE;
    }
    hi--;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = codes[mid]!;
      if (m === c) return this.edgeNext[mid]!;
      if (m < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return NONE;
  }

  /** The scan; collects into `found`, or returns the first match when `found` is null. */
  private run(text: string, accept: AcAccept<T> | undefined, found: AcMatch<T>[] | null): AcMatch<T> | null {
    // Positions in the text of the most recent consumed (non-skipped) units, as a ring buffer.
    let ring = this.scratch;
    if (ring === null) ring = new Int32Array(this.ringMask + 1); // re-entered from `accept`
    else this.scratch = null;
    try {
      const { fold, skip, rootBits, rootTable, fail, depth, out, patLen, shorter, values, ringMask } = this;
      const n = text.length;
      let i = 0;
      let s = 0;
      let k = 0; // units consumed since the last reset
      let cs = -1; // current candidate match: start, end, pattern
      let ce = 0;
      let cp = 0;
      for (;;) {
        if (i >= n) {
          if (cs < 0) return null;
        } else {
          let c = text.charCodeAt(i);
          if (fold) c = c < 0x41 ? c : foldCode(c);
          if (skip !== undefined && skip(c)) {
            i++;
            continue;
          }
          for (;;) {
            if (s === 0) {
              s = rootTable !== null ? rootTable[c]! : (rootBits[c >>> 5]! & (1 << (c & 31))) === 0 ? 0 : this.child(0, c);
              break;
            }
            const t = this.child(s, c);
            if (t !== NONE) {
              s = t;
              break;
            }
            s = fail[s]!;
          }
          if (s !== 0) {
            ring[k & ringMask] = i;
            k++;
            // Outputs ending here, longest (= earliest start) first.
            for (let o = out[s]!; o !== NONE; o = shorter[o]!) {
              const st = ring[(k - patLen[o]!) & ringMask]!;
              if (cs >= 0 && st > cs) break; // starts after the candidate, as do all shorter ones
              if (accept === undefined || accept(values[o]!, st, i + 1, text)) {
                cs = st;
                ce = i + 1;
                cp = o;
                break;
              }
            }
          }
          if (cs < 0) {
            i++;
            continue;
          }
          // The candidate is final once no partial match in progress starts at or before it.
          const d = depth[s]!;
          if (d !== 0 && ring[(k - d) & ringMask]! <= cs) {
            i++;
            continue;
          }
        }
        const m: AcMatch<T> = { start: cs, end: ce, value: values[cp]! };
        if (found === null) return m;
        found.push(m);
        i = ce;
        s = 0;
        k = 0;
        cs = -1;
      }
    } finally {
      this.scratch = ring;
    }
  }
}
