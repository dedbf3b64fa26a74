/**
 * Attacks on conversations over REST and the widget socket, against a real server:
 * - reading a transcript by naming its id; posting as another user by naming a userId;
 * - predictable Slack/Teams ids over REST; forged, foreign, expired and revoked tokens;
 * - an API key used from a browser, or for a scope it lacks.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/identity/index.js';
import type { OutboundMessage } from '../../src/messages.js';
import type { RunningServer } from '../../src/server/index.js';
import { openTestServer, type TestServer } from '../helpers/app.js';

const conversationsKey = createApiKey('store-backend', ['conversations']);
const privacyKey = createApiKey('privacy-bot', ['privacy']);
let t: TestServer;
let server: RunningServer;

beforeAll(async () => {
  t = await openTestServer({ security: { apiKeys: `${conversationsKey.entry},${privacyKey.entry}`, tokenTtlHours: 1 } });
  server = t.server;
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

type Json = Record<string, unknown> & { error?: { code: string } };
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}
async function conversation(): Promise<{ id: string; token: string; auth: Record<string, string> }> {
  const r = await call('POST', '/v1/conversations', {});
  expect(r.status).toBe(201);
  return { id: r.body.conversationId as string, token: r.body.token as string, auth: { authorization: `Bearer ${r.body.token as string}` } };
}

describe('REST conversations need their token', () => {
  it('does not hand a transcript to whoever names its id', async () => {
    const victim = await conversation();
    await call('POST', `/v1/conversations/${victim.id}/messages`, { text: 'my email is victim@example.com, ugg slipper' }, victim.auth);
    const attacker = await conversation();
    for (const headers of [{}, attacker.auth, { authorization: 'Bearer sbt1.e30.AAAA' }, { authorization: 'Basic dXNlcjpwYXNz' }]) {
      const r = await call('GET', `/v1/conversations/${victim.id}/messages`, undefined, headers);
      expect([401, 403]).toContain(r.status);
      expect(r.body.messages).toBeUndefined();
    }
    expect((await call('GET', `/v1/conversations/${victim.id}/messages`, undefined, attacker.auth)).body.error?.code).toBe('FORBIDDEN');
    expect((await call('GET', `/v1/conversations/${victim.id}/messages`)).body.error?.code).toBe('TOKEN_MISSING');
    expect((await call('GET', `/v1/conversations/${victim.id}/messages`, undefined, victim.auth)).status).toBe(200);
  });

  it('cannot read or fill another shopper\'s cart by naming their userId', async () => {
    const victim = await conversation();
    const victimUser = (await t.app.states.load(victim.id))!.userId;
    const attacker = await conversation();
    const search = (await call('POST', `/v1/conversations/${attacker.id}/messages`, { text: 'ugg slipper', userId: victimUser }, attacker.auth)).body as unknown as OutboundMessage;
    const product = search.products[0]!;
    await call('POST', `/v1/conversations/${attacker.id}/messages`, { action: { type: 'add_to_cart', productId: product.id }, userId: victimUser }, attacker.auth);
    expect((await t.app.store.cart(victimUser)).lines).toHaveLength(0);
    const viewed = (await call('POST', `/v1/conversations/${victim.id}/messages`, { action: { type: 'view_cart' }, userId: victimUser }, attacker.auth));
    expect(viewed.status).toBe(403);
  });

  it('refuses Slack and Teams conversation ids on REST, even with an API key', async () => {
    for (const id of ['slack:T1:C1:U1', 'teams:19:abc-thread']) {
      const path = `/v1/conversations/${encodeURIComponent(id)}/messages`;
      expect((await call('GET', path, undefined, { authorization: `Bearer ${conversationsKey.key}` })).status).toBe(403);
      expect((await call('POST', path, { text: 'hi' }, { authorization: `Bearer ${conversationsKey.key}` })).status).toBe(403);
    }
  });

  it('refuses an expired token and a revoked one, and leaves the conversation untouched', async () => {
    const c = await conversation();
    await call('POST', `/v1/conversations/${c.id}/messages`, { text: 'hello' }, c.auth);
    expect((await call('DELETE', `/v1/conversations/${c.id}/token`, undefined, c.auth)).status).toBe(204);
    const revoked = await call('POST', `/v1/conversations/${c.id}/messages`, { text: 'still me?' }, c.auth);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error?.code).toBe('TOKEN_INVALID');
    expect(await t.app.history(c.id)).toHaveLength(2);

    const d = await conversation();
    t.clock.now += 2 * 3_600_000;
    const expired = await call('POST', `/v1/conversations/${d.id}/messages`, { text: 'hello' }, d.auth);
    t.clock.now -= 2 * 3_600_000;
    expect(expired.status).toBe(401);
    expect(expired.body.error?.code).toBe('TOKEN_EXPIRED');
    expect(await t.app.history(d.id)).toHaveLength(0);
  });

  it('lets the store\'s backend act with an API key of the right scope, never from a browser', async () => {
    const c = await conversation();
    const key = { authorization: `Bearer ${conversationsKey.key}` };
    const ok = await call('POST', `/v1/conversations/${c.id}/messages`, { text: 'ugg slipper' }, key);
    expect(ok.status).toBe(200);
    expect((await call('GET', `/v1/conversations/${c.id}/messages`, undefined, { ...key, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await call('GET', `/v1/conversations/${c.id}/messages`, undefined, { authorization: `Bearer ${privacyKey.key}` })).status).toBe(403);
    expect((await call('GET', `/v1/conversations/${c.id}/messages`, undefined, { authorization: 'Bearer sbk_not-a-key' })).status).toBe(401);
    // Forgetting a shopper takes the privacy scope.
    const userId = (await t.app.states.load(c.id))!.userId;
    expect((await call('DELETE', `/v1/users/${userId}`, undefined, key)).status).toBe(403);
    const forgotten = await call('DELETE', `/v1/users/${userId}`, undefined, { authorization: `Bearer ${privacyKey.key}` });
    expect(forgotten.status).toBe(200);
    expect(await t.app.states.load(c.id)).toBeUndefined();
    expect((await call('GET', `/v1/conversations/${c.id}/messages`, undefined, c.auth)).status).toBe(401);
  });
});

describe('widget sockets need their token', () => {
  function client(): Promise<Socket> {
    const s = connect(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    return new Promise((resolve, reject) => {
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  }
  const emit = (s: Socket, event: string, payload: unknown) => s.timeout(20_000).emitWithAck(event, payload) as Promise<Json>;

  it('refuses to resume a conversation without its token or with a claimed user id', async () => {
    const owner = await client();
    const ids = await emit(owner, 'hello', {});
    await emit(owner, 'message', { text: 'ugg slipper' });
    const intruder = await client();
    expect((await emit(intruder, 'hello', { conversationId: ids.conversationId })).error?.code).toBe('TOKEN_MISSING');
    expect((await emit(intruder, 'hello', { conversationId: ids.conversationId, userId: 'u-whoever' })).error?.code).toBe('BAD_REQUEST');
    const other = await emit(await client(), 'hello', {});
    const foreign = await emit(intruder, 'hello', { conversationId: ids.conversationId, token: other.token });
    expect(foreign.error?.code).toBe('FORBIDDEN');
    expect(foreign.history).toBeUndefined();
    expect((await emit(intruder, 'message', { text: 'let me in' })).error?.code).toBe('UNKNOWN_CONVERSATION');
    owner.disconnect();
    intruder.disconnect();
  });

  it('a logged-in customer\'s conversation does not reopen without their identity (a shared computer after sign-out)', async () => {
    const page = await (await fetch(`${server.url}/`)).text();
    const attr = /data-identity="([^"]*)"/.exec(page)![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const identity = JSON.parse(attr) as Record<string, unknown>;
    const s = await client();
    const signedIn = await emit(s, 'hello', { identity });
    expect(signedIn.error).toBeUndefined();
    const orders = (await emit(s, 'message', { text: 'where is my order?' })) as unknown as OutboundMessage;
    expect(orders.text).toMatch(/SB-10010/);
    const next = await client();
    const reopened = await emit(next, 'hello', { conversationId: signedIn.conversationId, token: signedIn.token });
    expect(reopened.error?.code).toBe('FORBIDDEN');
    s.disconnect();
    next.disconnect();
  });
});
