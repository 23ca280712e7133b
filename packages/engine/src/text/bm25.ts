/**
 * In-memory inverted index ranked with Okapi BM25. Pure, no I/O.
 *
 * score(D, Q) = Σ_{t ∈ Q, distinct} idf(t) · tf(t,D)·(k1+1) / (tf(t,D) + k1·(1 − b + b·|D|/avgdl))
 * idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))          (never negative)
 *
 * A document has several weighted fields (stem 1, explanation 0.5, …): a token in a field of
 * weight w adds w to the term's tf and w to the document length |D|. A query term that is not
 * in the index is ignored; repeated query terms count once; a weighted query term (see
 * `tokenizeQuery`) multiplies its summand by its weight.
 *
 * Layout, for 10⁵ documents: each document has a slot; per term a postings list of slot
 * numbers (Int32Array, ascending) and weighted tfs (Float32Array); per slot its length and the
 * range of its term ids in one shared Int32Array (to keep df right on removal). Removal marks
 * the slot dead; when a quarter of the slots are dead they are compacted away in one pass.
 * Search accumulates scores in a reused scratch array, applies the filter the first time a
 * document is reached, and keeps the top `limit` in a small heap.
 */

export interface Bm25Options {
  /** Term-frequency saturation, default 1.2. */
  k1?: number;
  /** Length normalisation between 0 and 1, default 0.75. */
  b?: number;
  /** Document tokens (and query tokens unless tokenizeQuery is given); default splits on whitespace after lowercasing. */
  tokenize?: (s: string) => string[];
  /**
   * Query terms, when queries need a different split; default `tokenize`. A plain string has
   * weight 1; a weighted term multiplies its contribution to the score. A term given several
   * times counts once, with its highest weight.
   */
  tokenizeQuery?: (s: string) => readonly (string | Bm25QueryTerm)[];
}

export interface Bm25QueryTerm {
  term: string;
  weight: number;
}

export interface Bm25Field {
  text: string;
  /** Default 1; must be finite and ≥ 0. */
  weight?: number;
}

export interface Bm25SearchOptions<K> {
  /** Most hits returned, default 10. */
  limit?: number;
  /** Only documents for which this returns true are scored and returned. */
  filter?: (id: K) => boolean;
}

export interface Bm25Hit<K> {
  id: K;
  score: number;
}

const DEFAULT_LIMIT = 10;
const MIN_DEAD_TO_COMPACT = 64;

function whitespaceTokenize(s: string): string[] {
  return s.toLowerCase().split(/\s+/u).filter((t) => t.length > 0);
}

class Postings {
  docs: Int32Array = new Int32Array(2);
  tfs: Float32Array = new Float32Array(2);
  /** Entries in docs/tfs, dead slots included until compaction. */
  n = 0;
  /** Live documents containing the term. */
  df = 0;

  push(doc: number, tf: number): void {
    if (this.n === this.docs.length) {
      const cap = this.n * 2;
      const docs = new Int32Array(cap);
      docs.set(this.docs);
      const tfs = new Float32Array(cap);
      tfs.set(this.tfs);
      this.docs = docs;
      this.tfs = tfs;
    }
    this.docs[this.n] = doc;
    this.tfs[this.n] = tf;
    this.n++;
  }
}

function grownInt32(a: Int32Array<ArrayBuffer>, min: number): Int32Array<ArrayBuffer> {
  if (a.length >= min) return a;
  const b = new Int32Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

function grownFloat64(a: Float64Array<ArrayBuffer>, min: number): Float64Array<ArrayBuffer> {
  if (a.length >= min) return a;
  const b = new Float64Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

function grownUint8(a: Uint8Array<ArrayBuffer>, min: number): Uint8Array<ArrayBuffer> {
  if (a.length >= min) return a;
  const b = new Uint8Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

/** Ascending order of ids: numbers numerically, strings by code unit. */
function idLess<K extends string | number>(a: K, b: K): boolean {
  return a < b;
}

export class Bm25Index<K extends string | number> {
  private readonly k1: number;
  private readonly b: number;
  private readonly tokenize: (s: string) => string[];
  private readonly tokenizeQuery: (s: string) => readonly (string | Bm25QueryTerm)[];

  private readonly termIds = new Map<string, number>();
  private postings: Postings[] = [];

  private readonly slotOf = new Map<K, number>();
  private ids: (K | undefined)[] = [];
  private alive = new Uint8Array(16);
  private docLen = new Float64Array(16);
  private termStart = new Int32Array(16);
  private termCount = new Int32Array(16);
  private termPool = new Int32Array(64);
  private poolLen = 0;
  private slots = 0;
  private live = 0;
  private totalLen = 0;

  // Search scratch, sized to the slots; reused between searches.
  private scores = new Float64Array(0);
  private state = new Uint8Array(0); // 0 untouched, 1 scored, 2 filtered out
  private touched = new Int32Array(0);
  private searching = false;

  constructor(opts: Bm25Options = {}) {
    const k1 = opts.k1 ?? 1.2;
    const b = opts.b ?? 0.75;
    if (!Number.isFinite(k1) || k1 < 0) throw new RangeError(`k1 must be a finite number ≥ 0, got ${k1}`);
    if (!Number.isFinite(b) || b < 0 || b > 1) throw new RangeError(`b must be between 0 and 1, got ${b}`);
    this.k1 = k1;
    this.b = b;
    this.tokenize = opts.tokenize ?? whitespaceTokenize;
    this.tokenizeQuery = opts.tokenizeQuery ?? this.tokenize;
  }

  /** Live documents. */
  get size(): number {
    return this.live;
  }

  /** Indexes a document; an id already present is replaced. */
  add(id: K, fields: { text: string; weight?: number }[]): void {
    const tf = new Map<string, number>();
    let len = 0;
    for (const f of fields) {
      const w = f.weight ?? 1;
      if (!Number.isFinite(w) || w < 0) throw new RangeError(`field weight must be a finite number ≥ 0, got ${w}`);
      if (w === 0) continue;
      for (const t of this.tokenize(f.text)) {
        tf.set(t, (tf.get(t) ?? 0) + w);
        len += w;
      }
    }

    this.remove(id);
    const slot = this.slots++;
    this.ensureSlotCapacity(this.slots);
    this.termPool = grownInt32(this.termPool, this.poolLen + tf.size);
    this.ids[slot] = id;
    this.alive[slot] = 1;
    this.docLen[slot] = len;
    this.termStart[slot] = this.poolLen;
    this.termCount[slot] = tf.size;
    for (const [term, f] of tf) {
      let tid = this.termIds.get(term);
      if (tid === undefined) {
        tid = this.postings.length;
        this.termIds.set(term, tid);
        this.postings.push(new Postings());
      }
      const p = this.postings[tid]!;
      p.push(slot, f);
      p.df++;
      this.termPool[this.poolLen++] = tid;
    }
    this.slotOf.set(id, slot);
    this.live++;
    this.totalLen += len;
  }

  /** Removes a document; an unknown id is ignored. */
  remove(id: K): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.slotOf.delete(id);
    this.alive[slot] = 0;
    this.ids[slot] = undefined;
    const start = this.termStart[slot]!;
    const end = start + this.termCount[slot]!;
    for (let i = start; i < end; i++) this.postings[this.termPool[i]!]!.df--;
    this.live--;
    this.totalLen -= this.docLen[slot]!;
    if (this.live === 0) this.totalLen = 0; // no drift from float sums
    const dead = this.slots - this.live;
    if (dead >= MIN_DEAD_TO_COMPACT && dead * 4 >= this.slots) this.compact();
  }

  /** Documents matching at least one query term, best first (ties by ascending id). */
  search(query: string, opts: Bm25SearchOptions<K> = {}): Bm25Hit<K>[] {
    const rawLimit = opts.limit ?? DEFAULT_LIMIT;
    if (Number.isNaN(rawLimit)) throw new RangeError('limit must be a number');
    const limit = Math.floor(rawLimit);
    if (limit <= 0 || this.live === 0 || typeof query !== 'string') return [];

    const weights = new Map<Postings, number>();
    for (const qt of this.tokenizeQuery(query)) {
      const t = typeof qt === 'string' ? qt : qt.term;
      const w = typeof qt === 'string' ? 1 : qt.weight;
      if (!(w > 0) || !Number.isFinite(w)) continue;
      const tid = this.termIds.get(t);
      if (tid === undefined) continue;
      const p = this.postings[tid]!;
      if (p.df > 0 && (weights.get(p) ?? 0) < w) weights.set(p, w);
    }
    if (weights.size === 0) return [];

    // A filter that searches this index again gets its own scratch.
    const reentrant = this.searching;
    let scores = this.scores;
    let state = this.state;
    let touched = this.touched;
    if (reentrant) {
      scores = new Float64Array(this.slots);
      state = new Uint8Array(this.slots);
      touched = new Int32Array(this.slots);
    } else if (scores.length < this.slots) {
      const cap = Math.max(this.slots, scores.length * 2);
      scores = this.scores = new Float64Array(cap);
      state = this.state = new Uint8Array(cap);
      touched = this.touched = new Int32Array(cap);
    }

    const { k1, b } = this;
    const n = this.live;
    const avgdl = this.totalLen > 0 ? this.totalLen / n : 1;
    const filter = opts.filter;
    const alive = this.alive;
    const docLen = this.docLen;
    const ids = this.ids;
    let nTouched = 0;
    this.searching = true;
    try {
      for (const [p, w] of weights) {
        const idf = w * Math.log(1 + (n - p.df + 0.5) / (p.df + 0.5));
        const docs = p.docs;
        const tfs = p.tfs;
        for (let j = 0; j < p.n; j++) {
          const d = docs[j]!;
          if (alive[d] === 0) continue;
          const st = state[d];
          if (st === 2) continue;
          if (st === 0) {
            touched[nTouched++] = d;
            if (filter && !filter(ids[d] as K)) {
              state[d] = 2;
              continue;
            }
            state[d] = 1;
            scores[d] = 0;
          }
          const tf = tfs[j]!;
          scores[d]! += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * docLen[d]!) / avgdl));
        }
      }
      return this.topK(scores, state, touched, nTouched, limit);
    } finally {
      for (let i = 0; i < nTouched; i++) state[touched[i]!] = 0;
      if (!reentrant) this.searching = false;
    }
  }

  private topK(scores: Float64Array, state: Uint8Array, touched: Int32Array, nTouched: number, limit: number): Bm25Hit<K>[] {
    const ids = this.ids as K[];
    const cap = Math.min(limit, nTouched);
    // Min-heap on (score, then reversed id): the root is the worst hit kept so far.
    const heap = new Int32Array(cap);
    let size = 0;
    const worse = (a: number, c: number): boolean => {
      const sa = scores[a]!;
      const sc = scores[c]!;
      return sa < sc || (sa === sc && idLess(ids[c]!, ids[a]!));
    };
    const siftDown = (i: number): void => {
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) return;
        const r = l + 1;
        const m = r < size && worse(heap[r]!, heap[l]!) ? r : l;
        if (!worse(heap[m]!, heap[i]!)) return;
        const t = heap[m]!;
        heap[m] = heap[i]!;
        heap[i] = t;
        i = m;
      }
    };
    for (let i = 0; i < nTouched; i++) {
      const d = touched[i]!;
      if (state[d] !== 1) continue;
      if (size < cap) {
        let k = size++;
        heap[k] = d;
        while (k > 0) {
          const parent = (k - 1) >> 1;
          if (!worse(heap[k]!, heap[parent]!)) break;
          const t = heap[k]!;
          heap[k] = heap[parent]!;
          heap[parent] = t;
          k = parent;
        }
      } else if (cap > 0 && worse(heap[0]!, d)) {
        heap[0] = d;
        siftDown(0);
      }
    }
    const out: Bm25Hit<K>[] = new Array(size);
    for (let i = size - 1; i >= 0; i--) {
      const d = heap[0]!;
      out[i] = { id: ids[d]!, score: scores[d]! };
      heap[0] = heap[size - 1]!;
      size--;
      siftDown(0);
    }
    return out;
  }

  private ensureSlotCapacity(min: number): void {
    this.alive = grownUint8(this.alive, min);
    this.docLen = grownFloat64(this.docLen, min);
    this.termStart = grownInt32(this.termStart, min);
    this.termCount = grownInt32(this.termCount, min);
  }

  /** Drops dead slots and unused terms, renumbering both (order preserved). */
  private compact(): void {
    const newSlot = new Int32Array(this.slots).fill(-1);
    const newTerm = new Int32Array(this.postings.length).fill(-1);
    const postings: Postings[] = [];
    for (let t = 0; t < this.postings.length; t++) {
      const p = this.postings[t]!;
      if (p.df > 0) {
        newTerm[t] = postings.length;
        postings.push(p);
      }
    }

    const ids: (K | undefined)[] = [];
    const pool = new Int32Array(Math.max(64, this.poolLen));
    let poolLen = 0;
    let s = 0;
    for (let old = 0; old < this.slots; old++) {
      if (this.alive[old] === 0) continue;
      newSlot[old] = s;
      const id = this.ids[old] as K;
      ids.push(id);
      this.slotOf.set(id, s);
      this.alive[s] = 1;
      this.docLen[s] = this.docLen[old]!;
      const start = this.termStart[old]!;
      const count = this.termCount[old]!;
      this.termStart[s] = poolLen;
      this.termCount[s] = count;
      for (let i = start; i < start + count; i++) pool[poolLen++] = newTerm[this.termPool[i]!]!;
      s++;
    }
    this.alive.fill(0, s);

    for (const p of postings) {
      let w = 0;
      for (let j = 0; j < p.n; j++) {
        const ns = newSlot[p.docs[j]!]!;
        if (ns < 0) continue;
        p.docs[w] = ns;
        p.tfs[w] = p.tfs[j]!;
        w++;
      }
      p.n = w;
      if (p.docs.length > 8 && p.docs.length > 4 * w) {
        p.docs = p.docs.slice(0, Math.max(2, w * 2));
        p.tfs = p.tfs.slice(0, Math.max(2, w * 2));
      }
    }
    for (const [term, t] of this.termIds) {
      const nt = newTerm[t]!;
      if (nt < 0) this.termIds.delete(term);
      else this.termIds.set(term, nt);
    }

    this.postings = postings;
    this.ids = ids;
    this.termPool = pool;
    this.poolLen = poolLen;
    this.slots = s;
  }
}
