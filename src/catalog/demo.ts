/**
 * Demo-store values for the ESCI sample, whose products mostly have no price and none has stock.
 * Derived from a hash of the product id, so every import of the same catalog gives the same values
 * (carts, orders and evals stay reproducible). Never applied to a merchant's own feed.
 */
import { createHash } from 'node:crypto';

/** Plausible price ranges in cents per top-level ESCI category; the default covers the rest. */
const PRICE_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  'Clothing, Shoes & Jewelry': [1299, 12999],
  'Home & Kitchen': [999, 19999],
  'Tools & Home Improvement': [799, 24999],
  'Sports & Outdoors': [999, 14999],
  'Health & Household': [499, 4999],
  'Beauty & Personal Care': [499, 4999],
  'Toys & Games': [799, 6999],
  Electronics: [1499, 29999],
  'Pet Supplies': [599, 5999],
  'Office Products': [399, 4999],
  Books: [599, 3499],
  'Kindle Store': [99, 1499],
  'Grocery & Gourmet Food': [299, 3999],
  'Arts, Crafts & Sewing': [399, 4999],
  'Musical Instruments': [999, 39999],
  'Patio, Lawn & Garden': [999, 19999],
  Appliances: [2999, 59999],
  'Gift Cards': [1000, 10000],
};
const DEFAULT_RANGE: readonly [number, number] = [799, 7999];

/** Share of demo products that are out of stock, so "in stock only" has something to filter. */
const OUT_OF_STOCK_PER_MILLE = 40;

function hash32(id: string, salt: string): number {
  return createHash('sha256').update(salt).update('\0').update(id).digest().readUInt32BE(0);
}

/** A log-uniform price in the category's range, ending in .99 like a shop's. */
export function demoPriceCents(id: string, category: readonly string[]): number {
  const [lo, hi] = PRICE_RANGES[category[0] ?? ''] ?? DEFAULT_RANGE;
  const u = hash32(id, 'price') / 0x1_0000_0000;
  const cents = Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo)));
  return Math.max(99, Math.floor(cents / 100) * 100 + 99);
}

export function demoStock(id: string): number {
  const h = hash32(id, 'stock');
  if (h % 1000 < OUT_OF_STOCK_PER_MILLE) return 0;
  return 1 + ((h >>> 10) % 120);
}
