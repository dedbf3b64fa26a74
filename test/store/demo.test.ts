/**
 * One suite, both engines of the demo store: SQLite (embedded) and PostgreSQL (the machine's
 * server, a schema of this run's own), with the same rules (src/store/demo-rules.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pgSchemaPerFile } from '../helpers/postgres.js';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';
import { DemoStore } from '../../src/store/demo.js';
import { PostgresDemoStore } from '../../src/store/postgres.js';
import { OrderNotAllowedError, type DemoShop, type DemoStoreOptions, type SeedOrder } from '../../src/store/index.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 10, 12);
const lines = [{ productId: 'p1', title: 'Trail shoe', quantity: 2, unitPriceCents: 4_500 }];

type Shop = DemoShop & { seedOrder(o: SeedOrder): unknown };
interface Engine {
  open(options: DemoStoreOptions): Promise<Shop>;
  reset(): Promise<void>;
}

const sqlite = (): Engine => {
  let db: SqliteDb | undefined;
  return {
    async open(options) {
      db = openSqlite(':memory:');
      return new DemoStore(db, options);
    },
    async reset() {
      db?.close();
    },
  };
};

const schema = pgSchemaPerFile('shopbot_demo');
const postgres = (): Engine => ({
  open: async (options) => PostgresDemoStore.open(schema.pool(), options),
  async reset() {
    await schema.pool().query('TRUNCATE order_returns, order_refunds, orders, cart_items');
  },
});

describe.each([
  ['sqlite', sqlite()],
  ['postgres', postgres()],
])('DemoStore service operations (%s)', (_name, engine) => {
  let now = T0;
  let store: Shop;
  beforeEach(async () => {
    now = T0;
    store = await engine.open({ now: () => now });
    await store.seedOrder({ id: 'SB-100001', userId: 'alice', email: 'Alice@Example.com', lines, createdAt: T0 });
    await store.seedOrder({ id: 'SB-100002', userId: 'bob', email: 'bob@example.com', lines, createdAt: T0 - 72 * HOUR });
  });
  afterEach(() => engine.reset());

  it('shows an order only to its shopper, the store-verified customer, or a guest with a grant for it', async () => {
    const aliceCustomer = { id: 'c-alice', email: 'alice@example.com' };
    expect((await store.getOrder('SB-100001', { userId: 'alice' }))?.status).toBe('processing');
    expect(await store.getOrder('SB-100001', { userId: 'mallory' })).toBeUndefined();
    expect(await store.getOrder('sb-100002', { userId: 'mallory', customer: aliceCustomer })).toBeUndefined();
    expect((await store.getOrder('SB-100001', { userId: 'other-device', customer: aliceCustomer }))?.id).toBe('SB-100001');
    const guest = { userId: 'guest', grants: [{ orderId: 'SB-100001', level: 'status' as const, until: T0 + 60_000 }] };
    expect((await store.getOrder('100001', guest))?.id).toBe('SB-100001');
    expect(await store.getOrder('SB-100002', guest)).toBeUndefined();
    expect(await store.listOrders(guest)).toEqual([]);
    await expect(store.cancelOrder('SB-100001', guest)).rejects.toMatchObject({ name: 'VerificationRequiredError', code: 'FORBIDDEN' });
    now = T0 + 120_000;
    expect(await store.getOrder('SB-100001', guest)).toBeUndefined();
    now = T0;
    await expect(store.cancelOrder('SB-100001', { userId: 'mallory' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.refundStatus('SB-100002', { userId: 'alice' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('verifies an e-mail only with a matching (order id, e-mail) pair', async () => {
    expect(await store.verifyEmail('SB-100001', ' alice@example.com ')).toBe(true);
    expect(await store.verifyEmail('SB-100001', 'bob@example.com')).toBe(false);
    expect(await store.verifyEmail('SB-999999', 'alice@example.com')).toBe(false);
  });

  it('cancels while processing, refunds, and refuses once shipped', async () => {
    const cancelled = await store.cancelOrder('SB-100001', { userId: 'alice' });
    expect(cancelled.status).toBe('cancelled');
    expect(await store.refundStatus('SB-100001', { userId: 'alice' })).toMatchObject({ status: 'pending', amountCents: 9_000 });
    now += 3 * 24 * HOUR;
    expect(await store.refundStatus('SB-100001', { userId: 'alice' })).toMatchObject({ status: 'refunded', amountCents: 9_000 });
    await expect(store.cancelOrder('SB-100001', { userId: 'alice' })).rejects.toMatchObject({ reason: 'already_cancelled' });
    const err = await store.cancelOrder('SB-100002', { userId: 'bob' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderNotAllowedError);
    expect((err as OrderNotAllowedError).reason).toBe('already_shipped');
  });

  it('changes the address only before shipping', async () => {
    const changed = await store.changeOrder('SB-100001', { userId: 'alice' }, { type: 'shipping_address', address: '1 Main St, Springfield' });
    expect(changed.shippingAddress).toBe('1 Main St, Springfield');
    await expect(store.changeOrder('SB-100002', { userId: 'bob' }, { type: 'shipping_address', address: '2 Elm St, Springfield' })).rejects.toMatchObject({ reason: 'already_shipped' });
  });

  it('starts a return of a delivered order with the fee the policy states, then refunds it', async () => {
    await expect(store.startReturn('SB-100001', { userId: 'alice' }, 'size_fit')).rejects.toMatchObject({ reason: 'not_delivered' });
    const r = await store.startReturn('SB-100002', { userId: 'bob' }, 'size_fit', 'too small');
    expect(r).toMatchObject({ orderId: 'SB-100002', feeCents: 499, refundCents: 9_000 - 499 });
    expect((await store.getOrder('SB-100002', { userId: 'bob' }))?.status).toBe('return_requested');
    expect((await store.refundStatus('SB-100002', { userId: 'bob' }))?.status).toBe('awaiting_return');
    await expect(store.startReturn('SB-100002', { userId: 'bob' }, 'damaged')).rejects.toMatchObject({ reason: 'already_returned' });
    now += 6 * 24 * HOUR;
    expect((await store.refundStatus('SB-100002', { userId: 'bob' }))?.status).toBe('refunded');
    expect((await store.getOrder('SB-100002', { userId: 'bob' }))?.status).toBe('refunded');
  });

  it('returns damaged items free and closes the window after 30 days', async () => {
    await store.seedOrder({ id: 'SB-100003', userId: 'bob', lines, createdAt: T0 - 72 * HOUR });
    expect((await store.startReturn('SB-100003', { userId: 'bob' }, 'damaged')).feeCents).toBe(0);
    await store.seedOrder({ id: 'SB-100004', userId: 'bob', lines, createdAt: T0 - 40 * 24 * HOUR });
    await expect(store.startReturn('SB-100004', { userId: 'bob' }, 'damaged')).rejects.toMatchObject({ reason: 'return_window_closed' });
  });

  it('seeds the demo orders once: prepared, shipped and delivered', async () => {
    expect(await store.seedDemoOrders()).toBe(3);
    expect(await store.seedDemoOrders()).toBe(0);
    // The demo page's signed-in customer (DEMO_CUSTOMER) owns them.
    const who = { userId: 'widget-shopper', customer: { id: 'demo-shopper', email: 'demo@example.com' } };
    expect(await store.verifyEmail('SB-100103', 'demo@example.com')).toBe(true);
    expect((await store.listOrders(who)).map((o) => o.status)).toEqual(['processing', 'shipped', 'delivered']);
    expect(await store.getOrder('SB-100101', { userId: 'widget-shopper' })).toBeUndefined();
  });

  it('checks a cart out once, with a discount taken in the same transaction, and forgets a shopper', async () => {
    const product = { id: 'p9', title: 'Boot', priceCents: 5_000, currency: 'USD', category: [], availability: 'in_stock' } as unknown as Parameters<Shop['addToCart']>[1];
    await store.addToCart('carol', product, 2);
    await store.addToCart('carol', product, 1);
    expect((await store.cart('carol')).lines).toEqual([expect.objectContaining({ productId: 'p9', quantity: 3, unitPriceCents: 5_000 })]);
    const off = { sqlite: () => 700, postgres: async () => 700 };
    const order = await store.checkout('carol', 'Carol@Example.com', off);
    expect(order).toMatchObject({ totalCents: 15_000 - 700, email: 'carol@example.com', status: 'processing' });
    expect((await store.cart('carol')).lines).toEqual([]);
    await expect(store.checkout('carol', undefined)).rejects.toMatchObject({ code: 'CONFLICT' });
    // A discount that fails rolls the whole order back: the cart is still there, no order was written.
    await store.addToCart('carol', product, 1);
    const failing = { sqlite: () => { throw new Error('redemption failed'); }, postgres: async () => { throw new Error('redemption failed'); } };
    await expect(store.checkout('carol', undefined, failing)).rejects.toThrow('redemption failed');
    expect((await store.cart('carol')).lines).toHaveLength(1);
    expect(await store.listOrders({ userId: 'carol' })).toHaveLength(1);
    expect(await store.forgetUser('carol', '[forgotten]')).toEqual({ cartItems: 1, orders: 1 });
    expect(await store.listOrders({ userId: 'carol' })).toEqual([]);
  });
});
