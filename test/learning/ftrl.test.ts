import { describe, expect, it } from 'vitest';
import { FeatureEncoder } from '../../src/learning/encoder.js';
import { Ftrl } from '../../src/learning/ftrl.js';
import { createRng } from '../../src/maths/index.js';
import { rocAuc } from '../../evals/metrics/auc.js';

/** Clicks depend on a cross (segment x category) that neither feature explains alone. */
function sample(rng: () => number) {
  const segment = rng() < 0.5 ? 'a' : 'b';
  const cat = rng() < 0.5 ? 'shoes' : 'hats';
  const p = (segment === 'a') === (cat === 'shoes') ? 0.4 : 0.05;
  return { rec: { segment, cat, noise: String(Math.floor(rng() * 50)) }, y: rng() < p ? 1 : 0 };
}

describe('FeatureEncoder', () => {
  it('is deterministic, includes a bias, and crosses add features', () => {
    const plain = new FeatureEncoder({ bits: 16, crosses: [], tokenKeys: ['q'] });
    const crossed = new FeatureEncoder({ bits: 16, crosses: [['q', 'cat']], tokenKeys: ['q'] });
    const rec = { q: 'red shoes', cat: 'shoes', price: 1999 };
    expect([...plain.encode(rec)]).toEqual([...plain.encode(rec)]);
    expect(plain.encode(rec).length).toBe(1 + 2 + 1 + 1); // bias, 2 query tokens, cat, price bucket
    expect(crossed.encode(rec).length).toBe(5 + 2);
    expect(plain.encode(rec, new Set(['price'])).length).toBe(4);
  });
});

describe('Ftrl', () => {
  it('learns a crossed pattern that a model without the cross cannot', () => {
    const rng = createRng(3);
    const train = Array.from({ length: 20_000 }, () => sample(rng));
    const test = Array.from({ length: 4000 }, () => sample(rng));
    const fit = (crosses: [string, string][]) => {
      const enc = new FeatureEncoder({ bits: 16, crosses, tokenKeys: [] });
      const m = new Ftrl(enc.size);
      for (const s of train) m.train(enc.encode(s.rec), s.y);
      return rocAuc(test.map((s) => s.y), test.map((s) => m.predict(enc.encode(s.rec))));
    };
    const withCross = fit([['segment', 'cat']]);
    const without = fit([]);
    expect(withCross).toBeGreaterThan(0.75);
    expect(without).toBeLessThan(0.6);
  });

  it('round-trips through a checkpoint buffer with identical predictions', () => {
    const enc = new FeatureEncoder({ bits: 12, crosses: [], tokenKeys: [] });
    const m = new Ftrl(enc.size);
    const rng = createRng(9);
    for (let i = 0; i < 500; i++) {
      const s = sample(rng);
      m.train(enc.encode(s.rec), s.y);
    }
    const copy = Ftrl.fromBuffer(m.toBuffer());
    const idx = enc.encode({ segment: 'a', cat: 'shoes' });
    expect(copy.predict(idx)).toBe(m.predict(idx));
    expect(copy.updates).toBe(m.updates);
    expect(() => Ftrl.fromBuffer(Buffer.alloc(20))).toThrow(/checkpoint/);
  });

  it('L1 keeps weights of never-useful features at exactly zero', () => {
    const enc = new FeatureEncoder({ bits: 12, crosses: [], tokenKeys: [] });
    const m = new Ftrl(enc.size, { alpha: 0.1, beta: 1, l1: 5, l2: 1 });
    const rng = createRng(5);
    for (let i = 0; i < 300; i++) m.train(enc.encode({ rare: `v${i}` }), rng() < 0.5 ? 1 : 0);
    const idx = enc.encode({ rare: 'v1' });
    expect(m.weight(idx[1]!)).toBe(0);
  });
});
