/**
 * What every importer yields, and the parsing helpers the formats share. An importer never throws
 * on a bad row: it yields `{ row, error }` and carries on, so one broken line does not lose a feed.
 * `row` is the 1-based line number in the file (the header is line 1) for line formats, and the
 * 1-based item number for XML.
 */
import { parseMoney, type Money } from '../text/index.js';
import { ProductSchema, type Availability, type Product, type ProductInput } from './product.js';

export { parseMoney, type Money };

export type ImportRow =
  | { readonly row: number; readonly product: Product }
  | { readonly row: number; readonly error: string };

export const CATALOG_FORMATS = ['esci', 'csv', 'gmc'] as const;
export type CatalogFormat = (typeof CATALOG_FORMATS)[number];

/** A line longer than this is refused rather than parsed (a feed row is a few KB). */
export const MAX_ROW_CHARS = 1_000_000;

export function validateProduct(row: number, input: ProductInput): ImportRow {
  const parsed = ProductSchema.safeParse(input);
  if (parsed.success) return { row, product: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`);
  return { row, error: issues.slice(0, 3).join('; ') };
}

export function rowError(row: number, error: string): ImportRow {
  return { row, error };
}

/** parseMoney, with the column name in the error ("sale_price: not a price ..."). */
export function parseMoneyField(text: string | undefined, name: string): Money | undefined {
  try {
    return parseMoney(text);
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`);
  }
}

const AVAILABILITY: Readonly<Record<string, Availability>> = {
  in_stock: 'in_stock',
  instock: 'in_stock',
  available: 'in_stock',
  out_of_stock: 'out_of_stock',
  outofstock: 'out_of_stock',
  sold_out: 'out_of_stock',
  preorder: 'preorder',
  pre_order: 'preorder',
  backorder: 'backorder',
  back_order: 'backorder',
  available_for_order: 'backorder',
};

/** Merchant Center values and their older spaced forms ("in stock"). Empty means unspecified. */
export function parseAvailability(text: string | undefined): Availability | undefined {
  const s = (text ?? '').trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (s === '') return undefined;
  const v = AVAILABILITY[s];
  if (!v) throw new Error(`availability: unknown value "${s.slice(0, 40)}"`);
  return v;
}

export function parseOptionalNumber(text: string | undefined, name: string, integer = false): number | undefined {
  const s = (text ?? '').trim();
  if (s === '') return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new Error(`${name}: not ${integer ? 'an integer' : 'a number'}: "${s.slice(0, 40)}"`);
  return n;
}

/** Empty strings become undefined so optional product fields stay absent. */
export function nonEmpty(text: string | null | undefined): string | undefined {
  const s = text?.trim();
  return s ? s : undefined;
}

export function splitList(text: string | undefined, separator: string | RegExp): string[] {
  return (text ?? '')
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
