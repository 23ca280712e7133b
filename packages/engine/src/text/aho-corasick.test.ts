import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../stats/random.js';
import { AhoCorasick, foldCode, isSeparator, normalizeForMatch, type AcAccept, type AcMatch } from './aho-corasick.js';

const spans = <T>(ms: AcMatch<T>[], text: string) => ms.map((m) => [text.slice(m.start, m.end), m.value]);

/** Reference: at each position from the left, the longest accepted pattern starting there. */
function naive<T>(
  patterns: readonly (readonly [string, T])[],
  text: string,
  opts: { fold?: boolean; skip?: (c: number) => boolean } = {},
  accept?: AcAccept<T>,
): AcMatch<T>[] {
  const dict = new Map<string, T>();
  let maxLen = 0;
  for (const [p, v] of patterns) {
    const k = normalizeForMatch(p, opts);
    if (k) dict.set(k, v);
    maxLen = Math.max(maxLen, k.length);
  }
  // consumed units and their positions
  const units: number[] = [];
  const pos: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (opts.fold !== false) c = foldCode(c);
    if (opts.skip?.(c)) continue;
    units.push(c);
    pos.push(i);
  }
  const out: AcMatch<T>[] = [];
  let i = 0;
  while (i < units.length) {
    let best = -1;
    for (let j = i + 1; j <= Math.min(units.length, i + maxLen); j++) {
      const key = String.fromCharCode(...units.slice(i, j));
      const v = dict.get(key);
      if (v !== undefined && (!accept || accept(v, pos[i]!, pos[j - 1]! + 1, text))) best = j;
    }
    if (best < 0) i++;
    else {
      out.push({ start: pos[i]!, end: pos[best - 1]! + 1, value: dict.get(String.fromCharCode(...units.slice(i, best)))! });
      i = best;
    }
  }
  return out;
}

describe('AhoCorasick', () => {
  it('finds he/she/his/hers leftmost-longest, without overlaps', () => {
    const ac = new AhoCorasick(['he', 'she', 'his', 'hers'].map((p) => [p, p] as const));
    expect(ac.size).toBe(4);
    // "ushers": she@1 beats he@2 (leftmost); hers@2 overlaps she and is dropped.
    expect(ac.findAll('ushers')).toEqual([{ start: 1, end: 4, value: 'she' }]);
    // "hershe": hers@0 (longest at 0), then she@4 is not possible (s used), he@4.
    expect(spans(ac.findAll('hershe'), 'hershe')).toEqual([
      ['hers', 'hers'],
      ['he', 'he'],
    ]);
    expect(spans(ac.findAll('his hers she'), 'his hers she')).toEqual([
      ['his', 'his'],
      ['hers', 'hers'],
      ['she', 'she'],
    ]);
    expect(ac.first('ushers')).toEqual({ start: 1, end: 4, value: 'she' });
    expect(ac.first('nothing to see')).toBeNull();
  });

  it('prefers the earlier start even when a longer match ends later', () => {
    const ac = new AhoCorasick([
      ['bcd', 1],
      ['abcdef', 2],
      ['e', 3],
    ]);
    expect(ac.findAll('xabcdefx')).toEqual([{ start: 1, end: 7, value: 2 }]);
    // abcdef is not completed: bcd (start 2) is the leftmost real match, then e.
    expect(ac.findAll('xabcdex')).toEqual([
      { start: 2, end: 5, value: 1 },
      { start: 5, end: 6, value: 3 },
    ]);
  });

  it('matches Chinese terms, longest first, and resumes after each match', () => {
    const ac = new AhoCorasick([
      ['欧阳', 'a'],
      ['欧阳明', 'b'],
      ['明天', 'c'],
      ['天气', 'd'],
    ]);
    const text = '欧阳明天气好，欧阳说明天见';
    expect(spans(ac.findAll(text), text)).toEqual([
      ['欧阳明', 'b'],
      ['天气', 'd'],
      ['欧阳', 'a'],
      ['明天', 'c'],
    ]);
  });

  it('folds case and full-width forms without moving offsets', () => {
    const ac = new AhoCorasick([['Hello World', 1]]);
    const text = '说ＨＥＬＬＯ　ｗｏｒｌｄ!';
    expect(ac.findAll(text)).toEqual([{ start: 1, end: 12, value: 1 }]);
    expect(new AhoCorasick([['Hello', 1]], { fold: false }).findAll('HELLO hello Hello')).toEqual([{ start: 12, end: 17, value: 1 }]);
  });

  it('skips separators inside matches, and strips them from patterns', () => {
    const ac = new AhoCorasick(
      [
        ['自杀', 'x'],
        ['k-i-l-l', 'y'],
      ],
      { skip: isSeparator },
    );
    const text = '不要 自 * 杀！也别说 K I L L。';
    const ms = ac.findAll(text);
    expect(spans(ms, text)).toEqual([
      ['自 * 杀', 'x'],
      ['K I L L', 'y'],
    ]);
    expect(ac.findAll('自\u200b杀')).toEqual([{ start: 0, end: 3, value: 'x' }]);
    expect(ac.findAll('自，杀')).toHaveLength(1);
    expect(ac.findAll('自然杀菌')).toHaveLength(0);
    expect(new AhoCorasick([['  ', 1], ['**', 2]], { skip: isSeparator }).size).toBe(0);
  });

  it('isSeparator covers punctuation, spaces and zero-width characters but not letters or ideographs', () => {
    for (const ch of ' \t\n,.!?*_-，。、·！？…—《》【】「」\u3000\u200b\u200c\u200d\ufeff★') expect(isSeparator(ch.charCodeAt(0)), ch).toBe(true);
    for (const ch of 'aZ09中文〇々ａ０あア한') expect(isSeparator(ch.charCodeAt(0)), ch).toBe(false);
  });

  it('keeps UTF-16 offsets right around surrogate pairs', () => {
    const ac = new AhoCorasick([
      ['好', 1],
      ['😀好', 2],
      ['𠮷野', 3],
    ]);
    const text = '😀😀好 𠮷野家 好';
    const ms = ac.findAll(text);
    expect(spans(ms, text)).toEqual([
      ['😀好', 2],
      ['𠮷野', 3],
      ['好', 1],
    ]);
    expect(ms[0]).toEqual({ start: 2, end: 5, value: 2 });
  });

  it('lets the last value of a duplicate win and ignores empty patterns', () => {
    const ac = new AhoCorasick([
      ['abc', 1],
      ['', 9],
      ['ABC', 2],
    ]);
    expect(ac.size).toBe(1);
    expect(ac.findAll('abc')).toEqual([{ start: 0, end: 3, value: 2 }]);
    expect(new AhoCorasick([]).findAll('abc')).toEqual([]);
    expect(ac.findAll('')).toEqual([]);
  });

  it('lets an accept callback veto a match so a shorter one can be found', () => {
    const ac = new AhoCorasick([
      ['1234', 'a'],
      ['12345', 'b'],
      ['345', 'c'],
    ]);
    const noDigitNeighbours: AcAccept<string> = (_v, s, e, t) => !/\d/.test(t[s - 1] ?? '') && !/\d/.test(t[e] ?? '');
    expect(ac.findAll('x123456', noDigitNeighbours)).toEqual([]);
    expect(ac.findAll('x12345y', (v) => v !== 'b')).toEqual([{ start: 1, end: 5, value: 'a' }]);
    expect(ac.findAll('x12345y', (v) => v === 'c')).toEqual([{ start: 3, end: 6, value: 'c' }]);
  });

  it('handles 10k patterns over 100 KB of text', () => {
    const rnd = mulberry32(7);
    const hanzi = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x4e00 + Math.floor(rnd() * 400))).join('');
    const patterns = Array.from({ length: 10_000 }, (_, i) => [hanzi(2 + (i % 4)), i] as const);
    const ac = new AhoCorasick(patterns);
    const text = hanzi(100_000);
    const ms = ac.findAll(text);
    const dict = new Map(patterns.map(([p, v]) => [p, v]));
    expect(ms.length).toBeGreaterThan(1000);
    let last = 0;
    for (const m of ms) {
      expect(m.start).toBeGreaterThanOrEqual(last);
      expect(dict.has(text.slice(m.start, m.end))).toBe(true);
      last = m.end;
    }
    // cross-check a slice against the reference implementation
    expect(ms).toEqual(naive(patterns, text));
  });

  it('agrees with a naive implementation on random inputs', () => {
    const rnd = mulberry32(12345);
    const alphabet = 'abAB ,中文*';
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    for (let round = 0; round < 400; round++) {
      const patterns = Array.from({ length: 1 + Math.floor(rnd() * 12) }, (_, i) => [pick(1 + Math.floor(rnd() * 5)), i] as const);
      const text = pick(Math.floor(rnd() * 60));
      const opts = { fold: rnd() < 0.5, skip: rnd() < 0.5 ? isSeparator : undefined };
      const ac = new AhoCorasick(patterns, opts);
      const expected = naive(patterns, text, opts);
      expect(ac.findAll(text), JSON.stringify({ patterns, text, opts: { fold: opts.fold, skip: !!opts.skip } })).toEqual(expected);
      expect(ac.first(text)).toEqual(expected[0] ?? null);
      const accept: AcAccept<number> = (v, s) => (v + s) % 3 !== 0;
      expect(ac.findAll(text, accept)).toEqual(naive(patterns, text, opts, accept));
    }
  });
});
