import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openCatalogStore } from '../../src/catalog/index.js';
import { ProductSchema, type Product } from '../../src/catalog/product.js';
import type { CatalogStore } from '../../src/catalog/types.js';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';
import { EmbeddedProductIndex } from '../../src/retrieval/embedded.js';
import { HashingTextEncoder, type TextEncoder } from '../../src/retrieval/hashing-encoder.js';
import { createIndexer, type SyncProgress } from '../../src/retrieval/indexer.js';

/** The real hashing encoder, counting the texts it is asked to embed. */
class CountingEncoder implements TextEncoder {
  readonly inner = new HashingTextEncoder({ dim: 64 });
  readonly dim = 64;
  texts = 0;
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.texts += texts.length;
    return this.inner.embed(texts);
  }
  async close(): Promise<void> {}
}

const NOUNS = ['mug', 'belt', 'headphones', 'kettle', 'backpack', 'lamp', 'scarf', 'jacket'];
function product(i: number, patch: Partial<Product> = {}): Product {
  return ProductSchema.parse({
    id: `P${String(i).padStart(4, '0')}`,
    title: `${['insulated', 'leather', 'wireless', 'steel'][i % 4]} ${NOUNS[i % NOUNS.length]} model ${i}`,
    brand: ['acme', 'zenith'][i % 2],
    priceCents: 1000 + i * 10,
    source: 'csv',
    ...patch,
  });
}

describe('indexer', () => {
  let dir: string;
  let db: SqliteDb;
  let catalog: CatalogStore;
  let index: EmbeddedProductIndex;
  let encoder: CountingEncoder;
  const open = async () => {
    index = await EmbeddedProductIndex.open({ dim: 64, annThreshold: 1000, dir: path.join(dir, 'vectors') });
    return createIndexer({ db, catalog, index, encoder, modelId: encoder.inner.modelId, indexKey: 'embedded:test' });
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-indexer-'));
    db = openSqlite(dir);
    catalog = openCatalogStore(db);
    encoder = new CountingEncoder();
  });
  afterEach(async () => {
    await index?.close();
    await catalog.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('embeds every product once, then costs nothing when nothing changed', async () => {
    await catalog.upsert(Array.from({ length: 40 }, (_, i) => product(i)));
    const indexer = await open();
    const progress: SyncProgress[] = [];
    const first = await indexer.sync({ batchSize: 16, onProgress: (p) => progress.push(p) });
    expect(first).toMatchObject({ done: 40, total: 40, embedded: 40, cached: 0, unchanged: 0, deleted: 0 });
    expect(progress.map((p) => p.done)).toEqual([16, 32, 40]);
    expect(await index.count()).toBe(40);
    const second = await indexer.sync({ batchSize: 16 });
    expect(second).toMatchObject({ embedded: 0, cached: 0, unchanged: 40 });
    expect(encoder.texts).toBe(40);
  });

  it('re-embeds changed text only, and updates the payload of a price change from the cache', async () => {
    await catalog.upsert(Array.from({ length: 10 }, (_, i) => product(i)));
    const indexer = await open();
    await indexer.sync();
    const { changedIds } = await catalog.upsert([product(1, { priceCents: 99 }), product(2, { title: 'ceramic teapot' })]);
    const summary = await indexer.sync({ ids: changedIds });
    expect(summary).toMatchObject({ embedded: 1, cached: 1 });
    expect(encoder.texts).toBe(11);
    const q = (await encoder.inner.embed(['ceramic teapot']))[0]!;
    expect((await index.search({ vector: q, k: 1 }))[0]!.id).toBe('P0002');
    const cheap = await index.search({ vector: q, k: 10, filters: { priceMaxCents: 500 } });
    expect(cheap.map((h) => h.id)).toEqual(['P0001']);
  });

  it('removes products deleted from the catalog', async () => {
    await catalog.upsert(Array.from({ length: 10 }, (_, i) => product(i)));
    const indexer = await open();
    await indexer.sync();
    await catalog.delete(['P0003', 'P0004']);
    expect((await indexer.sync()).deleted).toBe(2);
    expect(await index.count()).toBe(8);
    await catalog.delete(['P0005']);
    expect((await indexer.sync({ ids: ['P0005'] })).deleted).toBe(1);
    expect(await index.count()).toBe(7);
  });

  it('resumes after an interruption without duplicates or repeated embeddings', async () => {
    await catalog.upsert(Array.from({ length: 50 }, (_, i) => product(i)));
    let indexer = await open();
    const abort = new AbortController();
    await expect(
      indexer.sync({ batchSize: 10, checkpointEvery: 1, signal: abort.signal, onProgress: (p) => p.done >= 20 && abort.abort(new Error('interrupted')) }),
    ).rejects.toThrow('interrupted');
    // What reached the index before the interruption is on disk: a new process sees it.
    await index.close();
    indexer = await open();
    expect(await index.count()).toBe(20);
    const resumed = await indexer.sync({ batchSize: 10 });
    expect(resumed).toMatchObject({ unchanged: 20, embedded: 30 });
    expect(encoder.texts).toBe(50);
    expect(await index.count()).toBe(50);
  });

  it('rebuilds a lost index from the embedding cache without embedding again', async () => {
    await catalog.upsert(Array.from({ length: 12 }, (_, i) => product(i)));
    const indexer = await open();
    await indexer.sync();
    await index.close();
    rmSync(path.join(dir, 'vectors'), { recursive: true, force: true });
    const again = await open();
    const summary = await again.sync();
    expect(summary).toMatchObject({ rebuilt: true, embedded: 0, cached: 12 });
    expect(await index.count()).toBe(12);
  });
});

describe('shopbot ingest embeds the catalog', () => {
  it('embeds in batches, and a second ingest of the same file costs no embedding', async () => {
    const { run } = await import('../../cli/ingest.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-ingest-embed-'));
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    try {
      const file = path.join(dir, 'catalog.csv');
      writeFileSync(file, 'id,title,price\na,Insulated coffee mug,12.00\nb,Leather belt,25.00\nc,Desk lamp,30.00\n');
      const env = { SHOPBOT_MODELS_DIR: path.join(dir, 'no-models') };
      expect(await run([file, '--format', 'csv', '--data-dir', path.join(dir, 'data')], env)).toBe(0);
      expect(lines.join('\n')).toMatch(/vector index \(hashing hashing-v1-256\): embedded 3, reused 0 cached vectors, 0 unchanged/);
      lines.length = 0;
      expect(await run([file, '--format', 'csv', '--data-dir', path.join(dir, 'data')], env)).toBe(0);
      expect(lines.join('\n')).toMatch(/embedded 0, reused 0 cached vectors, 3 unchanged/);
    } finally {
      spy.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
