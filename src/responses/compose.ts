/**
 * From action results to the reply: text from templates, filled only with values taken from the
 * results (catalog, cart, order, policy passage), plus cards and quick replies.
 */
import { effectivePriceCents, type Product } from '../catalog/index.js';
import type { RefusalReason } from '../coupons/index.js';
import type { CartView, Lang, OutboundMessage, ProductCard, QuickReply } from '../messages.js';
import type { Intent } from '../nlu/index.js';
import type { SearchFilters } from '../retrieval/index.js';
import type { TaskKind } from '../dialogue/index.js';
import type { NotAllowedReason, Order, OrderStatus, RefundInfo, ReturnInfo, ReturnReason } from '../store/index.js';
import type { PolicyPassage } from '../policies/index.js';
import type { StoreContact } from '../config.js';
import { fill, formatMoney, variantOf, type Templates } from '../templates/index.js';
import { friendlyDate } from './dates.js';
import { answerProductQuestion, productDetail, type ProductQuestionResult } from './product-answers.js';

/** The facts about an order a service reply may state. */
export interface OrderSummary {
  readonly id: string;
  readonly status: OrderStatus;
  readonly createdOn: string;
  readonly totalCents: number;
  readonly currency: string;
  readonly items: number;
  readonly firstTitle: string;
}

export type ServiceResult =
  | { type: 'task_ask'; kind: TaskKind; slot: string; reask: boolean; resume: boolean; orderId?: string }
  | { type: 'task_choose'; kind: TaskKind; orders: OrderSummary[]; resume: boolean }
  | { type: 'task_confirm'; kind: TaskKind; order: OrderSummary; reason?: ReturnReason; address?: string }
  | { type: 'task_done'; kind: TaskKind; order: OrderSummary; refund?: RefundInfo; address?: string }
  | { type: 'task_not_allowed'; kind: TaskKind; order: OrderSummary; reason: NotAllowedReason }
  | { type: 'task_no_orders'; kind: TaskKind }
  | { type: 'task_cancelled'; kind: TaskKind }
  | { type: 'verify_failed'; orderId: string }
  /** A one-time code went to the order's e-mail (masked); `outbox`: the demo's outbox, not a mail server. */
  | { type: 'code_sent'; kind: TaskKind; orderId: string; sentTo: string; outbox: boolean }
  | { type: 'code_invalid'; orderId: string }
  | { type: 'code_failed'; orderId: string }
  /** Too many order checks in a while (guessing protection). */
  | { type: 'verify_throttled'; minutes: number }
  | { type: 'return_started'; order: OrderSummary; ret: ReturnInfo }
  | { type: 'refund'; order: OrderSummary; refund: RefundInfo };

export type ActionResult =
  | ServiceResult
  | { type: 'search'; query: string; refined: boolean; more: boolean; products: ProductCard[]; filters: SearchFilters }
  | { type: 'product'; product: Product }
  | ProductQuestionResult
  | { type: 'added'; product: Product; quantity: number; cart: CartView }
  | { type: 'removed'; cart: CartView }
  /** A removal that names no line of several: which one? */
  | { type: 'remove_which'; cart: CartView }
  | { type: 'cart'; cart: CartView }
  | { type: 'checkout_done'; order: Order; couponCode?: string; couponRefusal?: RefusalReason }
  | { type: 'checkout_empty' }
  | { type: 'ask_email' }
  | { type: 'order'; order: Order }
  | { type: 'order_not_found'; orderId: string }
  | { type: 'ask_order_id' }
  | { type: 'policy'; passage: PolicyPassage }
  | { type: 'policy_unknown' }
  | { type: 'handoff'; reason: string; team?: string; queuePosition?: number; afterHours?: boolean; unavailable?: boolean; /** When the team opens, in its time zone (after hours). */ opensAt?: string }
  | { type: 'clarify'; options: readonly Intent[] }
  | { type: 'which_product' }
  | { type: 'smalltalk'; kind: 'greeting' | 'goodbye' | 'thanks' | 'assistant' }
  | { type: 'acknowledged'; kind: 'complaint' }
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

const FIXED_WORDING: Record<Lang, readonly string[]> = {
  en: ['In stock.', 'Out of stock.', 'price not listed', 'under over by rated without', ' Carrier , tracking number .', ' Estimated delivery: .', ' (Source: , )'],
  zh: ['有货。', '暂时缺货。', '暂无价格', '以下 以上 星以上 不含', ' 承运商 ，运单号 。', ' 预计送达：。', '（来源：，）'],
};

/** Handoff reasons a reply acknowledges with an apology (trigger kinds, src/handoff). */
const ACKNOWLEDGED_REASONS: ReadonlySet<string> = new Set(['complaint', 'frustration', 'legal_threat', 'payment_card']);

/** The store's contact details as one phrase, in the reply's language; undefined when none are configured. */
export function contactText(c: StoreContact, lang: Lang): string | undefined {
  const parts: string[] = [];
  if (lang === 'zh') {
    if (c.email) parts.push(`邮箱 ${c.email}`);
    if (c.phone) parts.push(`电话 ${c.phone}${c.hours ? `（${c.hours}）` : ''}`);
    if (c.url) parts.push(`网页 ${c.url}`);
    return parts.length ? parts.join('，') : undefined;
  }
  if (c.email) parts.push(`e-mail ${c.email}`);
  if (c.phone) parts.push(`phone ${c.phone}${c.hours ? ` (${c.hours})` : ''}`);
  if (c.url) parts.push(c.url);
  if (!parts.length) return undefined;
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

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
  // Bounds are inclusive, so they are shown as they are ("under $50" is stored as at most 5000 cents).
  if (f.priceMaxCents !== undefined) parts.push(`up to ${money(f.priceMaxCents)}`);
  if (f.priceMinCents !== undefined) parts.push(`from ${money(f.priceMinCents)}`);
  if (f.colors?.length) parts.push(f.colors.join('/'));
  if (f.brands?.length) parts.push(`by ${f.brands.join('/')}`);
  if (f.minRating !== undefined) parts.push(`rated ${f.minRating}+`);
  if (f.excludeTerms?.length) parts.push(`without ${f.excludeTerms.join(', ')}`);
  return parts.length ? ` (${parts.join(', ')})` : undefined;
}

/** `used`, when given, receives the raw wording of every template variant used (the grounding checker allows it). */
export function composeReply(
  templates: Templates,
  lang: Lang,
  results: readonly ActionResult[],
  seed: number,
  used?: string[],
  /** The response model's pick among a key's variants (variants.ts); the seed decides otherwise. */
  choose?: (key: string, variants: readonly string[]) => number | undefined,
  /** The store's contact details (config `store.contact`), given when no one is online in the chat. */
  contact?: StoreContact,
): Pick<OutboundMessage, 'text' | 'products' | 'quickReplies' | 'cart' | 'handoff'> {
  const texts: string[] = [];
  let products: ProductCard[] = [];
  let cart: CartView | undefined;
  let handoff: OutboundMessage['handoff'];
  const quick: QuickReply[] = [];
  const t = (key: string, values: Record<string, string | number | undefined> = {}) => {
    const raw = variantOf(templates, lang, key, seed, choose);
    used?.push(raw);
    return fill(raw, values);
  };
  const qr = (key: string) => {
    const label = t(key);
    quick.push({ label, text: label });
  };
  const money = (cents: number, currency: string) => formatMoney(cents, currency, lang);
  // A friendly date restates a store date the facts hold (the checker knows both forms, grounding.ts).
  const date = (ymd: string | undefined) => friendlyDate(ymd, lang);
  // Fixed wording written by this module (not a template) counts as template wording for the checker.
  used?.push(...Object.values(STATUS_TEXT[lang]), ...FIXED_WORDING[lang]);
  const count = (c: CartView) => c.lines.reduce((s, l) => s + l.quantity, 0);

  for (const r of results) {
    if (isServiceResult(r)) {
      composeService(r, { t, qr, money, date, lang, texts });
      continue;
    }
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
        texts.push(productDetail(p, { lang, t, money }));
        products = [toCard(p, 0, 'detail', false)];
        qr('qr_cart');
        break;
      }
      case 'product_question': {
        const answer = answerProductQuestion(r, { lang, t, money });
        if (answer.which) {
          texts.push(t('which_product'));
          break;
        }
        texts.push(answer.text);
        products = answer.products.slice(0, 1).map((p) => toCard(p, 0, 'detail', false));
        if (products.length) qr('qr_cart');
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
      case 'remove_which':
        texts.push(t('remove_which', { count: count(r.cart), total: money(r.cart.totalCents, r.cart.currency) }));
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
        const when = date(o.estimatedDelivery);
        const eta = when ? (lang === 'zh' ? ` 预计送达：${when}。` : ` Estimated delivery: ${when}.`) : undefined;
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
      case 'handoff': {
        // A complaint or an upset shopper hears an apology first, whoever takes it from here.
        if (ACKNOWLEDGED_REASONS.has(r.reason.split(':')[0]!)) texts.push(t('complaint_ack'));
        if (r.unavailable) {
          const details = contact ? contactText(contact, lang) : undefined;
          if (details) used?.push(details);
          texts.push(details ? t('handoff_unavailable', { contact: details }) : t('handoff_unavailable_nocontact'));
          // Nobody was asked to join, so the widget shows no waiting banner.
          break;
        }
        if (r.afterHours && r.team && r.opensAt) texts.push(t('handoff_after_hours_at', { team: r.team, opens: r.opensAt }));
        else if (r.afterHours && r.team) texts.push(t('handoff_after_hours', { team: r.team }));
        else if (r.team && r.queuePosition !== undefined) texts.push(t(r.reason === 'repeated_low_confidence' ? 'handoff_offer_queued' : 'handoff_queued', { team: r.team, position: r.queuePosition }));
        else texts.push(t(r.reason === 'repeated_low_confidence' ? 'handoff_offer' : 'handoff'));
        handoff = { status: 'queued', reason: r.reason, ...(r.team ? { team: r.team } : {}), ...(r.queuePosition !== undefined ? { queuePosition: r.queuePosition } : {}) };
        break;
      }
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
      case 'acknowledged':
        texts.push(t('complaint_ack'));
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

const SERVICE_TYPES: ReadonlySet<string> = new Set([
  'task_ask', 'task_choose', 'task_confirm', 'task_done', 'task_not_allowed', 'task_no_orders', 'task_cancelled', 'verify_failed', 'code_sent', 'code_invalid', 'code_failed', 'verify_throttled', 'return_started', 'refund',
]);

function isServiceResult(r: ActionResult): r is ServiceResult {
  return SERVICE_TYPES.has(r.type);
}

interface ServiceCtx {
  t: (key: string, values?: Record<string, string | number | undefined>) => string;
  qr: (key: string) => void;
  money: (cents: number, currency: string) => string;
  date: (ymd: string | undefined) => string | undefined;
  lang: Lang;
  texts: string[];
}

/** Service-task replies: every value comes from the order, return or refund the store returned. */
function composeService(r: ServiceResult, { t, qr, money, date, lang, texts }: ServiceCtx): void {
  const status = (s: OrderStatus) => STATUS_TEXT[lang][s];
  const orderValues = (o: OrderSummary) => ({ orderId: o.id, items: o.items, total: money(o.totalCents, o.currency), date: date(o.createdOn), status: status(o.status), title: o.firstTitle });
  switch (r.type) {
    case 'task_ask': {
      const prefix = r.resume ? t('task_resume') + ' ' : '';
      texts.push(prefix + t(`task_${r.reask ? 'reask' : 'ask'}_${r.slot === 'orderId' ? 'order' : r.slot}`, { task: t(`task_name_${r.kind}`), orderId: r.orderId }));
      if (r.reask) qr('qr_human');
      break;
    }
    case 'task_choose':
      texts.push((r.resume ? t('task_resume') + ' ' : '') + t('task_choose', { task: t(`task_name_${r.kind}`) }));
      for (const o of r.orders) texts.push(t('task_choose_line', orderValues(o)));
      break;
    case 'task_confirm':
      texts.push(
        t(`task_confirm_${r.kind}`, { ...orderValues(r.order), reason: r.reason ? t(`reason_${r.reason}`) : undefined, address: r.address }),
      );
      qr('qr_yes');
      qr('qr_no');
      break;
    case 'task_done': {
      const refund = r.refund && r.refund.amountCents > 0 ? money(r.refund.amountCents, r.refund.currency) : undefined;
      texts.push(t(`task_done_${r.kind}`, { ...orderValues(r.order), refund, refundDate: date(r.refund?.issuedOn), address: r.address }));
      break;
    }
    case 'task_not_allowed':
      texts.push(t(`not_allowed_${r.reason}`, orderValues(r.order)));
      if (r.reason === 'already_shipped' || r.reason === 'return_window_closed') qr('qr_human');
      break;
    case 'task_no_orders':
      texts.push(t('task_no_orders', { task: t(`task_name_${r.kind}`) }));
      break;
    case 'task_cancelled':
      texts.push(t('task_cancelled'));
      break;
    case 'verify_failed':
      texts.push(t('verify_failed', { orderId: r.orderId }));
      break;
    case 'code_sent':
      texts.push(t(r.outbox ? 'code_sent_outbox' : 'code_sent', { orderId: r.orderId, email: r.sentTo, task: t(`task_name_${r.kind}`) }));
      break;
    case 'code_invalid':
      texts.push(t('code_invalid', { orderId: r.orderId }));
      break;
    case 'code_failed':
      texts.push(t('code_failed', { orderId: r.orderId }));
      qr('qr_human');
      break;
    case 'verify_throttled':
      texts.push(t('verify_throttled', { minutes: r.minutes }));
      qr('qr_human');
      break;
    case 'return_started':
      texts.push(
        t(r.ret.feeCents > 0 ? 'return_started_fee' : 'return_started', {
          ...orderValues(r.order),
          returnId: r.ret.id,
          refund: money(r.ret.refundCents, r.ret.currency),
          fee: money(r.ret.feeCents, r.ret.currency),
        }),
      );
      break;
    case 'refund':
      texts.push(t(`refund_${r.refund.status}`, { orderId: r.refund.orderId, amount: money(r.refund.amountCents, r.refund.currency), date: date(r.refund.issuedOn) }));
      break;
  }
}
