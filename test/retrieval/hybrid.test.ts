import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProductSchema, type Product } from '../../src/catalog/product.js';
import { EmbeddedProductIndex } from '../../src/retrieval/embedded.js';
import { matchesFilters } from '../../src/retrieval/filters.js';
import { HashingTextEncoder } from '../../src/retrieval/hashing-encoder.js';
import { createHybridRetriever, linearFuse, rrfFuse, withFeedback, type Retriever } from '../../src/retrieval/hybrid.js';
import { createLexicalIndex } from '../../src/retrieval/lexical.js';
import { filterFields as payloadFromProduct } from '../../src/retrieval/filters.js';
import type { ProductIndex, RetrievalLog } from '../../src/retrieval/product-index.js';
import { QdrantProductIndex } from '../../src/retrieval/qdrant.js';
import { FakeQdrantServer } from './qdrant-fake-server.js';

const p = (id: string, title: string, extra: Record<string, unknown> = {}): Product => ProductSchema.parse({ id, title, source: 'csv', ...extra });

const PRODUCTS: Product[] = [
  p('belt-1', 'Leather belt with brass buckle', { priceCents: 2500, brand: 'Acme', color: 'Brown' }),
  p('belt-2', 'Leather belt, no buckle, 1.75 inch strap', { priceCents: 3500, brand: 'Acme', color: 'Black' }),
  p('belt-3', 'Buckleless elastic leather belt for men', { priceCents: 1900, brand: 'Zenith', color: 'Matte Black' }),
  p('mug-1', 'Insulated stainless steel coffee mug keeps drinks hot', { priceCents: 1800, brand: 'Thermo' }),
  p('mug-2', 'Ceramic coffee mug 12 oz', { priceCents: 900, brand: 'Thermo', availability: 'out_of_stock' }),
  p('phones-1', 'Wireless running headphones, sweatproof', { priceCents: 5900, brand: 'Sonic', category: ['Electronics', 'Audio'] }),
  p('phones-2', 'Over-ear studio headphones', { priceCents: 12900, brand: 'Sonic', category: ['Electronics', 'Audio'] }),
  p('kettle-1', 'Electric kettle 1.7 L', { priceCents: 3900, brand: 'Acme', category: ['Home', 'Kitchen'] }),
];

const encoder = new HashingTextEncoder({ dim: 128 });

async function denseIndex(index: ProductIndex): Promise<ProductIndex> {
  const vectors = await encoder.embed(PRODUCTS.map((x) => `${x.title} ${x.brand ?? ''}`));
  await index.upsert(PRODUCTS.map((x, i) => ({ id: x.id, vector: vectors[i]!, payload: payloadFromProduct(x) })));
  return index;
}

function lexical() {
  const l = createLexicalIndex();
  l.upsert(PRODUCTS);
  return l;
}

describe('fusion', () => {
  it('RRF sums 1/(k + rank) over the lists', () => {
    const fused = rrfFuse([[{ id: 'a', score: 9 }, { id: 'b', score: 8 }], [{ id: 'b', score: 0.9 }, { id: 'c', score: 0.5 }]], 60);
    expect(fused.map((h) => h.id)).toEqual(['b', 'a', 'c']);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused[1]!.score).toBeCloseTo(1 / 61, 12);
  });

  it('linear blend min-max normalizes each list before weighting', () => {
    const fused = linearFuse([{ id: 'a', score: 10 }, { id: 'b', score: 5 }, { id: 'c', score: 0 }], [{ id: 'c', score: 0.9 }, { id: 'a', score: 0.1 }], 0.5);
    expect(fused.map((h) => [h.id, h.score])).toEqual([['a', 0.5], ['c', 0.5], ['b', 0.25]]);
  });
});

describe('dense feedback', () => {
  it('moves the query vector toward the mean of the feedback vectors, renormalized', () => {
    const q = Float32Array.from([1, 0, 0]);
    const moved = withFeedback(q, new Map([['a', Float32Array.from([0, 1, 0])], ['b', Float32Array.from([0, 0, 1])]]), 2);
    expect([...moved].map((x) => +x.toFixed(6))).toEqual([+(1 / Math.sqrt(3)).toFixed(6), +(1 / Math.sqrt(3)).toFixed(6), +(1 / Math.sqrt(3)).toFixed(6)]);
    expect(withFeedback(q, new Map(), 4)).toBe(q);
  });

  it('reads the vectors of the top lexical hits, and not in dense-only mode', async () => {
    const index = await denseIndex(await EmbeddedProductIndex.open({ dim: encoder.dim, annThreshold: 1000 }));
    const asked: string[][] = [];
    const spied: ProductIndex = Object.assign(Object.create(index) as ProductIndex, {
      vectors: (ids: readonly string[]) => (asked.push([...ids]), index.vectors(ids)),
    });
    const lex = lexical();
    const fusion = { kind: 'linear', denseWeight: 0.2, feedback: { docs: 2, weight: 1 } } as const;
    const hybrid = createHybridRetriever({ lexical: lex, dense: { index: spied, encoder }, fusion, candidates: 8 });
    await hybrid.search({ text: 'leather belt', k: 3 });
    expect(asked).toEqual([lex.search('leather belt', { k: 2 }).map((h) => h.id)]);
    const dense = createHybridRetriever({ lexical: lex, dense: { index: spied, encoder }, fusion, mode: 'dense' });
    await dense.search({ text: 'leather belt', k: 3 });
    expect(asked).toHaveLength(1);
  });
});

describe('hybrid retriever (embedded)', () => {
  let retriever: Retriever;
  beforeEach(async () => {
    const index = await denseIndex(await EmbeddedProductIndex.open({ dim: encoder.dim, annThreshold: 1000 }));
    retriever = createHybridRetriever({ lexical: lexical(), dense: { index, encoder }, candidates: 20 });
  });
  afterEach(() => retriever.close());

  it('fuses both sides: a misspelling only the dense side can match still ranks', async () => {
    const { hits, degraded } = await retriever.search({ text: 'sweatprof hedphones', k: 3 });
    expect(degraded).toBe(false);
    expect(hits[0]!.id).toBe('phones-1');
    expect(hits[0]!.denseRank).toBe(1);
    const exact = await retriever.search({ text: 'electric kettle', k: 1 });
    expect(exact.hits[0]).toMatchObject({ id: 'kettle-1', lexicalRank: 1 });
  });

  it('applies filters and negations inside both retrievers', async () => {
    const filters = { excludeTerms: ['buckles'], priceMaxCents: 3600 };
    const { hits } = await retriever.search({ text: 'leather belt without buckles', k: 5, filters });
    // belt-1's title has a buckle; belt-2's title says it has none, which is what was asked for.
    expect(hits.map((h) => h.id)).toContain('belt-3');
    expect(hits.map((h) => h.id)).toContain('belt-2');
    expect(hits.map((h) => h.id)).not.toContain('belt-1');
    const inStock = await retriever.search({ text: 'coffee mug', k: 5, filters: { inStockOnly: true, colors: [] } });
    expect(inStock.hits.map((h) => h.id)).not.toContain('mug-2');
    const black = await retriever.search({ text: 'belt', k: 5, filters: { colors: ['black'] } });
    expect(black.hits.map((h) => h.id).sort()).toEqual(['belt-2', 'belt-3']);
    const product = (id: string) => PRODUCTS.find((x) => x.id === id)!;
    for (const h of inStock.hits) expect(matchesFilters(product(h.id), { inStockOnly: true }), h.id).toBe(true);
    for (const h of black.hits) expect(matchesFilters(product(h.id), { colors: ['black'] }), h.id).toBe(true);
  });

  it('puts a preferred brand first and fills the page with other matches when it runs out', async () => {
    const preferred = { filters: { brands: ['zenith'] }, min: 3 };
    const { hits } = await retriever.search({ text: 'leather belt', k: 3, filters: { priceMaxCents: 4000 }, preferred });
    expect(hits.map((h) => h.id)[0]).toBe('belt-3');
    expect(hits.map((h) => h.id).slice(1).sort()).toEqual(['belt-1', 'belt-2']);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThan(hits[i]!.score);
    // Enough of the brand for the page: nothing else is added.
    const only = await retriever.search({ text: 'leather belt', k: 3, preferred: { ...preferred, min: 1 } });
    expect(only.hits.map((h) => h.id)).toEqual(['belt-3']);
  });

  it('reports the dense side as off in lexical mode', async () => {
    const lexOnly = createHybridRetriever({ lexical: lexical(), mode: 'lexical' });
    expect(lexOnly.health().dense).toBe('off');
    expect((await lexOnly.search({ text: 'kettle', k: 1 })).hits[0]!.id).toBe('kettle-1');
  });
});

describe('hybrid retriever degradation (Qdrant through FakeQdrantServer)', () => {
  let fake: FakeQdrantServer;
  let clock: number;
  let scheduled: { fn: () => void; ms: number }[];
  let warnings: object[];
  let retriever: Retriever;
  const log: RetrievalLog = { info() {}, warn: (o) => void warnings.push(o) };

  beforeEach(async () => {
    fake = await FakeQdrantServer.start();
    clock = 1_000_000;
    scheduled = [];
    warnings = [];
    const index = await denseIndex(await QdrantProductIndex.open({ url: fake.url, collection: 'shop', dim: encoder.dim, sleep: async () => {} }));
    retriever = createHybridRetriever({
      lexical: lexical(),
      dense: { index, encoder },
      log,
      now: () => clock,
      schedule: (fn, ms) => {
        // Like a timer: once fired it is no longer pending.
        const entry = { fn: () => { scheduled.splice(scheduled.indexOf(entry), 1); fn(); }, ms };
        scheduled.push(entry);
        return () => void scheduled.splice(scheduled.indexOf(entry), 1);
      },
      probeInitialMs: 1000,
    });
  });
  afterEach(async () => {
    await retriever.close();
    await fake.close();
  });

  it('answers from the lexical index while Qdrant is down, logs and counts it, and recovers by itself', async () => {
    fake.isDown = true;
    const first = await retriever.search({ text: 'electric kettle', k: 3 });
    expect(first.degraded).toBe(true);
    expect(first.hits[0]!.id).toBe('kettle-1');
    expect(retriever.health()).toMatchObject({ dense: 'degraded', since: 1_000_000, degradedCount: 1, degradedTurns: 1 });
    expect(warnings).toEqual([expect.objectContaining({ event: 'retrieval_degraded' })]);

    // Inside the back-off window turns do not wait on Qdrant at all.
    const before = fake.requests.length;
    fake.isDown = false;
    expect((await retriever.search({ text: 'kettle', k: 1 })).degraded).toBe(true);
    expect(fake.requests.length).toBe(before);

    // The background probe finds Qdrant back.
    expect(scheduled.map((s) => s.ms)).toEqual([1000]);
    scheduled[0]!.fn();
    await expect.poll(() => retriever.health().dense).toBe('ok');
    expect(retriever.health()).toMatchObject({ degradedCount: 1, degradedTurns: 2 });
    const back = await retriever.search({ text: 'sweatprof hedphones', k: 1 });
    expect(back).toMatchObject({ degraded: false, hits: [{ id: 'phones-1' }] });
  });

  it('backs off exponentially while the probe keeps failing, and a turn after the window re-probes', async () => {
    fake.isDown = true;
    await retriever.search({ text: 'mug', k: 1 });
    scheduled[0]!.fn();
    await expect.poll(() => scheduled.map((s) => s.ms)).toEqual([2000]);
    scheduled[0]!.fn();
    await expect.poll(() => scheduled.map((s) => s.ms)).toEqual([4000]);
    expect(retriever.health()).toMatchObject({ dense: 'degraded', degradedCount: 1 });
    fake.isDown = false;
    clock += 10_000;
    expect((await retriever.search({ text: 'mug', k: 1 })).degraded).toBe(false);
    expect(retriever.health().dense).toBe('ok');
    expect(scheduled).toEqual([]);
  });
});
