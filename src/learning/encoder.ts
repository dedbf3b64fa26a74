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

export class FeatureEncoder {
  readonly size: number;
  private readonly mask: number;
  private readonly keyHashes = new Map<string, number>();
  private readonly tokenKeys: ReadonlySet<string>;
  private readonly crossesByKey = new Map<string, string[]>();
  private readonly buf: Uint32Array;
  private readonly tokenHashes = new Map<string, number[]>();

  constructor(readonly options: EncoderOptions) {
    if (!Number.isInteger(options.bits) || options.bits < 8 || options.bits > 26) throw new RangeError(`bits must be 8..26, got ${options.bits}`);
    this.size = 2 ** options.bits;
    this.mask = this.size - 1;
    this.tokenKeys = new Set(options.tokenKeys);
    for (const [a, b] of options.crosses) {
      const list = this.crossesByKey.get(a) ?? [];
      list.push(b);
      this.crossesByKey.set(a, list);
    }
    this.buf = new Uint32Array(4096);
  }

  private keyHash(key: string): number {
    let h = this.keyHashes.get(key);
    if (h === undefined) {
      h = fnv1a(key);
      this.keyHashes.set(key, h);
    }
    return h;
  }

  /** Value hashes for one key (several when the key is tokenised). */
  private valueHashes(key: string, value: string | number, out: number[]): void {
    if (typeof value === 'number') {
      out.push(fnv1a(bucketOf(value)));
      return;
    }
    if (this.tokenKeys.has(key)) {
      for (const tok of value.toLowerCase().split(/\s+/)) if (tok) out.push(fnv1a(tok));
      return;
    }
    out.push(fnv1a(value));
  }

  /**
   * Indices of the active features (bias, every key=value, every configured cross). Keys in
   * `exclude` are left out: that is how the position feature is dropped at serving time.
   */
  encode(rec: FeatureRecord, exclude?: ReadonlySet<string>): Uint32Array {
    let n = 0;
    const buf = this.buf;
    const perKey = this.tokenHashes;
    perKey.clear();
    buf[n++] = BIAS_HASH & this.mask;
    for (const key in rec) {
      if (exclude?.has(key)) continue;
      const value = rec[key]!;
      const hashes: number[] = [];
      this.valueHashes(key, value, hashes);
      const kh = this.keyHash(key);
      for (const vh of hashes) {
        const h = mix(kh, vh);
        if (n < buf.length) buf[n++] = h & this.mask;
      }
      perKey.set(key, hashes.map((vh) => mix(kh, vh)));
    }
    for (const [a, partners] of this.crossesByKey) {
      const ha = perKey.get(a);
      if (!ha) continue;
      for (const b of partners) {
        const hb = perKey.get(b);
        if (!hb) continue;
        for (const x of ha) for (const y of hb) if (n < buf.length) buf[n++] = mix(mix(x, y), CROSS_SALT) & this.mask;
      }
    }
    return buf.slice(0, n);
  }
}
