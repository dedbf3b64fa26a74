import { describe, expect, it } from 'vitest';
import { applyThreshold, bankingMetrics, chooseThreshold, clincMetrics, fastTextLine, holdOut, shuffled } from '../../evals/intent-benchmarks.js';
import { topK } from '../../evals/dense-retrieval.js';

describe('intent-benchmarks helpers', () => {
  it('shuffles reproducibly from a seed and holds out the requested fraction', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i);
    expect(shuffled(xs, 7)).toEqual(shuffled(xs, 7));
    expect(shuffled(xs, 7)).not.toEqual(xs);
    const { fit, held } = holdOut(xs, 0.25, 7);
    expect(held.length).toBe(5);
    expect([...fit, ...held].sort((a, b) => a - b)).toEqual(xs);
  });

  it('chooses the threshold that best balances in-scope accuracy and OOS recall', () => {
    const gold = ['a', 'b', 'out_of_scope', 'out_of_scope'];
    const pred = ['a', 'b', 'a', 'b'];
    const prob = [0.9, 0.8, 0.3, 0.4];
    const t = chooseThreshold(gold, pred, prob);
    // Any t in (0.4, 0.8] keeps both in-scope right and turns both OOS into out_of_scope; the first is taken.
    expect(t).toBeCloseTo(0.41, 5);
    expect(applyThreshold(pred, prob, t)).toEqual(['a', 'b', 'out_of_scope', 'out_of_scope']);
    expect(chooseThreshold(['a'], ['a'], [0.1])).toBe(0);
  });

  it('computes CLINC150 in-scope accuracy and OOS recall, and BANKING77 accuracy', () => {
    const m = clincMetrics(['a', 'b', 'out_of_scope', 'out_of_scope'], ['a', 'out_of_scope', 'out_of_scope', 'a']);
    expect(m.clinc_in_scope_accuracy).toBeCloseTo(0.5);
    expect(m.clinc_oos_recall).toBeCloseTo(0.5);
    expect(bankingMetrics(['x', 'y'], ['x', 'x']).banking77_accuracy).toBeCloseTo(0.5);
  });

  it('splits punctuation off for fastText', () => {
    expect(fastTextLine("Where's my card?!")).toBe("where ' s my card ? !");
  });
});

describe('dense-retrieval topK', () => {
  it('ranks by dot product, ties by index', () => {
    const docs = [new Float32Array([1, 0]), new Float32Array([0, 1]), new Float32Array([0.6, 0.8]), new Float32Array([1, 0])];
    expect(topK(new Float32Array([1, 0]), docs, 3)).toEqual([0, 3, 2]);
  });
});
