/**
 * Near-duplicate detection between submissions of the same assignment: shingling, MinHash
 * signatures and LSH banding, with every candidate pair verified by exact Jaccard similarity.
 * Results are meant to be flagged to the teacher for a look, never to penalise automatically:
 * a high similarity can have innocent causes (a shared template, a quoted source, a short task).
 *
 * Shingles. Text is NFKC-normalised (full-width → half-width), lower-cased, and cut into units:
 * each CJK character (Han, kana, Hangul) is one unit, each run of other letters or digits is one
 * unit (a word or a number); punctuation and whitespace only separate units. A shingle is k
 * consecutive units (default k = 3), so Chinese gets character 3-grams and English word 3-grams,
 * and mixed text works without choosing a mode. Why 3 for Chinese: a Chinese word averages
 * under two characters, so a character 3-gram spans one or two words — specific enough that two
 * independent essays on the same topic share few of them (Jaccard well under 0.1 in practice), yet
 * one edited character destroys only 3 shingles, so light disguise (synonym swaps, a few changed
 * characters) barely lowers the similarity of a copy.
 *
 * MinHash. Each shingle string is hashed once to 32 bits, x = fmix32(FNV-1a(s)) (fmix32 is the
 * MurmurHash3 finaliser, which spreads every bit of FNV's output over the word). Hash function i
 * is then hᵢ(x) = aᵢ·x + bᵢ mod 2³², aᵢ odd and bᵢ drawn from a seeded PRNG: a permutation of the
 * 32-bit values, and in the minimum the high bits decide, which in a multiplication depend on all
 * bits of x — this is the 32-bit form of Dietzfelbinger's multiply-shift family. The modulus is
 * 2³² rather than a prime because a·x mod p needs 64-bit products, i.e. BigInt or split floating
 * point in JavaScript, an order of magnitude slower; Math.imul is one instruction. Measured
 * estimation error matches the theoretical √(J(1−J)/n) of ideal MinHash.
 *
 * LSH. The signature is cut into b bands of r rows; two documents are candidates when some band
 * is identical, which happens with probability 1 − (1 − sʳ)ᵇ for Jaccard similarity s. With the
 * default 128 hashes and threshold 0.6 that picks r = 4, b = 32: a pair at 0.6 is a candidate
 * with probability 0.988, at 0.7 with 0.9998, at 0.2 with 0.05. Candidates are then verified
 * with the exact Jaccard of their shingle sets, so LSH can only cost recall near the threshold,
 * never precision.
 */

/** Default shingle size, in units (CJK characters or words). */
export const DEFAULT_SHINGLE_SIZE = 3;
/** Default number of MinHash functions. */
export const DEFAULT_NUM_HASHES = 128;
/** Default seed for the hash family; any fixed value keeps results reproducible. */
export const DEFAULT_MINHASH_SEED = 0x5eed1234;

// One unit: a single CJK character, or a run of other letters/digits (with combining marks).
const UNIT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])[\p{L}\p{N}\p{M}])+/gu;

/** The units of a text after normalisation; punctuation, symbols and whitespace are dropped. */
export function shingleUnits(text: string): string[] {
  if (typeof text !== 'string' || text === '') return [];
  return text.normalize('NFKC').toLowerCase().match(UNIT) ?? [];
}

/** Number of letter/digit characters (code points) in the units — the length `minLength` counts. */
function unitLength(units: readonly string[]): number {
  let n = 0;
  for (const u of units) n += u.length === 1 ? 1 : [...u].length;
  return n;
}

function shinglesOfUnits(units: readonly string[], k: number): Set<string> {
  const out = new Set<string>();
  if (units.length === 0) return out;
  // A text shorter than k units still gets one shingle, so it is not invisible.
  if (units.length <= k) {
    out.add(units.join(' '));
    return out;
  }
  for (let i = 0; i + k <= units.length; i++) {
    // Units never contain a space, so joining with one keeps "ab c" and "a bc" apart.
    out.add(units.slice(i, i + k).join(' '));
  }
  return out;
}

/**
 * The set of shingles of a text: k consecutive units, where a unit is one CJK character or one
 * word/number of other scripts (see the module comment). k defaults to 3.
 */
export function shingles(text: string, k: number = DEFAULT_SHINGLE_SIZE): Set<string> {
  return shinglesOfUnits(shingleUnits(text), checkPositiveInt(k, 'k'));
}

function checkPositiveInt(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${n}`);
  return n;
}

// FNV-1a (32 bits) over UTF-16 code units.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** MurmurHash3's 32-bit finaliser: a bijection that spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** The 32-bit value a shingle string enters the MinHash family with: fmix32(FNV-1a(s)). */
function shingleHash(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return fmix32(h);
}

/** mulberry32: a small, well-mixed 32-bit PRNG, used only to draw the hash family's parameters. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

interface HashFamily {
  a: Int32Array;
  b: Int32Array;
}

// The family for the last (numHashes, seed) asked for: a batch uses one family throughout.
let cachedFamily: { key: string; family: HashFamily } | null = null;

function hashFamily(numHashes: number, seed: number): HashFamily {
  const key = `${numHashes}:${seed}`;
  if (cachedFamily?.key === key) return cachedFamily.family;
  const next = prng(seed);
  const a = new Int32Array(numHashes);
  const b = new Int32Array(numHashes);
  for (let i = 0; i < numHashes; i++) {
    a[i] = next() | 1; // odd, so x ↦ a·x + b is a bijection mod 2³²
    b[i] = next() | 0;
  }
  const family = { a, b };
  cachedFamily = { key, family };
  return family;
}

/**
 * Signature of a set given by its shingle hashes (repeats are harmless). Works in signed 32-bit
 * integers, which V8 keeps unboxed; flipping the sign bit at the end turns signed order into
 * unsigned order. One hash function at a time (outer loop) keeps aᵢ, bᵢ and the running minimum
 * in registers.
 */
function signatureOfHashes(xs: Int32Array, numHashes: number, seed: number): Uint32Array {
  const { a, b } = hashFamily(numHashes, seed);
  const sig = new Uint32Array(numHashes);
  const n = xs.length;
  for (let i = 0; i < numHashes; i++) {
    const ai = a[i]!;
    const bi = b[i]! ^ 0x80000000; // pre-flipped: (a·x + b) ^ 2³¹ = a·x + (b ^ 2³¹) mod 2³²
    let min = 0x7fffffff;
    for (let j = 0; j < n; j++) {
      const h = (Math.imul(ai, xs[j]!) + bi) | 0;
      if (h < min) min = h;
    }
    sig[i] = n === 0 ? 0xffffffff : (min ^ 0x80000000) >>> 0;
  }
  return sig;
}

/**
 * MinHash signature of a shingle set: for each of `numHashes` hash functions, the minimum hash
 * over the set. An empty set gives all 0xFFFFFFFF. Deterministic for a given numHashes and seed;
 * compare only signatures made with the same ones.
 */
export function minhashSignature(sh: Set<string>, numHashes: number = DEFAULT_NUM_HASHES, seed: number = DEFAULT_MINHASH_SEED): Uint32Array {
  checkPositiveInt(numHashes, 'numHashes');
  const xs = new Int32Array(sh.size);
  let j = 0;
  for (const s of sh) xs[j++] = shingleHash(s);
  return signatureOfHashes(xs, numHashes, seed);
}

function isEmptySignature(s: Uint32Array): boolean {
  for (let i = 0; i < s.length; i++) if (s[i] !== 0xffffffff) return false;
  return true;
}

/**
 * Estimated Jaccard similarity: the share of positions where two signatures agree. Two empty
 * sets estimate 0, matching `jaccard`. Throws if the signatures differ in length.
 */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) throw new RangeError(`signature lengths differ: ${a.length} vs ${b.length}`);
  if (a.length === 0 || (isEmptySignature(a) && isEmptySignature(b))) return 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** Exact Jaccard similarity |A ∩ B| / |A ∪ B|; 0 when both sets are empty (nothing to compare). */
export function jaccard(a: Set<string>, b: Set<string>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  if (large.size === 0) return 0;
  let inter = 0;
  for (const s of small) if (large.has(s)) inter++;
  return inter / (a.size + b.size - inter);
}

export interface NearDuplicate {
  /** Id of the earlier document in input order. */
  a: string;
  b: string;
  /** Exact Jaccard similarity of the two shingle sets. */
  similarity: number;
}

export interface NearDuplicateOptions {
  /** Report pairs with exact Jaccard ≥ threshold; default 0.6. */
  threshold?: number;
  /**
   * Ignore texts with fewer letters/digits than this (punctuation and whitespace don't count);
   * default 20. Short answers ("x=3", "勾股定理") are naturally identical across a class.
   */
  minLength?: number;
  /** LSH bands; signatures have bands × rows hashes. Default: chosen from the threshold. */
  bands?: number;
  /** LSH rows per band. Default: chosen from the threshold. */
  rows?: number;
  /** Shingle size; default 3. */
  k?: number;
  /** Seed of the MinHash family; default DEFAULT_MINHASH_SEED. */
  seed?: number;
}

/** Probability that LSH with b bands of r rows makes a pair of similarity s a candidate. */
export function lshCandidateProbability(s: number, bands: number, rows: number): number {
  return 1 - Math.pow(1 - Math.pow(s, rows), bands);
}

/**
 * Bands and rows for a threshold when the caller gives neither: within DEFAULT_NUM_HASHES
 * hashes, the most rows per band (fewest false candidates to verify) that still makes a pair
 * exactly at the threshold a candidate with probability ≥ 0.98.
 */
function chooseBanding(threshold: number, bands?: number, rows?: number): { bands: number; rows: number } {
  if (bands !== undefined && rows !== undefined) return { bands: checkPositiveInt(bands, 'bands'), rows: checkPositiveInt(rows, 'rows') };
  if (bands !== undefined) {
    checkPositiveInt(bands, 'bands');
    return { bands, rows: Math.max(1, Math.floor(DEFAULT_NUM_HASHES / bands)) };
  }
  if (rows !== undefined) {
    checkPositiveInt(rows, 'rows');
    return { bands: Math.max(1, Math.floor(DEFAULT_NUM_HASHES / rows)), rows };
  }
  let best = { bands: DEFAULT_NUM_HASHES, rows: 1 };
  for (let r = 2; r <= 32; r++) {
    const b = Math.floor(DEFAULT_NUM_HASHES / r);
    if (lshCandidateProbability(threshold, b, r) >= 0.98) best = { bands: b, rows: r };
  }
  return best;
}

// Shingle keys: 53-bit numbers, the FNV-1a hash of the shingle string (the value
// minhashSignature starts from) times 2²¹ plus 21 bits of a second, independent hash. Computing
// them from the units directly avoids building ~800 strings per essay and hashing them into a
// Set, which dominated the running time. Sorted and deduplicated, two documents' keys give their
// Jaccard similarity by a merge; it equals the Jaccard of their shingle strings unless two
// different shingles agree on all 53 bits (chance about n²/2⁵⁴ for n shingles, ~10⁻¹⁰ here).
const KEY_LOW = 2 ** 21;

function shingleKeys(units: readonly string[], k: number): Float64Array {
  const windows = units.length <= k ? 1 : units.length - k + 1;
  const width = Math.min(k, units.length);
  const out = new Float64Array(windows);
  for (let w = 0; w < windows; w++) {
    let h1 = FNV_OFFSET;
    let h2 = 0x9747b28c;
    for (let u = w; u < w + width; u++) {
      const unit = units[u]!;
      if (u > w) {
        // the space that joins units in the shingle string
        h1 = Math.imul(h1 ^ 0x20, FNV_PRIME);
        h2 = Math.imul(h2 ^ 0x20, 0x5bd1e995);
        h2 ^= h2 >>> 15;
      }
      for (let c = 0; c < unit.length; c++) {
        const code = unit.charCodeAt(c);
        h1 = Math.imul(h1 ^ code, FNV_PRIME);
        h2 = Math.imul(h2 ^ code, 0x5bd1e995);
        h2 ^= h2 >>> 15;
      }
    }
    out[w] = (h1 >>> 0) * KEY_LOW + (fmix32(h2) >>> 11);
  }
  out.sort();
  // deduplicate in place
  let n = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[n - 1]) out[n++] = out[i]!;
  return out.subarray(0, n);
}

/** Jaccard similarity of two sorted, duplicate-free key arrays. */
function jaccardOfSorted(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  const union = a.length + b.length - inter;
  return union === 0 ? 0 : inter / union;
}

/**
 * Pairs of documents whose shingle sets have Jaccard similarity ≥ threshold, most similar
 * first (ties in input order). Candidates come from LSH banding of MinHash signatures and are
 * verified exactly, so every reported similarity is exact; a pair just above the threshold may
 * be missed with small probability (see `lshCandidateProbability`). Deterministic.
 */
export function findNearDuplicates(docs: readonly { id: string; text: string }[], options: NearDuplicateOptions = {}): NearDuplicate[] {
  const threshold = options.threshold ?? 0.6;
  const minLength = options.minLength ?? 20;
  const k = checkPositiveInt(options.k ?? DEFAULT_SHINGLE_SIZE, 'k');
  const { bands, rows } = chooseBanding(threshold, options.bands, options.rows);
  const numHashes = bands * rows;
  const seed = options.seed ?? DEFAULT_MINHASH_SEED;

  // Index, shingle keys and signature of every document long enough to compare.
  const idx: number[] = [];
  const keys: Float64Array[] = [];
  const sigs: Uint32Array[] = [];
  docs.forEach((d, i) => {
    const units = shingleUnits(d.text);
    if (units.length === 0 || unitLength(units) < minLength) return;
    const kk = shingleKeys(units, k);
    const xs = new Int32Array(kk.length);
    for (let j = 0; j < kk.length; j++) xs[j] = fmix32(Math.floor(kk[j]! / KEY_LOW));
    idx.push(i);
    keys.push(kk);
    sigs.push(signatureOfHashes(xs, numHashes, seed));
  });

  // Candidate pairs: documents whose signatures agree on all rows of some band. A band is keyed
  // by a 32-bit hash of its rows; a key collision only adds a candidate, which verification drops.
  const n = idx.length;
  const seen = new Set<number>();
  const candidates: [number, number][] = [];
  for (let band = 0; band < bands; band++) {
    const buckets = new Map<number, number[]>();
    const from = band * rows;
    for (let d = 0; d < n; d++) {
      const sig = sigs[d]!;
      let h = 0x811c9dc5 ^ band;
      for (let r = from; r < from + rows; r++) h = Math.imul(h ^ sig[r]!, 0x01000193);
      const bucket = buckets.get(h);
      if (bucket === undefined) {
        buckets.set(h, [d]);
        continue;
      }
      for (const e of bucket) {
        const key = e * n + d; // e < d, unique per pair
        if (!seen.has(key)) {
          seen.add(key);
          candidates.push([e, d]);
        }
      }
      bucket.push(d);
    }
  }

  const out: (NearDuplicate & { i: number; j: number })[] = [];
  for (const [e, d] of candidates) {
    const similarity = jaccardOfSorted(keys[e]!, keys[d]!);
    if (similarity >= threshold) out.push({ a: docs[idx[e]!]!.id, b: docs[idx[d]!]!.id, similarity, i: idx[e]!, j: idx[d]! });
  }
  out.sort((x, y) => y.similarity - x.similarity || x.i - y.i || x.j - y.j);
  return out.map(({ a, b, similarity }) => ({ a, b, similarity }));
}
