/**
 * Coupon actions: an offer once a shopper looks at products or has a basket (the uplift model
 * decides whether an offer changes the outcome; a random holdout keeps that measurable), and the
 * redemption at checkout. A refused code never stops the purchase; the result carries the
 * refusal's code and the responder says why in the shopper's language.
 */
import type { RefusalReason } from '../coupons/index.js';
import type { ConversationState } from '../dialogue/index.js';
import type { FunnelEventInput } from '../funnel/index.js';
import { exposureEvent } from '../insights/index.js';
import type { CartView, CouponOffer } from '../messages.js';
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
  // A coupon experiment's shopper is exposed when a decision is taken under their variant (not before: until then no arm differs).
  const arm = deps.experiments?.arm('coupon', msg.userId);
  const d = await deps.coupons.decideOffer(
    { userId: msg.userId, conversationId: msg.conversationId, channel: msg.channel, messages: state.turn, lang: state.lang },
    { valueCents: cart.totalCents, items: cart.lines.reduce((s, l) => s + l.quantity, 0), categories },
    arm?.policy,
  );
  const events: FunnelEventInput[] = d.event ? [d.event, ...(arm ? [exposureEvent(arm, ctx.base)] : [])] : [];
  if (!d.offer || !d.campaignId) return { state, events };
  return { state: { ...state, coupon: { code: d.offer.code, campaignId: d.campaignId } }, coupon: d.offer, events };
}

export interface Redeemed {
  readonly order: Order;
  readonly couponCode?: string;
  readonly couponRefusal?: RefusalReason;
  readonly events: FunnelEventInput[];
}

/**
 * Places the order from the cart, redeeming the conversation's coupon in the same transaction when
 * the store takes discounts (the order, its discount and the redemption are written together).
 */
export async function placeOrder(state: ConversationState, cart: CartView, email: string | undefined, ctx: ActionContext, deps: ActionDeps): Promise<Redeemed> {
  if (!deps.coupons || !state.coupon || !deps.store.takesDiscounts) return { order: await deps.store.checkout(ctx.msg.userId, email), events: [] };
  const products = await deps.catalog.getMany(cart.lines.map((l) => l.productId));
  const coupon = deps.coupons.inOrder(state.coupon.code, {
    channel: ctx.msg.channel,
    conversationId: ctx.msg.conversationId,
    categoriesOf: (id) => (products.get(id)?.category ?? []).map((c) => c.toLowerCase()),
  });
  const order = await deps.store.checkout(ctx.msg.userId, email, coupon.discount);
  const outcome = coupon.outcome();
  if (outcome && 'redeemed' in outcome) return { order, couponCode: outcome.redeemed.code, events: [outcome.redeemed.event] };
  // A refused coupon (expired, over budget, basket too small) does not stop the purchase; the shopper is told why.
  return { order, ...(outcome ? { couponRefusal: outcome.refused } : {}), events: [] };
}
