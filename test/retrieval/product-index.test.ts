import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalogStore } from '../../src/catalog/index.js';
import { ProductSchema, type Product } from '../../src/catalog/product.js';
import { loadConfig } from '../../src/config.js';
import { EmbeddedProductIndex } from '../../src/retrieval/embedded.js';
import { matchesFilters } from '../../src/retrieval/filters.js';
import { createLexicalIndex, indexCatalog, openRetrieval } from '../../src/retrieval/index.js';
import { compileFilters, filterFields as payloadFromProduct } from '../../src/retrieval/filters.js';
import { negationTokens } from '../../src/text/index.js';
import { openProductIndex } from '../../src/retrieval/index.js';
import { QdrantProductIndex } from '../../src/retrieval/qdrant.js';
import type { SearchFilters } from '../../src/retrieval/types.js';
import { openSqlite } from '../../src/storage/sqlite.js';
import { FakeQdrantServer } from './qdrant-fake-server.js';

const log = { info() {}, warn() {}, error() {} };
const product = (id: string, extra: Record<string, unknown>): Product => ProductSchema.parse({ id, title: `item ${id}`, source: 'csv', ...extra });

describe('filter payload', () => {
  it('folds plurals and splits CJK for negations', () => {
    expect(negationTokens('Belts without BUCKLES, boxes & glasses')).toEqual(['belt', 'without', 'buckle', 'box', 'glass']);
    expect(negationTokens('跑步耳机')).toEqual(['跑', '步', '耳', '机']);
  });

  it('agrees with filters.ts on field filters over varied products', () => {
    const products = [
      product('a', { priceCents: 1000, salePriceCents: 800, brand: 'Acme', color: 'Matte Black', category: ['Home', 'Kitchen'], rating: 4.5 }),
      product('b', { priceCents: 3000, brand: 'Zenith', color: 'Red', category: ['Sports'], rating: 3, availability: 'out_of_stock' }),
      product('c', { brand: 'acme', color: 'black', stock: 0 }),
      product('d', { priceCents: 2000, category: ['Home', 'Bath'], rating: 5, stock: 3 }),
    ];
    const cases: SearchFilters[] = [
      { priceMaxCents: 900 },
      { priceMinCents: 1500, priceMaxCents: 3000 },
      { brands: ['acme'] },
      { colors: ['black'] },
      { categories: ['home'] },
      { minRating: 4 },
      { inStockOnly: true },
      { excludeIds: ['a', 'd'] },
      { brands: ['acme'], inStockOnly: true, colors: ['black'] },
    ];
    for (const f of cases) {
      const mine = products.filter((p) => compileFilters(f)(p.id, payloadFromProduct(p))).map((p) => p.id);
      const theirs = products.filter((p) => matchesFilters(p, f)).map((p) => p.id);
      expect(mine, JSON.stringify(f)).toEqual(theirs);
    }
  });
});

describe('openProductIndex', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-pi-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens the embedded engine in the data directory by default', async () => {
    const config = loadConfig({ overrides: { dataDir: dir } });
    const index = await openProductIndex(config, { dim: 8, modelId: 'm1' });
    expect(index).toBeInstanceOf(EmbeddedProductIndex);
    await index.upsert([{ id: 'x', vector: new Float32Array(8).fill(1), payload: {} }]);
    await index.close();
    const again = await openProductIndex(config, { dim: 8, modelId: 'm1' });
    expect(await again.count()).toBe(1);
    await again.close();
    const otherModel = await openProductIndex(config, { dim: 8, modelId: 'm2' });
    expect(await otherModel.count()).toBe(0);
    await otherModel.close();
  });

  it('opens Qdrant when configured', async () => {
    const fake = await FakeQdrantServer.start();
    try {
      const config = loadConfig({ env: { SHOPBOT_RETRIEVAL: 'qdrant', QDRANT_URL: fake.url, SHOPBOT_QDRANT_COLLECTION: 'products_x' } });
      const index = await openProductIndex(config, { dim: 8 });
      expect(index).toBeInstanceOf(QdrantProductIndex);
      expect(fake.collections.get('products_x')?.size).toBe(8);
      await index.close();
    } finally {
      await fake.close();
    }
  });
});

describe('openRetrieval', () => {
  it('wires encoder, index, indexer and hybrid retriever, falling back to the hashing encoder without a model', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-retrieval-'));
    const db = openSqlite(dir);
    const catalog = openCatalogStore(db);
    try {
      const config = loadConfig({ overrides: { dataDir: dir, models: { dir: path.join(dir, 'no-models') } } });
      const products = [
        product('mug', { title: 'Insulated travel mug keeps coffee hot', priceCents: 1500 }),
        product('belt', { title: 'Leather belt with buckle', priceCents: 2500 }),
        product('lamp', { title: 'Desk lamp, warm light', priceCents: 3500 }),
      ];
      await catalog.upsert(products);
      const lexical = createLexicalIndex();
      lexical.upsert(products);
      const retrieval = await openRetrieval(config, { db, catalog, lexical, log });
      expect(retrieval.encoder.kind).toBe('hashing');
      expect(await retrieval.sync()).toMatchObject({ embedded: 3 });
      const { hits, degraded } = await retrieval.retriever.search({ text: 'travel mugs for coffee', k: 2 });
      expect(degraded).toBe(false);
      expect(hits[0]!.id).toBe('mug');
      expect(retrieval.retriever.health()).toMatchObject({ dense: 'ok', degradedCount: 0 });
      await retrieval.close();
      // The ingest path: a second process finds the index current and embeds nothing.
      expect(await indexCatalog(config, { db, catalog, log })).toMatchObject({ unchanged: 3, embedded: 0, encoderKind: 'hashing' });
      await catalog.upsert([product('kettle', { title: 'Electric kettle' })]);
      expect(await indexCatalog(config, { db, catalog, log })).toMatchObject({ unchanged: 3, embedded: 1 });
    } finally {
      await catalog.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
