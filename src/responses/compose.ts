/**
 * From action results to the reply: text from templates, filled only with values taken from the
 * results (catalog, cart, order, policy passage), plus cards and quick replies.
 */
import { effectivePriceCents, type Product } from '../catalog/product.js';
import type { CartView, Lang, OutboundMessage, ProductCard, QuickReply } from '../messages.js';
import type { Intent } from '../nlu/types.js';
import type { SearchFilters } from '../retrieval/types.js';
import type { Order } from '../store/types.js';
import type { PolicyPassage } from '../turn.js';
import { formatMoney, render, type Templates } from './templates.js';

export type ActionResult =
  | { type: 'search'; query: string; refined: boolean; more: boolean; products: ProductCard[]; filters: SearchFilters }
  | { type: 'product'; product: Product; question?: string }
  | { type: 'added'; product: Product; quantity: number; cart: CartView }
  | { type: 'removed'; cart: CartView }
  | { type: 'cart'; cart: CartView }
  | { type: 'checkout_done'; order: Order }
  | { type: 'checkout_empty' }
  | { type: 'ask_email' }
  | { type: 'order'; order: Order }
  | { type: 'order_not_found'; orderId: string }
  | { type: 'ask_order_id' }
  | { type: 'policy'; passage: PolicyPassage }
  | { type: 'policy_unknown' }
  | { type: 'handoff'; reason: string; team?: string; queuePosition?: number }
  | { type: 'clarify'; options: readonly Intent[] }
  | { type: 'which_product' }
  | { type: 'smalltalk'; kind: 'greeting' | 'goodbye' | 'thanks' }
  | { type: 'out_of_scope' }
  | { type: 'unavailable' };

export function toCard(p: Product, position: number, slateId: string, sponsored: boolean): ProductCard {
  const price = effectivePriceCents(p);
  return {
    id: p.id,
    title: p.title,
    currency: p.currency,
    inStock: p.availability !== 'out_of_stock' && p.stock !== 0,
    position,
    sponsored,
    slateId,
    ...(p.brand ? { brand: p.brand } : {}),
    ...(price !== undefined ? { priceCents: price } : {}),
    ...(p.rating !== undefined ? { rating: p.rating } : {}),
    ...(p.ratingCount !== undefined ? { ratingCount: p.ratingCount } : {}),
    ...(p.imageUrl ? { imageUrl: p.imageUrl } : {}),
    ...(p.url ? { url: p.url } : {}),
  };
}

const STATUS_TEXT: Record<Lang, Record<Order['status'], string>> = {
  en: { processing: 'being prepared', shipped: 'on its way', delivered: 'delivered', cancelled: 'cancelled', return_requested: 'awaiting your return', refunded: 'refunded' },
  zh: { processing: '备货中', shipped: '运输中', delivered: '已送达', cancelled: '已取消', return_requested: '等待退货', refunded: '已退款' },
};

function describeFilters(f: SearchFilters, lang: Lang): string | undefined {
  const parts: string[] = [];
  const money = (c: number) => formatMoney(c, 'USD', lang);
  if (lang === 'zh') {
    if (f.priceMaxCents !== undefined) parts.push(`${money(f.priceMaxCents)}以下`);
    if (f.priceMinCents !== undefined) parts.push(`${money(f.priceMinCents)}以上`);
    if (f.colors?.length) parts.push(f.colors.join('/'));
    if (f.brands?.length) parts.push(f.brands.join('/'));
    if (f.minRating !== undefined) parts.push(`${f.minRating}星以上`);
    if (f.excludeTerms?.length) parts.push(`不含${f.excludeTerms.join('、')}`);
    return parts.length ? `（${parts.join('，')}）` : undefined;
  }
  if (f.priceMaxCents !== undefined) parts.push(`under ${money(f.priceMaxCents + 1)}`);
  if (f.priceMinCents !== undefined) parts.push(`over ${money(f.priceMinCents - 1 > 0 ? f.priceMinCents - 1 : f.priceMinCents)}`);
  if (f.colors?.length) parts.push(f.colors.join('/'));
  if (f.brands?.length) parts.push(`by ${f.brands.join('/')}`);
  if (f.minRating !== undefined) parts.push(`rated ${f.minRating}+`);
  if (f.excludeTerms?.length) parts.push(`without ${f.excludeTerms.join(', ')}`);
  return parts.length ? ` (${parts.join(', ')})` : undefined;
}

/** The sentence of the product's own text that best answers the question (word overlap). */
function bestPassage(product: Product, question: string): string | undefined {
  const q = new Set(question.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []);
  const stop = new Set(['does', 'this', 'that', 'have', 'what', 'with', 'the', 'and', 'for', 'how', 'can', 'are', 'you', 'its', 'will', 'come']);
  for (const w of stop) q.delete(w);
  if (q.size === 0) return undefined;
  const sentences = [...product.bullets, ...product.description.split(/(?<=[.!?])\s+/)].map((s) => s.trim()).filter((s) => s.length > 0 && s.length < 400);
  let best: string | undefined;
  let bestScore = 0;
  for (const s of sentences) {
    const words = new Set(s.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []);
    let score = 0;
    for (const w of q) if (words.has(w) || [...words].some((x) => x.startsWith(w.slice(0, 5)) && w.length >= 5)) score++;
    if (score > bestScore) (bestScore = score), (best = s);
  }
  return best;
}

export function composeReply(templates: Templates, lang: Lang, results: readonly ActionResult[], seed: number): Pick<OutboundMessage, 'text' | 'products' | 'quickReplies' | 'cart' | 'handoff'> {
  const texts: string[] = [];
  let products: ProductCard[] = [];
  let cart: CartView | undefined;
  let handoff: OutboundMessage['handoff'];
  const quick: QuickReply[] = [];
  const t = (key: string, values: Record<string, string | number | undefined> = {}) => render(templates, lang, key, values, seed);
  const qr = (key: string) => {
    const label = t(key);
    quick.push({ label, text: label });
  };
  const money = (cents: number, currency: string) => formatMoney(cents, currency, lang);
  const count = (c: CartView) => c.lines.reduce((s, l) => s + l.quantity, 0);

  for (const r of results) {
    switch (r.type) {
      case 'search': {
        const filters = describeFilters(r.filters, lang);
        if (r.products.length === 0) {
          texts.push(t('search_empty', { query: r.query, filters }));
          qr('qr_human');
        } else {
          texts.push(t(r.more ? 'search_more' : r.refined ? 'search_refined' : 'search_results', { query: r.query, filters }));
          products = r.products;
          qr('qr_cheaper');
          qr('qr_more');
          qr('qr_cart');
        }
        break;
      }
      case 'product': {
        const p = r.product;
        const price = effectivePriceCents(p);
        const answer = r.question ? bestPassage(p, r.question) : undefined;
        if (r.question && answer) texts.push(t('product_answer', { title: p.title, passage: answer }));
        else if (r.question) texts.push(t('product_no_answer', { title: p.title, summary: (p.bullets[0] ?? p.description.slice(0, 200)) || p.title }));
        else {
          const inStock = p.availability !== 'out_of_stock' && p.stock !== 0;
          const stock = lang === 'zh' ? (inStock ? '有货。' : '暂时缺货。') : inStock ? 'In stock.' : 'Out of stock.';
          texts.push(t('product_detail', { title: p.title, brand: p.brand ? (lang === 'zh' ? `（${p.brand}）` : ` by ${p.brand}`) : undefined, price: price !== undefined ? money(price, p.currency) : lang === 'zh' ? '暂无价格' : 'price not listed', stock }));
        }
        products = [toCard(p, 0, 'detail', false)];
        qr('qr_cart');
        break;
      }
      case 'added':
        texts.push(t('added_to_cart', { quantity: r.quantity, title: r.product.title, total: money(r.cart.totalCents, r.cart.currency) }));
        cart = r.cart;
        qr('qr_checkout');
        qr('qr_search');
        break;
      case 'removed':
        texts.push(t('removed_from_cart', { total: money(r.cart.totalCents, r.cart.currency) }));
        cart = r.cart;
        break;
      case 'cart':
        cart = r.cart;
        if (r.cart.lines.length === 0) texts.push(t('cart_empty'));
        else {
          texts.push(t('cart', { count: count(r.cart), total: money(r.cart.totalCents, r.cart.currency) }));
          qr('qr_checkout');
        }
        break;
      case 'checkout_done': {
        const o = r.order;
        const n = o.lines.reduce((s, l) => s + l.quantity, 0);
        texts.push(o.email ? t('checkout_done', { orderId: o.id, count: n, total: money(o.totalCents, o.currency), email: o.email }) : t('checkout_done_noemail', { orderId: o.id, count: n, total: money(o.totalCents, o.currency) }));
        cart = { lines: [], totalCents: 0, currency: o.currency };
        qr('qr_track');
        break;
      }
      case 'checkout_empty':
        texts.push(t('checkout_empty'));
        qr('qr_search');
        break;
      case 'ask_email':
        texts.push(t('ask_email'));
        break;
      case 'order': {
        const o = r.order;
        const tracking = o.trackingNumber ? (lang === 'zh' ? ` 承运商 ${o.carrier}，运单号 ${o.trackingNumber}。` : ` Carrier ${o.carrier}, tracking number ${o.trackingNumber}.`) : undefined;
        const eta = o.estimatedDelivery ? (lang === 'zh' ? ` 预计送达：${o.estimatedDelivery}。` : ` Estimated delivery: ${o.estimatedDelivery}.`) : undefined;
        texts.push(t('order_status', { orderId: o.id, status: STATUS_TEXT[lang][o.status], tracking, eta }));
        break;
      }
      case 'order_not_found':
        texts.push(t('order_not_found', { orderId: r.orderId }));
        qr('qr_human');
        break;
      case 'ask_order_id':
        texts.push(t('ask_order_id'));
        break;
      case 'policy': {
        const link = lang === 'zh' ? `（来源：${r.passage.title}，${r.passage.source}）` : ` (Source: ${r.passage.title}, ${r.passage.source})`;
        texts.push(t('policy_answer', { passage: r.passage.passage }) + link);
        break;
      }
      case 'policy_unknown':
        texts.push(t('policy_unknown'));
        qr('qr_human');
        break;
      case 'handoff':
        texts.push(t(r.reason === 'repeated_low_confidence' ? 'handoff_offer' : 'handoff'));
        handoff = { status: 'queued', reason: r.reason, ...(r.team ? { team: r.team } : {}), ...(r.queuePosition !== undefined ? { queuePosition: r.queuePosition } : {}) };
        break;
      case 'clarify':
        texts.push(t('clarify'));
        for (const intent of r.options) {
          const key = `intent_${intent}`;
          if (templates[lang].has(key)) qr(key);
        }
        qr('qr_human');
        break;
      case 'which_product':
        texts.push(t('which_product'));
        break;
      case 'smalltalk':
        texts.push(t(r.kind));
        if (r.kind === 'greeting') (qr('qr_search'), qr('qr_track'));
        break;
      case 'out_of_scope':
        texts.push(t('out_of_scope'));
        qr('qr_search');
        qr('qr_track');
        qr('qr_human');
        break;
      case 'unavailable':
        texts.push(t('unavailable'));
        break;
    }
  }
  const seen = new Set<string>();
  const quickReplies = quick.filter((q) => (seen.has(q.label) ? false : (seen.add(q.label), true))).slice(0, 4);
  return { text: texts.join(' '), products, quickReplies, ...(cart ? { cart } : {}), ...(handoff ? { handoff } : {}) };
}
