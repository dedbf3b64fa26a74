/**
 * End to end over the wire: the real app and server on port 0, a real socket.io-client, a shopper
 * who searches, refines, clicks, adds to cart and checks out; then the funnel rows those steps wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import type { OutboundMessage } from '../../../src/messages.js';
import type { TranscriptEntry } from '../../../channels/web/protocol.js';
import { nextEvent, type TestClient } from './helpers.js';
import { startRealServer, type RealServer } from './real-server.js';

type Reply = { error?: { code: string; message: string } } & Partial<OutboundMessage> & Record<string, unknown>;

function send(socket: TestClient, event: string, ...args: unknown[]): Promise<Reply> {
  return (socket.timeout(30_000) as unknown as { emitWithAck(e: string, ...a: unknown[]): Promise<Reply> }).emitWithAck(event, ...args);
}

let real: RealServer;
const clients: TestClient[] = [];

async function client(): Promise<TestClient> {
  const socket: TestClient = connect(real.server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
  clients.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

beforeAll(async () => {
  real = await startRealServer();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await real?.close();
});

describe('web channel end to end (real app, real server, socket.io-client)', () => {
  it('search, refine, click, add to cart and checkout land in the funnel log', async () => {
    const c = await client();
    const hello = await send(c, 'hello', { locale: 'en-US' });
    expect(hello.error).toBeUndefined();
    const conversationId = hello.conversationId as string;

    const typing: boolean[] = [];
    c.on('typing', (s) => typing.push(s.on));
    const search = await send(c, 'message', { text: 'running shoes' });
    expect(search.error).toBeUndefined();
    expect(search.conversationId).toBe(conversationId);
    expect(search.lang).toBe('en');
    const shown = search.products ?? [];
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((p) => /shoe|sneaker|running/i.test(p.title))).toBe(true);
    expect(shown.map((p) => p.position)).toEqual(shown.map((_, i) => i));
    expect(new Set(shown.map((p) => p.slateId)).size).toBe(1);
    expect(typing).toEqual([true, false]);

    const refined = await send(c, 'message', { text: 'cheaper' });
    const cheaper = refined.products ?? [];
    expect(cheaper.length).toBeGreaterThan(0);
    const highestBefore = Math.max(...shown.map((p) => p.priceCents ?? 0));
    expect(cheaper.every((p) => p.priceCents !== undefined && p.priceCents < highestBefore)).toBe(true);
    expect(cheaper[0]?.slateId).not.toBe(shown[0]?.slateId);

    const pick = cheaper.find((p) => p.inStock) ?? cheaper[0];
    if (!pick) throw new Error('no product to pick');
    const click = await send(c, 'message', { text: '', action: { type: 'click', productId: pick.id, slateId: pick.slateId, position: pick.position } });
    expect(click.error).toBeUndefined();

    const added = await send(c, 'message', { text: '', action: { type: 'add_to_cart', productId: pick.id, quantity: 1, slateId: pick.slateId, position: pick.position } });
    expect(added.cart?.lines.map((l) => l.productId)).toEqual([pick.id]);
    expect(added.cart?.totalCents).toBe(pick.priceCents);

    const checkout = await send(c, 'message', { text: '', action: { type: 'checkout', email: 'shopper@example.com' } });
    expect(checkout.error).toBeUndefined();
    expect(checkout.cart?.lines ?? []).toEqual([]);

    const events = await real.funnelEvents(conversationId);
    expect(events.every((e) => e.channel === 'web' && e.conversationId === conversationId)).toBe(true);
    const impressions = events.filter((e) => e.type === 'impression');
    expect(impressions).toHaveLength(shown.length + cheaper.length);
    expect(impressions.filter((e) => e.slateId === pick.slateId).map((e) => e.productId)).toEqual(cheaper.map((p) => p.id));
    expect(events.filter((e) => e.type === 'click')).toMatchObject([{ productId: pick.id, slateId: pick.slateId, position: pick.position }]);
    expect(events.filter((e) => e.type === 'add_to_cart')).toMatchObject([{ productId: pick.id, quantity: 1, priceCents: pick.priceCents, slateId: pick.slateId }]);
    expect(events.filter((e) => e.type === 'checkout_started')).toMatchObject([{ cartValueCents: pick.priceCents, items: 1 }]);
    const purchases = events.filter((e) => e.type === 'purchase');
    expect(purchases).toMatchObject([{ revenueCents: pick.priceCents, productIds: [pick.id] }]);
    // The funnel stages happen in order.
    const order = ['click', 'add_to_cart', 'checkout_started', 'purchase'].map((t) => events.findIndex((e) => e.type === t));
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    // A new socket with the stored ids gets the whole conversation back, cards included.
    c.disconnect();
    const again = await client();
    const restored = await send(again, 'hello', { conversationId, token: hello.token });
    const history = restored.history as TranscriptEntry[];
    expect(history.filter((e) => e.role === 'user').map((e) => e.text)).toEqual(expect.arrayContaining(['running shoes', 'cheaper']));
    expect(history.some((e) => e.reply?.products.some((p) => p.id === pick.id))).toBe(true);
  });

  it('the REST endpoint and the socket answer the same question the same way', async () => {
    const c = await client();
    await send(c, 'hello', {});
    const viaSocket = await send(c, 'message', { text: 'running shoes' });
    const started = (await (await fetch(`${real.server.url}/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { conversationId: string; token: string };
    const res = await fetch(`${real.server.url}/v1/conversations/${started.conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${started.token}` },
      body: JSON.stringify({ text: 'running shoes' }),
    });
    expect(res.status).toBe(200);
    const viaRest = (await res.json()) as OutboundMessage;
    expect(viaRest.products.map((p) => p.id)).toEqual((viaSocket.products ?? []).map((p) => p.id));
  });
});

describe('web channel bad input over the real socket', () => {
  it('refuses messages before hello, empty, oversized and malformed ones, and a foreign conversation', async () => {
    const c = await client();
    expect((await send(c, 'message', { text: 'running shoes' })).error?.code).toBe('UNKNOWN_CONVERSATION');
    const ids = await send(c, 'hello', {});
    expect((await send(c, 'message', { text: '' })).error?.code).toBe('MESSAGE_EMPTY');
    expect((await send(c, 'message', { text: '   ' })).error?.code).toBe('MESSAGE_EMPTY');
    const limit = real.app.config.server.maxMessageChars;
    expect((await send(c, 'message', { text: 'a'.repeat(limit + 1) })).error?.code).toBe('MESSAGE_TOO_LONG');
    for (const bad of [null, 'running shoes', { text: ['a'] }, { text: 'x', action: { type: 'add_to_cart', productId: '' } }, { action: { type: 'checkout', email: 'nope' } }]) {
      expect((await send(c, 'message', bad)).error?.code, JSON.stringify(bad)).toBe('BAD_REQUEST');
    }
    expect((await send(c, 'hello', { conversationId: '../../etc/passwd' })).error?.code).toBe('BAD_REQUEST');

    // Someone else's conversation: refused, and the owner's transcript is not revealed.
    await send(c, 'message', { text: 'hello' });
    const intruder = await client();
    const refused = await send(intruder, 'hello', { conversationId: ids.conversationId });
    expect(refused.error?.code).toBe('TOKEN_MISSING');
    expect(refused.history).toBeUndefined();

    // The socket still works after all of that.
    expect((await send(c, 'message', { text: 'running shoes' })).products?.length).toBeGreaterThan(0);
  });

  it('drops a client that sends a broken packet or one over the size limit, and keeps serving others', async () => {
    const broken = await client();
    await send(broken, 'hello', {});
    const closed = nextEvent<string>(broken, 'disconnect');
    (broken.io.engine as unknown as { write(data: string): void }).write('2["message",{"text":"unterminated');
    await closed;

    const huge = await client();
    await send(huge, 'hello', {});
    const hugeClosed = nextEvent<string>(huge, 'disconnect');
    // Over socket.io's maxHttpBufferSize: the server closes the connection before parsing it.
    (huge as unknown as { emit(e: string, p: unknown): void }).emit('message', { text: 'x'.repeat(1_000_000) });
    await hugeClosed;

    const fine = await client();
    await send(fine, 'hello', {});
    expect((await send(fine, 'message', { text: 'running shoes' })).products?.length).toBeGreaterThan(0);
  });
});
