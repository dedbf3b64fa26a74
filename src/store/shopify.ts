/**
 * Shopify Admin REST API backend (API version 2024-10). Orders, fulfilment tracking, cancellation,
 * address changes and refunds come from the shop; carts stay in the embedded cart store until
 * checkout, which creates the order through the API.
 *
 * Who may see an order is decided in src/store/access.ts: the shopper whose conversation placed it
 * (note attribute `shopbot_user`), the Shopify customer a store-signed identity names, or a guest
 * with a grant for that order. Anyone else gets NOT_FOUND, exactly as for an order that does not exist.
 * Shopify's REST API has no call that opens a return (that is GraphQL `returnCreate`), so a return
 * request is recorded on the order as the tag `return-requested` and a note, for staff to process.
 */
import { z } from 'zod';
import type { Product } from '../catalog/index.js';
import { ShopbotError } from '../errors.js';
import type { CartView } from '../messages.js';
import { accessTo, VerificationRequiredError, type AccessLevel } from './access.js';
import {
  OrderNotAllowedError,
  type Order,
  type OrderChange,
  type OrderStatus,
  type RefundInfo,
  type Requester,
  type ReturnInfo,
  type ReturnReason,
  type StoreConnector,
} from './types.js';

const API_VERSION = '2024-10';
const USER_ATTRIBUTE = 'shopbot_user';
const RETURN_TAG = 'return-requested';
const MAX_BODY_BYTES = 5_000_000;

const money = z.union([z.string(), z.number()]).transform((v) => Math.round(Number(v) * 100));
const ShopifyOrderSchema = z.object({
  id: z.number(),
  name: z.string().max(100),
  email: z.string().max(320).nullable().optional(),
  customer: z.object({ id: z.number() }).nullable().optional(),
  created_at: z.string(),
  currency: z.string().length(3),
  total_price: money,
  financial_status: z.string().nullable().optional(),
  fulfillment_status: z.string().nullable().optional(),
  cancelled_at: z.string().nullable().optional(),
  tags: z.string().max(10_000).default(''),
  note: z.string().max(10_000).nullable().optional(),
  note_attributes: z.array(z.object({ name: z.string(), value: z.union([z.string(), z.number()]).transform(String) })).max(200).default([]),
  line_items: z.array(z.object({ product_id: z.number().nullable().optional(), title: z.string().max(1000), quantity: z.number().int(), price: money })).max(1000),
  fulfillments: z
    .array(
      z.object({
        status: z.string().nullable().optional(),
        tracking_company: z.string().nullable().optional(),
        tracking_number: z.string().nullable().optional(),
        shipment_status: z.string().nullable().optional(),
        updated_at: z.string().nullable().optional(),
      }),
    )
    .max(100)
    .default([]),
  shipping_address: z.object({ address1: z.string().nullable().optional(), city: z.string().nullable().optional(), zip: z.string().nullable().optional(), country: z.string().nullable().optional() }).nullable().optional(),
});
type ShopifyOrder = z.infer<typeof ShopifyOrderSchema>;

const RefundsSchema = z.object({
  refunds: z
    .array(
      z.object({
        created_at: z.string(),
        processed_at: z.string().nullable().optional(),
        transactions: z.array(z.object({ amount: money, kind: z.string(), status: z.string() })).max(100).default([]),
      }),
    )
    .max(100),
});

export interface ShopifyStoreOptions {
  /** https://{shop}.myshopify.com (a test points it at a local server). */
  readonly baseUrl: string;
  readonly accessToken: string;
  /** Embedded carts: Shopify keeps no server-side cart for a chat shopper. */
  readonly carts: Pick<StoreConnector, 'cart' | 'addToCart' | 'removeFromCart'> & { clearCart(userId: string): Promise<void> };
  readonly now: () => number;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly returnWindowDays?: number;
}

const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class ShopifyStore implements StoreConnector {
  private readonly fetch: typeof fetch;
  constructor(private readonly options: ShopifyStoreOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  private async call(method: 'GET' | 'POST' | 'PUT', pathAndQuery: string, body?: unknown): Promise<unknown> {
    const url = `${this.options.baseUrl.replace(/\/$/, '')}/admin/api/${API_VERSION}/${pathAndQuery}`;
    let res: Response;
    try {
      res = await this.fetch(url, {
        method,
        headers: { 'X-Shopify-Access-Token': this.options.accessToken, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 8000),
      });
    } catch (cause) {
      throw new ShopbotError('STORE_UNAVAILABLE', `Shopify ${method} ${pathAndQuery}: ${(cause as Error).message}`, { cause });
    }
    const text = await res.text();
    if (text.length > MAX_BODY_BYTES) throw new ShopbotError('STORE_UNAVAILABLE', `Shopify ${method} ${pathAndQuery}: response too large`);
    if (res.status === 404) return undefined;
    if (res.status === 422) throw new ShopbotError('CONFLICT', `Shopify refused ${method} ${pathAndQuery}: ${text.slice(0, 300)}`);
    if (!res.ok) throw new ShopbotError('STORE_UNAVAILABLE', `Shopify ${method} ${pathAndQuery}: HTTP ${res.status}`);
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new ShopbotError('STORE_UNAVAILABLE', `Shopify ${method} ${pathAndQuery}: invalid JSON`, { cause });
    }
  }

  private parseOrder(value: unknown): ShopifyOrder {
    const r = ShopifyOrderSchema.safeParse(value);
    if (!r.success) throw new ShopbotError('STORE_UNAVAILABLE', `Shopify order: ${z.prettifyError(r.error)}`);
    return r.data;
  }

  private access(o: ShopifyOrder, who: Requester): AccessLevel {
    const owner = o.note_attributes.find((a) => a.name === USER_ATTRIBUTE)?.value ?? '';
    return accessTo({ id: o.name, userId: owner, ...(o.email ? { email: o.email } : {}), ...(o.customer ? { customerId: String(o.customer.id) } : {}) }, who, this.options.now());
  }

  private toOrder(o: ShopifyOrder, userId: string): Order {
    const f = o.fulfillments.find((x) => x.tracking_number) ?? o.fulfillments[0];
    const returned = o.tags.split(',').map((t) => t.trim()).includes(RETURN_TAG);
    let status: OrderStatus = 'processing';
    if (o.cancelled_at) status = 'cancelled';
    else if (o.financial_status === 'refunded') status = 'refunded';
    else if (returned) status = 'return_requested';
    else if (f?.shipment_status === 'delivered') status = 'delivered';
    else if (o.fulfillment_status === 'fulfilled' || o.fulfillment_status === 'partial' || f) status = 'shipped';
    const a = o.shipping_address;
    const address = a ? [a.address1, a.city, a.zip, a.country].filter((x): x is string => !!x).join(', ') : '';
    return {
      id: o.name,
      userId,
      ...(o.email ? { email: o.email.toLowerCase() } : {}),
      status,
      totalCents: o.total_price,
      currency: o.currency,
      lines: o.line_items.map((l) => ({ productId: l.product_id != null ? String(l.product_id) : l.title, title: l.title, quantity: l.quantity, unitPriceCents: l.price })),
      createdAt: Date.parse(o.created_at),
      ...(f?.tracking_number ? { trackingNumber: f.tracking_number, ...(f.tracking_company ? { carrier: f.tracking_company } : {}) } : {}),
      ...(status === 'delivered' && f?.updated_at ? { deliveredOn: f.updated_at.slice(0, 10) } : {}),
      ...(address ? { shippingAddress: address } : {}),
    };
  }

  /** Shoppers see the order name ("#1001"); they may type "1001", "#1001" or "order 1001". */
  private async findOrder(orderId: string): Promise<ShopifyOrder | undefined> {
    const digits = /^#?\s*(\d{1,15})$/.exec(orderId.trim())?.[1];
    if (!digits) return undefined;
    const body = (await this.call('GET', `orders.json?status=any&name=${encodeURIComponent(`#${digits}`)}`)) as { orders?: unknown[] } | undefined;
    const first = body?.orders?.[0];
    return first ? this.parseOrder(first) : undefined;
  }

  private async visible(orderId: string, who: Requester): Promise<ShopifyOrder> {
    const o = await this.findOrder(orderId);
    if (!o || this.access(o, who) === 'none') throw new ShopbotError('NOT_FOUND', `no order ${orderId}`);
    return o;
  }

  private async manageable(orderId: string, who: Requester): Promise<ShopifyOrder> {
    const o = await this.visible(orderId, who);
    if (this.access(o, who) !== 'manage') throw new VerificationRequiredError(o.name);
    return o;
  }

  cart(userId: string): Promise<CartView> {
    return this.options.carts.cart(userId);
  }
  addToCart(userId: string, product: Product, quantity: number): Promise<CartView> {
    return this.options.carts.addToCart(userId, product, quantity);
  }
  removeFromCart(userId: string, productId: string): Promise<CartView> {
    return this.options.carts.removeFromCart(userId, productId);
  }

  async checkout(userId: string, email: string | undefined): Promise<Order> {
    const cart = await this.options.carts.cart(userId);
    if (cart.lines.length === 0) throw new ShopbotError('CONFLICT', 'the cart is empty');
    const body = (await this.call('POST', 'orders.json', {
      order: {
        ...(email ? { email } : {}),
        currency: cart.currency,
        financial_status: 'pending',
        line_items: cart.lines.map((l) => ({ title: l.title, price: (l.unitPriceCents / 100).toFixed(2), quantity: l.quantity, sku: l.productId })),
        note_attributes: [{ name: USER_ATTRIBUTE, value: userId }],
      },
    })) as { order?: unknown } | undefined;
    const order = this.toOrder(this.parseOrder(body?.order), userId);
    await this.options.carts.clearCart(userId);
    return order;
  }

  async getOrder(orderId: string, who: Requester): Promise<Order | undefined> {
    const o = await this.findOrder(orderId);
    return o && this.access(o, who) !== 'none' ? this.toOrder(o, who.userId) : undefined;
  }

  async listOrders(who: Requester): Promise<Order[]> {
    // Only a store-signed customer has a list: the store's own customer record names their orders.
    // A guest's checkouts are found by number (the confirmation names it).
    if (!who.customer || !/^\d{1,20}$/.test(who.customer.id)) return [];
    const body = (await this.call('GET', `customers/${who.customer.id}/orders.json?status=any`)) as { orders?: unknown[] } | undefined;
    return (body?.orders ?? [])
      .slice(0, 250)
      .map((o) => this.parseOrder(o))
      .filter((o) => this.access(o, who) !== 'none')
      .map((o) => this.toOrder(o, who.userId))
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  async verifyEmail(orderId: string, email: string): Promise<boolean> {
    const o = await this.findOrder(orderId);
    return !!o?.email && o.email.toLowerCase() === email.trim().toLowerCase();
  }

  async contactOf(orderId: string): Promise<{ orderId: string; email: string } | undefined> {
    const o = await this.findOrder(orderId);
    return o?.email ? { orderId: o.name, email: o.email.toLowerCase() } : undefined;
  }

  async cancelOrder(orderId: string, who: Requester): Promise<Order> {
    const o = await this.manageable(orderId, who);
    const order = this.toOrder(o, who.userId);
    if (order.status === 'cancelled') throw new OrderNotAllowedError('already_cancelled', `order ${order.id} is already cancelled`);
    if (order.status !== 'processing') throw new OrderNotAllowedError('already_shipped', `order ${order.id} has shipped and can no longer be cancelled`);
    const body = (await this.call('POST', `orders/${o.id}/cancel.json`, { reason: 'customer', email: true })) as { order?: unknown } | undefined;
    return this.toOrder(this.parseOrder(body?.order), who.userId);
  }

  async changeOrder(orderId: string, who: Requester, change: OrderChange): Promise<Order> {
    const o = await this.manageable(orderId, who);
    const order = this.toOrder(o, who.userId);
    if (order.status !== 'processing') throw new OrderNotAllowedError(order.status === 'cancelled' ? 'already_cancelled' : 'already_shipped', `order ${order.id} can no longer be changed`);
    const body = (await this.call('PUT', `orders/${o.id}.json`, { order: { id: o.id, shipping_address: { address1: change.address.slice(0, 300) } } })) as { order?: unknown } | undefined;
    return this.toOrder(this.parseOrder(body?.order), who.userId);
  }

  async startReturn(orderId: string, who: Requester, reason: ReturnReason, note?: string): Promise<ReturnInfo> {
    const o = await this.manageable(orderId, who);
    const order = this.toOrder(o, who.userId);
    if (order.status === 'return_requested' || order.status === 'refunded') throw new OrderNotAllowedError('already_returned', `a return for ${order.id} is already open`);
    if (order.status !== 'delivered') throw new OrderNotAllowedError('not_delivered', `order ${order.id} has not been delivered yet`);
    const delivered = order.deliveredOn ? Date.parse(order.deliveredOn) : order.createdAt;
    if (this.options.now() - delivered > (this.options.returnWindowDays ?? 30) * 86_400_000) {
      throw new OrderNotAllowedError('return_window_closed', `the return window for ${order.id} has closed`);
    }
    const tags = [...o.tags.split(',').map((t) => t.trim()).filter(Boolean), RETURN_TAG].join(', ');
    const line = `Return requested via shopbot: ${reason}${note ? ` (${note.slice(0, 500)})` : ''}`;
    await this.call('PUT', `orders/${o.id}.json`, { order: { id: o.id, tags, note: o.note ? `${o.note}\n${line}` : line } });
    // Staff set any fee when they approve the return; until then the shopper is told the order total.
    return { id: `R-${o.id}`, orderId: order.id, reason, refundCents: order.totalCents, feeCents: 0, currency: order.currency, createdAt: this.options.now() };
  }

  async refundStatus(orderId: string, who: Requester): Promise<RefundInfo | undefined> {
    const o = await this.visible(orderId, who);
    const parsed = RefundsSchema.safeParse(await this.call('GET', `orders/${o.id}/refunds.json`));
    if (!parsed.success) throw new ShopbotError('STORE_UNAVAILABLE', `Shopify refunds: ${z.prettifyError(parsed.error)}`);
    const refunds = parsed.data.refunds;
    const done = refunds.flatMap((r) => r.transactions.filter((t) => t.kind === 'refund' && t.status === 'success').map((t) => ({ t, r })));
    if (done.length) {
      const last = done[done.length - 1]!.r;
      return { orderId: o.name, status: 'refunded', amountCents: done.reduce((s, x) => s + x.t.amount, 0), currency: o.currency, issuedOn: (last.processed_at ?? last.created_at).slice(0, 10) };
    }
    const pending = refunds.flatMap((r) => r.transactions.filter((t) => t.kind === 'refund' && t.status === 'pending'));
    if (pending.length) return { orderId: o.name, status: 'pending', amountCents: pending.reduce((s, t) => s + t.amount, 0), currency: o.currency };
    if (o.tags.split(',').map((t) => t.trim()).includes(RETURN_TAG)) return { orderId: o.name, status: 'awaiting_return', amountCents: o.total_price, currency: o.currency };
    return { orderId: o.name, status: 'none', amountCents: 0, currency: o.currency, ...(o.cancelled_at ? { issuedOn: ymd(Date.parse(o.cancelled_at)) } : {}) };
  }

  async close(): Promise<void> {}
}
