/** Cart and checkout actions against the store connector, with their funnel events. */
import type { Action, ConversationState } from '../dialogue/index.js';
import { ShopbotError } from '../errors.js';
import type { FunnelEventInput } from '../funnel/index.js';
import type { CartView } from '../messages.js';
import { placeOrder } from './coupons.js';
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

/**
 * The cart lines an action without a product id means: the product the conversation is about when
 * it is in the cart, else the cart's only line ("remove it", "remove one of them" of a line of two); every line for `all`.
 */
function linesMeant(cart: CartView, productId: string | undefined, state: ConversationState, all = false): CartView['lines'] {
  if (all) return cart.lines;
  if (productId) return cart.lines.filter((l) => l.productId === productId);
  const focus = cart.lines.filter((l) => l.productId === state.focusProductId);
  return focus.length ? focus : cart.lines.length === 1 ? cart.lines : [];
}

export async function removeFromCart(action: Extract<Action, { type: 'remove_from_cart' }>, state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  const before = await deps.store.cart(ctx.msg.userId);
  const lines = linesMeant(before, action.productId, state, action.all);
  // Several lines and none named: the shopper is asked which, with the cart on screen.
  if (!lines.length) return outcome(state, before.lines.length ? { type: 'remove_which', cart: before } : { type: 'cart', cart: before });
  let cart = before;
  const events: FunnelEventInput[] = [];
  for (const line of lines) {
    const keep = action.quantity !== undefined && !action.all ? Math.max(0, line.quantity - action.quantity) : 0;
    const product = keep > 0 ? await deps.catalog.get(line.productId) : undefined;
    cart = await deps.store.removeFromCart(ctx.msg.userId, line.productId);
    if (product) cart = await deps.store.addToCart(ctx.msg.userId, product, keep);
    events.push({ ...ctx.base, id: `${ctx.turnId}:rfc:${line.productId}`, type: 'remove_from_cart', productId: line.productId, quantity: product ? line.quantity - keep : line.quantity });
  }
  return outcome(state, cart.lines.length ? { type: 'removed', cart } : { type: 'cart', cart }, events);
}

/** "Change the quantity to 3": the line meant (as for remove) is set to that quantity; 0 removes it. */
export async function setQuantity(action: Extract<Action, { type: 'set_quantity' }>, state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  const before = await deps.store.cart(ctx.msg.userId);
  const [line] = linesMeant(before, action.productId, state);
  if (!line) return outcome(state, { type: 'cart', cart: before });
  const product = await deps.catalog.get(line.productId);
  let cart = await deps.store.removeFromCart(ctx.msg.userId, line.productId);
  const events: FunnelEventInput[] = [{ ...ctx.base, id: `${ctx.turnId}:rfc:${line.productId}`, type: 'remove_from_cart', productId: line.productId, quantity: line.quantity }];
  if (action.quantity > 0 && product) {
    cart = await deps.store.addToCart(ctx.msg.userId, product, action.quantity);
    events.push({ ...ctx.base, id: `${ctx.turnId}:atc:${product.id}`, type: 'add_to_cart', productId: product.id, quantity: action.quantity, priceCents: product.salePriceCents ?? product.priceCents ?? 0 });
  }
  return outcome(state, { type: 'cart', cart }, events);
}

/** Asks for the e-mail a checkout needs, unless there is nothing to check out. */
export async function askEmailForCheckout(state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  const cart = await deps.store.cart(ctx.msg.userId);
  if (cart.lines.length === 0) return outcome({ ...state, task: undefined }, { type: 'checkout_empty' });
  return outcome(state, { type: 'ask_email' });
}

export async function showCart(state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  return outcome(state, { type: 'cart', cart: await deps.store.cart(ctx.msg.userId) });
}

export async function checkout(action: Extract<Action, { type: 'checkout' }>, state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  const cart = await deps.store.cart(ctx.msg.userId);
  if (cart.lines.length === 0) return outcome(state, { type: 'checkout_empty' });
  const events: FunnelEventInput[] = [{ ...ctx.base, id: `${ctx.turnId}:checkout`, type: 'checkout_started', cartValueCents: cart.totalCents, items: cart.lines.reduce((s, l) => s + l.quantity, 0) }];
  const redeemed = await placeOrder(state, cart, action.email, ctx, deps);
  const { order, couponCode, couponRefusal } = redeemed;
  events.push(...redeemed.events, { ...ctx.base, id: `purchase:${order.id}`, type: 'purchase', orderId: order.id, revenueCents: order.totalCents, currency: order.currency, productIds: order.lines.map((l) => l.productId), ...(couponCode ? { couponCode } : {}) });
  // A coupon is spent or refused at checkout either way: the conversation no longer holds it.
  const tried = deps.coupons && state.coupon && deps.store.takesDiscounts;
  return outcome(
    { ...state, ...(tried ? { coupon: undefined } : {}), ...(action.email ? { contactEmail: action.email } : {}) },
    { type: 'checkout_done', order, ...(couponCode ? { couponCode } : {}), ...(couponRefusal ? { couponRefusal } : {}) },
    events,
  );
}
