import { describe, expect, it } from 'vitest';
import { ProductSchema, type Product } from '../../src/catalog/product.js';
import { FunnelEventSchema } from '../../src/funnel/events.js';
import { createRng } from '../../src/maths/index.js';
import { choose, rank, runAuction, type RankOptions, type ScoringModels } from '../../src/ranking/index.js';

function product(id: string, priceCents: number, brand: string, cat: string, extra: Partial<Product> = {}): Product {
  return ProductSchema.parse({ id, title: `Product ${id}`, priceCents, brand, category: ['Shoes', cat], source: 'csv', ...extra });
}

/** Scores from a fixed table: a real ScoringModels implementation over known probabilities. */
function tableModels(table: Record<string, { ctr: number; cvr: number }>): ScoringModels {
  return { version: 'table@1', predict: (f) => table[String(f.item)] ?? { ctr: 0.01, cvr: 0.01 } };
}

const base: RankOptions = {
  slateSize: 3, explorationRate: 0, explorationMode: 'epsilon-greedy', explorationPool: 10, relevanceFloor: 0.3,
  maxPerBrand: 5, maxPerCategory: 5, sponsoredSlots: 0, sponsoredReserveCpm: 0,
  slateId: 'slate-1', policyId: 'ev-esmm', ts: 1000, channel: 'web', context: { query: 'running shoes', userId: 'u1' }, conversationId: 'c1',
};

describe('rank', () => {
  const products = [product('cheap', 1000, 'a', 'running'), product('pricey', 10_000, 'b', 'running'), product('likely', 3000, 'c', 'trail'), product('irrelevant', 50_000, 'd', 'boots')];
  const models = tableModels({ cheap: { ctr: 0.2, cvr: 0.2 }, pricey: { ctr: 0.05, cvr: 0.1 }, likely: { ctr: 0.3, cvr: 0.3 }, irrelevant: { ctr: 0.9, cvr: 0.9 } });
  const candidates = [
    { product: products[0]!, relevance: 1 },
    { product: products[1]!, relevance: 0.9 },
    { product: products[2]!, relevance: 0.8 },
    { product: products[3]!, relevance: 0.1 },
  ];

  it('orders by pCTR x pCVR x price (x relevance share) and never promotes items under the relevance floor', () => {
    const r = rank(candidates, models, createRng(1), base);
    // EV: likely .09*3000*.8=216, pricey .005*10000*.9=45, cheap .04*1000*1=40; irrelevant is floored out.
    expect(r.items.map((i) => i.product.id)).toEqual(['likely', 'pricey', 'cheap']);
    expect(r.items.every((i) => i.propensity === 1)).toBe(true);
    expect(r.scored.some((c) => c.product.id === 'irrelevant')).toBe(false);
  });

  it('uses margin instead of price when the catalog has it', () => {
    const withMargin = candidates.map((c) => (c.product.id === 'cheap' ? { ...c, product: { ...c.product, marginCents: 50_000 } } : c));
    expect(rank(withMargin, models, createRng(1), base).items[0]!.product.id).toBe('cheap');
  });

  it('falls back to relevance order when there is no model', () => {
    expect(rank(candidates, undefined, createRng(1), base).items.map((i) => i.product.id)).toEqual(['cheap', 'pricey', 'likely']);
  });

  it('spreads brands and categories', () => {
    const same = [product('x1', 1000, 'acme', 'running'), product('x2', 1000, 'acme', 'running'), product('x3', 1000, 'acme', 'running'), product('y1', 1000, 'other', 'trail')];
    const m = tableModels({ x1: { ctr: 0.5, cvr: 0.5 }, x2: { ctr: 0.4, cvr: 0.5 }, x3: { ctr: 0.3, cvr: 0.5 }, y1: { ctr: 0.1, cvr: 0.5 } });
    const r = rank(same.map((p) => ({ product: p, relevance: 1 })), m, createRng(1), { ...base, maxPerBrand: 2 });
    expect(r.items.map((i) => i.product.id)).toEqual(['x1', 'x2', 'y1']);
  });

  it('returns a slate event that the funnel schema accepts, with features per candidate', () => {
    const r = rank(candidates, models, createRng(1), { ...base, explorationRate: 0.2 });
    const parsed = FunnelEventSchema.parse(r.event);
    expect(parsed.type).toBe('slate');
    if (parsed.type !== 'slate') return;
    expect(parsed.policyVersion).toBe('table@1');
    expect(parsed.shown).toHaveLength(3);
    expect(parsed.candidates.find((c) => c.productId === 'likely')?.features).toMatchObject({ item: 'likely', q: 'running shoes', brand: 'c', cat: 'trail', user: 'u1' });
  });

  it('logs the propensities it actually sampled from (epsilon-greedy matches observed frequencies)', () => {
    const rng = createRng(42);
    const counts = new Map<string, number>();
    const firstSlotPropensity = new Map<string, number>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const r = rank(candidates, models, rng, { ...base, explorationRate: 0.3 });
      const first = r.items[0]!;
      counts.set(first.product.id, (counts.get(first.product.id) ?? 0) + 1);
      firstSlotPropensity.set(first.product.id, first.propensity);
    }
    for (const [id, p] of firstSlotPropensity) expect(counts.get(id)! / n).toBeCloseTo(p, 1);
    // greedy item: 1 - 0.3 + 0.3/3 = 0.8
    expect(firstSlotPropensity.get('likely')).toBeCloseTo(0.8, 12);
  });

  it('softmax exploration: propensities of the options sum to 1', () => {
    const scored = [0.9, 0.5, 0.2].map((score, i) => ({ product: product(`p${i}`, 100, 'b', 'c'), relevance: 1, features: {}, ctr: 0.1, cvr: 0.1, score }));
    let total = 0;
    const seen = new Map<number, number>();
    const rng = createRng(3);
    for (let i = 0; i < 5000; i++) {
      const c = choose(scored, { explorationRate: 0.3, explorationMode: 'softmax' }, rng);
      seen.set(c.index, c.propensity);
    }
    for (const p of seen.values()) total += p;
    expect(total).toBeCloseTo(1, 12);
  });
});

describe('sponsored slots', () => {
  it('runs a second-price eCPM auction with a reserve and marks the winners', () => {
    const win = runAuction([{ ctr: 0.1, bidCpcCents: 50 }, { ctr: 0.2, bidCpcCents: 20 }, { ctr: 0.05, bidCpcCents: 10 }], 1, 1000);
    // eCPM: 5000, 4000, 500 (under reserve). Winner pays ceil(4000 / 100) = 40 per click.
    expect(win.winners).toHaveLength(1);
    expect(win.winners[0]!.ecpmCents).toBe(5000);
    expect(win.winners[0]!.priceCpcCents).toBe(40);
    expect(runAuction([{ ctr: 0.05, bidCpcCents: 10 }], 1, 1000).winners).toHaveLength(0);
  });

  it('places auction winners in the slate as sponsored with propensity 1', () => {
    const ps = [product('ad', 2000, 'adco', 'running'), product('org1', 2000, 'o', 'running'), product('org2', 2000, 'p', 'trail')];
    const m = tableModels({ ad: { ctr: 0.05, cvr: 0.01 }, org1: { ctr: 0.3, cvr: 0.3 }, org2: { ctr: 0.2, cvr: 0.3 } });
    const r = rank([{ product: ps[0]!, relevance: 0.9, bidCpcCents: 100 }, { product: ps[1]!, relevance: 1 }, { product: ps[2]!, relevance: 1 }], m, createRng(1), { ...base, sponsoredSlots: 1, sponsoredReserveCpm: 100 });
    expect(r.items[0]).toMatchObject({ sponsored: true, propensity: 1 });
    expect(r.items[0]!.product.id).toBe('ad');
    expect(r.items.slice(1).every((i) => !i.sponsored)).toBe(true);
    expect(r.event.shown[0]!.sponsored).toBe(true);
  });
});
