import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedProductIndex } from '../../src/retrieval/embedded.js';
import { productIndexContract, CONTRACT_DIM } from './contract.js';
import { bruteForce, contractItems, mulberry32, randomUnit } from './contract-data.js';

function embeddedHarness(annThreshold: number) {
  return async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-embedded-'));
    const open = () => EmbeddedProductIndex.open({ dim: CONTRACT_DIM, annThreshold, dir: path.join(dir, 'index') });
    return { open, reopen: open, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  };
}

productIndexContract('embedded exact', embeddedHarness(1_000_000));
productIndexContract('embedded hnsw', embeddedHarness(1));

describe('EmbeddedProductIndex', () => {
  it('switches to HNSW at the threshold and back below half of it', async () => {
    const index = await EmbeddedProductIndex.open({ dim: CONTRACT_DIM, annThreshold: 100 });
    const items = contractItems(120, CONTRACT_DIM);
    await index.upsert(items.slice(0, 99));
    expect(index.mode).toBe('exact');
    await index.upsert(items.slice(99));
    expect(index.mode).toBe('hnsw');
    const q = randomUnit(mulberry32(3), CONTRACT_DIM);
    expect((await index.search({ vector: q, k: 10 })).map((h) => h.id)).toEqual(bruteForce(items, q, 10));
    await index.delete(items.slice(0, 80).map((it) => it.id));
    expect(index.mode).toBe('exact');
    expect((await index.search({ vector: q, k: 10 })).map((h) => h.id)).toEqual(bruteForce(items.slice(80), q, 10));
    await index.close();
  });

  it('gives the filtered top k whether a field filter runs before scoring (selective) or after it (broad)', async () => {
    const index = await EmbeddedProductIndex.open({ dim: CONTRACT_DIM, annThreshold: 1_000_000 });
    const items = contractItems(400, CONTRACT_DIM);
    await index.upsert(items);
    const q = randomUnit(mulberry32(11), CONTRACT_DIM);
    // Most items pass the first two, few the last two; excluded ids and terms ride along.
    for (const filters of [
      { priceMaxCents: 9_000 },
      { priceMaxCents: 9_000, excludeIds: bruteForce(items, q, 5), excludeTerms: ['item'] },
      { brands: [items[3]!.payload.brand!], priceMaxCents: 4_000 },
      { priceMinCents: 10_300 },
    ]) {
      expect((await index.search({ vector: q, k: 20, filters })).map((h) => h.id)).toEqual(bruteForce(items, q, 20, filters));
    }
    await index.close();
  });

  it('reuses freed slots without resurrecting deleted ids (HNSW)', async () => {
    const index = await EmbeddedProductIndex.open({ dim: CONTRACT_DIM, annThreshold: 1 });
    const items = contractItems(60, CONTRACT_DIM);
    await index.upsert(items.slice(0, 50));
    await index.delete(items.slice(0, 10).map((it) => it.id));
    await index.upsert(items.slice(50));
    expect(await index.count()).toBe(50);
    const q = items[2]!.vector;
    const hits = await index.search({ vector: q, k: 50 });
    expect(new Set(hits.map((h) => h.id))).toEqual(new Set(items.slice(10).map((it) => it.id)));
    await index.close();
  });

  it('refuses an index persisted with another dimension', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-embedded-'));
    try {
      const a = await EmbeddedProductIndex.open({ dim: CONTRACT_DIM, annThreshold: 10, dir });
      await a.upsert(contractItems(3, CONTRACT_DIM));
      await a.close();
      await expect(EmbeddedProductIndex.open({ dim: 16, annThreshold: 10, dir })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
