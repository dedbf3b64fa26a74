import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalogStore, ProductSchema, type CatalogStore, type Product } from '../../src/catalog/index.js';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';

function product(id: string, extra: Partial<Product> = {}): Product {
  return ProductSchema.parse({ id, title: `Product ${id}`, priceCents: 1000, source: 'csv', ...extra });
}

describe('SqliteCatalogStore', () => {
  let db: SqliteDb;
  let store: CatalogStore;
  let now = 1_000;

  beforeEach(() => {
    db = openSqlite(':memory:');
    now = 1_000;
    store = openCatalogStore(db, { now: () => now });
  });
  afterEach(async () => {
    await store.close();
    db.close();
  });

  it('inserts, then reports an identical product as unchanged', async () => {
    const first = await store.upsert([product('a'), product('b')]);
    expect(first).toEqual({ inserted: 2, updated: 0, unchanged: 0, changedIds: ['a', 'b'] });
    const again = await store.upsert([product('a'), product('b')]);
    expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 2, changedIds: [] });
    expect(await store.count()).toBe(2);
  });

  it('updates a changed product and lists only it for re-embedding', async () => {
    await store.upsert([product('a'), product('b')]);
    now = 2_000;
    const r = await store.upsert([product('a', { priceCents: 900 }), product('b')]);
    expect(r).toEqual({ inserted: 0, updated: 1, unchanged: 1, changedIds: ['a'] });
    expect((await store.get('a'))!.priceCents).toBe(900);
    const row = db.prepare('SELECT updated_at FROM products WHERE id = ?').get('a') as { updated_at: number };
    expect(row.updated_at).toBe(2_000);
  });

  it('hashes content independently of key order', async () => {
    await store.upsert([product('a', { brand: 'X', color: 'Red' })]);
    const reordered = Object.fromEntries(Object.entries(product('a', { brand: 'X', color: 'Red' })).reverse()) as Product;
    expect((await store.upsert([reordered])).unchanged).toBe(1);
  });

  it('soft-deletes, hides deleted products, and brings them back as inserted', async () => {
    await store.upsert([product('a'), product('b'), product('c')]);
    expect(await store.delete(['b', 'missing'])).toBe(1);
    expect(await store.delete(['b'])).toBe(0);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.count()).toBe(2);
    expect([...(await store.getMany(['a', 'b', 'c'])).keys()].sort()).toEqual(['a', 'c']);
    const back = await store.upsert([product('b')]);
    expect(back).toEqual({ inserted: 1, updated: 0, unchanged: 0, changedIds: ['b'] });
  });

  it('iterates every live product in id order across pages', async () => {
    const many = Array.from({ length: 1203 }, (_, i) => product(`p${String(i).padStart(5, '0')}`));
    await store.upsert(many);
    await store.delete(['p00010']);
    const ids: string[] = [];
    for await (const p of store.all()) ids.push(p.id);
    expect(ids).toHaveLength(1202);
    expect(ids).toEqual([...ids].sort());
    expect(ids).not.toContain('p00010');
  });

  it('round-trips every field', async () => {
    const full = product('z', {
      description: 'd',
      bullets: ['x', 'y'],
      brand: 'B',
      color: 'Blue',
      size: 'M',
      category: ['A', 'B'],
      salePriceCents: 800,
      currency: 'EUR',
      marginCents: 300,
      availability: 'preorder',
      stock: 3,
      rating: 4.2,
      ratingCount: 7,
      imageUrl: 'https://i',
      url: 'https://u',
      gtin: '123',
      demo: ['price'],
    });
    await store.upsert([full]);
    expect(await store.get('z')).toEqual(full);
  });

  it('refuses an invalid product and writes nothing', async () => {
    const bad = { ...product('ok'), title: '' } as Product;
    await expect(store.upsert([product('fine'), bad])).rejects.toMatchObject({ code: 'CATALOG_ROW_INVALID' });
    expect(await store.count()).toBe(0);
  });

  describe('product cache', () => {
    it('serves the same frozen product again, and a changed or deleted product as stored', async () => {
      await store.upsert([product('a'), product('b')]);
      const first = (await store.getMany(['b', 'a']))!;
      expect([...first.keys()]).toEqual(['a', 'b']);
      const again = await store.getMany(['a']);
      expect(again.get('a')).toBe(first.get('a'));
      expect(() => {
        (again.get('a') as { priceCents?: number }).priceCents = 1;
      }).toThrow(TypeError);
      await store.upsert([product('a', { priceCents: 900 })]);
      expect((await store.get('a'))!.priceCents).toBe(900);
      expect((await store.getMany(['a'])).get('a')!.priceCents).toBe(900);
      await store.delete(['b']);
      expect([...(await store.getMany(['a', 'b'])).keys()]).toEqual(['a']);
      expect(await store.get('b')).toBeUndefined();
    });

    it("sees another connection's write to the same database file", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'catalog-cache-'));
      const file = path.join(dir, 'shop.db');
      const mine = openSqlite(file);
      const theirs = openSqlite(file);
      try {
        const reader = openCatalogStore(mine);
        const writer = openCatalogStore(theirs);
        await writer.upsert([product('a')]);
        expect((await reader.getMany(['a'])).get('a')!.priceCents).toBe(1000);
        await writer.upsert([product('a', { priceCents: 700 })]);
        expect((await reader.getMany(['a'])).get('a')!.priceCents).toBe(700);
        await writer.delete(['a']);
        expect(await reader.get('a')).toBeUndefined();
      } finally {
        mine.close();
        theirs.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
