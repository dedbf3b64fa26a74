/**
 * A merchant's own CSV catalog with a header row. Columns (any order, unknown ones ignored; only
 * `id` and `title` are required):
 *
 *   id, title, description, bullets (separated by "|"), brand, color, size,
 *   category (path separated by ">", top first), price and sale_price ("12.99" or "12.99 USD"),
 *   currency (ISO 4217, default USD), availability (in_stock | out_of_stock | preorder | backorder,
 *   or "in stock"), stock (integer), rating (0-5), rating_count, image_url, url, gtin,
 *   margin (money, like price)
 *
 * A missing price stays missing: nothing is ever invented for a merchant's feed.
 */
import type { Readable } from 'node:stream';
import { nonEmpty, parseAvailability, parseMoneyField, parseOptionalNumber, rowError, splitList, validateProduct, type ImportRow } from './import-row.js';
import type { ProductInput } from './product.js';
import { readTable } from './table.js';

export const CSV_COLUMNS = [
  'id', 'title', 'description', 'bullets', 'brand', 'color', 'size', 'category', 'price', 'sale_price',
  'currency', 'availability', 'stock', 'rating', 'rating_count', 'image_url', 'url', 'gtin', 'margin',
] as const;
const REQUIRED = ['id', 'title'] as const;

function currencyOf(...candidates: (string | undefined)[]): string | undefined {
  const found = [...new Set(candidates.filter((c): c is string => !!c).map((c) => c.toUpperCase()))];
  if (found.length > 1) throw new Error(`conflicting currencies ${found.join(', ')}`);
  return found[0];
}

function toProduct(cells: ReadonlyMap<string, string>): ProductInput {
  const get = (name: string) => cells.get(name)?.trim() ?? '';
  const price = parseMoneyField(get('price'), 'price');
  const sale = parseMoneyField(get('sale_price'), 'sale_price');
  const margin = parseMoneyField(get('margin'), 'margin');
  const currency = currencyOf(nonEmpty(get('currency')), price?.currency, sale?.currency, margin?.currency);
  return {
    id: get('id'),
    title: get('title'),
    description: get('description'),
    bullets: splitList(get('bullets'), '|'),
    brand: nonEmpty(get('brand')),
    color: nonEmpty(get('color')),
    size: nonEmpty(get('size')),
    category: splitList(get('category'), '>'),
    priceCents: price?.cents,
    salePriceCents: sale?.cents,
    currency: currency ?? 'USD',
    marginCents: margin?.cents,
    availability: parseAvailability(get('availability')),
    stock: parseOptionalNumber(get('stock'), 'stock', true),
    rating: parseOptionalNumber(get('rating'), 'rating'),
    ratingCount: parseOptionalNumber(get('rating_count'), 'rating_count', true),
    imageUrl: nonEmpty(get('image_url')),
    url: nonEmpty(get('url')),
    gtin: nonEmpty(get('gtin')),
    source: 'csv',
  };
}

export async function* importCsv(input: Readable): AsyncIterable<ImportRow> {
  for await (const item of readTable(input, { delimiter: ',' })) {
    if ('header' in item) {
      const missing = REQUIRED.filter((c) => !item.header.includes(c));
      if (missing.length > 0) {
        yield rowError(1, `header lacks column(s) ${missing.join(', ')}; expected ${CSV_COLUMNS.join(',')}`);
        return;
      }
      continue;
    }
    if ('error' in item) {
      yield item;
      continue;
    }
    try {
      yield validateProduct(item.row, toProduct(item.cells));
    } catch (err) {
      yield rowError(item.row, (err as Error).message);
    }
  }
}
