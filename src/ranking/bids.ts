/**
 * Sponsored-product bids from the merchant: a JSON file `{ "<product id>": <max cost per click in
 * cents> }`, validated at start. No file: no sponsored slots are filled, whatever the slot count.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ShopbotError } from '../errors.js';

const BidsSchema = z.record(z.string().min(1).max(200), z.number().int().positive().max(1_000_000));

export function loadBids(file: string | undefined): ((productId: string) => number | undefined) | undefined {
  if (!file) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ShopbotError('CONFIG_INVALID', `ranking.bidsFile (SHOPBOT_SPONSORED_BIDS): cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  const parsed = BidsSchema.safeParse(raw);
  if (!parsed.success) throw new ShopbotError('CONFIG_INVALID', `ranking.bidsFile (SHOPBOT_SPONSORED_BIDS): ${z.prettifyError(parsed.error)}`);
  const bids = new Map(Object.entries(parsed.data));
  return (productId) => bids.get(productId);
}
