/**
 * Two servers' worth of the assistant (two apps in one test process, nothing shared between them
 * but PostgreSQL and Redis): conversation state and sockets in Redis; the funnel log, carts and
 * orders, coupons and the handoff desk in PostgreSQL. A shopper (dialogue state and cart) moves
 * from one server to the other, a ticket taken on one is answered from the other, and a coupon
 * budget spent from both at once is never overspent. Each run has its own schema and key prefix.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFirstDelivery } from '../../channels/slack/verify.js';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { OutboundMessage } from '../../src/messages.js';
import type { RunningServer } from '../../src/server/index.js';
import { FIXTURE_CATALOG, serveApp } from '../helpers/app.js';
import { pgSchemaPerFile } from '../helpers/postgres.js';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Keys of this file's servers only (state, limits, socket counts), so parallel test files never share a count. */
const REDIS_PREFIX = `shopbot-test-${randomUUID().slice(0, 8)}`;
const schema = pgSchemaPerFile('shopbot_scale');
const nodes: { app: App; server: RunningServer; dir: string }[] = [];
const campaignDir = mkdtempSync(path.join(tmpdir(), 'shopbot-scale-campaigns-'));
const CAMPAIGNS = path.join(campaignDir, 'campaigns.json');
/** $3 off each order, $10 of budget: three redemptions fit, a fourth would overspend. */
const BUDGET_CENTS = 1000;
const OFF_CENTS = 300;

beforeAll(async () => {
  const t0 = Date.now();
  writeFileSync(CAMPAIGNS, JSON.stringify([{ id: 'SCALE3', kind: 'amount', value: OFF_CENTS, startsAt: t0 - 86_400_000, endsAt: t0 + 86_400_000, perShopperLimit: 1, budgetCents: BUDGET_CENTS }]));
  for (let i = 0; i < 2; i++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-scale-'));
    const config = loadConfig({
      env: {},
      overrides: {
        dataDir: dir,
        logLevel: 'silent',
        server: { port: 0 },
        catalog: { demoFile: FIXTURE_CATALOG },
        storage: { backend: 'postgres', postgresUrl: schema.url },
        state: { backend: 'redis', redisUrl: REDIS, redisKeyPrefix: REDIS_PREFIX },
        security: { sessionSecret: 'scale-out-test-secret-0123456789abcdef' },
        agents: { users: 'sam:sam-password-0001' },
        // Every shopper who looks at a product is offered the one campaign (no holdout), so the budget test has codes to spend.
        coupons: { campaignsFile: CAMPAIGNS, holdoutRate: 0, explorationRate: 1 },
      },
    });
    const server = await serveApp(config);
    nodes.push({ app: server.app, server, dir });
  }
});

afterAll(async () => {
  for (const n of nodes) {
    await n.server.close();
    await n.app.close();
    rmSync(n.dir, { recursive: true, force: true });
  }
  rmSync(campaignDir, { recursive: true, force: true });
});

function ack<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  return new Promise((resolve) => socket.emit(event, payload, (r: T) => resolve(r)));
}

describe('scale-out backends', () => {
  it("moves a shopper's dialogue state and cart between servers, and their order", async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const { conversationId, userId } = await a.app.sessions.start({ channel: 'web' });
    const shown = await a.app.handleTurn({ conversationId, userId, channel: 'web', text: 'ugg slipper' });
    const product = (await a.app.catalog.get(shown.products[0]!.id))!;
    await a.app.store.addToCart(userId, product, 2);
    // Server B sees the cart server A filled, and the state: its turn count and what A showed.
    expect((await b.app.store.cart(userId)).lines).toEqual([expect.objectContaining({ productId: product.id, quantity: 2 })]);
    const state = await b.app.states.load(conversationId);
    expect(state?.turn).toBe(1);
    expect(state?.lastShown.map((x) => x.id)).toEqual(shown.products.map((p) => p.id));
    // Checked out on B: the order is in the shared store, A sees it and the emptied cart.
    const order = await b.app.store.checkout(userId, 'shopper@example.com');
    expect((await a.app.store.cart(userId)).lines).toEqual([]);
    expect((await a.app.store.getOrder(order.id, { userId }))?.lines).toEqual([expect.objectContaining({ productId: product.id, quantity: 2 })]);
    // Another shopper's order stays theirs on either server.
    expect(await b.app.store.getOrder(order.id, { userId: 'someone-else' })).toBeUndefined();
  });

  it('de-duplicates a Slack event delivered to one server and retried to the other', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const eventId = `Ev${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    expect(await isFirstDelivery(a.app.funnel, eventId, Date.now())).toBe(true);
    expect(await isFirstDelivery(b.app.funnel, eventId, Date.now())).toBe(false);
  });

  it('spends one coupon budget from both servers at once and never overspends it', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const product = (await a.app.catalog.get((await a.app.handleTurn({ ...(await a.app.sessions.start({ channel: 'web' })), channel: 'web', text: 'ugg slipper' })).products[0]!.id))!;
    // Six shoppers, each offered a code on one server, checking out at the same moment, three on each.
    const shoppers = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const node = i % 2 ? b : a;
        const userId = `budget-${i}-${randomUUID().slice(0, 6)}`;
        await node.app.store.addToCart(userId, product, 1);
        const d = await node.app.coupons!.decideOffer({ userId, conversationId: `conv-${userId}`, channel: 'web' }, { valueCents: 10_000, items: 1, categories: [] });
        expect(d.offer?.code, d.reason).toBeDefined();
        return { node, userId, code: d.offer!.code };
      }),
    );
    const results = await Promise.all(
      shoppers.map(async ({ node, userId, code }) => {
        const coupon = node.app.coupons!.inOrder(code, { channel: 'web', categoriesOf: () => [] });
        const order = await node.app.store.checkout(userId, undefined, coupon.discount);
        return { order, outcome: coupon.outcome() };
      }),
    );
    const redeemed = results.filter((r) => r.outcome && 'redeemed' in r.outcome);
    const refused = results.flatMap((r) => (r.outcome && 'refused' in r.outcome ? [r.outcome.refused] : []));
    expect(redeemed).toHaveLength(Math.floor(BUDGET_CENTS / OFF_CENTS));
    expect(refused).toEqual(Array(6 - redeemed.length).fill('OVER_BUDGET'));
    // Every order was placed; only the redeemed ones carry the discount, written in the order's transaction.
    for (const r of results) expect(r.order.totalCents).toBe(r.order.lines[0]!.unitPriceCents - (r.outcome && 'redeemed' in r.outcome ? OFF_CENTS : 0));
    expect(await a.app.coupons!.spentCents('SCALE3')).toBe(redeemed.length * OFF_CENTS);
    expect(await b.app.coupons!.spentCents('SCALE3')).toBeLessThanOrEqual(BUDGET_CENTS);
  });

  it('shares conversations, sockets and the funnel log between servers', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    // A conversation started on server A (its state in Redis) is resumed with its token on server B.
    const started = await a.app.sessions.start({ channel: 'web' });
    const { conversationId, userId } = started;
    const first = await a.app.handleTurn({ conversationId, userId, channel: 'web', text: 'ugg slipper' });
    expect(first.products.length).toBeGreaterThan(0);

    const socket = connect(b.server.url, { transports: ['websocket'], forceNew: true });
    const socketOnA = connect(a.server.url, { transports: ['websocket'], forceNew: true });
    try {
      const hello = await ack<{ conversationId: string; history: unknown[] }>(socket, 'hello', { conversationId, token: started.token });
      expect(hello.conversationId).toBe(conversationId);
      expect(hello.history.length).toBe(2);
      // "the second one" on server B refers to the results server A showed.
      const second = await ack<OutboundMessage>(socket, 'message', { text: 'the second one' });
      // (Whether the classifier reads it as a look or an add-to-cart, it must be that product.)
      const referred = second.products[0]?.id ?? second.cart?.lines[0]?.productId;
      expect(referred, JSON.stringify(second).slice(0, 300)).toBe(first.products[1]?.id);

      // An agent takes the escalation on server A and replies from server B (the ticket and its
      // holder are in PostgreSQL): the reply reaches the shopper's sockets on both servers.
      const pushed = (s: Socket) => new Promise<OutboundMessage>((resolve) => s.on('push', (m) => void (m.text === 'Hi, this is Sam from support.' && resolve(m))));
      await ack(socketOnA, 'hello', { conversationId, token: started.token });
      const onB = pushed(socket);
      const onA = pushed(socketOnA);
      expect((await a.app.handleTurn({ conversationId, userId, channel: 'web', text: 'I want to talk to a human please' })).handoff?.status).toBe('queued');
      const ticket = (await a.app.handoff.queueFor(undefined)).find((t) => t.conversationId === conversationId);
      await a.app.handoff.take(ticket!.id, 'sam');
      // Someone else cannot answer it on B; its holder can.
      await expect(b.app.handoff.reply(conversationId, 'mallory', 'I am not Sam')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await b.app.handoff.reply(conversationId, 'sam', 'Hi, this is Sam from support.');
      expect((await onB).text).toBe('Hi, this is Sam from support.');
      expect((await onA).text).toBe('Hi, this is Sam from support.');
      // While the agent holds it, the bot is silent on either server.
      expect((await b.app.handleTurn({ conversationId, userId, channel: 'web', text: 'thanks' })).silent).toBe(true);
    } finally {
      socket.disconnect();
      socketOnA.disconnect();
    }
    await a.app.funnel.flush();
    await b.app.funnel.flush();
    const seen = new Set<string>();
    for await (const e of b.app.funnel.query({ conversationId })) seen.add(e.type);
    expect([...seen]).toEqual(expect.arrayContaining(['impression', 'intent', 'message']));
  });
});
