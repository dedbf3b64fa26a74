/**
 * The features the ranker scores and logs for each candidate. The same record goes into the
 * slate event, so the learner trains on exactly what the ranker saw (and a new policy can be
 * evaluated offline on it). Keys are short because they are logged for every candidate.
 */
import { effectivePriceCents, type Product } from '../catalog/index.js';

export type Features = Readonly<Record<string, string | number>>;

export interface ShopperContext {
  readonly query: string;
  readonly intent?: string;
  readonly userId?: string;
  /** Coarse shopper segment, e.g. "new" | "returning". */
  readonly segment?: string;
  readonly channel?: string;
  readonly lang?: string;
}

const MAX_QUERY_CHARS = 200;

export function candidateFeatures(product: Product, ctx: ShopperContext): Features {
  const f: Record<string, string | number> = { item: product.id, q: ctx.query.slice(0, MAX_QUERY_CHARS) };
  if (product.brand) f.brand = product.brand.toLowerCase();
  const leaf = product.category.at(-1);
  if (leaf) f.cat = leaf.toLowerCase();
  if (product.category[0]) f.cat0 = product.category[0].toLowerCase();
  const price = effectivePriceCents(product);
  if (price !== undefined) f.price = Math.round(price / 100);
  if (product.rating !== undefined) f.rating = Math.round(product.rating * 2) / 2;
  if (product.salePriceCents !== undefined && product.priceCents !== undefined && product.salePriceCents < product.priceCents) f.onSale = 'yes';
  if (ctx.intent) f.intent = ctx.intent;
  if (ctx.userId) f.user = ctx.userId;
  if (ctx.segment) f.segment = ctx.segment;
  if (ctx.channel) f.channel = ctx.channel;
  if (ctx.lang) f.lang = ctx.lang;
  return f;
}
