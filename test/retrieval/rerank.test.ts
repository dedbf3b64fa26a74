import { describe, expect, it } from 'vitest';
import { ProductSchema, type Product } from '../../src/catalog/index.js';
import { trainGbdt } from '../../src/learning/index.js';
import {
  CandidateRecorder,
  createHybridRetriever,
  createLexicalIndex,
  EmbeddedProductIndex,
  fusedCandidates,
  HashingTextEncoder,
  LearnedReranker,
  RERANK_FEATURES,
  RERANK_SCHEMA,
  RERANKER_FORMAT,
  RerankFeaturizer,
  rerankTrainSet,
  type RerankerCheckpoint,
} from '../../src/retrieval/index.js';

const product = (p: Partial<Product> & { id: string; title: string }): Product => ProductSchema.parse({ source: 'csv', ...p });
const products = [
  product({ id: 'a', title: 'Nike running shoes', brand: 'Nike', color: 'Red', priceCents: 5000, rating: 4.5, ratingCount: 120, category: ['Shoes', 'Running Shoes'] }),
  product({ id: 'b', title: 'Trail running socks', brand: 'Acme', priceCents: 900, demo: ['price'] }),
  product({ id: 'c', title: 'Leather belt', description: 'a belt for running errands' }),
];
const byId = new Map(products.map((p) => [p.id, p]));
const col = (cols: Float64Array[], name: (typeof RERANK_FEATURES)[number]) => Array.from(cols[RERANK_FEATURES.indexOf(name)]!);

describe('re-rank features', () => {
  const f = new RerankFeaturizer((id) => byId.get(id));
  const candidates = fusedCandidates(
    [{ id: 'a', score: 1 }, { id: 'b', score: 0.5 }, { id: 'c', score: 0.1 }],
    [{ id: 'a', score: 8 }, { id: 'c', score: 2 }],
    [{ id: 'b', score: 0.9 }, { id: 'a', score: 0.7 }],
  );

  it('says how each retriever saw a candidate, missing where it did not return it', () => {
    expect(candidates.map((c) => [c.fusedRank, c.lexicalRank, c.denseRank])).toEqual([[1, 1, 2], [2, undefined, 1], [3, 2, undefined]]);
    const cols = f.columns('red nike running shoes', candidates);
    expect(col(cols, 'lexical_share_of_top')).toEqual([1, Number.NaN, 0.25]);
    expect(col(cols, 'dense_gap_to_top')[0]).toBeCloseTo(0.2);
    expect(col(cols, 'dense_gap_to_top')[2]).toBeNaN();
  });

  it('matches brand, colour and category against the query, missing when the product has none', () => {
    const cols = f.columns('red nike running shoes', candidates);
    expect(col(cols, 'brand_in_query')).toEqual([1, 0, Number.NaN]);
    expect(col(cols, 'color_in_query')).toEqual([1, Number.NaN, Number.NaN]);
    expect(col(cols, 'category_in_query')).toEqual([1, Number.NaN, Number.NaN]);
    expect(col(cols, 'title_coverage')[0]).toBe(0.75);
    expect(col(cols, 'head_term_in_title')).toEqual([1, 0, 0]);
    expect(col(cols, 'description_coverage')[2]).toBeGreaterThan(0);
  });

  it('leaves out prices the demo store made up', () => {
    const cols = f.columns('running', candidates);
    expect(col(cols, 'log_price')[0]).toBeCloseTo(Math.log(5000));
    expect(col(cols, 'log_price')[1]).toBeNaN();
    expect(col(cols, 'log_rating_count')[0]).toBeCloseTo(Math.log1p(120));
  });
});

describe('the learned re-ranker in the hybrid retriever', () => {
  const f = new RerankFeaturizer((id) => byId.get(id));

  /** A model trained to put products whose brand the query names first, with the fused order as offset. */
  function brandModel(): RerankerCheckpoint {
    // Every order of the three in turn, so where a product sits says nothing; only what it is does.
    const orders = [['a', 'b', 'c'], ['a', 'c', 'b'], ['b', 'a', 'c'], ['b', 'c', 'a'], ['c', 'a', 'b'], ['c', 'b', 'a']];
    const groups = Array.from({ length: 30 }, (_, i) => ({
      source: `q${i}`,
      query: 'nike running',
      candidates: fusedCandidates(orders[i % orders.length]!.map((id, k) => ({ id, score: 1 - k / 10 })), [], []),
      gains: new Map([['a', 100]]),
    }));
    const set = rerankTrainSet(f, groups, 1);
    const model = trainGbdt({ schema: RERANK_SCHEMA, train: set, params: { objective: 'lambdarank', rounds: 20, learningRate: 0.3, numLeaves: 2, minDataInLeaf: 5, lambdaL2: 0 } });
    return { format: RERANKER_FORMAT, encoderModelId: 'test', offsetScale: 1, features: [...RERANK_FEATURES], trainedOn: { source: 'test', trainQueries: [], validQueries: [] }, valid: {}, ship: true, model: model.toJSON() };
  }

  async function retriever(rerank?: CandidateRecorder | LearnedReranker, mode: 'hybrid' | 'lexical' = 'hybrid') {
    const lexical = createLexicalIndex();
    lexical.upsert(products);
    const encoder = new HashingTextEncoder();
    const index = await EmbeddedProductIndex.open({ dim: encoder.dim, annThreshold: 1000 });
    const vectors = await encoder.embed(products.map((p) => p.title));
    await index.upsert(products.map((p, i) => ({ id: p.id, vector: vectors[i]!, payload: {} })));
    return createHybridRetriever({ lexical, dense: { index, encoder }, mode, ...(rerank ? { rerank } : {}) });
  }

  it('hands the fused candidates to the re-rank stage, with each retriever\'s view of them', async () => {
    const recorder = new CandidateRecorder();
    const r = await retriever(recorder);
    const hits = (await r.search({ text: 'running', k: 10 })).hits;
    const seen = recorder.take();
    expect(seen.query).toBe('running');
    expect(seen.candidates.map((c) => c.id)).toEqual(hits.map((h) => h.id));
    expect(seen.candidates.some((c) => c.lexicalRank !== undefined && c.denseRank !== undefined)).toBe(true);
    expect(() => recorder.take()).toThrow(/re-rank stage/);
  });

  it('re-orders by the model: the named brand comes first', async () => {
    const reranker = new LearnedReranker(brandModel(), f);
    const fusedOnly = await retriever();
    const before = (await fusedOnly.search({ text: 'nike running', k: 10 })).hits.map((h) => h.id);
    const after = (await (await retriever(reranker)).search({ text: 'nike running', k: 10 })).hits.map((h) => h.id);
    expect(after[0]).toBe('a');
    expect([...after].sort()).toEqual([...before].sort());
  });

  it('is not called in lexical mode', async () => {
    const recorder = new CandidateRecorder();
    await (await retriever(recorder, 'lexical')).search({ text: 'running', k: 10 });
    expect(recorder.last).toBeUndefined();
  });
});
