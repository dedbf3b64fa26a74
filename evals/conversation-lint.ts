/**
 * Checks a conversation can be passed at all, before any bot runs it: every card check is
 * satisfiable by enough products of the demo catalog, refs point at a card a slate can hold,
 * seeded cart products exist and can be bought. A conversation failing here is malformed, not
 * a bot failure (test/evals/conversation-files.test.ts runs it over every shopper conversation).
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { resolveFromRoot } from '../src/app.js';
import { importEsci, type Product } from '../src/catalog/index.js';
import type { EvalConversation } from './conversation-schema.js';
import { unsatisfiable, type ShownProduct } from './metrics/product-checks.js';

/** Cards in one slate (config ranking.slateSize default). */
const SLATE = 5;

export async function loadDemoCatalog(file = resolveFromRoot('evals/data/esci/ubi_ecommerce_products.json.gz')): Promise<Product[]> {
  const out: Product[] = [];
  for await (const r of importEsci(createReadStream(file).pipe(createGunzip()))) if ('product' in r) out.push(r.product);
  return out;
}

export function toShown(p: Product): ShownProduct {
  return {
    id: p.id,
    title: p.title,
    inStock: p.availability !== 'out_of_stock' && p.stock !== 0,
    ...(p.brand ? { brand: p.brand } : {}),
    ...(p.color ? { color: p.color } : {}),
    ...((p.salePriceCents ?? p.priceCents) !== undefined ? { priceCents: p.salePriceCents ?? p.priceCents } : {}),
    ...(p.rating !== undefined ? { rating: p.rating } : {}),
    ...(p.ratingCount !== undefined ? { ratingCount: p.ratingCount } : {}),
  };
}

/** The problems of one conversation (empty: it can be passed). */
export function lintConversation(c: EvalConversation, catalog: readonly Product[]): string[] {
  const shown = catalog.map(toShown);
  const byId = new Map(catalog.map((p) => [p.id, p]));
  const out: string[] = [];
  for (const line of c.cart ?? []) {
    const p = byId.get(line.id);
    if (!p) out.push(`cart: ${line.id} is not in the catalog`);
    else if (p.availability === 'out_of_stock' || p.stock === 0) out.push(`cart: ${line.id} is out of stock and cannot be in a cart`);
  }
  c.turns.forEach((t, i) => {
    const at = `turn ${i + 1}`;
    if (t.cards) {
      for (const p of unsatisfiable(t.cards, shown)) out.push(`${at}: ${p}`);
      for (const id of t.cards.ids ?? []) if (!byId.has(id)) out.push(`${at}: judged id ${id} is not in the catalog`);
      if ((t.cards.atLeast ?? 0) > (t.cards.top ?? 3)) out.push(`${at}: atLeast is larger than top`);
      if ((t.cards.top ?? 0) > SLATE || (t.cards.min ?? 0) > SLATE) out.push(`${at}: a slate shows ${SLATE} cards`);
    }
    for (const ref of [t.price, t.rating, t.brand, t.about, ...(t.cart?.has ?? []), ...(t.cart?.lacks ?? []), t.cart?.quantity?.of]) {
      if (ref && 'card' in ref && ref.card > SLATE) out.push(`${at}: card ${ref.card} is beyond a slate of ${SLATE}`);
      if (ref && 'turn' in ref && ref.turn !== undefined && ref.turn > i) out.push(`${at}: refers to the list of turn ${ref.turn}, which comes later`);
      if (ref && 'id' in ref && !byId.has(ref.id)) out.push(`${at}: ${ref.id} is not in the catalog`);
    }
    if (/\{(wrong_)?code\}/.test(t.user) && c.catalog !== 'demo') out.push(`${at}: one-time codes need the demo data directory`);
  });
  return out;
}
