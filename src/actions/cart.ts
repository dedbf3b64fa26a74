/** Cart and checkout actions against the store connector, with their funnel events. */
import type { Action, ConversationState } from '../dialogue/index.js';
import { ShopbotError } from '../errors.js';
import type { FunnelEventInput } from '../funnel/index.js';
import { redeemCoupon } from './coupons.js';
import { outcome, type ActionContext, type ActionDeps, type ActionOutcome } from './types.js';

export async function addToCart(action: Extract<Action, { type: 'add_to_cart' }>, state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  const product = await deps.catalog.get(action.productId);
  if (!product) return outcome(state, { type: 'unavailable' });
  try {
    const cart = await deps.store.addToCart(ctx.msg.userId, product, action.quantity);
    const event: FunnelEventInput = { ...ctx.base, id: `${ctx.turnId}:atc:${product.id}`, type: 'add_to_cart', productId: product.id, quantity: action.quantity, priceCents: product.salePriceCents ?? product.priceCents ?? 0, ...(action.slateId ? { slateId: action.slateId } : {}) };
    return outcome(state, { type: 'added', product, quantity: action.quantity, cart }, [event]);
  } catch (err) {
    // The store refuses what it cannot sell (no price, out of stock): the shopper hears it is unavailable.
    if (err instanceof ShopbotError && err.code === 'CONFLICT') return outcome(state, { type: 'unavailable' });
    throw err;
  }
}

export async function removeFromCart(action: Extract<Action, { type: 'remove_from_cart' }>, state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  const before = await deps.store.cart(ctx.msg.userId);
  const line = before.lines.find((l) => l.productId === action.productId);
  const cart = await deps.store.removeFromCart(ctx.msg.userId, action.productId);
  const events: FunnelEventInput[] = line ? [{ ...ctx.base, id: `${ctx.turnId}:rfc:${action.productId}`, type: 'remove_from_cart', productId: action.productId, quantity: line.quantity }] : [];
  return outcome(state, { type: 'removed', cart }, events);
}

export async function showCart(state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  return outcome(state, { type: 'cart', cart: await deps.store.cart(ctx.msg.userId) });
}

export async function checkout(action: Extract<Action, { type: 'checkout' }>, state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  const cart = await deps.store.cart(ctx.msg.userId);
  if (cart.lines.length === 0) return outcome(state, { type: 'checkout_empty' });
  const events: FunnelEventInput[] = [{ ...ctx.base, id: `${ctx.turnId}:checkout`, type: 'checkout_started', cartValueCents: cart.totalCents, items: cart.lines.reduce((s, l) => s + l.quantity, 0) }];
  const placed = await deps.store.checkout(ctx.msg.userId, action.email);
  const redeemed = await redeemCoupon(state, placed, ctx, deps);
  const { order, couponCode, couponRefusal } = redeemed;
  events.push(...redeemed.events, { ...ctx.base, id: `purchase:${order.id}`, type: 'purchase', orderId: order.id, revenueCents: order.totalCents, currency: order.currency, productIds: order.lines.map((l) => l.productId), ...(couponCode ? { couponCode } : {}) });
  // A coupon is spent or refused at checkout either way: the conversation no longer holds it.
  const tried = deps.coupons && state.coupon && deps.store.applyDiscount;
  return outcome(
    { ...state, ...(tried ? { coupon: undefined } : {}), ...(action.email ? { contactEmail: action.email } : {}) },
    { type: 'checkout_done', order, ...(couponCode ? { couponCode } : {}), ...(couponRefusal ? { couponRefusal } : {}) },
    events,
  );
}
