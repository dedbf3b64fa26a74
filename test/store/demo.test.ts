import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';
import { DemoStore } from '../../src/store/demo.js';
import { ProductSchema } from '../../src/catalog/product.js';

const product = ProductSchema.parse({ id: 'B001', title: 'Steel water bottle', priceCents: 1250, source: 'csv', stock: 5 });
const noPrice = ProductSchema.parse({ id: 'B002', title: 'Mystery', source: 'csv' });

describe('DemoStore', () => {
  let db: SqliteDb;
  let now = Date.UTC(2026, 10, 1);
  let store: DemoStore;
  beforeEach(() => {
    db = openSqlite(':memory:');
    store = new DemoStore(db, { now: () => now, titleOf: (id) => (id === 'B001' ? product.title : undefined) });
  });
  afterEach(() => db.close());

  it('adds to the cart, checks out and empties the cart', async () => {
    await store.addToCart('u1', product, 2);
    const cart = await store.addToCart('u1', product, 1);
    expect(cart).toMatchObject({ totalCents: 3750, lines: [{ productId: 'B001', quantity: 3, title: 'Steel water bottle' }] });
    const order = await store.checkout('u1', 'Ann@Example.com');
    expect(order).toMatchObject({ userId: 'u1', email: 'ann@example.com', totalCents: 3750, status: 'processing' });
    expect(order.id).toMatch(/^SB-\d{6}$/);
    expect((await store.cart('u1')).lines).toEqual([]);
  });

  it('refuses products without a price and empty checkouts', async () => {
    await expect(store.addToCart('u1', noPrice, 1)).rejects.toThrow(/no price/);
    await expect(store.checkout('u1', undefined)).rejects.toThrow(/empty/);
  });

  it('shows an order only to its shopper or the verified e-mail', async () => {
    await store.addToCart('u1', product, 1);
    const order = await store.checkout('u1', 'ann@example.com');
    expect(await store.getOrder(order.id, { userId: 'u2' })).toBeUndefined();
    expect(await store.getOrder(order.id, { userId: 'u2', verifiedEmail: 'bob@example.com' })).toBeUndefined();
    expect((await store.getOrder(order.id, { userId: 'u2', verifiedEmail: 'ANN@example.com' }))?.id).toBe(order.id);
    expect(await store.listOrders({ userId: 'u2' })).toEqual([]);
  });

  it('simulates fulfilment from the order age', async () => {
    await store.addToCart('u1', product, 1);
    const order = await store.checkout('u1', undefined);
    now += 2 * 3_600_000;
    const shipped = await store.getOrder(order.id, { userId: 'u1' });
    expect(shipped).toMatchObject({ status: 'shipped', carrier: 'UPS' });
    expect(shipped?.trackingNumber).toMatch(/^1Z[0-9A-F]{14}$/);
    now += 3 * 86_400_000;
    expect((await store.getOrder(order.id, { userId: 'u1' }))?.status).toBe('delivered');
  });
});
