/**
 * Masking personal data before text leaves the platform (e.g. to a language model): resident ID
 * numbers (checksum-valid only, so an ordinary 18-digit number in a maths answer survives),
 * mainland mobile numbers, e-mail addresses, and the names and student numbers of a roster.
 * Each distinct value gets a stable placeholder such as [身份证1]; `restorePii` puts them back,
 * and `createStreamRestorer` does so on a streamed reply whose chunks may split a placeholder.
 *
 * IDs, phones and e-mails are found first (regular expressions, skipped outright when a cheap
 * pre-scan shows the text cannot contain one); roster terms are then found in the rest in one
 * Aho–Corasick pass — longest first (欧阳明 before 欧阳), and a term starting or ending with an
 * ASCII letter or digit must not continue a longer run of them (学号 2023001 is not masked inside
 * 120230011, nor the name "Ann" inside "Announcement"). A `PiiMasker` is built once per roster and
 * reused; `maskPii` is the one-shot form.
 */
import { AhoCorasick, type AcAccept } from './aho-corasick.js';
import { isValidCnResidentId } from './cn-id.js';

export type PiiKind = 'id' | 'phone' | 'email' | 'name' | 'student_no';

export interface PiiMasking {
  text: string;
  /** placeholder -> original value */
  map: Map<string, string>;
  counts: Record<PiiKind, number>;
}

export interface PiiMaskerOptions {
  /** Names to mask; trimmed, those shorter than 2 characters are ignored. */
  names?: readonly string[];
  /** Student numbers to mask; trimmed, those shorter than 4 characters are ignored. */
  studentNos?: readonly string[];
}

const LABEL: Record<PiiKind, string> = { id: '身份证', phone: '手机', email: '邮箱', name: '姓名', student_no: '学号' };

const ID_RE = /(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])/g;
const PHONE_RE = /(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/g;
const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

interface Span {
  start: number;
  end: number;
  kind: PiiKind;
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** A term starting (ending) with an ASCII letter/digit must not continue a run of them. */
function onWordEdges(text: string, start: number, end: number): boolean {
  if (start > 0 && isAsciiAlnum(text.charCodeAt(start)) && isAsciiAlnum(text.charCodeAt(start - 1))) return false;
  if (end < text.length && isAsciiAlnum(text.charCodeAt(end - 1)) && isAsciiAlnum(text.charCodeAt(end))) return false;
  return true;
}

const acceptOnEdges: AcAccept<PiiKind> = (_k, start, end, text) => onWordEdges(text, start, end);

/** Adds the matches of `re` not overlapping `spans` (kept sorted by start). */
function collect(re: RegExp, text: string, kind: PiiKind, spans: Span[] | null, valid?: (m: string) => boolean): Span[] | null {
  re.lastIndex = 0;
  const before = spans?.length ?? 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (valid && !valid(m[0])) continue;
    if (spans !== null && overlaps(spans, before, start, end)) continue;
    (spans ??= []).push({ start, end, kind });
  }
  if (spans !== null && spans.length > before && before > 0) spans.sort((a, b) => a.start - b.start);
  return spans;
}

function overlaps(spans: readonly Span[], n: number, start: number, end: number): boolean {
  for (let i = 0; i < n; i++) if (spans[i]!.start < end && start < spans[i]!.end) return true;
  return false;
}

export class PiiMasker {
  private readonly ac: AhoCorasick<PiiKind> | null;

  constructor(opts: PiiMaskerOptions = {}) {
    const patterns: [string, PiiKind][] = [];
    for (const s of opts.studentNos ?? []) {
      const t = typeof s === 'string' ? s.trim() : '';
      if (t.length >= 4) patterns.push([t, 'student_no']);
    }
    for (const s of opts.names ?? []) {
      const t = typeof s === 'string' ? s.trim() : '';
      if (t.length >= 2) patterns.push([t, 'name']);
    }
    this.ac = patterns.length > 0 ? new AhoCorasick(patterns, { fold: false }) : null;
  }

  mask(input: string): PiiMasking {
    const counts: Record<PiiKind, number> = { id: 0, phone: 0, email: 0, name: 0, student_no: 0 };
    const map = new Map<string, string>();
    if (typeof input !== 'string' || input === '') return { text: typeof input === 'string' ? input : '', map, counts };

    // Pre-scan: an ID needs 17 consecutive digits, a phone 11 digits, an e-mail an '@'.
    let digits = 0;
    let run = 0;
    let maxRun = 0;
    let at = false;
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) {
        digits++;
        if (++run > maxRun) maxRun = run;
      } else {
        run = 0;
        if (c === 0x40) at = true;
      }
    }
    let spans: Span[] | null = null;
    if (maxRun >= 17) spans = collect(ID_RE, input, 'id', spans, isValidCnResidentId);
    if (digits >= 11) spans = collect(PHONE_RE, input, 'phone', spans);
    if (at) spans = collect(EMAIL_RE, input, 'email', spans);

    let terms: { start: number; end: number; value: PiiKind }[] | null = null;
    if (this.ac !== null) {
      const fixed = spans;
      const accept: AcAccept<PiiKind> =
        fixed === null ? acceptOnEdges : (_k, start, end, text) => onWordEdges(text, start, end) && !overlaps(fixed, fixed.length, start, end);
      const found = this.ac.findAll(input, accept);
      if (found.length > 0) terms = found;
    }
    if (spans === null && terms === null) return { text: input, map, counts };

    // Merge the two sorted, non-overlapping lists and rebuild the text once.
    const byValue = new Map<string, string>();
    let out = '';
    let last = 0;
    let a = 0;
    let b = 0;
    const na = spans?.length ?? 0;
    const nb = terms?.length ?? 0;
    while (a < na || b < nb) {
      let start: number;
      let end: number;
      let kind: PiiKind;
      if (b >= nb || (a < na && spans![a]!.start < terms![b]!.start)) {
        ({ start, end, kind } = spans![a++]!);
      } else {
        ({ start, end, value: kind } = terms![b++]!);
      }
      const value = input.slice(start, end);
      let p = byValue.get(value);
      if (p === undefined) {
        p = `[${LABEL[kind]}${++counts[kind]}]`;
        byValue.set(value, p);
        map.set(p, value);
      }
      out += input.slice(last, start) + p;
      last = end;
    }
    return { text: out + input.slice(last), map, counts };
  }
}

/** One-shot masking; for a roster used on many texts build a `PiiMasker` once instead. */
export function maskPii(input: string, names: readonly string[] = []): PiiMasking {
  return new PiiMasker({ names }).mask(input);
}

/** Longest key length when every key looks like "[…]" with no bracket inside, else -1. */
function bracketedMaxLen(map: ReadonlyMap<string, string>): number {
  let max = 0;
  for (const k of map.keys()) {
    const n = k.length;
    if (n < 2 || k.charCodeAt(0) !== 0x5b || k.charCodeAt(n - 1) !== 0x5d) return -1;
    if (k.indexOf('[', 1) >= 0 || k.indexOf(']') !== n - 1) return -1;
    if (n > max) max = n;
  }
  return max;
}

function restoreBracketed(text: string, map: ReadonlyMap<string, string>, maxLen: number): string {
  let i = text.indexOf('[');
  if (i < 0) return text;
  let out = '';
  let last = 0;
  let close = -1;
  while (i >= 0) {
    if (close < i) {
      close = text.indexOf(']', i + 1);
      if (close < 0) break;
    }
    const v = close - i + 1 <= maxLen ? map.get(text.slice(i, close + 1)) : undefined;
    if (v !== undefined) {
      out += text.slice(last, i) + v;
      last = close + 1;
      i = text.indexOf('[', last);
    } else i = text.indexOf('[', i + 1);
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Puts the original values back in place of the placeholders of one masking. */
export function restorePii(text: string, map: ReadonlyMap<string, string>): string {
  if (map.size === 0 || typeof text !== 'string') return text;
  const maxLen = bracketedMaxLen(map);
  if (maxLen > 0) return restoreBracketed(text, map, maxLen);
  let out = text;
  for (const [p, v] of map) out = out.split(p).join(v);
  return out;
}

/**
 * Restores placeholders in a streamed reply. `push` returns what can be emitted now, holding back
 * only a possible beginning of a placeholder (from the last '[' not followed by ']', when shorter
 * than the longest placeholder); `flush` returns the rest at the end of the stream. The
 * concatenated output equals `restorePii` of the whole text, however it is chunked. (A map whose
 * keys are not all of the "[…]" form is restored at `flush` only.)
 */
export function createStreamRestorer(map: ReadonlyMap<string, string>): { push(chunk: string): string; flush(): string } {
  const maxLen = map.size === 0 ? 0 : bracketedMaxLen(map);
  let held = '';
  return {
    push(chunk: string): string {
      if (typeof chunk !== 'string' || chunk === '') return '';
      if (maxLen === 0) return chunk;
      const buf = held + chunk;
      if (maxLen < 0) {
        held = buf;
        return '';
      }
      const open = buf.lastIndexOf('[');
      if (open < 0 || buf.length - open >= maxLen || buf.indexOf(']', open) >= 0) {
        held = '';
        return restoreBracketed(buf, map, maxLen);
      }
      held = buf.slice(open);
      return open === 0 ? '' : restoreBracketed(buf.slice(0, open), map, maxLen);
    },
    flush(): string {
      const buf = held;
      held = '';
      return restorePii(buf, map);
    },
  };
}
