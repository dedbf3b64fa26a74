/** Pure tensor helpers shared by the encoders: id truncation and padding, pooling, softmax. */
import { normalized } from '../maths/index.js';

export interface PaddedBatch {
  readonly inputIds: BigInt64Array;
  readonly attentionMask: BigInt64Array;
  readonly batch: number;
  readonly seqLen: number;
}

/**
 * Truncates `[CLS] … [SEP]` to maxLen keeping the final [SEP], the way the Python recipes encode
 * (transformers.js would cut the [SEP] off).
 */
export function truncateIds(ids: readonly number[], maxLen: number, sepId: number): number[] {
  if (ids.length <= maxLen) return [...ids];
  return [...ids.slice(0, maxLen - 1), sepId];
}

export function padBatch(seqs: readonly (readonly number[])[], padId = 0): PaddedBatch {
  const seqLen = Math.max(1, ...seqs.map((s) => s.length));
  const inputIds = new BigInt64Array(seqs.length * seqLen).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(seqs.length * seqLen);
  seqs.forEach((s, b) => {
    for (let t = 0; t < s.length; t++) {
      inputIds[b * seqLen + t] = BigInt(s[t]!);
      attentionMask[b * seqLen + t] = 1n;
    }
  });
  return { inputIds, attentionMask, batch: seqs.length, seqLen };
}

/** Mean over the real (unmasked) tokens of each row of a [batch, seq, dim] tensor, L2-normalized. */
export function meanPoolNormalize(
  hidden: Float32Array,
  mask: BigInt64Array,
  batch: number,
  seqLen: number,
  dim: number,
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dim);
    let n = 0;
    for (let t = 0; t < seqLen; t++) {
      if (mask[b * seqLen + t] === 0n) continue;
      n++;
      const base = (b * seqLen + t) * dim;
      for (let d = 0; d < dim; d++) v[d]! += hidden[base + d]!;
    }
    out.push(l2Normalize(v.map((x) => x / Math.max(1, n))));
  }
  return out;
}

/** Unit length (src/maths); a zero vector stays zero. */
export const l2Normalize = normalized;

export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max);
    sum += out[i]!;
  }
  return out.map((x) => x / sum);
}

/**
 * Runs `fn` on the sequences sorted by length and returns results in the original order: a large
 * call (indexing a catalog) then pads each batch to similar lengths instead of the longest text.
 */
export async function inLengthOrder<T>(seqs: readonly (readonly number[])[], fn: (sorted: readonly (readonly number[])[]) => Promise<T[]>): Promise<T[]> {
  const order = seqs.map((_, i) => i).sort((a, b) => seqs[a]!.length - seqs[b]!.length || a - b);
  const out = await fn(order.map((i) => seqs[i]!));
  const result = new Array<T>(seqs.length);
  order.forEach((i, k) => {
    result[i] = out[k]!;
  });
  return result;
}
