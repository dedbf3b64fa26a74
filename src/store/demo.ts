/**
 * The embedded demo store: carts and orders in SQLite (the rules in demo-rules.ts; PostgreSQL's
 * engine in postgres.ts). Fulfilment is simulated from the order's age on the injected clock
 * (processing for an hour, shipped with a tracking number until two days, then delivered), so
 * order-status answers come from data, deterministically.
 */
import type { SqliteDb } from '../storage/index.js';
import type { CartView } from '../messages.js';
import type { Product } from '../catalog/index.js';
import { ShopbotError } from '../errors.js';
import {
  assertCancellable,
  cartView,
  changedShipping,
  demoOrders,
  manageableRow,
  normalizeOrderId,
  orderIdFor,
  orderTotal,
  plannedReturn,
  REFUND_AFTER_MS,
  RETURN_TRANSIT_MS,
  refundView,
  sellablePrice,
  toOrder,
  visibleRow,
  accessOf,
  type CartRow,
  type DemoShop,
  type DemoStoreOptions,
  type OrderRow,
  type SeedOrder,
} from './demo-rules.js';
import type { Order, OrderChange, OrderDiscount, OrderLine, RefundInfo, Requester, ReturnInfo, ReturnReason } from './types.js';

export { DEMO_CUSTOMER, type DemoShop, type DemoStoreOptions, type SeedOrder } from './demo-rules.js';

const ORDER = 'SELECT o.*, r.issues_at AS refund_issues_at FROM orders o LEFT JOIN order_refunds r ON r.order_id = o.id';

export class DemoStore implements DemoShop {
  readonly takesDiscounts = true;

  constructor(
    private readonly db: SqliteDb,
    private readonly deps: DemoStoreOptions,
  ) {}

  private row(orderId: string): OrderRow | undefined {
    return this.db.prepare(`${ORDER} WHERE o.id = ? COLLATE NOCASE`).get(normalizeOrderId(orderId)) as OrderRow | undefined;
  }

  async cart(userId: string): Promise<CartView> {
    const rows = this.db.prepare('SELECT product_id, quantity, unit_price_cents, currency FROM cart_items WHERE user_id = ? ORDER BY added_at, product_id').all(userId) as CartRow[];
    return cartView(rows, this.deps.titleOf);
  }

  async addToCart(userId: string, product: Product, quantity: number): Promise<CartView> {
    const price = sellablePrice(product);
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

  async checkout(userId: string, email: string | undefined, discount?: OrderDiscount): Promise<Order> {
    if (discount && !discount.sqlite && discount.postgres) throw new ShopbotError('CONFIG_INVALID', 'a PostgreSQL coupon redemption cannot join an order in the embedded store');
    const now = this.deps.now();
    const id = this.db.transaction(() => {
      // Read inside the transaction: a second checkout of the same cart finds it empty.
      const cart = cartView(this.db.prepare('SELECT product_id, quantity, unit_price_cents, currency FROM cart_items WHERE user_id = ? ORDER BY added_at, product_id').all(userId) as CartRow[], this.deps.titleOf);
      if (cart.lines.length === 0) throw new ShopbotError('CONFLICT', 'the cart is empty');
      let orderId = '';
      for (let salt = 0; ; salt++) {
        orderId = orderIdFor(userId, now, salt);
        if (!this.db.prepare('SELECT 1 FROM orders WHERE id = ?').get(orderId)) break;
      }
      const lines: OrderLine[] = cart.lines.map((l) => ({ productId: l.productId, title: l.title, quantity: l.quantity, unitPriceCents: l.unitPriceCents }));
      const off = discount?.sqlite?.({ id: orderId, userId, lines }) ?? 0;
      this.db
        .prepare('INSERT INTO orders (id, user_id, email, status, total_cents, currency, items, shipping, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)')
        .run(orderId, userId, email?.toLowerCase() ?? null, 'processing', Math.max(0, cart.totalCents - off), cart.currency, JSON.stringify(lines), now, now);
      this.db.prepare('DELETE FROM cart_items WHERE user_id = ?').run(userId);
      return orderId;
    }).immediate();
    return (await this.getOrder(id, { userId }))!;
  }

  async getOrder(orderId: string, who: Requester): Promise<Order | undefined> {
    const row = this.row(orderId);
    if (!row || accessOf(row, who, this.deps.now()) === 'none') return undefined;
    return toOrder(row, this.deps.now());
  }

  async listOrders(who: Requester): Promise<Order[]> {
    // A verified customer's orders include those placed elsewhere with the e-mail the store vouched for.
    const rows = (
      who.customer
        ? this.db.prepare(`${ORDER} WHERE o.user_id = ? OR o.email = ? ORDER BY o.created_at DESC`).all(who.userId, who.customer.email.toLowerCase())
        : this.db.prepare(`${ORDER} WHERE o.user_id = ? ORDER BY o.created_at DESC`).all(who.userId)
    ) as OrderRow[];
    return rows.map((r) => toOrder(r, this.deps.now()));
  }

  async contactOf(orderId: string): Promise<{ orderId: string; email: string } | undefined> {
    const row = this.row(orderId);
    return row?.email ? { orderId: row.id, email: row.email } : undefined;
  }

  async close(): Promise<void> {}

  async verifyEmail(orderId: string, email: string): Promise<boolean> {
    const row = this.row(orderId);
    return !!row?.email && row.email === email.trim().toLowerCase();
  }

  async cancelOrder(orderId: string, who: Requester): Promise<Order> {
    const now = this.deps.now();
    const row = manageableRow(this.row(orderId), orderId, who, now);
    assertCancellable(toOrder(row, now));
    this.db.transaction(() => {
      this.db.prepare("UPDATE orders SET status = 'cancelled', updated_at = ? WHERE id = ?").run(now, row.id);
      this.db
        .prepare("INSERT OR REPLACE INTO order_refunds (order_id, amount_cents, currency, kind, created_at, issues_at) VALUES (?, ?, ?, 'cancellation', ?, ?)")
        .run(row.id, row.total_cents, row.currency, now, now + REFUND_AFTER_MS);
    })();
    return toOrder(visibleRow(this.row(row.id), orderId, who, now), now);
  }

  async changeOrder(orderId: string, who: Requester, change: OrderChange): Promise<Order> {
    const now = this.deps.now();
    const row = manageableRow(this.row(orderId), orderId, who, now);
    const shipping = changedShipping(toOrder(row, now), change);
    this.db.prepare('UPDATE orders SET shipping = ?, updated_at = ? WHERE id = ?').run(shipping, now, row.id);
    return toOrder(visibleRow(this.row(row.id), orderId, who, now), now);
  }

  async startReturn(orderId: string, who: Requester, reason: ReturnReason, note?: string): Promise<ReturnInfo> {
    const now = this.deps.now();
    const row = manageableRow(this.row(orderId), orderId, who, now);
    const info = plannedReturn(row, toOrder(row, now), reason, now, this.deps);
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO order_returns (id, order_id, reason, note, refund_cents, fee_cents, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(info.id, row.id, reason, note?.slice(0, 1000) ?? null, info.refundCents, info.feeCents, now);
      this.db
        .prepare("INSERT OR REPLACE INTO order_refunds (order_id, amount_cents, currency, kind, created_at, issues_at) VALUES (?, ?, ?, 'return', ?, ?)")
        .run(row.id, info.refundCents, row.currency, now, now + RETURN_TRANSIT_MS + REFUND_AFTER_MS);
      this.db.prepare("UPDATE orders SET status = 'return_requested', updated_at = ? WHERE id = ?").run(now, row.id);
    })();
    return info;
  }

  async refundStatus(orderId: string, who: Requester): Promise<RefundInfo | undefined> {
    const now = this.deps.now();
    const row = visibleRow(this.row(orderId), orderId, who, now);
    const refund = this.db.prepare('SELECT * FROM order_refunds WHERE order_id = ?').get(row.id) as Parameters<typeof refundView>[1];
    return refundView(row, refund, now);
  }

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
    this.db
      .prepare('INSERT INTO orders (id, user_id, email, status, total_cents, currency, items, shipping, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)')
      .run(o.id, o.userId, o.email?.toLowerCase() ?? null, o.status ?? 'processing', orderTotal(o.lines), o.currency ?? 'USD', JSON.stringify(o.lines), o.createdAt, o.createdAt);
    return toOrder(this.row(o.id)!, this.deps.now());
  }

  seedDemoOrders(): number {
    let n = 0;
    for (const o of demoOrders(this.deps.now())) {
      if (this.db.prepare('SELECT 1 FROM orders WHERE id = ?').get(o.id)) continue;
      this.seedOrder(o);
      n++;
    }
    return n;
  }
}
