/**
 * The store connector: carts, checkout and orders. The embedded demo store is the default;
 * real platforms (Shopify, WooCommerce) implement the same interface.
 * A shopper only ever sees their own orders: every order read takes the requesting shopper and
 * returns NOT_FOUND (never FORBIDDEN, which would confirm the order exists) for anyone else's.
 */
import type { CartView } from '../messages.js';
import type { Product } from '../catalog/product.js';

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
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: string;
  readonly lines: readonly OrderLine[];
  readonly createdAt: number;
  readonly carrier?: string;
  readonly trackingNumber?: string;
  readonly estimatedDelivery?: string;
}

/** Who is asking: the user id of the conversation, plus an e-mail address once verified. */
export interface Requester {
  readonly userId: string;
  readonly verifiedEmail?: string;
}

export interface StoreConnector {
  cart(userId: string): Promise<CartView>;
  addToCart(userId: string, product: Product, quantity: number): Promise<CartView>;
  removeFromCart(userId: string, productId: string): Promise<CartView>;
  /** Places an order from the cart and empties it. */
  checkout(userId: string, email: string | undefined): Promise<Order>;
  getOrder(orderId: string, who: Requester): Promise<Order | undefined>;
  listOrders(who: Requester): Promise<Order[]>;
  close(): Promise<void>;
}
