import { describe, expect, it } from 'vitest';
import { clusteredVectors, percentile, recallAt } from '../../bench/retrieval.js';

describe('bench retrieval metrics', () => {
  it('percentile picks the nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 100)).toBe(5);
    expect(percentile([5, 1, 3, 2, 4], 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });

  it('recall@k is the share of the true top k found', () => {
    expect(recallAt([['a', 'b'], ['c', 'x']], [['a', 'b'], ['c', 'd']], 2)).toBe(0.75);
    expect(recallAt([['b', 'a']], [['a', 'b']], 2)).toBe(1);
    expect(recallAt([['a', 'z']], [['a', 'b']], 1)).toBe(1);
  });

  it('generates the same unit vectors for the same seed', () => {
    const a = clusteredVectors(20, 8, 3, 7, 0.5);
    expect(clusteredVectors(20, 8, 3, 7, 0.5)).toEqual(a);
    expect(clusteredVectors(20, 8, 3, 8, 0.5)).not.toEqual(a);
    for (let i = 0; i < 20; i++) expect(Math.hypot(...a.subarray(i * 8, i * 8 + 8))).toBeCloseTo(1, 5);
  });
});
