/**
 * Google Merchant Center product feeds, as tab-separated text (header row of attribute names,
 * optionally "g:"-prefixed) or XML (RSS 2.0 `<item>` or Atom `<entry>` with the
 * `http://base.google.com/ns/1.0` namespace). Attributes read: id, title, description, link,
 * image_link, price and sale_price ("12.99 USD"), availability, brand, product_type (" > " path),
 * google_product_category (used as the path when product_type is absent and it is not a numeric
 * id), color, size, gtin. Others are ignored. Missing prices stay missing.
 */
import { Readable } from 'node:stream';
import { XMLParser } from 'fast-xml-parser';
import { nonEmpty, parseAvailability, parseMoneyField, rowError, splitList, validateProduct, type ImportRow } from './import-row.js';
import type { ProductInput } from './product.js';
import { readAllText } from './source.js';
import { readTable } from './table.js';

/** An XML feed is parsed whole (fast-xml-parser does not stream); refuse anything bigger. */
export const MAX_XML_BYTES = 256 * 1024 * 1024;

type Attributes = (name: string) => string;

function toProduct(get: Attributes): ProductInput {
  const price = parseMoneyField(get('price'), 'price');
  const sale = parseMoneyField(get('sale_price'), 'sale_price');
  if (price?.currency && sale?.currency && price.currency !== sale.currency) {
    throw new Error(`conflicting currencies ${price.currency}, ${sale.currency}`);
  }
  const googleCategory = get('google_product_category');
  const category = get('product_type')
    ? splitList(get('product_type'), '>')
    : /^\d+$/.test(googleCategory)
      ? []
      : splitList(googleCategory, '>');
  return {
    id: get('id'),
    title: get('title'),
    description: get('description'),
    brand: nonEmpty(get('brand')),
    color: nonEmpty(get('color')),
    size: nonEmpty(get('size')),
    category,
    priceCents: price?.cents,
    salePriceCents: sale?.cents,
    currency: price?.currency ?? sale?.currency ?? 'USD',
    availability: parseAvailability(get('availability')),
    imageUrl: nonEmpty(get('image_link')),
    url: nonEmpty(get('link')),
    gtin: nonEmpty(get('gtin')),
    source: 'gmc',
  };
}

function convert(row: number, get: Attributes): ImportRow {
  try {
    return validateProduct(row, toProduct(get));
  } catch (err) {
    return rowError(row, (err as Error).message);
  }
}

export async function* importGmcTsv(input: Readable): AsyncIterable<ImportRow> {
  for await (const item of readTable(input, { delimiter: '\t', stripPrefix: 'g:' })) {
    if ('header' in item) {
      const missing = ['id', 'title'].filter((c) => !item.header.includes(c));
      if (missing.length > 0) {
        yield rowError(1, `header lacks attribute(s) ${missing.join(', ')}`);
        return;
      }
      continue;
    }
    if ('error' in item) {
      yield item;
      continue;
    }
    const cells = item.cells;
    yield convert(item.row, (name) => cells.get(name)?.trim() ?? '');
  }
}

/** The first text value of an element; repeated elements (product_type) give their first one. */
function textOf(value: unknown): string {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return first.trim();
  if (typeof first === 'number' || typeof first === 'boolean') return String(first);
  return '';
}

export async function* importGmcXml(input: Readable): AsyncIterable<ImportRow> {
  const text = await readAllText(input, MAX_XML_BYTES);
  const parser = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    // Keep ids and GTINs as written ("007" must not become 7).
    parseTagValue: false,
    trimValues: true,
    isArray: (_name, jpath) => jpath === 'rss.channel.item' || jpath === 'feed.entry',
  });
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text, true) as Record<string, unknown>;
  } catch (err) {
    yield rowError(0, `invalid XML: ${(err as Error).message.slice(0, 200)}`);
    return;
  }
  const rss = doc.rss as { channel?: { item?: unknown[] } } | undefined;
  const feed = doc.feed as { entry?: unknown[] } | undefined;
  const items = rss?.channel?.item ?? feed?.entry;
  if (!items) {
    yield rowError(0, 'no <rss><channel><item> or <feed><entry> elements found');
    return;
  }
  let row = 0;
  for (const item of items) {
    row++;
    if (typeof item !== 'object' || item === null) {
      yield rowError(row, 'item has no attributes');
      continue;
    }
    const attrs = item as Record<string, unknown>;
    yield convert(row, (name) => textOf(attrs[name]));
  }
}

/** Sniffs the first non-blank character: "<" is XML, anything else TSV. */
export async function* importGmc(input: Readable): AsyncIterable<ImportRow> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: (Buffer | string)[] = [];
  let first: string | undefined;
  while (first === undefined) {
    const next = await it.next();
    if (next.done) break;
    head.push(next.value);
    const s = Buffer.concat(head.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (s.length > 0) first = s[0];
  }
  const rest = Readable.from(
    (async function* () {
      yield* head;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  yield* first === '<' ? importGmcXml(rest) : importGmcTsv(rest);
}
