/**
 * A local HTTP server that answers like the Shopify Admin REST API (2024-10) for the calls the
 * connector makes, with bodies shaped like the documented examples (orders, customers/search,
 * customers/{id}/orders, orders/{id}/cancel, orders/{id}/refunds). It records every request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeShopifyOrder {
  id: number;
  name: string;
  email: string | null;
  created_at: string;
  currency: string;
  total_price: string;
  subtotal_price: string;
  financial_status: string;
  fulfillment_status: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
  tags: string;
  note: string | null;
  note_attributes: { name: string; value: string }[];
  customer: { id: number; email: string } | null;
  line_items: { id: number; product_id: number | null; variant_id: number | null; title: string; quantity: number; price: string; sku: string | null }[];
  fulfillments: { id: number; order_id: number; status: string; tracking_company: string | null; tracking_number: string | null; tracking_numbers: string[]; shipment_status: string | null; created_at: string; updated_at: string }[];
  shipping_address: { first_name: string; address1: string; city: string; zip: string; country: string } | null;
  refunds: { id: number; order_id: number; created_at: string; processed_at: string | null; transactions: { id: number; amount: string; kind: string; status: string; gateway: string }[] }[];
}

export interface FakeShopify {
  readonly url: string;
  readonly orders: FakeShopifyOrder[];
  readonly requests: { method: string; url: string; token: string | undefined; body: unknown }[];
  close(): Promise<void>;
}

export async function startFakeShopify(token: string, orders: FakeShopifyOrder[]): Promise<FakeShopify> {
  const requests: FakeShopify['requests'] = [];
  let nextId = 5_000_000;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      const url = new URL(req.url ?? '/', 'http://x');
      const tokenHeader = req.headers['x-shopify-access-token'] as string | undefined;
      requests.push({ method: req.method ?? '', url: url.pathname + url.search, token: tokenHeader, body });
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (tokenHeader !== token) return send(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
      const p = url.pathname.replace('/admin/api/2024-10/', '');
      let m: RegExpExecArray | null;
      if (req.method === 'GET' && p === 'orders.json') {
        const name = url.searchParams.get('name');
        return send(200, { orders: orders.filter((o) => !name || o.name === name) });
      }
      if (req.method === 'POST' && p === 'orders.json') {
        const o = (body as { order: { email?: string; currency: string; line_items: { title: string; price: string; quantity: number }[]; note_attributes: { name: string; value: string }[] } }).order;
        const total = o.line_items.reduce((s, l) => s + Number(l.price) * l.quantity, 0).toFixed(2);
        const order: FakeShopifyOrder = {
          id: nextId++, name: `#${1000 + orders.length + 1}`, email: o.email ?? null, created_at: '2026-01-10T12:00:00-05:00', currency: o.currency,
          total_price: total, subtotal_price: total, financial_status: 'pending', fulfillment_status: null, cancelled_at: null, cancel_reason: null,
          tags: '', note: null, note_attributes: o.note_attributes, customer: null,
          line_items: o.line_items.map((l, i) => ({ id: i + 1, product_id: null, variant_id: null, title: l.title, quantity: l.quantity, price: l.price, sku: null })),
          fulfillments: [], shipping_address: null, refunds: [],
        };
        orders.push(order);
        return send(201, { order });
      }
      if (req.method === 'GET' && p === 'customers/search.json') {
        const email = (url.searchParams.get('query') ?? '').replace(/^email:/, '').toLowerCase();
        const customers = orders.filter((o) => o.customer && o.customer.email === email).map((o) => ({ id: o.customer!.id, email: o.customer!.email }));
        return send(200, { customers: customers.slice(0, 1) });
      }
      if (req.method === 'GET' && (m = /^customers\/(\d+)\/orders\.json$/.exec(p))) {
        return send(200, { orders: orders.filter((o) => o.customer?.id === Number(m![1])) });
      }
      const byId = (id: string) => orders.find((o) => o.id === Number(id));
      if (req.method === 'POST' && (m = /^orders\/(\d+)\/cancel\.json$/.exec(p))) {
        const o = byId(m[1]!);
        if (!o) return send(404, { errors: 'Not Found' });
        if (o.fulfillment_status) return send(422, { error: 'Cannot cancel a fulfilled order' });
        o.cancelled_at = '2026-01-10T13:00:00-05:00';
        o.cancel_reason = 'customer';
        return send(200, { order: o });
      }
      if (req.method === 'PUT' && (m = /^orders\/(\d+)\.json$/.exec(p))) {
        const o = byId(m[1]!);
        if (!o) return send(404, { errors: 'Not Found' });
        const patch = (body as { order: Partial<FakeShopifyOrder> & { shipping_address?: { address1: string } } }).order;
        if (patch.tags !== undefined) o.tags = patch.tags;
        if (patch.note !== undefined) o.note = patch.note;
        if (patch.shipping_address) o.shipping_address = { first_name: o.shipping_address?.first_name ?? '', address1: patch.shipping_address.address1, city: '', zip: '', country: '' };
        return send(200, { order: o });
      }
      if (req.method === 'GET' && (m = /^orders\/(\d+)\/refunds\.json$/.exec(p))) {
        const o = byId(m[1]!);
        return o ? send(200, { refunds: o.refunds }) : send(404, { errors: 'Not Found' });
      }
      return send(404, { errors: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    orders,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An order as in Shopify's documented example, adjusted per test. */
export function shopifyOrder(over: Partial<FakeShopifyOrder> & { id: number; name: string }): FakeShopifyOrder {
  return {
    email: 'bob.norman@mail.example.com',
    created_at: '2026-01-01T11:00:00-05:00',
    currency: 'USD',
    total_price: '598.94',
    subtotal_price: '597.00',
    financial_status: 'paid',
    fulfillment_status: null,
    cancelled_at: null,
    cancel_reason: null,
    tags: '',
    note: null,
    note_attributes: [],
    customer: { id: 207119551, email: 'bob.norman@mail.example.com' },
    line_items: [{ id: 466157049, product_id: 632910392, variant_id: 39072856, title: 'IPod Nano - 8gb', quantity: 3, price: '199.00', sku: 'IPOD2008GREEN' }],
    fulfillments: [],
    shipping_address: { first_name: 'Bob', address1: 'Chestnut Street 92', city: 'Louisville', zip: '40202', country: 'United States' },
    refunds: [],
    ...over,
  };
}
