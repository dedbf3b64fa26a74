/**
 * The embedded demo store: carts and orders in SQLite. Fulfilment is simulated from the order's
 * age on the injected clock (processing for an hour, shipped with a tracking number until two
 * days, then delivered), so order-status answers come from data, deterministically.
 */
import { createHash } from 'node:crypto';
import type { SqliteDb } from '../storage/index.js';
import type { CartView } from '../messages.js';
import { effectivePriceCents, type Product } from '../catalog/index.js';
import { ShopbotError } from '../errors.js';
import { accessTo, VerificationRequiredError } from './access.js';
import {
  OrderNotAllowedError,
  type Order,
  type OrderChange,
  type OrderLine,
  type OrderStatus,
  type RefundInfo,
  type Requester,
  type ReturnInfo,
  type ReturnReason,
  type StoreConnector,
} from './types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A returned parcel takes this long to reach the warehouse; the refund follows after REFUND_AFTER. */
const RETURN_TRANSIT_MS = 3 * DAY;
const REFUND_AFTER_MS = 2 * DAY;
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

/** Shoppers type "123456", "#123456" or "sb123456" for SB-123456. */
function normalizeId(id: string): string {
  const digits = /^(?:#|sb-?)?\s*(\d{6})$/i.exec(id.trim())?.[1];
  return digits ? `SB-${digits}` : id.trim();
}

/** The customer the demo store page signs in (src/server/http.ts); the seeded demo orders are theirs. */
export const DEMO_CUSTOMER = { id: 'demo-shopper', email: 'demo@example.com' } as const;

const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface OrderRow {
  id: string;
  user_id: string;
  email: string | null;
  status: string;
  total_cents: number;
  currency: string;
  items: string;
  shipping: string | null;
  created_at: number;
}

export class DemoStore implements StoreConnector {
  constructor(
    private readonly db: SqliteDb,
    private readonly deps: DemoStoreOptions,
  ) {}

  async cart(userId: string): Promise<CartView> {
    const rows = this.db
      .prepare('SELECT product_id, quantity, unit_price_cents, currency FROM cart_items WHERE user_id = ? ORDER BY added_at, product_id')
      .all(userId) as { product_id: string; quantity: number; unit_price_cents: number; currency: string }[];
    const lines = rows.map((r) => ({
      productId: r.product_id,
      title: this.deps.titleOf?.(r.product_id) ?? r.product_id,
      quantity: r.quantity,
      unitPriceCents: r.unit_price_cents,
      currency: r.currency,
    }));
    return { lines, totalCents: lines.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0), currency: lines[0]?.currency ?? 'USD' };
  }

  async addToCart(userId: string, product: Product, quantity: number): Promise<CartView> {
    const price = effectivePriceCents(product);
    if (price === undefined) throw new ShopbotError('CONFLICT', `product ${product.id} has no price and cannot be sold`);
    if (product.availability === 'out_of_stock' || product.stock === 0) throw new ShopbotError('CONFLICT', `product ${product.id} is out of stock`);
    this.db
      .prepare(
        `INSERT INTO cart_items (user_id, product_id, quantity, unit_price_cents, currency, added_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (user_id, product_id) DO UPDATE SET quantity = MIN(99, quantity + excluded.quantity), unit_price_cents = excluded.unit_price_cents`,
      )
      .run(userId, product.id, quantity, price, product.currency, this.deps.now());
    return this.cart(userId);
  }

  async removeFromCart(userId: string, productId: string): Promise<CartView> {
    this.db.prepare('DELETE FROM cart_items WHERE user_id = ? AND product_id = ?').run(userId, productId);
    return this.cart(userId);
  }

  async clearCart(userId: string): Promise<void> {
    this.db.prepare('DELETE FROM cart_items WHERE user_id = ?').run(userId);
  }

  async checkout(userId: string, email: string | undefined): Promise<Order> {
    const cart = await this.cart(userId);
    if (cart.lines.length === 0) throw new ShopbotError('CONFLICT', 'the cart is empty');
    const now = this.deps.now();
    // Short, human-typeable ids ("SB-" + 6 digits) derived from the user and time; retried on a clash.
    let id = '';
    for (let salt = 0; ; salt++) {
      const n = parseInt(createHash('sha256').update(`${userId}:${now}:${salt}`).digest('hex').slice(0, 8), 16) % 900_000;
      id = `SB-${100_000 + n}`;
      if (!this.db.prepare('SELECT 1 FROM orders WHERE id = ?').get(id)) break;
    }
    const lines: OrderLine[] = cart.lines.map((l) => ({ productId: l.productId, title: l.title, quantity: l.quantity, unitPriceCents: l.unitPriceCents }));
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO orders (id, user_id, email, status, total_cents, currency, items, shipping, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)')
        .run(id, userId, email?.toLowerCase() ?? null, 'processing', cart.totalCents, cart.currency, JSON.stringify(lines), now, now);
      this.db.prepare('DELETE FROM cart_items WHERE user_id = ?').run(userId);
    })();
    return (await this.getOrder(id, { userId }))!;
  }

  async applyDiscount(orderId: string, discountCents: number): Promise<Order> {
    const row = this.db.prepare('UPDATE orders SET total_cents = MAX(0, total_cents - ?), updated_at = ? WHERE id = ? RETURNING user_id').get(discountCents, this.deps.now(), orderId) as { user_id: string } | undefined;
    if (!row) throw new ShopbotError('NOT_FOUND', `no order ${orderId}`);
    return (await this.getOrder(orderId, { userId: row.user_id }))!;
  }

  async getOrder(orderId: string, who: Requester): Promise<Order | undefined> {
    // Shoppers often type only the digits ("order 123456").
    const id = /^\d+$/.test(orderId) ? `SB-${orderId}` : orderId;
    const row = this.db.prepare('SELECT * FROM orders WHERE id = ? COLLATE NOCASE').get(normalizeId(id)) as OrderRow | undefined;
    if (!row || this.access(row, who) === 'none') return undefined;
    return this.toOrder(row);
  }

  async listOrders(who: Requester): Promise<Order[]> {
    // A verified customer's orders include those placed elsewhere with the e-mail the store vouched for.
    const rows = (
      who.customer
        ? this.db.prepare('SELECT * FROM orders WHERE user_id = ? OR email = ? ORDER BY created_at DESC').all(who.userId, who.customer.email.toLowerCase())
        : this.db.prepare('SELECT * FROM orders WHERE user_id = ? ORDER BY created_at DESC').all(who.userId)
    ) as OrderRow[];
    return rows.map((r) => this.toOrder(r));
  }

  async contactOf(orderId: string): Promise<{ orderId: string; email: string } | undefined> {
    const row = this.db.prepare('SELECT id, email FROM orders WHERE id = ? COLLATE NOCASE').get(normalizeId(orderId)) as { id: string; email: string | null } | undefined;
    return row?.email ? { orderId: row.id, email: row.email } : undefined;
  }

  async close(): Promise<void> {}

  private access(row: OrderRow, who: Requester) {
    return accessTo({ id: row.id, userId: row.user_id, ...(row.email ? { email: row.email } : {}) }, who, this.deps.now());
  }

  private toOrder(row: OrderRow): Order {
    const now = this.deps.now();
    const ageMs = now - row.created_at;
    let status = row.status as OrderStatus;
    const deliveredAt = row.created_at + 48 * HOUR;
    if (status === 'processing' && ageMs >= HOUR) status = ageMs >= 48 * HOUR ? 'delivered' : 'shipped';
    if (status === 'return_requested') {
      const refund = this.db.prepare('SELECT issues_at FROM order_refunds WHERE order_id = ?').get(row.id) as { issues_at: number } | undefined;
      if (refund && now >= refund.issues_at) status = 'refunded';
    }
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

  async verifyEmail(orderId: string, email: string): Promise<boolean> {
    const row = this.db.prepare('SELECT email FROM orders WHERE id = ? COLLATE NOCASE').get(normalizeId(orderId)) as { email: string | null } | undefined;
    return !!row?.email && row.email === email.trim().toLowerCase();
  }

  /** Loads an order the requester may see, or NOT_FOUND (never FORBIDDEN: that would confirm it exists). */
  private visible(orderId: string, who: Requester): OrderRow {
    const row = this.db.prepare('SELECT * FROM orders WHERE id = ? COLLATE NOCASE').get(normalizeId(orderId)) as OrderRow | undefined;
    if (!row || this.access(row, who) === 'none') throw new ShopbotError('NOT_FOUND', `no order ${orderId}`);
    return row;
  }

  /** Loads an order the requester may change: VerificationRequiredError when they may only see it. */
  private manageable(orderId: string, who: Requester): OrderRow {
    const row = this.visible(orderId, who);
    if (this.access(row, who) !== 'manage') throw new VerificationRequiredError(row.id);
    return row;
  }

  async cancelOrder(orderId: string, who: Requester): Promise<Order> {
    const row = this.manageable(orderId, who);
    const order = this.toOrder(row);
    if (order.status === 'cancelled') throw new OrderNotAllowedError('already_cancelled', `order ${order.id} is already cancelled`);
    if (order.status !== 'processing') throw new OrderNotAllowedError('already_shipped', `order ${order.id} has shipped and can no longer be cancelled`);
    const now = this.deps.now();
    this.db.transaction(() => {
      this.db.prepare("UPDATE orders SET status = 'cancelled', updated_at = ? WHERE id = ?").run(now, row.id);
      this.db
        .prepare("INSERT OR REPLACE INTO order_refunds (order_id, amount_cents, currency, kind, created_at, issues_at) VALUES (?, ?, ?, 'cancellation', ?, ?)")
        .run(row.id, row.total_cents, row.currency, now, now + REFUND_AFTER_MS);
    })();
    return this.toOrder(this.visible(row.id, who));
  }

  async changeOrder(orderId: string, who: Requester, change: OrderChange): Promise<Order> {
    const row = this.manageable(orderId, who);
    const order = this.toOrder(row);
    if (order.status === 'cancelled') throw new OrderNotAllowedError('already_cancelled', `order ${order.id} is cancelled`);
    if (order.status !== 'processing') throw new OrderNotAllowedError('already_shipped', `order ${order.id} has shipped and can no longer be changed`);
    const address = change.address.replace(/\s+/g, ' ').trim().slice(0, 300);
    if (address.length < 5) throw new ShopbotError('BAD_REQUEST', 'the address is too short');
    this.db.prepare('UPDATE orders SET shipping = ?, updated_at = ? WHERE id = ?').run(JSON.stringify({ address }), this.deps.now(), row.id);
    return this.toOrder(this.visible(row.id, who));
  }

  async startReturn(orderId: string, who: Requester, reason: ReturnReason, note?: string): Promise<ReturnInfo> {
    const row = this.manageable(orderId, who);
    const order = this.toOrder(row);
    if (order.status === 'return_requested' || order.status === 'refunded') throw new OrderNotAllowedError('already_returned', `a return for ${order.id} is already open`);
    if (order.status === 'cancelled') throw new OrderNotAllowedError('already_cancelled', `order ${order.id} is cancelled`);
    if (order.status !== 'delivered') throw new OrderNotAllowedError('not_delivered', `order ${order.id} has not been delivered yet`);
    const now = this.deps.now();
    const windowMs = (this.deps.returnWindowDays ?? 30) * DAY;
    if (now - (row.created_at + 48 * HOUR) > windowMs) throw new OrderNotAllowedError('return_window_closed', `the return window for ${order.id} has closed`);
    const feeCents = FREE_RETURN_REASONS.has(reason) ? 0 : Math.min(this.deps.returnFeeCents ?? 499, row.total_cents);
    const info: ReturnInfo = { id: `R-${row.id.replace(/^[A-Z]+-/i, '')}`, orderId: row.id, reason, refundCents: row.total_cents - feeCents, feeCents, currency: row.currency, createdAt: now };
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO order_returns (id, order_id, reason, note, refund_cents, fee_cents, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(info.id, row.id, reason, note?.slice(0, 1000) ?? null, info.refundCents, feeCents, now);
      this.db
        .prepare("INSERT OR REPLACE INTO order_refunds (order_id, amount_cents, currency, kind, created_at, issues_at) VALUES (?, ?, ?, 'return', ?, ?)")
        .run(row.id, info.refundCents, row.currency, now, now + RETURN_TRANSIT_MS + REFUND_AFTER_MS);
      this.db.prepare("UPDATE orders SET status = 'return_requested', updated_at = ? WHERE id = ?").run(now, row.id);
    })();
    return info;
  }

  async refundStatus(orderId: string, who: Requester): Promise<RefundInfo | undefined> {
    const row = this.visible(orderId, who);
    const refund = this.db.prepare('SELECT * FROM order_refunds WHERE order_id = ?').get(row.id) as
      | { amount_cents: number; currency: string; kind: string; created_at: number; issues_at: number }
      | undefined;
    if (!refund) return { orderId: row.id, status: 'none', amountCents: 0, currency: row.currency };
    const now = this.deps.now();
    const status: RefundInfo['status'] =
      now >= refund.issues_at ? 'refunded' : refund.kind === 'return' && now < refund.created_at + RETURN_TRANSIT_MS ? 'awaiting_return' : 'pending';
    return { orderId: row.id, status, amountCents: refund.amount_cents, currency: refund.currency, issuedOn: ymd(refund.issues_at) };
  }

  /**
   * A forget request: the cart goes; orders stay as the store's sales records (revenue, refunds),
   * with the user id replaced and the e-mail, shipping address and return notes removed.
   */
  async forgetUser(userId: string, replacementId: string): Promise<{ cartItems: number; orders: number }> {
    return this.db.transaction(() => {
      const cartItems = this.db.prepare('DELETE FROM cart_items WHERE user_id = ?').run(userId).changes;
      this.db.prepare('UPDATE order_returns SET note = NULL WHERE order_id IN (SELECT id FROM orders WHERE user_id = ?)').run(userId);
      const orders = this.db.prepare('UPDATE orders SET user_id = ?, email = NULL, shipping = NULL WHERE user_id = ?').run(replacementId, userId).changes;
      return { cartItems, orders };
    })();
  }

  /** Writes an order as if it had been placed at `createdAt` (demos, fixtures, conversation evals). */
  seedOrder(o: SeedOrder): Order {
    const total = o.lines.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0);
    this.db
      .prepare('INSERT INTO orders (id, user_id, email, status, total_cents, currency, items, shipping, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)')
      .run(o.id, o.userId, o.email?.toLowerCase() ?? null, o.status ?? 'processing', total, o.currency ?? 'USD', JSON.stringify(o.lines), o.createdAt, o.createdAt);
    return this.toOrder(this.db.prepare('SELECT * FROM orders WHERE id = ?').get(o.id) as OrderRow);
  }

  /**
   * Demo orders for a fresh install: placed by "demo-shopper" with demo@example.com, one being
   * prepared, one shipped, one delivered (ages relative to now). The demo store page signs its
   * visitor in as that customer (DEMO_CUSTOMER), so they are the visitor's orders there; a guest
   * elsewhere sees one by its number plus that e-mail, and changes it after a one-time code. Idempotent.
   */
  seedDemoOrders(): number {
    const now = this.deps.now();
    const lines = (title: string, quantity: number, unitPriceCents: number): OrderLine[] => [{ productId: `demo-${title.toLowerCase().replace(/\W+/g, '-')}`, title, quantity, unitPriceCents }];
    const demo: SeedOrder[] = [
      { id: 'SB-100101', userId: DEMO_CUSTOMER.id, email: DEMO_CUSTOMER.email, lines: lines('Trail running shoe', 1, 8_999), createdAt: now - 10 * 60_000 },
      { id: 'SB-100102', userId: DEMO_CUSTOMER.id, email: DEMO_CUSTOMER.email, lines: lines('Merino wool socks', 3, 1_299), createdAt: now - 20 * HOUR },
      { id: 'SB-100103', userId: DEMO_CUSTOMER.id, email: DEMO_CUSTOMER.email, lines: lines('Waterproof hiking jacket', 1, 14_900), createdAt: now - 5 * DAY },
    ];
    let n = 0;
    for (const o of demo) {
      if (this.db.prepare('SELECT 1 FROM orders WHERE id = ?').get(o.id)) continue;
      this.seedOrder(o);
      n++;
    }
    return n;
  }
}
