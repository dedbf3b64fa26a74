/**
 * One regression tree, stored as flat arrays (the LightGBM layout): internal node i splits on
 * feature[i]; a child >= 0 is another internal node, a child < 0 is leaf ~child. A tree with no
 * internal node is a single leaf. Numeric splits send x <= threshold left; categorical splits send
 * the codes in catLeft left; a missing value follows defaultLeft (learned at training time).
 */
import { z } from 'zod';

export const TreeSchema = z.object({
  feature: z.array(z.number().int().nonnegative()),
  threshold: z.array(z.number()),
  /** Numeric: the same threshold as a bin index (-1 and threshold 0 on categorical splits), so training can route binned rows without the raw values. */
  thresholdBin: z.array(z.number().int()),
  defaultLeft: z.array(z.boolean()),
  catLeft: z.array(z.array(z.number().int().nonnegative()).nullable()),
  left: z.array(z.number().int()),
  right: z.array(z.number().int()),
  leafValue: z.array(z.number()),
  /** Split gain per internal node (feature importance). */
  gain: z.array(z.number()),
});
export type TreeJson = z.infer<typeof TreeSchema>;

/** A tree ready to route rows: the categorical sets as byte masks. */
export class Tree {
  private readonly masks: (Uint8Array | null)[];

  constructor(readonly json: TreeJson) {
    const n = json.feature.length;
    for (const a of [json.threshold, json.thresholdBin, json.defaultLeft, json.catLeft, json.left, json.right, json.gain]) {
      if (a.length !== n) throw new RangeError('tree arrays differ in length');
    }
    if (json.leafValue.length !== n + 1) throw new RangeError('a tree with n splits has n + 1 leaves');
    this.masks = json.catLeft.map((codes) => {
      if (!codes) return null;
      const m = new Uint8Array(codes.reduce((a, c) => Math.max(a, c + 1), 0));
      for (const c of codes) m[c] = 1;
      return m;
    });
  }

  get leaves(): number {
    return this.json.leafValue.length;
  }

  /** Leaf index for a row given as a value lookup (column j -> float, NaN = missing). */
  leafOf(value: (feature: number) => number): number {
    const t = this.json;
    if (t.feature.length === 0) return 0;
    let node = 0;
    for (;;) {
      const v = value(t.feature[node]!);
      const mask = this.masks[node];
      let goLeft: boolean;
      if (Number.isNaN(v)) goLeft = t.defaultLeft[node]!;
      else if (mask) goLeft = v < mask.length && mask[v] === 1;
      else goLeft = v <= t.threshold[node]!;
      const next = goLeft ? t.left[node]! : t.right[node]!;
      if (next < 0) return ~next;
      node = next;
    }
  }

  /** Leaf index for row i of binned columns (missingBin[j] is feature j's missing bin). */
  leafOfBinned(bins: readonly Uint16Array[], missingBin: ArrayLike<number>, i: number): number {
    const t = this.json;
    if (t.feature.length === 0) return 0;
    let node = 0;
    for (;;) {
      const f = t.feature[node]!;
      const b = bins[f]![i]!;
      const mask = this.masks[node];
      let goLeft: boolean;
      if (b === missingBin[f]) goLeft = t.defaultLeft[node]!;
      else if (mask) goLeft = b < mask.length && mask[b] === 1;
      else goLeft = b <= t.thresholdBin[node]!;
      const next = goLeft ? t.left[node]! : t.right[node]!;
      if (next < 0) return ~next;
      node = next;
    }
  }
}
