/**
 * Answers to questions about the products on screen, from product data only: price, rating,
 * reviews, brand, stock, weight and size; comparisons among the shown cards; yes/no attributes
 * answered "yes / no / the listing does not say" with the listing's own words as evidence, quoted
 * and marked when the listing's language is not the reply's. Wording comes from the templates
 * (`pq_*` keys), values from the results, so the grounding checker holds every answer to them.
 */
import { effectivePriceCents, type Product } from '../catalog/index.js';
import type { Lang } from '../messages.js';
import { attributeAnswer, bestPassage, sizeOf, weightOf, type Measured } from './listing-facts.js';
import { readProductQuestion, type FactKind, type ProductQuestion, type Superlative } from './product-question.js';

/** What the product-question action returns: the question, the product it is about (if one), and the cards shown, in order. */
export interface ProductQuestionResult {
  readonly type: 'product_question';
  readonly question: string;
  readonly product?: Product;
  readonly slate: readonly Product[];
}

export interface AnswerContext {
  readonly lang: Lang;
  readonly t: (key: string, values?: Record<string, string | number | undefined>) => string;
  readonly money: (cents: number, currency: string) => string;
}

export interface ProductAnswer {
  readonly text: string;
  /** The products the answer is about (their cards are shown), best first. */
  readonly products: readonly Product[];
  /** No product to answer about: ask which one. */
  readonly which?: boolean;
}

const EN_ORDINAL = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
const ZH_NUMERAL = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const MAX_TITLE = 48;

/** Up to MAX_TITLE characters of the title, cut at a word. */
export function shortTitle(title: string): string {
  if (title.length <= MAX_TITLE) return title;
  const cut = title.slice(0, MAX_TITLE);
  const space = cut.lastIndexOf(' ');
  return `${(space > 20 ? cut.slice(0, space) : cut).replace(/[\s,;:–-]+$/, '')}…`;
}

function ordinal(i: number, lang: Lang): string | undefined {
  if (i < 0 || i >= EN_ORDINAL.length) return undefined;
  return lang === 'zh' ? `第${ZH_NUMERAL[i]}个` : `the ${EN_ORDINAL[i]} one`;
}

/** A product named by its place among the cards and a short title in quotes: "the third one (“TREBLAB XR500…”)". */
function nameOf(p: Product, slate: readonly Product[], lang: Lang): string {
  const i = slate.findIndex((s) => s.id === p.id);
  const place = ordinal(i, lang);
  const title = `“${shortTitle(p.title)}”`;
  if (!place) return title;
  return lang === 'zh' ? `${place}（${title}）` : `${place} (${title})`;
}

/** The listing's words in quotes, marked when they are in another language than the reply. */
function quoted(text: string, lang: Lang): string {
  const listingLang: Lang = /\p{Script=Han}/u.test(text) ? 'zh' : 'en';
  const q = `“${text.replace(/[“”"]/g, "'").trim()}”`;
  if (listingLang === lang) return q;
  return lang === 'zh' ? `${q}（商品页英文原文）` : `${q} (the listing's Chinese wording)`;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function resolvePosition(n: number, slate: readonly Product[]): Product | undefined {
  return slate[n < 0 ? slate.length + n : n];
}

/** The product a single-product question is about: the card it names, else the product in focus, else the only card. */
function subjectOf(q: ProductQuestion, r: ProductQuestionResult): Product | undefined {
  const positions = q.kind === 'compare' ? q.among : q.positions;
  const named = positions.length ? resolvePosition(positions[0]!, r.slate) : undefined;
  return named ?? r.product ?? (r.slate.length === 1 ? r.slate[0] : undefined);
}

function ratingText(p: Product): string {
  return String(Number((p.rating ?? 0).toFixed(1)));
}

function countText(n: number | undefined): string {
  return (n ?? 0).toLocaleString('en-US');
}

function fact(fact: FactKind, p: Product, r: ProductQuestionResult, ctx: AnswerContext): string {
  const name = nameOf(p, r.slate, ctx.lang);
  const Name = capitalize(name);
  const { t, money, lang } = ctx;
  switch (fact) {
    case 'price': {
      const price = effectivePriceCents(p);
      if (price === undefined) return t('pq_no_price', { name, Name });
      const was = p.salePriceCents !== undefined && p.priceCents !== undefined && p.priceCents > p.salePriceCents ? money(p.priceCents, p.currency) : undefined;
      return t(was ? 'pq_price_sale' : 'pq_price', { name, Name, price: money(price, p.currency), was });
    }
    case 'rating':
    case 'reviews':
      if (p.rating === undefined) return t('pq_no_rating', { name, Name });
      return t(fact === 'reviews' ? 'pq_reviews' : 'pq_rating', { name, Name, rating: ratingText(p), count: countText(p.ratingCount) });
    case 'brand':
      return p.brand ? t('pq_brand', { name, Name, brand: p.brand }) : t('pq_no_brand', { name, Name });
    case 'stock':
      if (p.availability === 'out_of_stock' || p.stock === 0) return t('pq_stock_out', { name, Name });
      if (p.availability === 'preorder' || p.availability === 'backorder') return t('pq_stock_later', { name, Name });
      return t('pq_stock_in', { name, Name });
    case 'weight': {
      const w = weightOf(p);
      return w ? t('pq_weight', { name, Name, quote: quoted(w.quote, lang) }) : t('pq_no_weight', { name, Name });
    }
    case 'size': {
      const s = sizeOf(p);
      return s ? t('pq_size', { name, Name, quote: quoted(s.quote, lang) }) : t('pq_no_size', { name, Name });
    }
  }
}

type Scored = { readonly p: Product; readonly value: number; readonly measured?: Measured };

function scored(by: Superlative, pool: readonly Product[]): Scored[] {
  const out: Scored[] = [];
  for (const p of pool) {
    if (by === 'cheapest' || by === 'priciest') {
      const price = effectivePriceCents(p);
      if (price !== undefined) out.push({ p, value: price });
    } else if (by === 'best_rated') {
      // Ties on stars go to the product more shoppers rated.
      if (p.rating !== undefined) out.push({ p, value: p.rating * 1e9 + (p.ratingCount ?? 0) });
    } else if (by === 'most_reviewed') {
      if (p.ratingCount !== undefined) out.push({ p, value: p.ratingCount });
    } else {
      const m = by === 'lightest' || by === 'heaviest' ? weightOf(p) : sizeOf(p);
      if (m) out.push({ p, value: m.value, measured: m });
    }
  }
  if (by === 'biggest' || by === 'smallest') {
    // Sizes compare within one kind (volumes with volumes): the kind most listings give.
    const kinds = new Map<string, number>();
    for (const s of out) kinds.set(s.measured!.unit, (kinds.get(s.measured!.unit) ?? 0) + 1);
    const kind = [...kinds.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    return out.filter((s) => s.measured!.unit === kind);
  }
  return out;
}

const LOWEST_FIRST: ReadonlySet<Superlative> = new Set(['cheapest', 'lightest', 'smallest']);
const NO_DATA_KEY: Readonly<Record<Superlative, string>> = {
  cheapest: 'pq_compare_no_price', priciest: 'pq_compare_no_price', best_rated: 'pq_compare_no_rating', most_reviewed: 'pq_compare_no_rating',
  lightest: 'pq_compare_no_weight', heaviest: 'pq_compare_no_weight', biggest: 'pq_compare_no_size', smallest: 'pq_compare_no_size',
};

function scopeOf(among: readonly Product[], slate: readonly Product[], lang: Lang): string {
  const places = among.map((p) => slate.findIndex((s) => s.id === p.id)).map((i) => ordinal(i, lang)).filter((x): x is string => x !== undefined);
  if (places.length >= 2 && places.length < slate.length) {
    if (lang === 'zh') return `${places.join('和')}中`;
    return `Of ${places.slice(0, -1).join(', ')} and ${places[places.length - 1]}`;
  }
  return lang === 'zh' ? '这几款中' : 'Of these';
}

/** The product of `pool` that a superlative picks (the first on ties), with what it was measured by; undefined when none gives the value. */
function pick(by: Superlative, pool: readonly Product[]): { best: Scored; known: number } | undefined {
  const known = scored(by, pool);
  if (!known.length) return undefined;
  const best = known.reduce((a, b) => (LOWEST_FIRST.has(by) ? (b.value < a.value ? b : a) : b.value > a.value ? b : a));
  return { best, known: known.length };
}

/** "Which is the cheapest?" as a product: the pick alone, for actions that act on it (show it, add it). */
export function pickProduct(by: Superlative, pool: readonly Product[]): Product | undefined {
  return pick(by, pool)?.best.p;
}

function compare(q: Extract<ProductQuestion, { kind: 'compare' }>, r: ProductQuestionResult, ctx: AnswerContext): ProductAnswer {
  const named = q.among.map((n) => resolvePosition(n, r.slate)).filter((p): p is Product => p !== undefined);
  const pool = named.length >= 2 ? named : r.slate;
  const scope = scopeOf(pool, r.slate, ctx.lang);
  const picked = pick(q.by, pool);
  if (!picked) return { text: ctx.t(NO_DATA_KEY[q.by], { scope }), products: [] };
  const { best } = picked;
  const p = best.p;
  const price = effectivePriceCents(p);
  const text = ctx.t(`pq_${q.by}`, {
    scope,
    name: nameOf(p, r.slate, ctx.lang),
    price: price !== undefined ? ctx.money(price, p.currency) : undefined,
    rating: p.rating !== undefined ? ratingText(p) : undefined,
    count: countText(p.ratingCount),
    quote: best.measured ? quoted(best.measured.quote, ctx.lang) : undefined,
  });
  // A weight or size some listings do not give: say the comparison is among those that do.
  const partial = picked.known < pool.length && best.measured ? ` ${ctx.t('pq_compare_partial')}` : '';
  return { text: text + partial, products: [p] };
}

function attribute(q: Extract<ProductQuestion, { kind: 'attribute' }>, r: ProductQuestionResult, ctx: AnswerContext): ProductAnswer {
  const subject = subjectOf(q, r);
  if (subject) {
    const a = attributeAnswer(subject, q.concepts);
    const name = nameOf(subject, r.slate, ctx.lang);
    const text = a.answer === 'unknown' ? ctx.t('pq_unknown', { name, Name: capitalize(name) }) : ctx.t(a.answer === 'yes' ? 'pq_yes' : 'pq_no', { name, quote: quoted(a.quote, ctx.lang) });
    return { text, products: [subject] };
  }
  // "Are any of these waterproof?": the cards whose listing says so.
  const yes = r.slate.flatMap((p) => {
    const a = attributeAnswer(p, q.concepts);
    return a.answer === 'yes' ? [{ p, quote: a.quote }] : [];
  });
  if (!yes.length) return { text: ctx.t('pq_none_say'), products: [] };
  const names = yes.map((y) => nameOf(y.p, r.slate, ctx.lang)).join(ctx.lang === 'zh' ? '、' : '; ');
  return { text: ctx.t('pq_some_say', { names, quote: quoted(yes[0]!.quote, ctx.lang) }), products: yes.map((y) => y.p) };
}

/** The answer to a question about shown products, or `which` when it names none and several are shown. */
export function answerProductQuestion(r: ProductQuestionResult, ctx: AnswerContext): ProductAnswer {
  const q = readProductQuestion(r.question, ctx.lang, { aboutFocus: r.product !== undefined }) ?? { kind: 'other', positions: [] };
  if (q.kind === 'compare' && r.slate.length >= 2) return compare(q, r, ctx);
  if (q.kind === 'attribute') {
    if (!subjectOf(q, r) && !r.slate.length) return { text: '', products: [], which: true };
    return attribute(q, r, ctx);
  }
  const subject = subjectOf(q, r);
  if (!subject) return { text: '', products: [], which: true };
  if (q.kind === 'fact') return { text: fact(q.fact, subject, r, ctx), products: [subject] };
  const name = nameOf(subject, r.slate, ctx.lang);
  const passage = bestPassage(subject, r.question);
  if (passage) return { text: ctx.t('pq_passage', { name, Name: capitalize(name), quote: quoted(passage, ctx.lang) }), products: [subject] };
  // Nothing in the listing speaks to it ("more info?"): the product's essentials, from its data.
  return { text: productDetail(subject, ctx), products: [subject] };
}

/** A product's essentials: title, brand, price and stock. */
export function productDetail(p: Product, { t, money, lang }: AnswerContext): string {
  const price = effectivePriceCents(p);
  const inStock = p.availability !== 'out_of_stock' && p.stock !== 0;
  const stock = lang === 'zh' ? (inStock ? '有货。' : '暂时缺货。') : inStock ? 'In stock.' : 'Out of stock.';
  return t('product_detail', {
    title: p.title,
    brand: p.brand ? (lang === 'zh' ? `（${p.brand}）` : ` by ${p.brand}`) : undefined,
    price: price !== undefined ? money(price, p.currency) : lang === 'zh' ? '暂无价格' : 'price not listed',
    stock,
  });
}
