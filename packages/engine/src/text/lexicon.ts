/**
 * Content-safety lexicon: a list of terms, each with a category, an action ('block' or 'flag')
 * and the grade bands it applies to, scanned in one Aho–Corasick pass per text.
 *
 * Matching folds case and full-width forms and ignores separators (`isSeparator`: spaces,
 * punctuation, zero-width characters, emoji…), so "自 * 杀" or "自\u200b杀" still hits "自杀".
 * Terms that begin or end with an ASCII letter or digit only match on word edges — "ass" does
 * not fire inside "class" or "assignment" — while CJK terms match anywhere.
 *
 * One term may have several entries (say 'flag' for senior, 'block' for primary): for a scan, the
 * entries applying to the grade band are kept, the strongest decides (block > flag), and a term
 * with no applicable entry is as if absent, so it cannot hide a shorter applicable term inside it.
 * Without a grade band every entry applies (the strictest reading).
 */
import { AhoCorasick, foldCode, isSeparator, normalizeForMatch, type AcAccept } from './aho-corasick.js';

export type LexiconAction = 'block' | 'flag';

export interface LexiconEntry {
  term: string;
  category: string;
  action: LexiconAction;
  /** The bands the entry applies to; null or empty = every band. */
  gradeBands?: readonly string[] | null;
}

export interface LexiconHit {
  term: string;
  category: string;
  action: LexiconAction;
  /** UTF-16 offsets of the matched span in the scanned text, end exclusive. */
  start: number;
  end: number;
}

export interface LexiconScan {
  action: 'allow' | 'flag' | 'block';
  hits: LexiconHit[];
}

interface Rule {
  term: string;
  category: string;
  action: LexiconAction;
  bands: ReadonlySet<string> | null;
}

/** The entries of one normalised term, strongest action first. */
type Group = Rule[];

const MATCH_OPTS = { fold: true, skip: isSeparator } as const;

export class SafetyLexicon {
  /** Number of entries in use (entries whose term is empty once separators are removed are dropped). */
  readonly size: number;
  private readonly ac: AhoCorasick<Group>;

  constructor(entries: readonly LexiconEntry[]) {
    const groups = new Map<string, Group>();
    let size = 0;
    for (const e of entries) {
      if (!e || typeof e.term !== 'string' || (e.action !== 'block' && e.action !== 'flag')) continue;
      const key = normalizeForMatch(e.term, MATCH_OPTS);
      if (key === '') continue;
      const bands = e.gradeBands && e.gradeBands.length > 0 ? new Set(e.gradeBands) : null;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push({ term: e.term, category: e.category, action: e.action, bands });
      size++;
    }
    for (const g of groups.values()) g.sort((a, b) => (a.action === b.action ? 0 : a.action === 'block' ? -1 : 1));
    this.size = size;
    this.ac = new AhoCorasick(groups, MATCH_OPTS);
  }

  /**
   * Hits of the entries applying to `gradeBand` (every entry when it is null or omitted), and the
   * strongest action among them ('allow' when none).
   */
  scan(text: string, gradeBand?: string | null): LexiconScan {
    const band = gradeBand ?? null;
    const hits: LexiconHit[] = [];
    if (typeof text !== 'string' || text === '' || this.ac.size === 0) return { action: 'allow', hits };
    const accept: AcAccept<Group> = (g, start, end, t) => applicable(g, band) !== null && onWordEdges(t, start, end);
    let action: LexiconScan['action'] = 'allow';
    for (const m of this.ac.findAll(text, accept)) {
      const r = applicable(m.value, band)!;
      hits.push({ term: r.term, category: r.category, action: r.action, start: m.start, end: m.end });
      if (r.action === 'block') action = 'block';
      else if (action === 'allow') action = 'flag';
    }
    return { action, hits };
  }
}

/** The strongest entry of the group applying to the band, or null. */
function applicable(g: Group, band: string | null): Rule | null {
  for (const r of g) if (band === null || r.bands === null || r.bands.has(band)) return r;
  return null;
}

function isAsciiAlnum(c: number): boolean {
  c = foldCode(c);
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a);
}

/** A match starting (ending) with an ASCII letter/digit must not continue a word before (after) it. */
function onWordEdges(text: string, start: number, end: number): boolean {
  if (start > 0 && isAsciiAlnum(text.charCodeAt(start)) && isAsciiAlnum(text.charCodeAt(start - 1))) return false;
  if (end < text.length && isAsciiAlnum(text.charCodeAt(end - 1)) && isAsciiAlnum(text.charCodeAt(end))) return false;
  return true;
}
