/**
 * The ProductIndex contract, run against every engine (embedded exact, embedded HNSW and, when
 * QDRANT_URL is set, Qdrant). Each engine must return the brute-force answer on this small
 * clustered set, with filters applied inside the search.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ProductIndex } from '../../src/retrieval/product-index.js';
import { ShopbotError } from '../../src/errors.js';
import { bruteForce, contractItems, contractPayload, mulberry32, randomUnit } from './contract-data.js';

export const CONTRACT_DIM = 32;

export interface ContractHarness {
  /** A fresh, empty index of CONTRACT_DIM dimensions. */
  open(): Promise<ProductIndex>;
  /** A new handle on the data the last opened index persisted (after snapshot + close). */
  reopen(): Promise<ProductIndex>;
  cleanup(): Promise<void>;
}

export function productIndexContract(name: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`ProductIndex contract: ${name}`, () => {
    let harness: ContractHarness | undefined;
    const opened: ProductIndex[] = [];
    const items = contractItems(240, CONTRACT_DIM);
    const queries = Array.from({ length: 5 }, (_, i) => randomUnit(mulberry32(100 + i), CONTRACT_DIM));
    const byId = new Map(items.map((it, i) => [it.id, { ...it, i }]));

    async function open(): Promise<ProductIndex> {
      harness = await makeHarness();
      const index = await harness.open();
      opened.push(index);
      return index;
    }

    afterEach(async () => {
      for (const index of opened.splice(0)) await index.close();
      await harness?.cleanup();
      harness = undefined;
    });

    it('returns the exact nearest neighbours by cosine, best first', async () => {
      const index = await open();
      await index.upsert(items);
      expect(await index.count()).toBe(items.length);
      for (const q of queries) {
        const hits = await index.search({ vector: q, k: 10 });
        expect(hits.map((h) => h.id)).toEqual(bruteForce(items, q, 10));
        for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
      }
      const self = await index.search({ vector: items[3]!.vector, k: 1 });
      expect(self[0]!.id).toBe(items[3]!.id);
      expect(self[0]!.score).toBeCloseTo(1, 4);
    });

    it('returns stored vectors by id, leaving out unknown ids', async () => {
      const index = await open();
      await index.upsert(items.slice(0, 20));
      const got = await index.vectors([items[2]!.id, 'no-such-product', items[7]!.id]);
      expect([...got.keys()].sort()).toEqual([items[2]!.id, items[7]!.id].sort());
      const v = got.get(items[7]!.id)!;
      for (let i = 0; i < CONTRACT_DIM; i++) expect(v[i]).toBeCloseTo(items[7]!.vector[i]!, 5);
      expect((await index.vectors([])).size).toBe(0);
    });

    it('replaces by id and deletes', async () => {
      const index = await open();
      await index.upsert(items.slice(0, 50));
      const moved = { ...items[0]!, vector: items[49]!.vector.map((x) => -x) };
      await index.upsert([moved]);
      expect(await index.count()).toBe(50);
      const top = await index.search({ vector: moved.vector, k: 1 });
      expect(top[0]!.id).toBe(items[0]!.id);
      await index.delete([items[0]!.id, 'never-indexed']);
      expect(await index.count()).toBe(49);
      const after = await index.search({ vector: moved.vector, k: 49 });
      expect(after.map((h) => h.id)).not.toContain(items[0]!.id);
      expect(after).toHaveLength(49);
      // A deleted id can come back.
      await index.upsert([items[0]!]);
      expect(await index.count()).toBe(50);
      expect((await index.search({ vector: items[0]!.vector, k: 1 }))[0]!.id).toBe(items[0]!.id);
    });

    it('applies every filter inside the search and still returns k hits', async () => {
      const index = await open();
      await index.upsert(items);
      const q = queries[0]!;
      const cases: { filters: Parameters<ProductIndex['search']>[0]['filters']; check: (i: number) => boolean }[] = [
        { filters: { brands: ['acme', 'nova'] }, check: (i) => ['acme', 'nova'].includes(contractPayload(i).brand!) },
        { filters: { colors: ['red'] }, check: (i) => contractPayload(i).colors!.includes('red') },
        { filters: { categories: ['audio'] }, check: (i) => contractPayload(i).categories!.includes('audio') },
        { filters: { priceMinCents: 2000, priceMaxCents: 6000 }, check: (i) => { const p = contractPayload(i).priceCents; return p !== undefined && p >= 2000 && p <= 6000; } },
        { filters: { minRating: 4 }, check: (i) => (contractPayload(i).rating ?? 0) >= 4 },
        { filters: { inStockOnly: true }, check: (i) => contractPayload(i).availability === 'in_stock' },
        { filters: { excludeTerms: ['buckles'] }, check: (i) => !contractPayload(i).text!.split(' ').includes('buckle') },
        { filters: { excludeIds: bruteForce(items, q, 5) }, check: (i) => !bruteForce(items, q, 5).includes(`p-${i}`) },
        { filters: { brands: ['orbit'], colors: ['blue'], inStockOnly: true }, check: (i) => { const p = contractPayload(i); return p.brand === 'orbit' && p.colors!.includes('blue') && p.availability === 'in_stock'; } },
      ];
      for (const { filters, check } of cases) {
        const hits = await index.search({ vector: q, k: 10, ...(filters ? { filters } : {}) });
        const expected = bruteForce(items, q, 10, filters);
        expect(expected.length, JSON.stringify(filters)).toBeGreaterThan(0);
        expect(hits.map((h) => h.id), JSON.stringify(filters)).toEqual(expected);
        for (const h of hits) expect(check(byId.get(h.id)!.i), `${h.id} ${JSON.stringify(filters)}`).toBe(true);
      }
    });

    it('finds the only matches of a very selective filter', async () => {
      const index = await open();
      await index.upsert(items);
      // 'orbit' + 'blue' + in stock + audio matches a handful of the 240 products.
      const filters = { brands: ['orbit'], colors: ['blue'], categories: ['audio'], inStockOnly: true };
      const expected = bruteForce(items, queries[1]!, 50, filters);
      const hits = await index.search({ vector: queries[1]!, k: 50, filters });
      expect(hits.map((h) => h.id)).toEqual(expected);
      expect(await index.search({ vector: queries[1]!, k: 5, filters: { brands: ['no-such-brand'] } })).toEqual([]);
    });

    it('returns everything when k exceeds the count, and nothing when empty', async () => {
      const index = await open();
      expect(await index.search({ vector: queries[0]!, k: 5 })).toEqual([]);
      await index.upsert(items.slice(0, 3));
      expect(await index.search({ vector: queries[0]!, k: 10 })).toHaveLength(3);
    });

    it('rejects vectors of the wrong dimension and bad k with BAD_REQUEST', async () => {
      const index = await open();
      await expect(index.upsert([{ id: 'x', vector: new Float32Array(CONTRACT_DIM + 1), payload: {} }])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(index.search({ vector: new Float32Array(3), k: 1 })).rejects.toBeInstanceOf(ShopbotError);
      await expect(index.search({ vector: queries[0]!, k: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    });

    it('persists through snapshot and reopen', async () => {
      const index = await open();
      await index.upsert(items.slice(0, 100));
      await index.delete([items[5]!.id]);
      await index.snapshot();
      await index.close();
      opened.splice(opened.indexOf(index), 1);
      const again = await harness!.reopen();
      opened.push(again);
      expect(await again.count()).toBe(99);
      const kept = items.slice(0, 100).filter((it) => it.id !== items[5]!.id);
      const hits = await again.search({ vector: queries[2]!, k: 10, filters: { inStockOnly: true } });
      expect(hits.map((h) => h.id)).toEqual(bruteForce(kept, queries[2]!, 10, { inStockOnly: true }));
    });
  });
}
