import { describe, expect, it } from 'vitest';
import { EsmmModel } from '../../src/learning/esmm.js';
import { createRng } from '../../src/maths/index.js';

const options = { encoder: { bits: 14, crosses: [] as [string, string][], tokenKeys: ['q'] } };

/**
 * Item "a" is clicked often but rarely bought; item "b" is clicked less but bought after most
 * clicks. Position 0 doubles the click rate. Truth: ctr(a)=0.3, cvr(a)=0.1; ctr(b)=0.15, cvr(b)=0.6.
 */
function simulate(model: EsmmModel, n: number, seed: number) {
  const rng = createRng(seed);
  for (let i = 0; i < n; i++) {
    const item = rng() < 0.5 ? 'a' : 'b';
    const pos = rng() < 0.5 ? 0 : 3;
    const ctr = (item === 'a' ? 0.3 : 0.15) * (pos === 0 ? 1.6 : 0.8);
    const cvr = item === 'a' ? 0.1 : 0.6;
    const clicked = rng() < ctr;
    const converted = clicked && rng() < cvr;
    model.train({ item, pos }, clicked, converted);
  }
}

describe('EsmmModel', () => {
  it('learns CVR over the whole impression space and ranks by pCTCVR', () => {
    const m = new EsmmModel(options);
    simulate(m, 40_000, 1);
    const a = m.predict({ item: 'a' });
    const b = m.predict({ item: 'b' });
    expect(a.ctr).toBeGreaterThan(b.ctr);
    expect(b.cvr).toBeGreaterThan(a.cvr);
    expect(b.ctcvr).toBeGreaterThan(a.ctcvr);
    expect(a.cvr).toBeGreaterThan(0.03);
    expect(a.cvr).toBeLessThan(0.25);
    expect(b.cvr).toBeGreaterThan(0.4);
    expect(b.cvr).toBeLessThan(0.8);
  });

  it('separates the position effect: serving score does not depend on the logged position', () => {
    const m = new EsmmModel(options);
    simulate(m, 20_000, 2);
    expect(m.predictAtPosition({ item: 'a', pos: 0 })).toBeGreaterThan(m.predictAtPosition({ item: 'a', pos: 3 }));
    expect(m.predict({ item: 'a', pos: 0 }).ctr).toBe(m.predict({ item: 'a', pos: 3 }).ctr);
  });

  it('restores from its checkpoint buffer', () => {
    const m = new EsmmModel(options);
    simulate(m, 2000, 3);
    const copy = EsmmModel.fromBuffer(m.toBuffer());
    expect(copy.predict({ item: 'b', q: 'red shoes' })).toEqual(m.predict({ item: 'b', q: 'red shoes' }));
  });
});
