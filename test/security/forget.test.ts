/**
 * Forgetting one shopper (security issue, part 7): `app.privacy.forget(userId)` and
 * `shopbot forget --user ID` delete the shopper's conversations, transcripts, cart, funnel events,
 * coupon codes and handoff tickets, keep their orders and coupon redemptions as the store's records
 * with the user id and e-mail gone, and leave every other shopper's data alone.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/index.js';
import { run as forgetCli } from '../../cli/forget.js';
import type { FunnelEvent } from '../../src/funnel/events.js';
import type { UiAction } from '../../src/messages.js';
import { openSqlite } from '../../src/storage/sqlite.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

const SHOPPER = 'user-forget-0001';
const OTHER = 'user-keep-00001';

/** A shopper who searched, got a coupon, bought with it, left something in the cart and asked for a person. */
async function shopperWithHistory(t: TestApp, userId: string, tag: string): Promise<{ orderId: string }> {
  const conversationId = `conv-${tag}-shop`;
  const say = (text: string, action?: UiAction) => t.app.handleTurn({ conversationId, userId, channel: 'web', text, ...(action ? { action } : {}) });
  const found = await say('dewalt combo kit, mail me at jane.doe@example.com');
  const kit = found.products.find((p) => p.inStock && (p.priceCents ?? 0) >= 2500)!;
  const added = await say('', { type: 'add_to_cart', productId: kit.id, quantity: 1 });
  expect(added.coupon).toBeDefined();
  await say('', { type: 'checkout', email: `${tag}@example.com` });
  const order = (await t.app.store.listOrders({ userId }))[0]!;
  const other = found.products.find((p) => p.inStock && p.id !== kit.id && p.priceCents !== undefined)!;
  await say('', { type: 'add_to_cart', productId: other.id, quantity: 2 });
  const handoff = await t.app.handleTurn({ conversationId: `conv-${tag}-help`, userId, channel: 'web', text: 'I want to talk to a human' });
  expect(handoff.handoff?.status).toBe('queued');
  return { orderId: order.id };
}

async function eventsOf(t: TestApp, userId: string): Promise<FunnelEvent[]> {
  await t.app.funnel.flush();
  const out: FunnelEvent[] = [];
  for await (const e of t.app.funnel.query({})) if (e.userId === userId) out.push(e);
  return out;
}

const openShop = () => openTestApp({ coupons: { holdoutRate: 0, explorationRate: 1 }, agents: { users: 'alice:secret-1' } });

describe('app.privacy.forget', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.close();
  });

  it("deletes one shopper's data, anonymises their orders and redemptions, and keeps everyone else's", async () => {
    t = await openShop();
    const { orderId } = await shopperWithHistory(t, SHOPPER, 'forget');
    await shopperWithHistory(t, OTHER, 'keep');
    const campaign = (await t.app.coupons!.campaigns())[0]!.id;
    const spent = await t.app.coupons!.spentCents(campaign);

    const r = await t.app.privacy.forget(SHOPPER);
    expect(r).toMatchObject({ userId: SHOPPER, conversations: 2, cartItems: 1, ordersAnonymised: 1, couponRedemptionsAnonymised: 1, tickets: 1 });
    expect(r.messages).toBeGreaterThanOrEqual(5);
    expect(r.funnelEvents).toBeGreaterThan(5);

    expect(await t.app.history('conv-forget-shop')).toEqual([]);
    expect(await t.app.states.load('conv-forget-shop')).toBeUndefined();
    expect(await t.app.states.load('conv-forget-help')).toBeUndefined();
    expect((await t.app.store.cart(SHOPPER)).lines).toEqual([]);
    expect(await t.app.store.listOrders({ userId: SHOPPER })).toEqual([]);
    expect(await eventsOf(t, SHOPPER)).toEqual([]);
    expect((await t.app.handoff.queueFor(undefined)).map((q) => q.userId)).toEqual([OTHER]);
    // The order stays as the store's record of a sale, with nobody's id or address on it (read
    // straight from the app's database file: the app hands out no database).
    const db = openSqlite(t.dataDir);
    try {
      expect(db.prepare('SELECT user_id, email, shipping, total_cents > 0 AS paid FROM orders WHERE id = ?').get(orderId)).toEqual({ user_id: '[forgotten]', email: null, shipping: null, paid: 1 });
      expect(db.prepare('SELECT COUNT(*) AS n FROM coupon_codes WHERE user_id = ?').get(SHOPPER)).toEqual({ n: 0 });
      expect(db.prepare('SELECT COUNT(*) AS n FROM coupon_redemptions WHERE user_id = ?').get(SHOPPER)).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    // Deleting the redemption would hand its discount back to the campaign budget.
    expect(await t.app.coupons!.spentCents(campaign)).toBe(spent);

    expect((await t.app.history('conv-keep-shop')).length).toBeGreaterThan(0);
    expect((await t.app.store.cart(OTHER)).lines).toHaveLength(1);
    expect(await t.app.store.listOrders({ userId: OTHER })).toHaveLength(1);
    expect((await eventsOf(t, OTHER)).length).toBeGreaterThan(5);

    expect(await t.app.privacy.forget(SHOPPER)).toMatchObject({ conversations: 0, messages: 0, cartItems: 0, ordersAnonymised: 0, funnelEvents: 0, tickets: 0 });
  });

  it('refuses an empty id and the id that stands for forgotten users', async () => {
    t = await openTestApp();
    await expect(t.app.privacy.forget('  ')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(t.app.privacy.forget('[forgotten]')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('shopbot forget', () => {
  const dirs: string[] = [];
  afterEach(() => {
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it("deletes the shopper's data in the data directory and prints what it deleted", async () => {
    const t = await openShop();
    dirs.push(t.dataDir);
    await shopperWithHistory(t, SHOPPER, 'forget');
    await shopperWithHistory(t, OTHER, 'keep');
    await t.app.close();
    // The data was written on the test clock; a start-up sweep on the real clock must not be what deletes it.
    vi.stubEnv('SHOPBOT_RETENTION_DAYS', '0');
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
    expect(await forgetCli(['--user', SHOPPER, '--data-dir', t.dataDir])).toBe(0);
    const out = printed.join('\n');
    expect(out).toContain(`forgot user ${SHOPPER}`);
    expect(out).toMatch(/conversations deleted\s+2 \(\d+ messages\)/);
    expect(out).toMatch(/orders anonymised\s+1/);
    expect(out).toMatch(/handoff tickets deleted\s+1/);

    const db = openSqlite(t.dataDir);
    try {
      const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
      for (const table of ['conversations', 'cart_items', 'funnel_events', 'handoff_tickets', 'coupon_codes', 'orders']) {
        expect(count(`SELECT COUNT(*) AS n FROM ${table} WHERE user_id = ?`, SHOPPER), table).toBe(0);
        expect(count(`SELECT COUNT(*) AS n FROM ${table} WHERE user_id = ?`, OTHER), table).toBeGreaterThan(0);
      }
      expect(count("SELECT COUNT(*) AS n FROM messages WHERE conversation_id LIKE 'conv-forget-%'")).toBe(0);
    } finally {
      db.close();
    }
  });

  it.each([
    ['no --user', []],
    ['--user without a value', ['--user']],
    ['an unknown flag', ['--user', SHOPPER, '--everything']],
    ['a blank id', ['--user', '   ']],
    ['a stray argument', ['--user', SHOPPER, 'extra']],
  ])('exits 2 with a one-line message on %s', async (_what, argv) => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    expect(await forgetCli(argv)).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^shopbot forget: .*usage: shopbot forget --user ID/);
    expect(errors[0]).not.toContain('\n');
  });

  it('is a registered command', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['forget'])).toBe(2);
  });
});
