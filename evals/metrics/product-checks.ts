/**
 * Product-level checks of a conversation turn, against what the shopper saw: the cards shown
 * (with the catalog's colour for each), the lists shown earlier, the cart. Pure functions of
 * plain data, so each rule is unit-tested on tiny inputs (test/evals/product-checks.test.ts).
 *
 * Patterns are case-insensitive regular expressions, so one check accepts every product that
 * legitimately answers the request ("earbud|headphone|earphone"), not one title.
 */

/** A product as the shopper saw it on a card, plus the catalog fields the checks read. */
export interface ShownProduct {
  readonly id: string;
  readonly title: string;
  readonly brand?: string;
  readonly color?: string;
  readonly priceCents?: number;
  readonly rating?: number;
  readonly ratingCount?: number;
  readonly inStock?: boolean;
}

/** What makes a card fit the request; every field given must hold. */
export interface ProductFit {
  /** Pattern over the title (the product type words). */
  readonly title?: string;
  /** Judged product ids: a card in the set fits whatever its title says. */
  readonly ids?: readonly string[];
  /** Pattern over the catalog colour and the title. */
  readonly color?: string;
  /** Pattern over the brand (the title when the product has no brand). */
  readonly brand?: string;
}

/** Filters the shopper stated: no card shown may break one. */
export interface ProductFilters {
  readonly exclude?: { readonly brands?: readonly string[]; readonly colors?: readonly string[]; readonly words?: readonly string[] };
  readonly maxPriceCents?: number;
  readonly minPriceCents?: number;
}

export interface CardsExpectation extends ProductFit, ProductFilters {
  /** At least this many cards (default 1); `max: 0` expects no cards at all. */
  readonly min?: number;
  readonly max?: number;
  /** At least `atLeast` (default 2) of the first `top` (default 3) cards fit. */
  readonly top?: number;
  readonly atLeast?: number;
  /** Every card is cheaper than the dearest card of the list before, and the median is lower. */
  readonly cheaper?: boolean;
  /** No card of the list before is shown again ("show more", "换一批"). */
  readonly fresh?: boolean;
}

export type Best = 'rating' | 'reviews' | 'cheapest' | 'priciest';

/**
 * A product the shopper points at. `card` and `best` read a list shown before this turn: the
 * list `ago` lists back (1: the latest list of two or more cards), or the list shown by turn `turn`.
 */
export type ProductRef =
  | { readonly card: number; readonly ago?: number; readonly turn?: number }
  | { readonly best: Best | readonly Best[]; readonly among?: readonly number[]; readonly ago?: number; readonly turn?: number }
  | { readonly id: string }
  | { readonly title: string };

/** The lists of two or more cards shown so far, oldest first, with the turn (1-based) that showed each. */
export interface ListHistory {
  readonly lists: readonly { readonly turn: number; readonly products: readonly ShownProduct[] }[];
}

const rx = (pattern: string) => new RegExp(pattern, 'iu');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A whole word or phrase, also between punctuation ("Black/Red", "red-ish" do contain red). */
const wordRx = (w: string) => new RegExp(`(^|[^\\p{L}\\p{N}])${escape(w)}($|[^\\p{L}\\p{N}])`, 'iu');

export function hasFit(f: ProductFit): boolean {
  return f.title !== undefined || f.ids !== undefined || f.color !== undefined || f.brand !== undefined;
}

export function fits(p: ShownProduct, f: ProductFit): boolean {
  if (f.ids && f.ids.includes(p.id)) return true;
  if (f.ids && f.title === undefined && f.color === undefined && f.brand === undefined) return false;
  if (f.title !== undefined && !rx(f.title).test(p.title)) return false;
  if (f.color !== undefined && !rx(f.color).test(`${p.color ?? ''} ${p.title}`)) return false;
  if (f.brand !== undefined && !rx(f.brand).test(p.brand ?? p.title)) return false;
  return true;
}

/** Why a product breaks the stated filters (empty: it does not). */
export function violations(p: ShownProduct, f: ProductFilters): string[] {
  const out: string[] = [];
  for (const b of f.exclude?.brands ?? []) if ((p.brand && wordRx(b).test(p.brand)) || wordRx(b).test(p.title)) out.push(`brand ${b}`);
  for (const c of f.exclude?.colors ?? []) if ((p.color && wordRx(c).test(p.color)) || wordRx(c).test(p.title)) out.push(`colour ${c}`);
  for (const w of f.exclude?.words ?? []) if (wordRx(w).test(p.title)) out.push(`"${w}" in the title`);
  if (p.priceCents !== undefined && f.maxPriceCents !== undefined && p.priceCents > f.maxPriceCents) out.push(`price ${dollars(p.priceCents)} over ${dollars(f.maxPriceCents)}`);
  if (p.priceCents !== undefined && f.minPriceCents !== undefined && p.priceCents < f.minPriceCents) out.push(`price ${dollars(p.priceCents)} under ${dollars(f.minPriceCents)}`);
  return out;
}

export function dollars(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const short = (p: ShownProduct) => `"${p.title.slice(0, 60)}"`;

/** The failed card checks of one turn; `before` is the latest list shown before it (for cheaper/fresh). */
export function checkCards(e: CardsExpectation, shown: readonly ShownProduct[], before?: readonly ShownProduct[]): string[] {
  const f: string[] = [];
  if (e.max !== undefined && shown.length > e.max) f.push(`cards: expected at most ${e.max}, got ${shown.length}`);
  if (e.max === 0) return f;
  const min = e.min ?? 1;
  if (shown.length < min) {
    f.push(`cards: expected at least ${min}, got ${shown.length}`);
    return f;
  }
  if (hasFit(e)) {
    const top = e.top ?? 3;
    const atLeast = e.atLeast ?? Math.min(2, top);
    const first = shown.slice(0, top);
    const n = first.filter((p) => fits(p, e)).length;
    if (n < atLeast) f.push(`cards: ${n} of the first ${first.length} fit ${describeFit(e)} (need ${atLeast}): ${first.map(short).join(', ')}`);
  }
  for (const p of shown) {
    const v = violations(p, e);
    if (v.length) f.push(`card ${short(p)} breaks the filter: ${v.join(', ')}`);
  }
  if (e.cheaper || e.fresh) {
    if (!before?.length) f.push('cards: no earlier list to compare with');
    else {
      if (e.cheaper) {
        const prev = before.flatMap((p) => (p.priceCents !== undefined ? [p.priceCents] : []));
        const now = shown.flatMap((p) => (p.priceCents !== undefined ? [p.priceCents] : []));
        const cap = Math.max(...prev);
        const dearer = shown.filter((p) => p.priceCents !== undefined && p.priceCents >= cap);
        if (dearer.length) f.push(`cards: not cheaper than the list before (dearest ${dollars(cap)}): ${dearer.map(short).join(', ')}`);
        else if (now.length && prev.length && median(now) >= median(prev)) f.push(`cards: median price ${dollars(median(now))} is not below the list before (${dollars(median(prev))})`);
      }
      if (e.fresh) {
        const seen = new Set(before.map((p) => p.id));
        const again = shown.filter((p) => seen.has(p.id));
        if (again.length) f.push(`cards: ${again.length} of ${shown.length} were shown in the list before`);
      }
    }
  }
  return f;
}

function describeFit(e: ProductFit): string {
  return [e.title && `/${e.title}/`, e.color && `colour /${e.color}/`, e.brand && `brand /${e.brand}/`, e.ids && `${e.ids.length} judged ids`].filter(Boolean).join(' + ');
}

/** The list a ref reads, or why there is none. */
export function listOf(ref: { ago?: number; turn?: number }, h: ListHistory): readonly ShownProduct[] | string {
  if (ref.turn !== undefined) {
    const l = h.lists.find((x) => x.turn === ref.turn);
    return l ? l.products : `no list of products was shown at turn ${ref.turn}`;
  }
  const l = h.lists[h.lists.length - (ref.ago ?? 1)];
  return l ? l.products : 'no list of products was shown before';
}

/** The products a ref may mean (several on ties), or why it cannot be resolved. */
export function resolveRef(ref: ProductRef, h: ListHistory): readonly ShownProduct[] | string {
  if ('id' in ref) return [{ id: ref.id, title: ref.id }];
  if ('title' in ref) return `a title ref is only for the cart`;
  const list = listOf(ref, h);
  if (typeof list === 'string') return list;
  if ('card' in ref) {
    const p = list[ref.card - 1];
    return p ? [p] : `the list had only ${list.length} cards, not ${ref.card}`;
  }
  const kinds: readonly Best[] = typeof ref.best === 'string' ? [ref.best] : ref.best;
  // "which is cheaper, the first or the second?" compares those cards only.
  const pool = ref.among ? ref.among.flatMap((n) => (list[n - 1] ? [list[n - 1]!] : [])) : list;
  if (ref.among && pool.length < ref.among.length) return `the list had only ${list.length} cards`;
  const out = new Map<string, ShownProduct>();
  for (const kind of kinds) {
    const value = (p: ShownProduct) => (kind === 'rating' ? p.rating : kind === 'reviews' ? p.ratingCount : p.priceCents);
    const known = pool.filter((p) => value(p) !== undefined);
    if (!known.length) continue;
    const best = (kind === 'cheapest' ? Math.min : Math.max)(...known.map((p) => value(p)!));
    for (const p of known) if (value(p) === best) out.set(p.id, p);
  }
  return out.size ? [...out.values()] : `no product in the list has a ${kinds.join('/')}`;
}

export interface CartLineView {
  readonly productId: string;
  readonly title: string;
  readonly quantity: number;
}

export interface CartExpectation {
  readonly has?: readonly ProductRef[];
  readonly lacks?: readonly ProductRef[];
  readonly empty?: boolean;
  /** Total quantity of items. */
  readonly items?: number;
  /** A ref whose quantity in the cart must be this. */
  readonly quantity?: { readonly of: ProductRef; readonly is: number };
}

function matchLines(ref: ProductRef, lines: readonly CartLineView[], h: ListHistory): CartLineView[] | string {
  if ('title' in ref) return lines.filter((l) => rx(ref.title).test(l.title));
  const r = resolveRef(ref, h);
  if (typeof r === 'string') return r;
  const ids = new Set(r.map((p) => p.id));
  return lines.filter((l) => ids.has(l.productId));
}

const OUT_OF_STOCK_RE = /out of stock|sold out|unavailable|not available|缺货|售罄|无货|没货|卖完/i;

/**
 * What the cart holds after a turn. A product the shopper asked for that is out of stock cannot be
 * added: telling them so (`replyText`) is the right answer, and passes a `has` check on it.
 */
export function checkCart(e: CartExpectation, lines: readonly CartLineView[], h: ListHistory, replyText = ''): string[] {
  const f: string[] = [];
  const view = lines.map((l) => `${l.quantity} × "${l.title.slice(0, 40)}"`).join(', ') || 'empty';
  if (e.empty === true && lines.length) f.push(`cart: expected empty, got ${view}`);
  if (e.empty === false && !lines.length) f.push('cart: expected items, got an empty cart');
  for (const ref of e.has ?? []) {
    const m = matchLines(ref, lines, h);
    if (typeof m === 'string') f.push(`cart: ${m}`);
    else if (!m.length) {
      const r = 'title' in ref ? [] : resolveRef(ref, h);
      const unbuyable = typeof r !== 'string' && r.length > 0 && r.every((p) => p.inStock === false);
      if (!(unbuyable && OUT_OF_STOCK_RE.test(replyText))) f.push(`cart: expected ${JSON.stringify(ref)} in the cart, got ${view}`);
    }
  }
  for (const ref of e.lacks ?? []) {
    const m = matchLines(ref, lines, h);
    if (typeof m === 'string') f.push(`cart: ${m}`);
    else if (m.length) f.push(`cart: expected no ${JSON.stringify(ref)}, got ${view}`);
  }
  const items = lines.reduce((s, l) => s + l.quantity, 0);
  if (e.items !== undefined && items !== e.items) f.push(`cart: expected ${e.items} item(s), got ${items} (${view})`);
  if (e.quantity) {
    const m = matchLines(e.quantity.of, lines, h);
    const q = typeof m === 'string' ? 0 : m.reduce((s, l) => s + l.quantity, 0);
    if (q !== e.quantity.is) f.push(`cart: expected quantity ${e.quantity.is} of ${JSON.stringify(e.quantity.of)}, got ${q} (${view})`);
  }
  return f;
}

/**
 * Why a card check cannot be met by any product of the catalog (empty: it can), checked before
 * the bot ever runs: a check fewer than `atLeast` catalog products satisfy is malformed.
 */
export function unsatisfiable(e: CardsExpectation, catalog: readonly ShownProduct[]): string[] {
  if (e.max === 0 || !hasFit(e)) return [];
  const atLeast = e.atLeast ?? Math.min(2, e.top ?? 3);
  const n = catalog.filter((p) => fits(p, e) && violations(p, e).length === 0).length;
  return n >= atLeast ? [] : [`only ${n} catalog product(s) fit ${describeFit(e)} within the filters (need ${atLeast})`];
}
