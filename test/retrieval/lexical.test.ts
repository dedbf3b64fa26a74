import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importEsci, ProductSchema, type Product } from '../../src/catalog/index.js';
import { matchesFilters } from '../../src/retrieval/filters.js';
import { createLexicalIndex } from '../../src/retrieval/lexical.js';
import type { SearchFilters } from '../../src/retrieval/types.js';
import { collect, FIXTURES, products as productsOf, textStream } from '../catalog/helpers.js';

async function esciSlice(): Promise<Product[]> {
  return productsOf(await collect(importEsci(textStream(readFileSync(path.join(FIXTURES, 'esci-slice.jsonl'), 'utf8')))));
}

function p(id: string, title: string, extra: Partial<Product> = {}): Product {
  return ProductSchema.parse({ id, title, source: 'csv', ...extra });
}

describe('BM25 lexical index', () => {
  it('ranks the obviously matching products first', async () => {
    const catalog = await esciSlice();
    const index = createLexicalIndex();
    index.upsert(catalog);
    expect(index.size).toBe(30);
    const title = (id: string) => catalog.find((c) => c.id === id)!.title;
    const top = (q: string, k = 3) => index.search(q, { k }).map((h) => title(h.id));
    expect(top('ugg slippers men')).toHaveLength(3);
    for (const t of top('ugg slippers men')) expect(t).toMatch(/^UGG/);
    expect(top('lacoste sneakers')[0]).toMatch(/^Lacoste/);
    expect(top('band saw', 2).every((t) => /band ?saw/i.test(t))).toBe(true);
    expect(top('kindle paperwhite', 1)[0]).toMatch(/^Kindle Paperwhite/);
    const hits = index.search('ugg slippers men', { k: 10 });
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    expect(index.search('zzzunknownword', { k: 5 })).toEqual([]);
  });

  it('splits a closed compound the catalog lacks into two words that occur together', () => {
    const index = createLexicalIndex();
    index.upsert([
      p('ecloth', 'E-Cloth Glass and Polishing Cloth'),
      p('cloth', 'Microfiber Cleaning Cloth, 12 Pack'),
      p('stick', 'Fire TV Stick with Alexa Voice Remote'),
      p('fire', 'Fire Starter Sticks for Campfires'),
      p('glue', 'Hot Glue Stick Refills'),
    ]);
    expect(index.search('ecloth', { k: 5 }).map((h) => h.id)).toEqual(['ecloth']);
    expect(index.search('firestick', { k: 5 }).map((h) => h.id).sort()).toEqual(['fire', 'stick']);
    // Only unknown words are split: an indexed word matches as itself.
    expect(index.search('cloth', { k: 5 }).map((h) => h.id).sort()).toEqual(['cloth', 'ecloth']);
    expect(index.search('zzzcloth', { k: 5 })).toEqual([]);
  });

  it('weights the title above the description', () => {
    const index = createLexicalIndex();
    index.upsert([p('in-desc', 'Garden hose', { description: 'Works with any kettle and hose' }), p('in-title', 'Electric kettle')]);
    expect(index.search('kettle', { k: 2 }).map((h) => h.id)).toEqual(['in-title', 'in-desc']);
  });

  it('applies filters inside scoring: k filtered hits, equal to filtering the full ranking', async () => {
    const catalog = await esciSlice();
    const index = createLexicalIndex();
    index.upsert(catalog);
    const byId = new Map(catalog.map((c) => [c.id, c]));
    const cases: SearchFilters[] = [
      { brands: ['ugg'], colors: ['black'] },
      { brands: ['dewalt'], priceMaxCents: 70000 },
      { inStockOnly: true, minRating: 4.5 },
      { excludeTerms: ['ugg'], categories: ['clothing, shoes & jewelry'] },
      { excludeIds: ['B077MDR5RC', 'B077JG43BX'] },
      { excludeTerms: ['20v max', 'clear', 'nonexistentword'] },
      { excludeTerms: ['suede'], brands: ['ugg'] },
      // Only a stopword: nothing to narrow by in the postings, every product is checked.
      { excludeTerms: ['with'] },
    ];
    for (const filters of cases) {
      for (const query of ['slipper black', 'dewalt 20v saw', 'men shoes sneaker', 'clear silicone']) {
        const full = index.search(query, { k: 1000 }).filter((h) => matchesFilters(byId.get(h.id)!, filters));
        const filtered = index.search(query, { k: 2, filters });
        expect(filtered).toEqual(full.slice(0, 2));
        for (const h of filtered) expect(matchesFilters(byId.get(h.id)!, filters)).toBe(true);
      }
    }
    const slippers = index.search('slipper', { k: 10, filters: { brands: ['ugg'], colors: ['black'] } });
    expect(slippers.map((h) => h.id).sort()).toEqual(['B077JG43BX', 'B077MDR5RC']);
  });

  it('lists filtered products by popularity when the query has no searchable words', () => {
    const index = createLexicalIndex();
    index.upsert([
      p('a', 'Alpha', { brand: 'Acme', ratingCount: 10, rating: 4 }),
      p('b', 'Beta', { brand: 'Acme', ratingCount: 500, rating: 4.5 }),
      p('c', 'Gamma', { brand: 'Other', ratingCount: 900, rating: 5 }),
    ]);
    expect(index.search('the', { k: 5, filters: { brands: ['acme'] } })).toEqual([
      { id: 'b', score: 0 },
      { id: 'a', score: 0 },
    ]);
    expect(index.search('', { k: 5 })).toEqual([]);
  });

  it('updates and deletes incrementally, scoring like a fresh index', async () => {
    const catalog = await esciSlice();
    const index = createLexicalIndex();
    index.upsert(catalog);
    const renamed = { ...catalog[0]!, title: 'Waterproof slipper for the bath' };
    index.upsert([renamed]);
    index.delete([catalog[1]!.id, catalog[2]!.id, 'not-there']);
    expect(index.size).toBe(28);
    const fresh = createLexicalIndex();
    fresh.upsert([renamed, ...catalog.slice(3)]);
    for (const q of ['slipper', 'waterproof kindle', 'dewalt saw', 'headphones bluetooth']) {
      const a = index.search(q, { k: 10 });
      const b = fresh.search(q, { k: 10 });
      expect(a.map((h) => h.id)).toEqual(b.map((h) => h.id));
      a.forEach((h, i) => expect(h.score).toBeCloseTo(b[i]!.score, 9));
    }
    expect(index.search('slipper bath', { k: 1 })[0]!.id).toBe(renamed.id);
    expect(index.search('headphones treblab', { k: 30 }).map((h) => h.id)).not.toContain(catalog[2]!.id);
  });

  it('stays correct after compaction of many deleted products', () => {
    const index = createLexicalIndex();
    const keep = [p('keep-1', 'Blue ceramic mug'), p('keep-2', 'Red ceramic bowl')];
    index.upsert(keep);
    for (let round = 0; round < 3; round++) {
      const junk = Array.from({ length: 800 }, (_, i) => p(`junk-${i}`, `ceramic mug number ${i}`));
      index.upsert(junk);
      index.delete(junk.map((j) => j.id));
    }
    expect(index.size).toBe(2);
    const fresh = createLexicalIndex();
    fresh.upsert(keep);
    expect(index.search('ceramic mug', { k: 5 })).toEqual(fresh.search('ceramic mug', { k: 5 }));
  });

  it('finds Chinese products from a Chinese query, and mixed-script queries', () => {
    const index = createLexicalIndex();
    index.upsert([
      p('case', '红色手机壳 适用于 iPhone 12', { brand: '极客' }),
      p('earbuds', '蓝牙耳机 主动降噪 无线', { bullets: ['续航 30 小时'] }),
      p('shoes', '男士跑步鞋 轻便透气'),
      p('en', 'Phone case for iPhone 12, red'),
    ]);
    expect(index.search('我想买一个手机壳', { k: 1, lang: 'zh' })[0]!.id).toBe('case');
    expect(index.search('降噪耳机', { k: 1, lang: 'zh' })[0]!.id).toBe('earbuds');
    expect(index.search('跑步鞋', { k: 4 }).map((h) => h.id)).toEqual(['shoes']);
    const mixed = index.search('iphone 12 手机壳', { k: 2 }).map((h) => h.id);
    expect(mixed[0]).toBe('case');
    expect(mixed).toContain('en');
  });
});
