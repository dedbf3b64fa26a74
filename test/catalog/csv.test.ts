import { createReadStream } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCsv } from '../../src/catalog/index.js';
import { collect, errors, FIXTURES, products, textStream } from './helpers.js';

describe('importCsv', () => {
  it('imports good rows and reports bad ones by line number', async () => {
    const rows = await collect(importCsv(createReadStream(path.join(FIXTURES, 'products.csv'))));
    expect(products(rows).map((p) => p.id)).toEqual(['sku-1', 'sku-2', 'sku-3', 'sku-5', 'sku-9']);
    const bad = errors(rows);
    expect(bad.map((e) => e.row)).toEqual([5, 7, 8, 9]);
    expect(bad[0]!.error).toMatch(/not a price/);
    expect(bad[1]!.error).toMatch(/^id:/);
    expect(bad[2]!.error).toMatch(/^rating:/);
    expect(bad[3]!.error).toMatch(/expected 19 cells/);
  });

  it('maps every documented column', async () => {
    const ps = products(await collect(importCsv(createReadStream(path.join(FIXTURES, 'products.csv')))));
    const shoe = ps.find((p) => p.id === 'sku-1')!;
    expect(shoe).toMatchObject({
      title: 'Trail Runner Shoe',
      description: 'Light shoe for trails, with a "rock plate"',
      bullets: ['Breathable mesh', 'Rock plate'],
      brand: 'Stridewell',
      color: 'Red',
      size: '42',
      category: ['Shoes', 'Running', 'Trail'],
      priceCents: 8999,
      salePriceCents: 7999,
      currency: 'USD',
      availability: 'in_stock',
      stock: 12,
      rating: 4.5,
      ratingCount: 120,
      imageUrl: 'https://img.example/1.jpg',
      url: 'https://shop.example/p/1',
      gtin: '0001234567890',
      marginCents: 3000,
      demo: [],
      source: 'csv',
    });
    expect(ps.find((p) => p.id === 'sku-2')).toMatchObject({ title: '<b>Bold</b> Cotton Tee', priceCents: 1299, currency: 'USD' });
    expect(ps.find((p) => p.id === 'sku-5')).toMatchObject({ priceCents: 3500, currency: 'EUR', availability: 'preorder' });
    expect(ps.find((p) => p.id === 'sku-9')).toMatchObject({ priceCents: 129900, availability: 'backorder' });
  });

  it('never invents a price or stock for a merchant row', async () => {
    const ps = products(await collect(importCsv(createReadStream(path.join(FIXTURES, 'products.csv')))));
    const socks = ps.find((p) => p.id === 'sku-3')!;
    expect(socks.priceCents).toBeUndefined();
    expect(socks.availability).toBe('out_of_stock');
    expect(ps.find((p) => p.id === 'sku-2')!.stock).toBe(5);
    expect(ps.every((p) => p.demo.length === 0)).toBe(true);
  });

  it('refuses a file whose header lacks id or title', async () => {
    const rows = await collect(importCsv(textStream('sku,name\n1,Mug\n')));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ row: 1, error: expect.stringMatching(/lacks column\(s\) id, title/) });
  });

  it('reports a broken quote and carries on', async () => {
    const text = 'id,title,price\na,"Open quote,1.00\nb,Fine,2.00\n';
    const rows = await collect(importCsv(textStream(text)));
    expect(errors(rows).length).toBeGreaterThan(0);
    expect(errors(rows)[0]!.row).toBeGreaterThanOrEqual(2);
  });
});
