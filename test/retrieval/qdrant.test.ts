import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RetrievalUnavailableError } from '../../src/errors.js';
import { PAYLOAD_INDEXES, QdrantProductIndex, pointId, toQdrantFilter } from '../../src/retrieval/qdrant.js';
import { CONTRACT_DIM, productIndexContract } from './contract.js';
import { contractItems } from './contract-data.js';
import { FakeQdrantServer } from './qdrant-fake-server.js';

const noSleep = async () => {};

// The request building and the filter translation, end to end through the real client.
productIndexContract('qdrant client against FakeQdrantServer', async () => {
  const fake = await FakeQdrantServer.start();
  const open = () => QdrantProductIndex.open({ url: fake.url, collection: 'contract', dim: CONTRACT_DIM, sleep: noSleep });
  return { open, reopen: open, cleanup: () => fake.close() };
});

const qdrantUrl = loadConfig({ env: process.env }).retrieval.qdrantUrl;
describe.skipIf(!qdrantUrl)('real Qdrant (skipped: set QDRANT_URL to run against a server)', () => {
  productIndexContract('qdrant', async () => {
    const collection = `shopbot_contract_${process.pid}_${Date.now()}`;
    const open = () => QdrantProductIndex.open({ url: qdrantUrl!, collection, dim: CONTRACT_DIM });
    return {
      open,
      reopen: open,
      cleanup: async () => {
        await fetch(`${qdrantUrl}/collections/${collection}`, { method: 'DELETE' });
      },
    };
  });
});

describe('QdrantProductIndex requests', () => {
  let fake: FakeQdrantServer;
  beforeEach(async () => {
    fake = await FakeQdrantServer.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('creates the collection with the model dimension, Cosine distance and payload indexes', async () => {
    await QdrantProductIndex.open({ url: fake.url, collection: 'shop', dim: 48 });
    const create = fake.requests.find((r) => r.method === 'PUT' && r.path === '/collections/shop');
    expect(create?.body).toMatchObject({ vectors: { size: 48, distance: 'Cosine' } });
    const indexed = fake.requests.filter((r) => r.path === '/collections/shop/index').map((r) => r.body as { field_name: string; field_schema: unknown });
    expect(indexed.map((b) => b.field_name).sort()).toEqual(PAYLOAD_INDEXES.map((p) => p.field).sort());
    expect(indexed.find((b) => b.field_name === 'price_cents')?.field_schema).toBe('integer');
    expect(indexed.find((b) => b.field_name === 'rating')?.field_schema).toBe('float');
    expect(indexed.find((b) => b.field_name === 'brand')?.field_schema).toBe('keyword');
    expect(indexed.find((b) => b.field_name === 'text')?.field_schema).toMatchObject({ type: 'text' });
    // A second start finds the collection and does not recreate it.
    fake.requests.length = 0;
    await QdrantProductIndex.open({ url: fake.url, collection: 'shop', dim: 48 });
    expect(fake.requests.some((r) => r.method === 'PUT' && r.path === '/collections/shop')).toBe(false);
  });

  it('refuses an existing collection of another size', async () => {
    await QdrantProductIndex.open({ url: fake.url, collection: 'shop', dim: 48 });
    await expect(QdrantProductIndex.open({ url: fake.url, collection: 'shop', dim: 64 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('upserts in batches with UUID point ids and the product id in the payload', async () => {
    const index = await QdrantProductIndex.open({ url: fake.url, collection: 'shop', dim: CONTRACT_DIM, batchSize: 100 });
    fake.requests.length = 0;
    const items = contractItems(250, CONTRACT_DIM);
    await index.upsert(items);
    const puts = fake.requests.filter((r) => r.method === 'PUT' && r.path === '/collections/shop/points');
    expect(puts.map((r) => (r.body as { points: unknown[] }).points.length)).toEqual([100, 100, 50]);
    expect(puts.every((r) => r.query.get('wait') === 'true')).toBe(true);
    const first = (puts[0]!.body as { points: { id: string; payload: Record<string, unknown> }[] }).points[0]!;
    expect(first.id).toBe(pointId(items[0]!.id));
    expect(first.payload).toMatchObject({ product_id: items[0]!.id, brand: items[0]!.payload.brand, categories: items[0]!.payload.categories });
    expect(await index.count()).toBe(250);
  });

  it('maps product ids to stable, distinct version-5 UUIDs', () => {
    expect(pointId('B07CXG6C9W')).toBe(pointId('B07CXG6C9W'));
    expect(pointId('B07CXG6C9W')).not.toBe(pointId('B07CXG6C9X'));
    expect(pointId('B07CXG6C9W')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('translates every filter into a Qdrant filter', () => {
    expect(toQdrantFilter(undefined)).toBeUndefined();
    expect(toQdrantFilter({ brands: [], inStockOnly: false })).toBeUndefined();
    expect(
      toQdrantFilter({
        priceMinCents: 100,
        priceMaxCents: 3000,
        brands: ['Acme'],
        colors: ['red'],
        categories: ['audio'],
        minRating: 4,
        inStockOnly: true,
        excludeTerms: ['Buckles', 'faux leather'],
        excludeIds: ['p-1'],
      }),
    ).toEqual({
      must: [
        { key: 'price_cents', range: { gte: 100, lte: 3000 } },
        { key: 'brand', match: { any: ['acme'] } },
        { key: 'colors', match: { any: ['red'] } },
        { key: 'categories', match: { any: ['audio'] } },
        { key: 'rating', range: { gte: 4 } },
        { key: 'availability', match: { value: 'in_stock' } },
      ],
      must_not: [
        { key: 'text', match: { text: 'buckle' } },
        { key: 'text', match: { text: 'faux leather' } },
        { has_id: [pointId('p-1')] },
      ],
    });
  });

  it('retries failed writes with exponential back-off', async () => {
    const delays: number[] = [];
    const index = await QdrantProductIndex.open({ url: fake.url, collection: 'shop', dim: CONTRACT_DIM, baseDelayMs: 50, sleep: async (ms) => void delays.push(ms) });
    fake.failNext = { count: 3, status: 503 };
    await index.upsert(contractItems(5, CONTRACT_DIM));
    expect(delays).toEqual([50, 100, 200]);
    expect(await index.count()).toBe(5);
  });

  it('gives up with RETRIEVAL_UNAVAILABLE when retries are exhausted', async () => {
    const index = await QdrantProductIndex.open({ url: fake.url, collection: 'shop', dim: CONTRACT_DIM, attempts: 3, sleep: noSleep });
    fake.failNext = { count: 10, status: 502 };
    await expect(index.upsert(contractItems(2, CONTRACT_DIM))).rejects.toBeInstanceOf(RetrievalUnavailableError);
    expect(fake.failNext.count).toBe(7);
  });

  it('does not retry a request Qdrant rejects as invalid', async () => {
    const index = await QdrantProductIndex.open({ url: fake.url, collection: 'shop', dim: CONTRACT_DIM, sleep: noSleep });
    fake.failNext = { count: 1, status: 400 };
    await expect(index.upsert(contractItems(2, CONTRACT_DIM))).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('injected 400') });
    expect(fake.failNext.count).toBe(0);
    await index.upsert(contractItems(2, CONTRACT_DIM));
    expect(await index.count()).toBe(2);
  });

  it('fails a search fast with RETRIEVAL_UNAVAILABLE when the server is unreachable', async () => {
    const index = await QdrantProductIndex.open({ url: fake.url, collection: 'shop', dim: CONTRACT_DIM, sleep: noSleep });
    await index.upsert(contractItems(5, CONTRACT_DIM));
    fake.isDown = true;
    const before = fake.requests.length;
    await expect(index.search({ vector: contractItems(1, CONTRACT_DIM)[0]!.vector, k: 3 })).rejects.toMatchObject({ code: 'RETRIEVAL_UNAVAILABLE' });
    expect(fake.requests.length).toBe(before);
    fake.isDown = false;
    expect(await index.search({ vector: contractItems(1, CONTRACT_DIM)[0]!.vector, k: 3 })).toHaveLength(3);
  });

  it('accepts a collection another process created concurrently (409)', async () => {
    const a = QdrantProductIndex.open({ url: fake.url, collection: 'race', dim: CONTRACT_DIM });
    const b = QdrantProductIndex.open({ url: fake.url, collection: 'race', dim: CONTRACT_DIM });
    await expect(Promise.all([a, b])).resolves.toHaveLength(2);
  });
});
