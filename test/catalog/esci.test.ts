import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoPriceCents, demoStock, importEsci, openCatalogSource } from '../../src/catalog/index.js';
import { collect, errors, FIXTURES, products, textStream } from './helpers.js';

const slice = readFileSync(path.join(FIXTURES, 'esci-slice.jsonl'), 'utf8');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('importEsci', () => {
  it('maps every line of the ESCI slice to a product and never keeps query_id', async () => {
    const rows = await collect(importEsci(textStream(slice)));
    expect(errors(rows)).toEqual([]);
    const ps = products(rows);
    expect(ps).toHaveLength(30);
    for (const p of ps) {
      expect(JSON.stringify(p)).not.toContain('query_id');
      expect(p.source).toBe('esci');
      expect(p.priceCents).toBeGreaterThan(0);
      expect(p.stock).toBeGreaterThanOrEqual(0);
    }
    const kindle = ps.find((p) => p.id === 'B07CXG6C9W')!;
    expect(kindle.title).toMatch(/^Kindle Paperwhite/);
    expect(kindle.bullets).toHaveLength(5);
    expect(kindle.brand).toBe('Amazon');
    expect(kindle.rating).toBe(4.6);
    expect(kindle.ratingCount).toBe(124969);
    const mattress = ps.find((p) => p.id === 'B0777K9RGX')!;
    expect(mattress.category).toEqual(['Home & Kitchen', 'Furniture', 'Bedroom Furniture', 'Mattresses & Box Springs', 'Mattresses']);
    expect(ps.find((p) => p.id === 'B0763GC8SB')!.brand).toBeUndefined();
  });

  it('keeps a real price and marks only derived values as demo', async () => {
    const ps = products(await collect(importEsci(textStream(slice))));
    const treblab = ps.find((p) => p.id === 'B071HMM81V')!;
    expect(treblab.priceCents).toBe(2997);
    expect(treblab.demo).toEqual(['stock']);
    const kindle = ps.find((p) => p.id === 'B07CXG6C9W')!;
    expect(kindle.demo).toEqual(['price', 'stock']);
    expect(kindle.priceCents).toBe(demoPriceCents('B07CXG6C9W', []));
    expect(kindle.stock).toBe(demoStock('B07CXG6C9W'));
    expect(kindle.availability).toBe(kindle.stock! > 0 ? 'in_stock' : 'out_of_stock');
  });

  it('derives demo prices deterministically, within the category range, ending in .99', () => {
    const a = demoPriceCents('B000TEST01', ['Books']);
    expect(demoPriceCents('B000TEST01', ['Books'])).toBe(a);
    expect(a % 100).toBe(99);
    expect(a).toBeGreaterThanOrEqual(599);
    expect(a).toBeLessThanOrEqual(3499);
    const prices = new Set(Array.from({ length: 50 }, (_, i) => demoPriceCents(`id-${i}`, ['Electronics'])));
    expect(prices.size).toBeGreaterThan(20);
  });

  it('reports bad lines with their line numbers and imports the rest', async () => {
    const lines = slice.trimEnd().split('\n');
    const text = [lines[0], '{not json', lines[1], '{"title": "No id"}', '', '{"asin": "X1", "title": 42}', lines[2]].join('\n');
    const rows = await collect(importEsci(textStream(text)));
    expect(products(rows).map((p) => p.id)).toEqual(['B07CXG6C9W', 'B0777K9RGX', 'B071HMM81V']);
    expect(errors(rows).map((e) => e.row)).toEqual([2, 4, 6]);
    expect(errors(rows)[0]!.error).toMatch(/invalid JSON/);
  });

  it('reads the gzip file through openCatalogSource', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-esci-'));
    dirs.push(dir);
    const file = path.join(dir, 'catalog.json.gz');
    writeFileSync(file, gzipSync(slice));
    const source = await openCatalogSource(file);
    const ps = products(await collect(importEsci(source.stream)));
    expect(ps).toHaveLength(30);
    expect(source.bytesRead()).toBe(source.totalBytes);
  });
});
