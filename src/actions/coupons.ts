/**
 * Coupon actions: an offer once a shopper looks at products or has a basket (the uplift model
 * decides whether an offer changes the outcome; a random holdout keeps that measurable), and the
 * redemption at checkout. A refused code never stops the purchase; the result carries the
 * refusal's code and the responder says why in the shopper's language.
 */
import { CouponRefusedError, type RefusalReason } from '../coupons/index.js';
import type { ConversationState } from '../dialogue/index.js';
import type { FunnelEventInput } from '../funnel/index.js';
import type { CouponOffer } from '../messages.js';
import type { ActionResult } from '../responses/index.js';
import type { Order } from '../store/index.js';
import type { ActionContext, ActionDeps } from './types.js';

/** Results after which an offer may pay off: the shopper is looking at products or has a basket. */
const OFFER_AFTER: ReadonlySet<ActionResult['type']> = new Set(['added', 'cart', 'product', 'product_question']);

export async function offerCoupon(
  state: ConversationState,
  results: readonly ActionResult[],
  ctx: ActionContext,
  deps: ActionDeps,
): Promise<{ state: ConversationState; coupon?: CouponOffer; events: FunnelEventInput[] }> {
  if (!deps.coupons || state.coupon || !results.some((r) => OFFER_AFTER.has(r.type))) return { state, events: [] };
  const { msg } = ctx;
  const cart = await deps.store.cart(msg.userId);
  const products = await deps.catalog.getMany(cart.lines.map((l) => l.productId));
  const categories = [...new Set([...products.values()].flatMap((p) => p.category.map((c) => c.toLowerCase())))];
  const d = deps.coupons.decideOffer(
    { userId: msg.userId, conversationId: msg.conversationId, channel: msg.channel, messages: state.turn, lang: state.lang },
    { valueCents: cart.totalCents, items: cart.lines.reduce((s, l) => s + l.quantity, 0), categories },
  );
  const events: FunnelEventInput[] = d.event ? [d.event] : [];
  if (!d.offer || !d.campaignId) return { state, events };
  return { state: { ...state, coupon: { code: d.offer.code, campaignId: d.campaignId } }, coupon: d.offer, events };
}

export interface Redeemed {
  readonly order: Order;
  readonly couponCode?: string;
  readonly couponRefusal?: RefusalReason;
  readonly events: FunnelEventInput[];
}

/** Redeems the conversation's coupon against a placed order, when there is one and the store can discount. */
export async function redeemCoupon(state: ConversationState, placed: Order, ctx: ActionContext, deps: ActionDeps): Promise<Redeemed> {
  if (!deps.coupons || !state.coupon || !deps.store.applyDiscount) return { order: placed, events: [] };
  const products = await deps.catalog.getMany(placed.lines.map((l) => l.productId));
  try {
    const r = deps.coupons.redeem(state.coupon.code, {
      userId: ctx.msg.userId,
      orderId: placed.id,
      lines: placed.lines.map((l) => ({ categories: (products.get(l.productId)?.category ?? []).map((c) => c.toLowerCase()), amountCents: l.unitPriceCents * l.quantity })),
      channel: ctx.msg.channel,
      conversationId: ctx.msg.conversationId,
    });
    return { order: await deps.store.applyDiscount(placed.id, r.discountCents), couponCode: r.code, events: [r.event] };
  } catch (err) {
    // A refused coupon (expired, over budget, basket too small) does not stop the purchase; the shopper is told why.
    if (!(err instanceof CouponRefusedError)) throw err;
    return { order: placed, couponRefusal: err.reason, events: [] };
  }
}
