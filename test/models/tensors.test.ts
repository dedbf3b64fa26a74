import { describe, expect, it } from 'vitest';
import { inLengthOrder, l2Normalize, meanPoolNormalize, padBatch, softmax, truncateIds } from '../../src/models/tensors.js';
import { decideIntent } from '../../src/models/index.js';
import { productPassage } from '../../src/models/passage.js';

describe('tensor helpers', () => {
  it('truncates keeping the final [SEP], like the Python recipe', () => {
    expect(truncateIds([2, 5, 6, 7, 8, 3], 4, 3)).toEqual([2, 5, 6, 3]);
    expect(truncateIds([2, 5, 3], 4, 3)).toEqual([2, 5, 3]);
  });

  it('pads to the longest row with a matching mask', () => {
    const b = padBatch([[2, 9, 3], [2, 3]]);
    expect(b.seqLen).toBe(3);
    expect([...b.inputIds]).toEqual([2n, 9n, 3n, 2n, 3n, 0n]);
    expect([...b.attentionMask]).toEqual([1n, 1n, 1n, 1n, 1n, 0n]);
  });

  it('mean-pools only real tokens and normalizes', () => {
    // batch 1, seq 3 (last is padding), dim 2
    const hidden = new Float32Array([3, 0, 1, 4, 100, 100]);
    const [v] = meanPoolNormalize(hidden, new BigInt64Array([1n, 1n, 0n]), 1, 3, 2);
    // mean of (3,0),(1,4) = (2,2) -> (0.7071, 0.7071)
    expect(v![0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(v![1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect([...l2Normalize(new Float32Array([0, 0]))]).toEqual([0, 0]);
  });

  it('runs in length order and returns results in the caller order', async () => {
    const seen: number[] = [];
    const out = await inLengthOrder([[1, 2, 3], [4], [5, 6]], async (sorted) => {
      seen.push(...sorted.map((s) => s.length));
      return sorted.map((s) => s[0]!);
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(out).toEqual([1, 4, 5]);
  });

  it('softmax is stable for large logits', () => {
    const p = softmax([1000, 1000, -1000]);
    expect(p[0]).toBeCloseTo(0.5, 6);
    expect(p[2]).toBeCloseTo(0, 6);
  });
});

describe('decideIntent', () => {
  const labels = ['greeting', 'out_of_scope', 'order_status', 'not_a_store_intent'];
  it('takes the top intent above the threshold, ranking only store intents', () => {
    const r = decideIntent(labels, [0.1, 0.1, 0.7, 0.1], 'out_of_scope', 0.4);
    expect(r.intent).toBe('order_status');
    expect(r.confidence).toBeCloseTo(0.7);
    expect(r.ranking.map((x) => x.intent)).toEqual(['order_status', 'greeting', 'out_of_scope']);
  });
  it('falls back to out_of_scope below the threshold', () => {
    const r = decideIntent(labels, [0.3, 0.2, 0.35, 0.15], 'out_of_scope', 0.4);
    expect(r.intent).toBe('out_of_scope');
    expect(r.confidence).toBeCloseTo(0.2);
  });
});

describe('productPassage', () => {
  it('joins title, brand, colour and the first three bullets, else the description', () => {
    expect(productPassage({ title: 'Mug', brand: 'Acme', color: 'red', bullets: ['a', 'b', 'c', 'd'] })).toBe('Mug. Acme. red. a. b. c');
    expect(productPassage({ title: 'Mug', bullets: [], description: 'Big mug.' })).toBe('Mug. Big mug.');
  });
});
