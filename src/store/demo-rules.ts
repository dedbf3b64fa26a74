/**
 * The demo store's rules, written once for both of its engines (SQLite in demo.ts, PostgreSQL in
 * postgres.ts): order ids, the simulated fulfilment and refund timeline, what may be cancelled,
 * changed or returned, and the seeded demo orders. The engines only read and write rows.
 */
import { createHash } from 'node:crypto';
import { ShopbotError } from '../errors.js';
import { effectivePriceCents, type Product } from '../catalog/index.js';
import type { CartView } from '../messages.js';
import { accessTo, VerificationRequiredError } from './access.js';
import { OrderNotAllowedError, type Order, type OrderChange, type OrderLine, type OrderStatus, type RefundInfo, type Requester, type ReturnInfo, type ReturnReason, type StoreConnector } from './types.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** A returned parcel takes this long to reach the warehouse; the refund follows after REFUND_AFTER. */
export const RETURN_TRANSIT_MS = 3 * DAY;
export const REFUND_AFTER_MS = 2 * DAY;
/** Reasons that are the store's fault ship back free (as the demo returns policy says). */
const FREE_RETURN_REASONS: ReadonlySet<ReturnReason> = new Set(['damaged', 'wrong_item', 'not_as_described']);

export interface DemoStoreOptions {
  now: () => number;
  titleOf?: (id: string) => string | undefined;
  /** Days after delivery a return may start (the demo policy: 30). */
  returnWindowDays?: number;
  /** Return label fee deducted when the return is not the store's fault (the demo policy: $4.99). */
  returnFeeCents?: number;
}

/** An order written directly, for demos, fixtures and conversation evals. */
export interface SeedOrder {
  readonly id: string;
  readonly userId: string;
  readonly email?: string;
  readonly lines: readonly OrderLine[];
  readonly currency?: string;
  readonly createdAt: number;
  readonly status?: 'processing' | 'cancelled';
}

/** The demo store as the app holds it, whichever engine keeps its rows. */
export interface DemoShop extends StoreConnector {
  clearCart(userId: string): Promise<void>;
  /**
   * A forget request: the cart goes; orders stay as the store's sales records (revenue, refunds),
   * with the user id replaced and the e-mail, shipping address and return notes removed.
   */
  forgetUser(userId: string, replacementId: string): Promise<{ cartItems: number; orders: number }>;
  /** Three demo orders for a fresh install (demoOrders); idempotent; how many were new. */
  seedDemoOrders(): number | Promise<number>;
}

/** Shoppers type "123456", "#123456" or "sb123456" for SB-123456. */
export function normalizeOrderId(id: string): string {
  const trimmed = /^\d+$/.test(id.trim()) ? `SB-${id.trim()}` : id;
  const digits = /^(?:#|sb-?)?\s*(\d{6})$/i.exec(trimmed.trim())?.[1];
  return digits ? `SB-${digits}` : trimmed.trim();
}

/** Short, human-typeable ids ("SB-" + 6 digits) derived from the user and time; `salt` is raised on a clash. */
export function orderIdFor(userId: string, nowMs: number, salt: number): string {
  const n = parseInt(createHash('sha256').update(`${userId}:${nowMs}:${salt}`).digest('hex').slice(0, 8), 16) % 900_000;
  return `SB-${100_000 + n}`;
}

/** The customer the demo store page signs in (src/server/http.ts); the seeded demo orders are theirs. */
export const DEMO_CUSTOMER = { id: 'demo-shopper', email: 'demo@example.com' } as const;

const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** An orders row; `refund_issues_at` joined from order_refunds. */
export interface OrderRow {
  id: string;
  user_id: string;
  email: string | null;
  status: string;
  total_cents: number;
  currency: string;
  items: string;
  shipping: string | null;
  created_at: number;
  refund_issues_at?: number | null;
}

export interface CartRow {
  product_id: string;
  quantity: number;
  unit_price_cents: number;
  currency: string;
}

export function cartView(rows: readonly CartRow[], titleOf: DemoStoreOptions['titleOf']): CartView {
  const lines = rows.map((r) => ({ productId: r.product_id, title: titleOf?.(r.product_id) ?? r.product_id, quantity: r.quantity, unitPriceCents: r.unit_price_cents, currency: r.currency }));
  return { lines, totalCents: lines.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0), currency: lines[0]?.currency ?? 'USD' };
}

/** The price a cart line is added at; CONFLICT for what cannot be sold. */
export function sellablePrice(product: Product): number {
  const price = effectivePriceCents(product);
  if (price === undefined) throw new ShopbotError('CONFLICT', `product ${product.id} has no price and cannot be sold`);
  if (product.availability === 'out_of_stock' || product.stock === 0) throw new ShopbotError('CONFLICT', `product ${product.id} is out of stock`);
  return price;
}

export function accessOf(row: OrderRow, who: Requester, nowMs: number) {
  return accessTo({ id: row.id, userId: row.user_id, ...(row.email ? { email: row.email } : {}) }, who, nowMs);
}

/** NOT_FOUND unless the requester may see the order (never FORBIDDEN: that would confirm it exists). */
export function visibleRow(row: OrderRow | undefined, orderId: string, who: Requester, nowMs: number): OrderRow {
  if (!row || accessOf(row, who, nowMs) === 'none') throw new ShopbotError('NOT_FOUND', `no order ${orderId}`);
  return row;
}

/** VerificationRequiredError when the requester may only see the order. */
export function manageableRow(row: OrderRow | undefined, orderId: string, who: Requester, nowMs: number): OrderRow {
  const visible = visibleRow(row, orderId, who, nowMs);
  if (accessOf(visible, who, nowMs) !== 'manage') throw new VerificationRequiredError(visible.id);
  return visible;
}

/** Fulfilment simulated from the order's age: processing for an hour, shipped until two days, then delivered. */
export function toOrder(row: OrderRow, nowMs: number): Order {
  const ageMs = nowMs - row.created_at;
  let status = row.status as OrderStatus;
  const deliveredAt = row.created_at + 48 * HOUR;
  if (status === 'processing' && ageMs >= HOUR) status = ageMs >= 48 * HOUR ? 'delivered' : 'shipped';
  if (status === 'return_requested' && row.refund_issues_at != null && nowMs >= row.refund_issues_at) status = 'refunded';
  const everShipped = row.status !== 'cancelled' && ageMs >= HOUR;
  const tracking = everShipped ? `1Z${createHash('sha256').update(row.id).digest('hex').slice(0, 14).toUpperCase()}` : undefined;
  const shipping = row.shipping ? (JSON.parse(row.shipping) as { address?: string }) : {};
  return {
    id: row.id,
    userId: row.user_id,
    ...(row.email ? { email: row.email } : {}),
    status,
    totalCents: row.total_cents,
    currency: row.currency,
    lines: JSON.parse(row.items) as OrderLine[],
    createdAt: row.created_at,
    ...(everShipped ? { carrier: 'UPS', trackingNumber: tracking } : {}),
    ...(status === 'processing' || status === 'shipped' ? { estimatedDelivery: ymd(row.created_at + 72 * HOUR) } : {}),
    ...(everShipped && ageMs >= 48 * HOUR ? { deliveredOn: ymd(deliveredAt) } : {}),
    ...(shipping.address ? { shippingAddress: shipping.address } : {}),
  };
}

export function assertCancellable(order: Order): void {
  if (order.status === 'cancelled') throw new OrderNotAllowedError('already_cancelled', `order ${order.id} is already cancelled`);
  if (order.status !== 'processing') throw new OrderNotAllowedError('already_shipped', `order ${order.id} has shipped and can no longer be cancelled`);
}

/** The shipping column for an address change, or the refusal. */
export function changedShipping(order: Order, change: OrderChange): string {
  if (order.status === 'cancelled') throw new OrderNotAllowedError('already_cancelled', `order ${order.id} is cancelled`);
  if (order.status !== 'processing') throw new OrderNotAllowedError('already_shipped', `order ${order.id} has shipped and can no longer be changed`);
  const address = change.address.replace(/\s+/g, ' ').trim().slice(0, 300);
  if (address.length < 5) throw new ShopbotError('BAD_REQUEST', 'the address is too short');
  return JSON.stringify({ address });
}

/** The return to record, or why not. */
export function plannedReturn(row: OrderRow, order: Order, reason: ReturnReason, nowMs: number, options: DemoStoreOptions): ReturnInfo {
  if (order.status === 'return_requested' || order.status === 'refunded') throw new OrderNotAllowedError('already_returned', `a return for ${order.id} is already open`);
  if (order.status === 'cancelled') throw new OrderNotAllowedError('already_cancelled', `order ${order.id} is cancelled`);
  if (order.status !== 'delivered') throw new OrderNotAllowedError('not_delivered', `order ${order.id} has not been delivered yet`);
  const windowMs = (options.returnWindowDays ?? 30) * DAY;
  if (nowMs - (row.created_at + 48 * HOUR) > windowMs) throw new OrderNotAllowedError('return_window_closed', `the return window for ${order.id} has closed`);
  const feeCents = FREE_RETURN_REASONS.has(reason) ? 0 : Math.min(options.returnFeeCents ?? 499, row.total_cents);
  return { id: `R-${row.id.replace(/^[A-Z]+-/i, '')}`, orderId: row.id, reason, refundCents: row.total_cents - feeCents, feeCents, currency: row.currency, createdAt: nowMs };
}

export function refundView(row: OrderRow, refund: { amount_cents: number; currency: string; kind: string; created_at: number; issues_at: number } | undefined, nowMs: number): RefundInfo {
  if (!refund) return { orderId: row.id, status: 'none', amountCents: 0, currency: row.currency };
  const status: RefundInfo['status'] = nowMs >= refund.issues_at ? 'refunded' : refund.kind === 'return' && nowMs < refund.created_at + RETURN_TRANSIT_MS ? 'awaiting_return' : 'pending';
  return { orderId: row.id, status, amountCents: refund.amount_cents, currency: refund.currency, issuedOn: ymd(refund.issues_at) };
}

export const orderTotal = (lines: readonly OrderLine[]) => lines.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0);

/**
 * Demo orders for a fresh install: placed by "demo-shopper" with demo@example.com, one being
 * prepared, one shipped, one delivered (ages relative to now). The demo store page signs its
 * visitor in as that customer (DEMO_CUSTOMER), so they are the visitor's orders there; a guest
 * elsewhere sees one by its number plus that e-mail, and changes it after a one-time code.
 */
export function demoOrders(nowMs: number): SeedOrder[] {
  const lines = (title: string, quantity: number, unitPriceCents: number): OrderLine[] => [{ productId: `demo-${title.toLowerCase().replace(/\W+/g, '-')}`, title, quantity, unitPriceCents }];
  return [
    { id: 'SB-100101', userId: DEMO_CUSTOMER.id, email: DEMO_CUSTOMER.email, lines: lines('Trail running shoe', 1, 8_999), createdAt: nowMs - 10 * 60_000 },
    { id: 'SB-100102', userId: DEMO_CUSTOMER.id, email: DEMO_CUSTOMER.email, lines: lines('Merino wool socks', 3, 1_299), createdAt: nowMs - 20 * HOUR },
    { id: 'SB-100103', userId: DEMO_CUSTOMER.id, email: DEMO_CUSTOMER.email, lines: lines('Waterproof hiking jacket', 1, 14_900), createdAt: nowMs - 5 * DAY },
  ];
}
