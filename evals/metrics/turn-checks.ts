/**
 * All product-level checks of one turn, over what the shopper saw and what the store holds after it.
 */
import { checkCards, checkCart, listOf, resolveRef, short, type CardsExpectation, type CartExpectation, type CartLineView, type ListHistory, type ProductRef, type ShownProduct } from './product-checks.js';
import { checkStatedBrand, checkStatedPrice, checkStatedRating, detectLang, longestEcho, refersTo } from './reply-checks.js';

const rx = (pattern: string) => new RegExp(pattern, 'iu');

/** The product-level expectations of one turn (the scripted checks are in conversations.ts). */
export interface ProductTurnExpectation {
  readonly cards?: CardsExpectation;
  /** The reply states this product's price. */
  readonly price?: ProductRef;
  /** The reply states this product's rating. */
  readonly rating?: ProductRef;
  /** The reply names this product's brand. */
  readonly brand?: ProductRef;
  /** The reply is about this product (answers a question on it, names it). */
  readonly about?: ProductRef;
  readonly cart?: CartExpectation;
  /** The reply is in this language. */
  readonly lang?: 'en' | 'zh';
  /** The reply repeats no stretch of the shopper's message this long (characters). */
  readonly noEcho?: number;
  readonly notMatches?: string;
  /** Status of orders after the turn. */
  readonly orders?: readonly { readonly id: string; readonly status: string | readonly string[] }[];
  /** Orders placed in this conversation so far. */
  readonly placed?: number;
}

export interface ProductTurnObservation {
  readonly text: string;
  readonly userText: string;
  readonly silent: boolean;
  readonly cards: readonly ShownProduct[];
  /** Lists shown before this turn. */
  readonly history: ListHistory;
  readonly cart: readonly CartLineView[];
  /** Catalog text the reply may quote (titles, brands shown so far): not counted for the language. */
  readonly quoted: readonly string[];
  readonly orders: Readonly<Record<string, string>>;
  readonly placed: number;
}

export function checkProductTurn(e: ProductTurnExpectation, o: ProductTurnObservation): string[] {
  const f: string[] = [];
  const latest = o.history.lists[o.history.lists.length - 1]?.products;
  // With no cards at all, what the bot said instead is the useful part of the failure.
  if (e.cards) f.push(...checkCards(e.cards, o.cards, latest).map((x) => (o.cards.length || !x.startsWith('cards: expected at least') ? x : `${x}: "${o.text.slice(0, 160)}"`)));
  const stated = { price: checkStatedPrice, rating: checkStatedRating, brand: checkStatedBrand };
  for (const [key, ref] of [['price', e.price], ['rating', e.rating], ['brand', e.brand], ['about', e.about]] as const) {
    if (!ref) continue;
    const r = resolveRef(ref, o.history);
    if (typeof r === 'string') {
      f.push(`${key}: ${r}`);
      continue;
    }
    if (key !== 'about') {
      const failed = stated[key](o.text, r);
      if (failed) f.push(failed);
    } else {
      const l = 'card' in ref || 'best' in ref ? listOf(ref, o.history) : r;
      const list = typeof l === 'string' ? r : l;
      if (!refersTo({ text: o.text, cards: o.cards }, r, list)) f.push(`about: the reply does not name ${r.map(short).join(' or ')}: "${o.text.slice(0, 160)}"`);
    }
  }
  if (e.cart) f.push(...checkCart(e.cart, o.cart, o.history, o.text));
  if (e.lang && !o.silent) {
    const got = detectLang(o.text, o.quoted);
    if (got !== e.lang) f.push(`lang: expected a reply in ${e.lang}, got ${got}: "${o.text.slice(0, 120)}"`);
  }
  if (e.noEcho !== undefined) {
    const n = longestEcho(o.text, o.userText);
    if (n >= e.noEcho) f.push(`echo: the reply repeats ${n} characters of the message`);
  }
  if (e.notMatches !== undefined && rx(e.notMatches).test(o.text)) f.push(`reply should not match /${e.notMatches}/: "${o.text.slice(0, 160)}"`);
  for (const want of e.orders ?? []) {
    const ok = typeof want.status === 'string' ? [want.status] : want.status;
    const got = o.orders[want.id];
    if (!got || !ok.includes(got)) f.push(`order ${want.id}: expected ${ok.join('|')}, got ${got ?? 'no such order'}`);
  }
  if (e.placed !== undefined && o.placed !== e.placed) f.push(`orders placed: expected ${e.placed}, got ${o.placed}`);
  return f;
}
