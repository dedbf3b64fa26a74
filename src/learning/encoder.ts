/**
 * Hashed features for the linear models: each (key, value) pair and each configured cross of two
 * keys maps to one of 2^bits weights. Keys and values are hashed once each and combined with
 * integer mixing, so a cross costs no string building (that is what keeps 1M events under 5 s).
 */

/** A feature record as the ranker logs it: categorical strings and numbers (numbers are bucketed). */
export type FeatureRecord = Readonly<Record<string, string | number>>;

export interface EncoderOptions {
  /** log2 of the number of weights. */
  readonly bits: number;
  /** Pairs of keys whose values are crossed (every token of one with every token of the other). */
  readonly crosses: readonly (readonly [string, string])[];
  /** Keys whose string values are split into whitespace tokens (free text such as the query). */
  readonly tokenKeys: readonly string[];
}

/** 32-bit FNV-1a over UTF-16 code units. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3 finaliser over two ints: a cheap, well-spread combination. */
export function mix(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Log-scale bucket of a number: keeps the model linear but lets it fit non-linear effects. */
export function bucketOf(v: number): string {
  if (!Number.isFinite(v)) return 'nan';
  if (v === 0) return '0';
  const b = Math.floor(Math.log2(1 + Math.abs(v)) * 2);
  return v < 0 ? `-${b}` : String(b);
}

const BIAS_HASH = fnv1a('__bias__');
const CROSS_SALT = 0x5bd1e995;
/** Caches are cleared past this many entries so memory stays bounded on an open vocabulary. */
const MAX_CACHE = 500_000;
const MAX_FEATURES = 4096;

export class FeatureEncoder {
  readonly size: number;
  private readonly mask: number;
  /** Per key: its hash, whether it is tokenised, and its cross slot (-1: not crossed). One lookup per key. */
  private readonly keys = new Map<string, { hash: number; tokens: boolean; slot: number }>();
  private readonly tokenKeys: ReadonlySet<string>;
  /** Keys that take part in a cross, each with a slot recording where its hashes sit in `raw`. */
  private readonly crossSlot = new Map<string, number>();
  private readonly crossPairs: Int32Array;
  private readonly slotStart: Int32Array;
  private readonly slotEnd: Int32Array;
  private readonly raw = new Uint32Array(MAX_FEATURES);
  // V8 caches a string's own hash, so a Map lookup is much cheaper than re-hashing the characters.
  private readonly strCache = new Map<string, number>();
  private readonly numCache = new Map<number, number>();
  private readonly tokenCache = new Map<string, Uint32Array>();

  constructor(readonly options: EncoderOptions) {
    if (!Number.isInteger(options.bits) || options.bits < 8 || options.bits > 26) throw new RangeError(`bits must be 8..26, got ${options.bits}`);
    this.size = 2 ** options.bits;
    this.mask = this.size - 1;
    this.tokenKeys = new Set(options.tokenKeys);
    const slot = (k: string) => {
      let s = this.crossSlot.get(k);
      if (s === undefined) this.crossSlot.set(k, (s = this.crossSlot.size));
      return s;
    };
    this.crossPairs = new Int32Array(options.crosses.flatMap(([a, b]) => [slot(a), slot(b)]));
    this.slotStart = new Int32Array(this.crossSlot.size);
    this.slotEnd = new Int32Array(this.crossSlot.size);
  }

  private keyInfo(key: string): { hash: number; tokens: boolean; slot: number } {
    let info = this.keys.get(key);
    if (info === undefined) {
      if (this.keys.size >= MAX_CACHE) this.keys.clear();
      info = { hash: fnv1a(key), tokens: this.tokenKeys.has(key), slot: this.crossSlot.get(key) ?? -1 };
      this.keys.set(key, info);
    }
    return info;
  }

  private strHash(v: string): number {
    let h = this.strCache.get(v);
    if (h === undefined) {
      if (this.strCache.size >= MAX_CACHE) this.strCache.clear();
      h = fnv1a(v);
      this.strCache.set(v, h);
    }
    return h;
  }

  private numHash(v: number): number {
    let h = this.numCache.get(v);
    if (h === undefined) {
      if (this.numCache.size >= MAX_CACHE) this.numCache.clear();
      h = fnv1a(bucketOf(v));
      this.numCache.set(v, h);
    }
    return h;
  }

  private tokenHashes(v: string): Uint32Array {
    let hs = this.tokenCache.get(v);
    if (hs === undefined) {
      if (this.tokenCache.size >= MAX_CACHE) this.tokenCache.clear();
      hs = Uint32Array.from(v.toLowerCase().split(/\s+/).filter(Boolean), (t) => fnv1a(t));
      this.tokenCache.set(v, hs);
    }
    return hs;
  }

  /** The index of a single key=value feature (no bias, no crosses). */
  indexOf(key: string, value: string | number): number {
    const vh = typeof value === 'number' ? this.numHash(value) : this.strHash(value);
    return mix(this.keyInfo(key).hash, vh) & this.mask;
  }

  /**
   * Indices of the active features (bias, every key=value, every configured cross). Keys in
   * `exclude` are left out: that is how the position feature is dropped at serving time.
   */
  encode(rec: FeatureRecord, exclude?: ReadonlySet<string>): Uint32Array {
    const raw = this.raw;
    const slotStart = this.slotStart;
    const slotEnd = this.slotEnd;
    slotStart.fill(-1);
    let n = 0;
    raw[n++] = BIAS_HASH;
    for (const key in rec) {
      if (exclude !== undefined && exclude.has(key)) continue;
      const value = rec[key]!;
      const info = this.keyInfo(key);
      const kh = info.hash;
      const start = n;
      if (typeof value === 'number') {
        raw[n++] = mix(kh, this.numHash(value));
      } else if (info.tokens) {
        const hs = this.tokenHashes(value);
        for (let i = 0; i < hs.length && n < MAX_FEATURES; i++) raw[n++] = mix(kh, hs[i]!);
      } else {
        raw[n++] = mix(kh, this.strHash(value));
      }
      if (info.slot >= 0) {
        slotStart[info.slot] = start;
        slotEnd[info.slot] = n;
      }
      if (n >= MAX_FEATURES) break;
    }
    const pairs = this.crossPairs;
    for (let p = 0; p < pairs.length; p += 2) {
      const a = pairs[p]!;
      const b = pairs[p + 1]!;
      const sa = slotStart[a]!;
      const sb = slotStart[b]!;
      if (sa < 0 || sb < 0) continue;
      const ea = slotEnd[a]!;
      const eb = slotEnd[b]!;
      for (let i = sa; i < ea; i++) for (let j = sb; j < eb && n < MAX_FEATURES; j++) raw[n++] = mix(mix(raw[i]!, raw[j]!), CROSS_SALT);
    }
    const out = new Uint32Array(n);
    const mask = this.mask;
    for (let i = 0; i < n; i++) out[i] = raw[i]! & mask;
    return out;
  }
}
