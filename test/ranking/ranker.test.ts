import { describe, expect, it } from 'vitest';
import { ProductSchema } from '../../src/catalog/product.js';
import { loadConfig } from '../../src/config.js';
import { EsmmModel } from '../../src/learning/esmm.js';
import { createRng } from '../../src/maths/index.js';
import { createRanker, LEARNED_POLICY_ID } from '../../src/ranking/index.js';

const config = loadConfig({ overrides: { ranking: { explorationRate: 0, hashBits: 14, sponsoredSlots: 1, sponsoredReserveCpm: 1 } } });
const products = ['a', 'b', 'c', 'd'].map((id, i) => ProductSchema.parse({ id, title: `P ${id}`, priceCents: 1000, brand: `brand-${id}`, category: ['Home', `cat-${i}`], source: 'csv' }));

describe('createRanker (the SlateRanker the turn calls)', () => {
  it('ranks by what a trained model learned, logs features and the model version, fills a sponsored slot', () => {
    const model = new EsmmModel({ encoder: { bits: 14, crosses: [], tokenKeys: ['q'] } });
    const rng = createRng(1);
    // "c" gets clicked and bought; the others are shown and ignored.
    for (let i = 0; i < 3000; i++) for (const id of ['a', 'b', 'c', 'd']) model.train({ item: id, q: 'lamp', pos: 0 }, id === 'c' && rng() < 0.5, id === 'c' && rng() < 0.3);
    const ranker = createRanker({
      models: { predict: (f) => model.predict(f), version: 'esmm@test' },
      ranking: config.ranking,
      rng: createRng(2),
      now: () => 0,
      bids: (id) => (id === 'd' ? 50 : undefined),
    });
    const out = ranker.rank({ candidates: products.map((product) => ({ product, relevance: 1 })), k: 3, query: 'lamp', userId: 'u1', lang: 'en' });
    expect(out.policyId).toBe(LEARNED_POLICY_ID);
    expect(out.policyVersion).toBe('esmm@test');
    expect(out.items[0]).toMatchObject({ sponsored: true, propensity: 1 });
    expect(out.items[0]!.product.id).toBe('d');
    expect(out.items[1]!.product.id).toBe('c');
    expect(out.items.map((i) => i.position)).toEqual([0, 1, 2]);
    expect(out.candidateFeatures?.('a')).toMatchObject({ item: 'a', q: 'lamp', user: 'u1', lang: 'en', brand: 'brand-a' });
  });
});
