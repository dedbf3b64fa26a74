import { describe, expect, it } from 'vitest';
import { createRng, dot, dotAt, LruCache, normalized, normalizeInPlace, TopK } from '../../src/maths/index.js';

describe('TopK', () => {
  it('keeps the k largest, best first', () => {
    const top = new TopK(3);
    [5, 1, 9, 3, 7, 2].forEach((s, i) => top.push(i, s));
    expect(top.sorted()).toEqual([{ id: 2, score: 9 }, { id: 4, score: 7 }, { id: 0, score: 5 }]);
    expect(top.min).toBe(5);
  });

  it('gives equal scores to the lower id whatever the order they arrive in', () => {
    const top = new TopK(2);
    for (const id of [7, 3, 9, 1]) top.push(id, 1);
    expect(top.sorted()).toEqual([{ id: 1, score: 1 }, { id: 3, score: 1 }]);
    const partial = new TopK(5);
    partial.push(4, 2);
    expect(partial.min).toBe(-Infinity);
    expect(new TopK(0).sorted()).toEqual([]);
  });

  it('matches a full sort on random scores', () => {
    const rng = createRng(3);
    const scores = Array.from({ length: 500 }, () => Math.floor(rng() * 50));
    const top = new TopK(20);
    scores.forEach((s, i) => top.push(i, s));
    const full = scores.map((score, id) => ({ id, score })).sort((a, b) => b.score - a.score || a.id - b.id).slice(0, 20);
    expect(top.sorted()).toEqual(full);
  });
});

describe('vectors', () => {
  it('dot and dotAt agree, with a ragged tail and an offset', () => {
    const a = new Float32Array([1, 2, 3, 4, 5, 6, 7]);
    expect(dot(a, a)).toBe(140);
    expect(dotAt(a, 0, a, 7)).toBe(140);
    expect(dotAt(new Float32Array([0, 0, 1, 2]), 2, new Float32Array([3, 4]), 2)).toBe(11);
    expect(dot(new Float32Array([1, 2, 3]), new Float32Array([1, 1]))).toBe(3);
  });

  it('normalises to unit length, leaving zero vectors at zero', () => {
    const v = new Float32Array([3, 4]);
    expect([...normalized(v)]).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect([...v]).toEqual([3, 4]);
    expect(normalizeInPlace(v)).toBe(v);
    expect(dot(v, v)).toBeCloseTo(1, 6);
    expect([...normalized(new Float32Array(3))]).toEqual([0, 0, 0]);
  });
});

describe('LruCache', () => {
  it('drops the least recently used key past its capacity, a read counting as a use', () => {
    const lru = new LruCache<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c'), lru.size]).toEqual([1, 3, 2]);
    expect([lru.hits, lru.misses]).toEqual([3, 1]);
  });

  it('keeps nothing at capacity 0 and refuses a bad capacity', () => {
    const off = new LruCache<string, number>(0);
    off.set('a', 1);
    expect([off.get('a'), off.size]).toEqual([undefined, 0]);
    expect(() => new LruCache(-1)).toThrow(RangeError);
  });
});
