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

const short = (p: ShownProduct) => `"${p.title.slice(0, 60)}"`;

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
function listOf(ref: { ago?: number; turn?: number }, h: ListHistory): readonly ShownProduct[] | string {
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

/** Money amounts written in a reply, in cents ($12.99, US$12.99, 12.99 USD, 12.99美元, ¥12). */
export function moneyAmounts(text: string): number[] {
  const out: number[] = [];
  const re = /(?:US\$|\$|USD\s?|¥|￥)\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?|(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s?(?:USD|dollars?|bucks|美元|美金|元|块)/giu;
  for (const m of text.matchAll(re)) {
    const whole = (m[1] ?? m[3]!).replace(/,/g, '');
    const frac = m[2] ?? m[4];
    out.push(Number(whole) * 100 + (frac ? Number(frac.padEnd(2, '0')) : 0));
  }
  return out;
}

/** The reply states the price of one of these products (and any price it states is one of theirs or another shown card's). */
export function checkStatedPrice(text: string, products: readonly ShownProduct[]): string | undefined {
  const prices = products.flatMap((p) => (p.priceCents !== undefined ? [p.priceCents] : []));
  if (!prices.length) return `price: the product has no price to state`;
  const stated = moneyAmounts(text);
  if (stated.some((c) => prices.includes(c))) return undefined;
  return `price: expected ${prices.map(dollars).join(' or ')}, the reply states ${stated.length ? stated.map(dollars).join(', ') : 'no price'}: "${text.slice(0, 160)}"`;
}

const norm = (s: string) => s.toLowerCase().normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
const ORDINALS_EN = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
const ORDINALS_ZH = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/**
 * The words that name a product within its list: the shortest title prefix of three or more
 * words that no other product of the list shares, and its brand when no other has that brand.
 */
export function namingKeys(p: ShownProduct, list: readonly ShownProduct[]): string[] {
  const others = list.filter((o) => o.id !== p.id);
  const words = norm(p.title).split(' ');
  const keys: string[] = [];
  for (let n = Math.min(3, words.length); n <= words.length; n++) {
    const prefix = words.slice(0, n).join(' ');
    if (!others.some((o) => norm(o.title).startsWith(prefix))) {
      keys.push(prefix);
      break;
    }
  }
  if (p.brand && norm(p.brand).length >= 2 && !others.some((o) => o.brand && norm(o.brand) === norm(p.brand!))) keys.push(norm(p.brand));
  return keys;
}

/**
 * The reply is about one of `accepted` (products of `list`): it shows that product alone, names
 * it (namingKeys), or calls it by its position ("the third one", "第三个").
 */
export function refersTo(reply: { readonly text: string; readonly cards: readonly ShownProduct[] }, accepted: readonly ShownProduct[], list: readonly ShownProduct[]): boolean {
  const text = ` ${norm(reply.text)} `;
  return accepted.some((p) => {
    if (reply.cards.length === 1 && reply.cards[0]!.id === p.id) return true;
    if (namingKeys(p, list).some((k) => text.includes(` ${k} `))) return true;
    const i = list.findIndex((o) => o.id === p.id);
    if (i < 0 || i >= ORDINALS_EN.length) return false;
    return new RegExp(`\\b(the ${ORDINALS_EN[i]}( one| item| product)?|(number|no|#) ?${i + 1})\\b`, 'i').test(reply.text) || reply.text.includes(`第${ORDINALS_ZH[i]}`);
  });
}

/**
 * The reply's language, after dropping what is quoted or copied from the catalog (card titles,
 * brands): English product titles inside a Chinese reply do not make it English.
 */
export function detectLang(text: string, ignore: readonly string[] = []): 'en' | 'zh' | 'none' {
  let t = text;
  for (const s of [...ignore].sort((a, b) => b.length - a.length)) if (s.length >= 3) t = t.split(s).join(' ');
  t = t.replace(/"[^"]*"|“[^”]*”|「[^」]*」|‘[^’]*’/g, ' ');
  const han = (t.match(/\p{Script=Han}/gu) ?? []).length;
  const latin = (t.match(/[A-Za-z]{2,}/g) ?? []).length;
  if (!han && !latin) return 'none';
  // A Chinese sentence has roughly one character per English word.
  return han >= latin ? 'zh' : 'en';
}

/** The longest stretch of the shopper's message (whitespace and case folded) that the reply repeats verbatim. */
export function longestEcho(reply: string, message: string): number {
  const a = message.toLowerCase().replace(/\s+/g, ' ');
  const b = reply.toLowerCase().replace(/\s+/g, ' ');
  // Longest common substring, O(|a|·|b|) with one row: messages are capped at 2,000 characters.
  let best = 0;
  let row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const next = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] === b[j - 1]) {
        next[j] = row[j - 1]! + 1;
        if (next[j]! > best) best = next[j]!;
      }
    }
    row = next;
  }
  return best;
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

const NOT_LISTED_RE = /not (listed|rated|given|say)|no (rating|reviews?|brand)|unknown|doesn.?t say|未标明|没有(评分|评价|品牌)|暂无|不详/i;

/** The reply states this product's star rating (4.5, 4.5/5, 4.5 stars, 4.5 星). */
export function checkStatedRating(text: string, products: readonly ShownProduct[]): string | undefined {
  const ratings = products.flatMap((p) => (p.rating !== undefined ? [p.rating] : []));
  // An unrated product: saying so is the right answer.
  if (!ratings.length) return NOT_LISTED_RE.test(text) ? undefined : `rating: the product has no rating, and the reply does not say so: "${text.slice(0, 160)}"`;
  const stated = [...text.matchAll(/(?<![\d.$])([0-5](?:\.\d)?)(?=\s*(?:\/\s*5|out of 5|stars?|星|分)|\b)/g)].map((m) => Number(m[1]));
  return stated.some((r) => ratings.some((x) => Math.abs(x - r) < 0.05)) ? undefined : `rating: expected ${ratings.join(' or ')} in the reply: "${text.slice(0, 160)}"`;
}

/** The reply names this product's brand. */
export function checkStatedBrand(text: string, products: readonly ShownProduct[]): string | undefined {
  const brands = products.flatMap((p) => (p.brand ? [p.brand] : []));
  if (!brands.length) return NOT_LISTED_RE.test(text) ? undefined : `brand: the product has no brand, and the reply does not say so: "${text.slice(0, 160)}"`;
  return brands.some((b) => ` ${norm(text)} `.includes(` ${norm(b)} `)) ? undefined : `brand: expected ${brands.join(' or ')} in the reply: "${text.slice(0, 160)}"`;
}

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
  if (e.cards) f.push(...checkCards(e.cards, o.cards, latest));
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
