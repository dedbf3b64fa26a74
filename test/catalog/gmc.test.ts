import { createReadStream } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGmc } from '../../src/catalog/index.js';
import { collect, errors, FIXTURES, products, textStream } from './helpers.js';

describe('importGmc (XML)', () => {
  it('reads RSS items with the g: namespace, keeping HTML in titles as text', async () => {
    const rows = await collect(importGmc(createReadStream(path.join(FIXTURES, 'gmc-feed.xml'))));
    const ps = products(rows);
    expect(ps.map((p) => p.id)).toEqual(['007', '008', '011']);
    expect(ps[0]).toMatchObject({
      title: '<b>Waterproof</b> Hiking Jacket & Hood',
      description: '<p>Stays dry in the rain.</p>',
      url: 'https://shop.example/p/007',
      imageUrl: 'https://img.example/007.jpg',
      priceCents: 12900,
      salePriceCents: 9950,
      currency: 'USD',
      availability: 'in_stock',
      brand: 'Peakline',
      category: ['Apparel', 'Outerwear', 'Jackets'],
      color: 'Green',
      size: 'L',
      gtin: '00012345678905',
      source: 'gmc',
      demo: [],
    });
    expect(ps[1]).toMatchObject({ title: 'Trail Gloves', availability: 'out_of_stock', category: ['Apparel & Accessories', 'Clothing Accessories', 'Gloves'] });
    // A numeric google_product_category is a taxonomy id, not a path; no price stays no price.
    expect(ps[2]).toMatchObject({ category: [], availability: 'backorder' });
    expect(ps[2]!.priceCents).toBeUndefined();
    expect(errors(rows).map((e) => e.row)).toEqual([3, 4]);
  });

  it('reports a file that is not a feed', async () => {
    const rows = await collect(importGmc(textStream('<?xml version="1.0"?><catalog><product/></catalog>')));
    expect(rows).toEqual([{ row: 0, error: expect.stringMatching(/no <rss>/) }]);
  });
});

describe('importGmc (TSV)', () => {
  it('reads the tab-separated feed and reports bad rows by line', async () => {
    const rows = await collect(importGmc(createReadStream(path.join(FIXTURES, 'gmc-feed.tsv'))));
    const ps = products(rows);
    expect(ps.map((p) => p.id)).toEqual(['A1', 'A2', 'A5']);
    expect(ps[0]).toMatchObject({ title: 'Trail Bottle 750 ml', priceCents: 2400, category: ['Outdoor', 'Hydration'], color: 'Blue', size: '750 ml' });
    expect(ps[1]).toMatchObject({ priceCents: 3995, salePriceCents: 2995, availability: 'preorder', category: ['Sporting Goods', 'Outdoor Recreation'] });
    expect(ps[2]).toMatchObject({ availability: 'in_stock' });
    expect(ps[2]!.priceCents).toBeUndefined();
    expect(errors(rows).map((e) => [e.row, e.error.split(' ')[0]])).toEqual([
      [4, 'availability:'],
      [5, 'expected'],
    ]);
  });

  it('accepts g:-prefixed header names', async () => {
    const rows = await collect(importGmc(textStream('g:id\tg:title\tg:price\nZ1\tCap\t5.00 USD\n')));
    expect(products(rows)).toMatchObject([{ id: 'Z1', title: 'Cap', priceCents: 500 }]);
  });

  it('keeps inch marks and quoted words in TSV cells, and reads a quoted cell with a tab', async () => {
    const tsv = 'id\ttitle\tprice\nA\t"Best" mattress 12"\t10 USD\nB\t"Quoted\ttab"\t1 USD\n';
    expect(products(await collect(importGmc(textStream(tsv)))).map((p) => p.title)).toEqual(['"Best" mattress 12"', 'Quoted\ttab']);
  });
});
