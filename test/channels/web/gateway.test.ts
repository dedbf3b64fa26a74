import { afterEach, describe, expect, it, vi } from 'vitest';
import { ShopbotError } from '../../../src/errors.js';
import type { InboundMessage, OutboundMessage } from '../../../src/messages.js';
import type { WebGatewayDeps } from '../../../channels/web/gateway.js';
import { FakeApp } from './fake-app.js';
import { createMemoryLog, nextEvent, startGateway, type GatewayHarness, type TestClient } from './helpers.js';

const SHOE = { id: 'B0001', title: 'Trail running shoe', brand: 'Acme', priceCents: 5999, currency: 'USD', inStock: true, sponsored: false };

type AnyReply = { error?: { code: string; message: string } } & Record<string, unknown>;

/** Emits with an ack through the untyped surface, so tests can send what a hostile client would. */
function send(socket: TestClient, event: string, ...args: unknown[]): Promise<AnyReply> {
  return (socket.timeout(20_000) as unknown as { emitWithAck(e: string, ...a: unknown[]): Promise<AnyReply> }).emitWithAck(event, ...args);
}

let harness: GatewayHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function setup(overrides: Partial<WebGatewayDeps> = {}, app = new FakeApp([SHOE])) {
  const log = createMemoryLog();
  harness = await startGateway(app.gatewayDeps(log, overrides));
  return { app, log, h: harness };
}

describe('web gateway: hello', () => {
  it('creates a conversation with a token when the client names none, and starts with empty history', async () => {
    const { h } = await setup();
    const c = await h.client();
    const reply = await send(c, 'hello', {});
    expect(reply.error).toBeUndefined();
    expect(reply.conversationId).toMatch(/^[A-Za-z0-9_-]{8,100}$/);
    expect(reply.token).toMatch(/^sbt1\./);
    expect(reply.expiresAt).toBeGreaterThan(Date.now());
    expect(reply.userId).toBeUndefined();
    expect(reply.history).toEqual([]);
    expect(reply.limits).toEqual({ maxMessageChars: 200 });
    const other = await send(await h.client(), 'hello', {});
    expect(other.conversationId).not.toBe(reply.conversationId);
  });

  it('restores the transcript when a new socket says hello with the stored id and token', async () => {
    const { h } = await setup();
    const first = await h.client();
    const ids = await send(first, 'hello', {});
    const answer = await send(first, 'message', { text: 'running shoes' });
    expect(answer.text).toBe('You said: running shoes');
    first.disconnect();

    const second = await h.client();
    const again = await send(second, 'hello', { conversationId: ids.conversationId, token: ids.token });
    expect(again.conversationId).toBe(ids.conversationId);
    expect(again.token).toMatch(/^sbt1\./);
    const history = again.history as { role: string; text: string; reply?: OutboundMessage }[];
    expect(history.map((e) => e.role)).toEqual(['user', 'bot']);
    expect(history[1]?.reply?.products[0]?.id).toBe('B0001');
  });

  it('refuses to resume a conversation without its token, with another conversation\'s token, or a forged one', async () => {
    const { h } = await setup();
    const owner = await h.client();
    const ids = await send(owner, 'hello', {});
    await send(owner, 'message', { text: 'hello' });
    const own = await send(await h.client(), 'hello', {});
    const intruder = await h.client();
    expect((await send(intruder, 'hello', { conversationId: ids.conversationId })).error?.code).toBe('TOKEN_MISSING');
    expect((await send(intruder, 'hello', { conversationId: ids.conversationId, token: own.token })).error?.code).toBe('FORBIDDEN');
    const forged = String(ids.token).replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    expect((await send(intruder, 'hello', { conversationId: ids.conversationId, token: forged })).error?.code).toBe('TOKEN_INVALID');
    // A user id in the hello is not accepted at all: the server mints them.
    expect((await send(intruder, 'hello', { conversationId: ids.conversationId, userId: 'someone-else-123' })).error?.code).toBe('BAD_REQUEST');
    // Refused hello leaves the socket without a conversation.
    const msg = await send(intruder, 'message', { text: 'let me in' });
    expect(msg.error?.code).toBe('UNKNOWN_CONVERSATION');
  });

  it('rejects malformed ids and payload shapes', async () => {
    const { h } = await setup();
    const c = await h.client();
    expect((await send(c, 'hello', { conversationId: '<script>alert(1)</script>' })).error?.code).toBe('BAD_REQUEST');
    expect((await send(c, 'hello', { token: 5 })).error?.code).toBe('BAD_REQUEST');
    expect((await send(c, 'hello', { identity: { customerId: 'x' } })).error?.code).toBe('BAD_REQUEST');
    expect((await send(c, 'hello', 'not an object')).error?.code).toBe('BAD_REQUEST');
    expect((await send(c, 'hello', [1, 2])).error?.code).toBe('BAD_REQUEST');
  });
});

describe('web gateway: message', () => {
  it('refuses a message before hello', async () => {
    const { h, app } = await setup();
    const c = await h.client();
    const reply = await send(c, 'message', { text: 'running shoes' });
    expect(reply.error?.code).toBe('UNKNOWN_CONVERSATION');
    expect(app.turns).toHaveLength(0);
  });

  it('refuses empty and whitespace-only messages without an action', async () => {
    const { h, app } = await setup();
    const c = await h.client();
    await send(c, 'hello', {});
    expect((await send(c, 'message', { text: '' })).error?.code).toBe('MESSAGE_EMPTY');
    expect((await send(c, 'message', { text: ' \n\t ' })).error?.code).toBe('MESSAGE_EMPTY');
    expect(app.turns).toHaveLength(0);
  });

  it('refuses a message over maxMessageChars, and accepts one at the limit', async () => {
    const { h, app } = await setup();
    const c = await h.client();
    await send(c, 'hello', {});
    expect((await send(c, 'message', { text: 'x'.repeat(201) })).error?.code).toBe('MESSAGE_TOO_LONG');
    // Longer than the wire schema's hard cap too: still the specific code, not a schema error.
    expect((await send(c, 'message', { text: 'y'.repeat(150_000) })).error?.code).toBe('MESSAGE_TOO_LONG');
    expect((await send(c, 'message', { text: 'z'.repeat(200) })).error).toBeUndefined();
    expect(app.turns).toHaveLength(1);
  });

  it('rejects invalid payload shapes with BAD_REQUEST', async () => {
    const { h, app } = await setup();
    const c = await h.client();
    await send(c, 'hello', {});
    for (const bad of [null, 42, 'running shoes', { text: 5 }, { action: { type: 'teleport' } }, { text: '', action: { type: 'add_to_cart' } }, { action: { type: 'checkout', email: 'not-an-email' } }]) {
      const reply = await send(c, 'message', bad);
      expect(reply.error?.code, JSON.stringify(bad)).toBe('BAD_REQUEST');
    }
    expect(app.turns).toHaveLength(0);
  });

  it('ignores events without an ack and drops a client that sends a broken packet', async () => {
    const { h, app } = await setup();
    const c = await h.client();
    await send(c, 'hello', {});
    (c as unknown as { emit(e: string, p: unknown): void }).emit('message', { text: 'no ack' });
    // Socket.io packet type 2 (EVENT) with truncated JSON, written straight to the engine.io transport.
    const closed = nextEvent<string>(c, 'disconnect');
    (c.io.engine as unknown as { write(data: string): void }).write('2["message",{"text":');
    // The server closes the connection (the client sees its transport close).
    expect(await closed).toMatch(/close|disconnect/);
    // The server still serves other clients.
    const d = await h.client();
    await send(d, 'hello', {});
    expect((await send(d, 'message', { text: 'still up' })).text).toBe('You said: still up');
    expect(app.turns.map((t) => t.text)).toEqual(['still up']);
  });

  it('builds the InboundMessage for the web channel and passes actions through', async () => {
    const { h, app } = await setup();
    const c = await h.client();
    const ids = await send(c, 'hello', { locale: 'zh-CN' });
    await send(c, 'message', { text: '  running shoes  ' });
    await send(c, 'message', { action: { type: 'add_to_cart', productId: 'B0001', slateId: 'slate-1', position: 0 } });
    const [search, add] = app.turns as [InboundMessage, InboundMessage];
    expect(search).toMatchObject({ conversationId: ids.conversationId, channel: 'web', text: 'running shoes', locale: 'zh-CN' });
    expect(search.userId).toMatch(/^u-/);
    expect(search.action).toBeUndefined();
    expect(add.action).toEqual({ type: 'add_to_cart', productId: 'B0001', quantity: 1, slateId: 'slate-1', position: 0 });
    expect(add.text).toBe('');
  });

  it('emits typing on before the turn and off before the reply', async () => {
    const { h } = await setup();
    const c = await h.client();
    await send(c, 'hello', {});
    const seen: string[] = [];
    c.on('typing', (s) => seen.push(`typing:${s.on}`));
    const reply = await send(c, 'message', { text: 'hi' });
    seen.push(`reply:${String(reply.text)}`);
    expect(seen).toEqual(['typing:true', 'typing:false', 'reply:You said: hi']);
  });

  it('rate-limits each conversation, with the delay before the next message', async () => {
    const { h } = await setup({}, new FakeApp([SHOE], { turnsPerMinutePerConversation: 3 }));
    const c = await h.client();
    await send(c, 'hello', {});
    for (let i = 0; i < 3; i++) expect((await send(c, 'message', { text: `m${i}` })).error).toBeUndefined();
    const over = await send(c, 'message', { text: 'one too many' });
    expect(over.error?.code).toBe('RATE_LIMITED');
    expect((over.error as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(0);
    // Another conversation has its own budget.
    const d = await h.client();
    await send(d, 'hello', {});
    expect((await send(d, 'message', { text: 'other conversation' })).error).toBeUndefined();
  });

  it('acks ShopbotErrors with their code and anything else as INTERNAL, logged', async () => {
    const app = new FakeApp();
    const { h, log } = await setup(
      {
        handleTurn: async (m, o) => {
          if (m.text === 'store down') throw new ShopbotError('STORE_UNAVAILABLE', 'store unreachable');
          if (m.text === 'bug') throw new TypeError('x is undefined');
          return app.handleTurn(m, o);
        },
      },
      app,
    );
    const c = await h.client();
    await send(c, 'hello', {});
    expect((await send(c, 'message', { text: 'store down' })).error).toEqual({ code: 'STORE_UNAVAILABLE', message: 'store unreachable' });
    expect((await send(c, 'message', { text: 'bug' })).error).toEqual({ code: 'INTERNAL', message: 'internal error' });
    expect(log.records.filter((r) => r.level === 'error')).toHaveLength(1);
    expect((await send(c, 'message', { text: 'fine' })).error).toBeUndefined();
  });

  it('aborts the turn in flight when the client disconnects', async () => {
    const { h, app } = await setup();
    const c = await h.client();
    await send(c, 'hello', {});
    const gate = app.hold();
    void send(c, 'message', { text: 'slow question' }).catch(() => undefined);
    await gate.started;
    c.disconnect();
    await vi.waitFor(() => expect(app.aborted.map((t) => t.text)).toEqual(['slow question']), { timeout: 20_000 });
    gate.release();
  });

  it('runs one socket\'s turns in the order they were sent', async () => {
    const { h, app } = await setup();
    const c = await h.client();
    await send(c, 'hello', {});
    const gate = app.hold();
    const first = send(c, 'message', { text: 'first' });
    await gate.started;
    const second = send(c, 'message', { text: 'second' });
    gate.release();
    expect([(await first).text, (await second).text]).toEqual(['You said: first', 'You said: second']);
    expect(app.turns.map((t) => t.text)).toEqual(['first', 'second']);
  });
});

describe('web gateway: ordering and floods', () => {
  it('applies a hello sent without waiting for its ack before the next message', async () => {
    const { h, app } = await setup();
    const c = await h.client();
    const hello = send(c, 'hello', {});
    const reply = await send(c, 'message', { text: 'right away' });
    expect(reply.text).toBe('You said: right away');
    expect(app.turns[0]?.conversationId).toBe((await hello).conversationId);
  });

  it('refuses more than four turns waiting on one socket', async () => {
    const { h, app } = await setup();
    const c = await h.client();
    await send(c, 'hello', {});
    const gate = app.hold();
    const waiting = [send(c, 'message', { text: 'q0' })];
    await gate.started;
    for (let i = 1; i < 4; i++) waiting.push(send(c, 'message', { text: `q${i}` }));
    expect((await send(c, 'message', { text: 'q4' })).error?.code).toBe('RATE_LIMITED');
    gate.release();
    expect((await Promise.all(waiting)).map((r) => r.text)).toEqual(['You said: q0', 'You said: q1', 'You said: q2', 'You said: q3']);
    // Once answered, the socket may send again.
    expect((await send(c, 'message', { text: 'q5' })).text).toBe('You said: q5');
  });
});

describe('web gateway: push', () => {
  it('reaches every socket of the conversation and no other', async () => {
    const { h } = await setup();
    const a1 = await h.client();
    const ids = await send(a1, 'hello', {});
    const a2 = await h.client();
    await send(a2, 'hello', { conversationId: ids.conversationId, token: ids.token });
    const b = await h.client();
    const other = await send(b, 'hello', {});

    const seenByB: string[] = [];
    b.on('push', (m) => seenByB.push(m.text));
    const gotA1 = nextEvent<{ text: string; from: string }>(a1, 'push');
    const gotA2 = nextEvent<{ text: string; from: string }>(a2, 'push');
    const message = { conversationId: ids.conversationId as string, text: 'Hi, this is Sam from support.', lang: 'en' as const, products: [], quickReplies: [], from: 'agent' as const };
    h.gateway.push(ids.conversationId as string, message);
    expect((await gotA1).text).toBe('Hi, this is Sam from support.');
    expect((await gotA2).from).toBe('agent');
    // Pushes to one socket arrive in order, so once B sees its own push it would have seen A's.
    const gotB = nextEvent<{ text: string }>(b, 'push');
    h.gateway.push(other.conversationId as string, { ...message, conversationId: other.conversationId as string, text: 'for B' });
    await gotB;
    expect(seenByB).toEqual(['for B']);
  });
});
