import { describe, expect, it } from 'vitest';
import { ModelCache } from '../../src/models/cache.js';

describe('ModelCache', () => {
  it('computes each distinct missing text once and answers repeats from the cache, in order', async () => {
    const cache = new ModelCache<string>(10);
    const calls: string[][] = [];
    const compute = async (missing: readonly string[]) => {
      calls.push([...missing]);
      return missing.map((t) => t.toUpperCase());
    };
    expect(await cache.through(['a', 'b', 'a'], compute)).toEqual(['A', 'B', 'A']);
    expect(await cache.through(['b', 'c'], compute)).toEqual(['B', 'C']);
    expect(calls).toEqual([['a', 'b'], ['c']]);
  });

  it('computes every time at capacity 0', async () => {
    const cache = new ModelCache<number>(0);
    let runs = 0;
    const compute = async (missing: readonly string[]) => missing.map(() => ++runs);
    expect(await cache.through(['x'], compute)).toEqual([1]);
    expect(await cache.through(['x'], compute)).toEqual([2]);
  });
});
