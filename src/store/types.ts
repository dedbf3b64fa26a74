/**
 * The store connector: carts, checkout and orders. The embedded demo store is the default;
 * real platforms (Shopify, WooCommerce) implement the same interface.
 * A shopper only ever sees their own orders: every order read takes the requesting shopper and
 * returns NOT_FOUND (never FORBIDDEN, which would confirm the order exists) for anyone else's.
 */
import type pg from 'pg';
import type { CartView } from '../messages.js';
import type { Product } from '../catalog/index.js';
import { ShopbotError } from '../errors.js';
import type { Requester } from './access.js';

export type OrderStatus = 'processing' | 'shipped' | 'delivered' | 'cancelled' | 'return_requested' | 'refunded';

export interface OrderLine {
  readonly productId: string;
  readonly title: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface Order {
  readonly id: string;
  readonly userId: string;
  readonly email?: string;
  /** The store's customer id, when the store knows the buyer as a customer. */
  readonly customerId?: string;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: string;
  readonly lines: readonly OrderLine[];
  readonly createdAt: number;
  readonly carrier?: string;
  readonly trackingNumber?: string;
  readonly estimatedDelivery?: string;
  /** Delivery date (YYYY-MM-DD) once delivered; the return window counts from it. */
  readonly deliveredOn?: string;
  readonly shippingAddress?: string;
}

export const RETURN_REASONS = ['damaged', 'wrong_item', 'not_as_described', 'size_fit', 'changed_mind', 'other'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

export interface ReturnInfo {
  readonly id: string;
  readonly orderId: string;
  readonly reason: ReturnReason;
  /** What the shopper will get back, after any return-label fee. */
  readonly refundCents: number;
  readonly feeCents: number;
  readonly currency: string;
  readonly createdAt: number;
}

export interface RefundInfo {
  readonly orderId: string;
  /** awaiting_return: the return was started but the parcel has not arrived yet. */
  readonly status: 'none' | 'awaiting_return' | 'pending' | 'refunded';
  readonly amountCents: number;
  readonly currency: string;
  /** YYYY-MM-DD the refund was (or is expected to be) issued. */
  readonly issuedOn?: string;
}

export type OrderChange = { readonly type: 'shipping_address'; readonly address: string };

/**
 * Why an order cannot be changed: the connector throws CONFLICT with one of these as `reason`
 * so the dialogue can explain it from data rather than guess.
 */
export type NotAllowedReason = 'already_shipped' | 'already_cancelled' | 'not_delivered' | 'return_window_closed' | 'already_returned' | 'verification_required';

export class OrderNotAllowedError extends ShopbotError {
  constructor(readonly reason: NotAllowedReason, message: string) {
    super('CONFLICT', message);
    this.name = 'OrderNotAllowedError';
  }
}

export type { AccessLevel, OrderGrant, Requester } from './access.js';

/** An order being placed, as a discount sees it inside the order's transaction. */
export interface PlacedOrder {
  readonly id: string;
  readonly userId: string;
  readonly lines: readonly OrderLine[];
}

/**
 * Taken off an order inside the transaction that places it; returns the cents to take off. The
 * store calls the method of its own engine (both come from the same `storage.backend`): SQLite's
 * synchronously inside better-sqlite3's transaction, PostgreSQL's on the order's client.
 */
export interface OrderDiscount {
  sqlite?(order: PlacedOrder): number;
  postgres?(client: pg.PoolClient, order: PlacedOrder): Promise<number>;
}

export interface StoreConnector {
  cart(userId: string): Promise<CartView>;
  addToCart(userId: string, product: Product, quantity: number): Promise<CartView>;
  removeFromCart(userId: string, productId: string): Promise<CartView>;
  /**
   * Places an order from the cart and empties it. A `discount` (a coupon's redemption) is taken
   * in the same transaction: the order, its discount and the redemption are written together, or
   * none of them. Stores whose own checkout applies coupons ignore it (`takesDiscounts` unset).
   */
  checkout(userId: string, email: string | undefined, discount?: OrderDiscount): Promise<Order>;
  /** True when checkout() takes an OrderDiscount (the embedded demo store, on SQLite or PostgreSQL). */
  readonly takesDiscounts?: boolean;
  /** The order when the requester may at least see its status (src/store/access.ts); undefined otherwise. */
  getOrder(orderId: string, who: Requester): Promise<Order | undefined>;
  /** The requester's own orders (their user id, or the verified customer's), newest first. */
  listOrders(who: Requester): Promise<Order[]>;
  /**
   * The guest check (order number, e-mail): true only when that order was placed with that e-mail.
   * The caller throttles attempts and grants status access to that one order, nothing more.
   */
  verifyEmail(orderId: string, email: string): Promise<boolean>;
  /** Where a one-time code for this order goes: the order's e-mail (undefined when it has none). */
  contactOf(orderId: string): Promise<{ orderId: string; email: string } | undefined>;
  /**
   * The changes below need `manage` access: VerificationRequiredError when the requester may only
   * see the order, NOT_FOUND when not even that.
   */
  /** Cancels while the order is still being prepared; OrderNotAllowedError otherwise. */
  cancelOrder(orderId: string, who: Requester): Promise<Order>;
  changeOrder(orderId: string, who: Requester, change: OrderChange): Promise<Order>;
  /** Starts a return of a delivered order inside the return window. */
  startReturn(orderId: string, who: Requester, reason: ReturnReason, note?: string): Promise<ReturnInfo>;
  refundStatus(orderId: string, who: Requester): Promise<RefundInfo | undefined>;
  close(): Promise<void>;
}
