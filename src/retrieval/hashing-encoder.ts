/**
 * A real, deterministic text encoder that needs no model file: hashed word and character-trigram
 * features (signed feature hashing) projected to `dim` and L2-normalized. It is the fallback when
 * no trained embedding model is in models/, and the encoder the retrieval tests use, so the
 * plumbing (indexer, vector index, hybrid fusion) is exercised with real vectors.
 *
 * Same shape as the transformer `TextEncoder` in src/models (structural typing lets either be used).
 */
import { ShopbotError } from '../errors.js';
import { normalizeInPlace } from '../maths/index.js';

export interface TextEncoder {
  readonly dim: number;
  embed(texts: readonly string[], options?: { signal?: AbortSignal; kind?: 'query' | 'passage' }): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export interface HashingEncoderOptions {
  readonly dim?: number;
  /** Characters of each text that are featurized; caps the cost of very long descriptions. */
  readonly maxChars?: number;
}

const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.35;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;

/** FNV-1a, 32-bit: fast, stable across platforms and Node versions. */
function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function tokenizeForHashing(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (CJK.test(raw)) {
      // Chinese has no spaces: single characters and bigrams stand in for words.
      const chars = [...raw];
      for (let i = 0; i < chars.length; i++) {
        out.push(chars[i]!);
        if (i + 1 < chars.length) out.push(chars[i]! + chars[i + 1]!);
      }
    } else {
      out.push(raw);
    }
  }
  return out;
}

export class HashingTextEncoder implements TextEncoder {
  readonly dim: number;
  readonly modelId: string;
  private readonly maxChars: number;

  constructor(options: HashingEncoderOptions = {}) {
    this.dim = options.dim ?? 256;
    this.maxChars = options.maxChars ?? 4000;
    if (!Number.isInteger(this.dim) || this.dim < 8 || this.dim > 4096) {
      throw new ShopbotError('CONFIG_INVALID', `hashing encoder dim must be an integer in 8..4096, got ${this.dim}`);
    }
    this.modelId = `hashing-v1-${this.dim}`;
  }

  embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dim);
    const add = (feature: string, weight: number) => {
      const h = fnv1a(feature, 0x9e3779b9);
      // The top bit picks the sign so collisions cancel on average instead of piling up.
      const j = h % this.dim;
      v[j] = v[j]! + (h & 0x80000000 ? -weight : weight);
    };
    for (const token of tokenizeForHashing(text.slice(0, this.maxChars))) {
      add(`w:${token}`, WORD_WEIGHT);
      if (token.length > 3 && !CJK.test(token)) {
        const padded = `#${token}#`;
        for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
      }
    }
    return normalizeInPlace(v);
  }

  async embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]> {
    options?.signal?.throwIfAborted();
    return texts.map((t) => this.embedOne(t));
  }

  async close(): Promise<void> {}
}
