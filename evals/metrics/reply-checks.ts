/**
 * Checks on what a reply says about products: the prices, ratings and brands it states, which
 * product it is about, its language, and whether it echoes the shopper. Pure functions of text.
 */
import { dollars, type ShownProduct } from './product-checks.js';

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
