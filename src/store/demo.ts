/**
 * The embedded demo store: carts and orders in SQLite. Fulfilment is simulated from the order's
 * age on the injected clock (processing for an hour, shipped with a tracking number until two
 * days, then delivered), so order-status answers come from data, deterministically.
 */
import { createHash } from 'node:crypto';
import type { SqliteDb } from '../storage/sqlite.js';
import type { CartView } from '../messages.js';
import { effectivePriceCents, type Product } from '../catalog/product.js';
import { ShopbotError } from '../errors.js';
import type { Order, OrderLine, OrderStatus, Requester, StoreConnector } from './types.js';

const HOUR = 3_600_000;

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
    private readonly deps: { now: () => number; titleOf?: (id: string) => string | undefined },
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

  async getOrder(orderId: string, who: Requester): Promise<Order | undefined> {
    const row = this.db.prepare('SELECT * FROM orders WHERE id = ? COLLATE NOCASE').get(orderId) as OrderRow | undefined;
    if (!row || !this.canSee(row, who)) return undefined;
    return this.toOrder(row);
  }

  async listOrders(who: Requester): Promise<Order[]> {
    const rows = (
      who.verifiedEmail
        ? this.db.prepare('SELECT * FROM orders WHERE user_id = ? OR email = ? ORDER BY created_at DESC').all(who.userId, who.verifiedEmail.toLowerCase())
        : this.db.prepare('SELECT * FROM orders WHERE user_id = ? ORDER BY created_at DESC').all(who.userId)
    ) as OrderRow[];
    return rows.map((r) => this.toOrder(r));
  }

  async close(): Promise<void> {}

  private canSee(row: OrderRow, who: Requester): boolean {
    return row.user_id === who.userId || (!!who.verifiedEmail && row.email === who.verifiedEmail.toLowerCase());
  }

  private toOrder(row: OrderRow): Order {
    const ageMs = this.deps.now() - row.created_at;
    let status = row.status as OrderStatus;
    if (status === 'processing' && ageMs >= HOUR) status = ageMs >= 48 * HOUR ? 'delivered' : 'shipped';
    const shipped = status === 'shipped' || status === 'delivered';
    const tracking = shipped ? `1Z${createHash('sha256').update(row.id).digest('hex').slice(0, 14).toUpperCase()}` : undefined;
    return {
      id: row.id,
      userId: row.user_id,
      ...(row.email ? { email: row.email } : {}),
      status,
      totalCents: row.total_cents,
      currency: row.currency,
      lines: JSON.parse(row.items) as OrderLine[],
      createdAt: row.created_at,
      ...(shipped ? { carrier: 'UPS', trackingNumber: tracking } : {}),
      ...(status === 'processing' || status === 'shipped'
        ? { estimatedDelivery: new Date(row.created_at + 72 * HOUR).toISOString().slice(0, 10) }
        : {}),
    };
  }
}
