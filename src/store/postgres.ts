/**
 * The demo store's carts and orders in PostgreSQL (storage.backend = postgres), so a shopper's
 * cart and orders follow them to whichever server answers (the rules in demo-rules.ts, shared
 * with the SQLite engine). The pool is the shop's: coupon redemptions (src/coupons/postgres.ts)
 * join the order's transaction on the same client.
 */
import type pg from 'pg';
import type { CartView } from '../messages.js';
import type { Product } from '../catalog/index.js';
import { ShopbotError } from '../errors.js';
import { pgEnsureSchema, pgTransaction } from '../storage/index.js';
import {
  accessOf,
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
  type CartRow,
  type DemoShop,
  type DemoStoreOptions,
  type OrderRow,
  type SeedOrder,
} from './demo-rules.js';
import type { Order, OrderChange, OrderDiscount, OrderLine, RefundInfo, Requester, ReturnInfo, ReturnReason } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cart_items (
  user_id           TEXT NOT NULL,
  product_id        TEXT NOT NULL,
  quantity          INTEGER NOT NULL CHECK (quantity > 0),
  unit_price_cents  BIGINT NOT NULL,
  currency          TEXT NOT NULL,
  added_at          BIGINT NOT NULL,
  PRIMARY KEY (user_id, product_id)
);
CREATE TABLE IF NOT EXISTS orders (
  id             TEXT PRIMARY KEY,
  user_id        TEXT NOT NULL,
  email          TEXT,
  status         TEXT NOT NULL,
  total_cents    BIGINT NOT NULL,
  currency       TEXT NOT NULL,
  items          TEXT NOT NULL,
  shipping       TEXT,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_user ON orders (user_id);
CREATE INDEX IF NOT EXISTS orders_email ON orders (email);
CREATE TABLE IF NOT EXISTS order_returns (
  id            TEXT PRIMARY KEY,
  order_id      TEXT NOT NULL REFERENCES orders(id),
  reason        TEXT NOT NULL,
  note          TEXT,
  refund_cents  BIGINT NOT NULL,
  fee_cents     BIGINT NOT NULL,
  created_at    BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS order_returns_order ON order_returns (order_id);
CREATE TABLE IF NOT EXISTS order_refunds (
  order_id      TEXT PRIMARY KEY REFERENCES orders(id),
  amount_cents  BIGINT NOT NULL,
  currency      TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('cancellation', 'return')),
  created_at    BIGINT NOT NULL,
  issues_at     BIGINT NOT NULL
);
`;

// BIGINT columns arrive as strings; the rules read numbers.
const ORDER = `SELECT o.id, o.user_id, o.email, o.status, o.total_cents::float8 AS total_cents, o.currency, o.items, o.shipping, o.created_at::float8 AS created_at, r.issues_at::float8 AS refund_issues_at
  FROM orders o LEFT JOIN order_refunds r ON r.order_id = o.id`;
const CART = 'SELECT product_id, quantity, unit_price_cents::float8 AS unit_price_cents, currency FROM cart_items WHERE user_id = $1 ORDER BY added_at, product_id';

type Queryable = Pick<pg.PoolClient, 'query'>;

export class PostgresDemoStore implements DemoShop {
  readonly takesDiscounts = true;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly deps: DemoStoreOptions,
  ) {}

  /** Creates the tables when missing (serialised across servers starting together). The caller owns the pool. */
  static async open(pool: pg.Pool, deps: DemoStoreOptions): Promise<PostgresDemoStore> {
    await pgEnsureSchema(pool, 7246018, SCHEMA);
    return new PostgresDemoStore(pool, deps);
  }

  private async row(orderId: string, q: Queryable = this.pool): Promise<OrderRow | undefined> {
    return (await q.query<OrderRow>(`${ORDER} WHERE lower(o.id) = lower($1)`, [normalizeOrderId(orderId)])).rows[0];
  }

  async cart(userId: string): Promise<CartView> {
    return cartView((await this.pool.query<CartRow>(CART, [userId])).rows, this.deps.titleOf);
  }

  async addToCart(userId: string, product: Product, quantity: number): Promise<CartView> {
    const price = sellablePrice(product);
    await this.pool.query(
      `INSERT INTO cart_items (user_id, product_id, quantity, unit_price_cents, currency, added_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id, product_id) DO UPDATE SET quantity = LEAST(99, cart_items.quantity + EXCLUDED.quantity), unit_price_cents = EXCLUDED.unit_price_cents`,
      [userId, product.id, quantity, price, product.currency, this.deps.now()],
    );
    return this.cart(userId);
  }

  async removeFromCart(userId: string, productId: string): Promise<CartView> {
    await this.pool.query('DELETE FROM cart_items WHERE user_id = $1 AND product_id = $2', [userId, productId]);
    return this.cart(userId);
  }

  async clearCart(userId: string): Promise<void> {
    await this.pool.query('DELETE FROM cart_items WHERE user_id = $1', [userId]);
  }

  async checkout(userId: string, email: string | undefined, discount?: OrderDiscount): Promise<Order> {
    if (discount && !discount.postgres && discount.sqlite) throw new ShopbotError('CONFIG_INVALID', 'an embedded coupon redemption cannot join an order in PostgreSQL');
    const now = this.deps.now();
    const id = await pgTransaction(this.pool, async (c) => {
      // The cart's rows are locked: a second checkout of the same cart, on any server, waits and then finds it empty.
      const rows = (await c.query<CartRow>(`${CART} FOR UPDATE`, [userId])).rows;
      const cart = cartView(rows, this.deps.titleOf);
      if (cart.lines.length === 0) throw new ShopbotError('CONFLICT', 'the cart is empty');
      let orderId = '';
      for (let salt = 0; ; salt++) {
        orderId = orderIdFor(userId, now, salt);
        if ((await c.query('SELECT 1 FROM orders WHERE id = $1', [orderId])).rowCount === 0) break;
      }
      const lines: OrderLine[] = cart.lines.map((l) => ({ productId: l.productId, title: l.title, quantity: l.quantity, unitPriceCents: l.unitPriceCents }));
      const off = discount?.postgres ? await discount.postgres(c, { id: orderId, userId, lines }) : 0;
      await c.query('INSERT INTO orders (id, user_id, email, status, total_cents, currency, items, shipping, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9)', [
        orderId,
        userId,
        email?.toLowerCase() ?? null,
        'processing',
        Math.max(0, cart.totalCents - off),
        cart.currency,
        JSON.stringify(lines),
        now,
        now,
      ]);
      await c.query('DELETE FROM cart_items WHERE user_id = $1', [userId]);
      return orderId;
    });
    return (await this.getOrder(id, { userId }))!;
  }

  async getOrder(orderId: string, who: Requester): Promise<Order | undefined> {
    const row = await this.row(orderId);
    if (!row || accessOf(row, who, this.deps.now()) === 'none') return undefined;
    return toOrder(row, this.deps.now());
  }

  async listOrders(who: Requester): Promise<Order[]> {
    const rows = who.customer
      ? (await this.pool.query<OrderRow>(`${ORDER} WHERE o.user_id = $1 OR o.email = $2 ORDER BY o.created_at DESC`, [who.userId, who.customer.email.toLowerCase()])).rows
      : (await this.pool.query<OrderRow>(`${ORDER} WHERE o.user_id = $1 ORDER BY o.created_at DESC`, [who.userId])).rows;
    return rows.map((r) => toOrder(r, this.deps.now()));
  }

  async contactOf(orderId: string): Promise<{ orderId: string; email: string } | undefined> {
    const row = await this.row(orderId);
    return row?.email ? { orderId: row.id, email: row.email } : undefined;
  }

  async verifyEmail(orderId: string, email: string): Promise<boolean> {
    const row = await this.row(orderId);
    return !!row?.email && row.email === email.trim().toLowerCase();
  }

  async cancelOrder(orderId: string, who: Requester): Promise<Order> {
    const now = this.deps.now();
    await pgTransaction(this.pool, async (c) => {
      const row = manageableRow(await this.lockedRow(c, orderId), orderId, who, now);
      assertCancellable(toOrder(row, now));
      await c.query("UPDATE orders SET status = 'cancelled', updated_at = $1 WHERE id = $2", [now, row.id]);
      await c.query(
        `INSERT INTO order_refunds (order_id, amount_cents, currency, kind, created_at, issues_at) VALUES ($1, $2, $3, 'cancellation', $4, $5)
         ON CONFLICT (order_id) DO UPDATE SET amount_cents = EXCLUDED.amount_cents, currency = EXCLUDED.currency, kind = EXCLUDED.kind, created_at = EXCLUDED.created_at, issues_at = EXCLUDED.issues_at`,
        [row.id, row.total_cents, row.currency, now, now + REFUND_AFTER_MS],
      );
    });
    return toOrder(visibleRow(await this.row(orderId), orderId, who, now), now);
  }

  async changeOrder(orderId: string, who: Requester, change: OrderChange): Promise<Order> {
    const now = this.deps.now();
    await pgTransaction(this.pool, async (c) => {
      const row = manageableRow(await this.lockedRow(c, orderId), orderId, who, now);
      await c.query('UPDATE orders SET shipping = $1, updated_at = $2 WHERE id = $3', [changedShipping(toOrder(row, now), change), now, row.id]);
    });
    return toOrder(visibleRow(await this.row(orderId), orderId, who, now), now);
  }

  async startReturn(orderId: string, who: Requester, reason: ReturnReason, note?: string): Promise<ReturnInfo> {
    const now = this.deps.now();
    return pgTransaction(this.pool, async (c) => {
      const row = manageableRow(await this.lockedRow(c, orderId), orderId, who, now);
      const info = plannedReturn(row, toOrder(row, now), reason, now, this.deps);
      await c.query('INSERT INTO order_returns (id, order_id, reason, note, refund_cents, fee_cents, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [info.id, row.id, reason, note?.slice(0, 1000) ?? null, info.refundCents, info.feeCents, now]);
      await c.query(
        `INSERT INTO order_refunds (order_id, amount_cents, currency, kind, created_at, issues_at) VALUES ($1, $2, $3, 'return', $4, $5)
         ON CONFLICT (order_id) DO UPDATE SET amount_cents = EXCLUDED.amount_cents, currency = EXCLUDED.currency, kind = EXCLUDED.kind, created_at = EXCLUDED.created_at, issues_at = EXCLUDED.issues_at`,
        [row.id, info.refundCents, row.currency, now, now + RETURN_TRANSIT_MS + REFUND_AFTER_MS],
      );
      await c.query("UPDATE orders SET status = 'return_requested', updated_at = $1 WHERE id = $2", [now, row.id]);
      return info;
    });
  }

  async refundStatus(orderId: string, who: Requester): Promise<RefundInfo | undefined> {
    const now = this.deps.now();
    const row = visibleRow(await this.row(orderId), orderId, who, now);
    const refund = (
      await this.pool.query<{ amount_cents: number; currency: string; kind: string; created_at: number; issues_at: number }>(
        'SELECT amount_cents::float8 AS amount_cents, currency, kind, created_at::float8 AS created_at, issues_at::float8 AS issues_at FROM order_refunds WHERE order_id = $1',
        [row.id],
      )
    ).rows[0];
    return refundView(row, refund, now);
  }

  async forgetUser(userId: string, replacementId: string): Promise<{ cartItems: number; orders: number }> {
    return pgTransaction(this.pool, async (c) => {
      const cartItems = (await c.query('DELETE FROM cart_items WHERE user_id = $1', [userId])).rowCount ?? 0;
      await c.query('UPDATE order_returns SET note = NULL WHERE order_id IN (SELECT id FROM orders WHERE user_id = $1)', [userId]);
      const orders = (await c.query('UPDATE orders SET user_id = $1, email = NULL, shipping = NULL WHERE user_id = $2', [replacementId, userId])).rowCount ?? 0;
      return { cartItems, orders };
    });
  }

  /** Writes an order as if it had been placed at `createdAt`; an id already there is left alone (false). */
  async seedOrder(o: SeedOrder): Promise<boolean> {
    const r = await this.pool.query(
      'INSERT INTO orders (id, user_id, email, status, total_cents, currency, items, shipping, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $8) ON CONFLICT (id) DO NOTHING',
      [o.id, o.userId, o.email?.toLowerCase() ?? null, o.status ?? 'processing', orderTotal(o.lines), o.currency ?? 'USD', JSON.stringify(o.lines), o.createdAt],
    );
    return r.rowCount === 1;
  }

  async seedDemoOrders(): Promise<number> {
    let n = 0;
    for (const o of demoOrders(this.deps.now())) if (await this.seedOrder(o)) n++;
    return n;
  }

  async close(): Promise<void> {
    // The pool is the shop's; the app ends it after the stores that share it.
  }

  /** The order's row locked for the rest of the transaction (two servers cannot both cancel or return it). */
  private async lockedRow(c: Queryable, orderId: string): Promise<OrderRow | undefined> {
    const id = (await c.query<{ id: string }>('SELECT id FROM orders WHERE lower(id) = lower($1) FOR UPDATE', [normalizeOrderId(orderId)])).rows[0]?.id;
    return id ? this.row(id, c) : undefined;
  }
}
