/**
 * Hashed sparse features for the linear intent model: word unigrams and bigrams, character 2-4
 * grams inside Latin words (robust to typos, which Bitext has on purpose), and for Chinese each
 * Han character as a token, so token bigrams are character bigrams (no segmenter needed).
 */
import { z } from 'zod';

export const FeatureConfigSchema = z.object({
  /** log2 of the hashed feature space. */
  bits: z.number().int().min(10).max(22),
  charMin: z.number().int().min(1).max(6),
  charMax: z.number().int().min(1).max(8),
  /** Weight of character n-gram features relative to word features. */
  charWeight: z.number().min(0).max(4),
});
export type FeatureConfig = z.infer<typeof FeatureConfigSchema>;

export const DEFAULT_FEATURES: FeatureConfig = { bits: 16, charMin: 2, charMax: 4, charWeight: 0.5 };

/** Messages longer than this are cut: intent lives in the first sentences, and cost stays bounded. */
const MAX_CHARS = 1000;

export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/** FNV-1a over UTF-16 code units. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const TOKEN = /\p{Script=Han}|[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu;
const HAN = /^\p{Script=Han}$/u;

export function tokenize(text: string): string[] {
  const norm = text.slice(0, MAX_CHARS).normalize('NFKC').toLowerCase();
  return norm.match(TOKEN) ?? [];
}

export function featurize(text: string, config: FeatureConfig): SparseVector {
  const mask = (1 << config.bits) - 1;
  const acc = new Map<number, number>();
  const add = (key: string, w: number) => {
    const i = hash(key) & mask;
    acc.set(i, (acc.get(i) ?? 0) + w);
  };
  const tokens = tokenize(text);
  add('<bias-len>' + Math.min(tokens.length, 8), 0.5);
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    add('w:' + tok, 1);
    if (t > 0) add('b:' + tokens[t - 1] + ' ' + tok, 1);
    if (!HAN.test(tok) && config.charWeight > 0) {
      const padded = '<' + tok + '>';
      for (let n = config.charMin; n <= config.charMax; n++) {
        for (let s = 0; s + n <= padded.length; s++) add('c:' + padded.slice(s, s + n), config.charWeight);
      }
    }
  }
  if (tokens.length === 0) add('<empty>', 1);
  let norm = 0;
  for (const v of acc.values()) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  const indices = new Int32Array(acc.size);
  const values = new Float32Array(acc.size);
  let k = 0;
  for (const [i, v] of [...acc].sort((a, b) => a[0] - b[0])) {
    indices[k] = i;
    values[k++] = v / norm;
  }
  return { indices, values };
}
