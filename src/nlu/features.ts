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

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over UTF-16 code units, continuing from state `h`. */
function hash(s: string, h = FNV_OFFSET): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

const CHAR_PREFIX = hash('c:');

const TOKEN = /\p{Script=Han}|[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu;
const HAN = /^\p{Script=Han}$/u;

export function tokenize(text: string): string[] {
  const norm = text.slice(0, MAX_CHARS).normalize('NFKC').toLowerCase();
  return norm.match(TOKEN) ?? [];
}

export function featurize(text: string, config: FeatureConfig): SparseVector {
  const mask = (1 << config.bits) - 1;
  const acc = new Map<number, number>();
  const addHash = (h: number, w: number) => {
    const i = (h >>> 0) & mask;
    acc.set(i, (acc.get(i) ?? 0) + w);
  };
  const tokens = tokenize(text);
  addHash(hash('<bias-len>' + Math.min(tokens.length, 8)), 0.5);
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    addHash(hash('w:' + tok), 1);
    if (t > 0) addHash(hash('b:' + tokens[t - 1] + ' ' + tok), 1);
    if (config.charWeight > 0 && !HAN.test(tok)) {
      // Char n-grams of "<tok>", hashed incrementally: the same values as hashing 'c:' + gram.
      const padded = '<' + tok + '>';
      for (let s = 0; s + config.charMin <= padded.length; s++) {
        let h = CHAR_PREFIX;
        for (let n = 1; n <= config.charMax && s + n <= padded.length; n++) {
          h = Math.imul(h ^ padded.charCodeAt(s + n - 1), FNV_PRIME);
          if (n >= config.charMin) addHash(h, config.charWeight);
        }
      }
    }
  }
  if (tokens.length === 0) addHash(hash('<empty>'), 1);
  let norm = 0;
  for (const v of acc.values()) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  const indices = new Int32Array(acc.size);
  const values = new Float32Array(acc.size);
  let k = 0;
  for (const [i, v] of acc) {
    indices[k] = i;
    values[k++] = v / norm;
  }
  return { indices, values };
}
