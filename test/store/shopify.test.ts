import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Product } from '../../src/catalog/product.js';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';
import { DemoStore } from '../../src/store/demo.js';
import { ShopifyStore } from '../../src/store/shopify.js';
import { shopifyOrder, startFakeShopify, type FakeShopify } from './shopify-fake-server.js';

const TOKEN = 'shpat_test_token';
const NOW = Date.parse('2026-01-12T12:00:00Z');

describe('ShopifyStore against a server replaying the Admin REST API shapes', () => {
  let shop: FakeShopify;
  let db: SqliteDb;
  let store: ShopifyStore;
  beforeEach(async () => {
    shop = await startFakeShopify(TOKEN, [
      shopifyOrder({ id: 450789469, name: '#1001' }),
      shopifyOrder({
        id: 450789470, name: '#1002', fulfillment_status: 'fulfilled',
        fulfillments: [{ id: 255858046, order_id: 450789470, status: 'success', tracking_company: 'USPS', tracking_number: '1Z2345', tracking_numbers: ['1Z2345'], shipment_status: 'delivered', created_at: '2026-01-05T10:00:00-05:00', updated_at: '2026-01-08T10:00:00-05:00' }],
        refunds: [{ id: 509562969, order_id: 450789470, created_at: '2026-01-09T10:00:00-05:00', processed_at: '2026-01-09T10:00:00-05:00', transactions: [{ id: 179259969, amount: '209.00', kind: 'refund', status: 'success', gateway: 'bogus' }] }],
      }),
      shopifyOrder({ id: 450789471, name: '#1003', email: 'someone.else@example.com', customer: { id: 99, email: 'someone.else@example.com' }, note_attributes: [{ name: 'shopbot_user', value: 'u-guest' }] }),
    ]);
    db = openSqlite(':memory:');
    const carts = new DemoStore(db, { now: () => NOW });
    store = new ShopifyStore({ baseUrl: shop.url, accessToken: TOKEN, carts, now: () => NOW });
  });
  afterEach(async () => {
    await shop.close();
    db.close();
  });

  // Bob is the store customer a store-signed identity names (src/identity).
  const bob = { userId: 'u-bob', customer: { id: '207119551', email: 'bob.norman@mail.example.com' } };

  it('maps orders, fulfilment tracking and status, and sends the access token', async () => {
    const o = await store.getOrder('1002', bob);
    expect(o).toMatchObject({ id: '#1002', status: 'delivered', trackingNumber: '1Z2345', carrier: 'USPS', totalCents: 59_894, deliveredOn: '2026-01-08' });
    expect(o?.lines[0]).toMatchObject({ title: 'IPod Nano - 8gb', quantity: 3, unitPriceCents: 19_900 });
    expect(shop.requests.every((r) => r.token === TOKEN)).toBe(true);
    expect((await store.getOrder('#1001', bob))?.status).toBe('processing');
  });

  it('refuses orders of other shoppers (unauthorized lookup)', async () => {
    expect(await store.getOrder('1001', { userId: 'u-mallory' })).toBeUndefined();
    expect(await store.getOrder('1001', { userId: 'u-mallory', customer: { id: '1', email: 'mallory@example.com' } })).toBeUndefined();
    // A grant for another order, or an expired one, shows nothing.
    expect(await store.getOrder('1001', { userId: 'u-mallory', grants: [{ orderId: '#1002', level: 'manage', until: NOW + 1000 }, { orderId: '#1001', level: 'manage', until: NOW - 1 }] })).toBeUndefined();
    // A status grant (order number + e-mail checked) shows the order but does not let a guest change it.
    const guest = { userId: 'u-guest2', grants: [{ orderId: '#1001', level: 'status' as const, until: NOW + 1000 }] };
    expect((await store.getOrder('1001', guest))?.id).toBe('#1001');
    await expect(store.cancelOrder('1001', guest)).rejects.toMatchObject({ name: 'VerificationRequiredError' });
    expect(await store.getOrder('1003', bob)).toBeUndefined();
    expect((await store.getOrder('1003', { userId: 'u-guest' }))?.id).toBe('#1003');
    await expect(store.cancelOrder('1001', { userId: 'u-mallory' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.listOrders({ userId: 'u-mallory' })).toEqual([]);
  });

  it('lists a verified customer\'s orders through the customer record', async () => {
    expect((await store.listOrders(bob)).map((o) => o.id).sort()).toEqual(['#1001', '#1002']);
    expect(await store.verifyEmail('1001', 'BOB.norman@mail.example.com')).toBe(true);
    expect(await store.verifyEmail('1001', 'mallory@example.com')).toBe(false);
  });

  it('cancels an unfulfilled order and refuses a fulfilled one', async () => {
    expect((await store.cancelOrder('1001', bob)).status).toBe('cancelled');
    expect(shop.requests.some((r) => r.method === 'POST' && r.url.endsWith('/orders/450789469/cancel.json'))).toBe(true);
    await expect(store.cancelOrder('1002', bob)).rejects.toMatchObject({ code: 'CONFLICT', reason: 'already_shipped' });
  });

  it('reads refunds and records a return request as a tag and note', async () => {
    expect(await store.refundStatus('1002', bob)).toMatchObject({ status: 'refunded', amountCents: 20_900, issuedOn: '2026-01-09' });
    expect((await store.refundStatus('1001', bob))?.status).toBe('none');
    shop.orders[1]!.refunds = [];
    const r = await store.startReturn('1002', bob, 'damaged', 'screen cracked');
    expect(r).toMatchObject({ orderId: '#1002', reason: 'damaged' });
    expect(shop.orders[1]!.tags).toContain('return-requested');
    expect(shop.orders[1]!.note).toContain('damaged');
    expect((await store.getOrder('1002', bob))?.status).toBe('return_requested');
    await expect(store.startReturn('1001', bob, 'damaged')).rejects.toMatchObject({ reason: 'not_delivered' });
  });

  it('checks out the embedded cart as a Shopify order owned by the conversation', async () => {
    const product = { id: 'B01', title: 'Trail shoe', priceCents: 4500, currency: 'USD', availability: 'in_stock', bullets: [], description: '' } as unknown as Product;
    await store.addToCart('u-new', product, 2);
    const order = await store.checkout('u-new', 'new@example.com');
    expect(order).toMatchObject({ totalCents: 9_000, status: 'processing' });
    expect((await store.cart('u-new')).lines).toEqual([]);
    expect((await store.getOrder(order.id, { userId: 'u-new' }))?.id).toBe(order.id);
    expect(await store.getOrder(order.id, { userId: 'u-other' })).toBeUndefined();
  });
});
