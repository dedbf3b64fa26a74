import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/funnel/webhook.js';
import type { RunningServer } from '../../src/server/index.js';
import { openTestServer, type TestServer } from '../helpers/app.js';

const SECRET = 'whsec-test';
let t: TestServer;
let server: RunningServer;

beforeAll(async () => {
  t = await openTestServer({ funnel: { webhookSecret: SECRET } });
  server = t.server;
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

/** Starts a conversation over REST and returns its id and bearer header. */
async function newConversation(body: unknown = {}): Promise<{ id: string; auth: Record<string, string> }> {
  const res = await post('/v1/conversations', JSON.stringify(body));
  expect(res.status).toBe(201);
  const c = (await res.json()) as { conversationId: string; token: string; expiresAt: string };
  expect(Date.parse(c.expiresAt)).toBeGreaterThan(t.clock.now);
  return { id: c.conversationId, auth: { authorization: `Bearer ${c.token}` } };
}

describe('REST API', () => {
  it('answers a message with the same OutboundMessage the widget gets', async () => {
    const c = await newConversation();
    const res = await post(`/v1/conversations/${c.id}/messages`, JSON.stringify({ text: 'ugg slipper' }), c.auth);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { text: string; products: unknown[]; quickReplies: unknown[] };
    expect(body.products.length).toBeGreaterThan(0);
    expect(Array.isArray(body.quickReplies)).toBe(true);
    const hist = await fetch(`${server.url}/v1/conversations/${c.id}/messages`, { headers: c.auth });
    expect(((await hist.json()) as { messages: unknown[] }).messages).toHaveLength(2);
  });

  it('refuses bad input with coded errors', async () => {
    const c = await newConversation();
    const cases: [string, string, number, string][] = [
      [`/v1/conversations/${c.id}/messages`, '{not json', 400, 'BAD_REQUEST'],
      [`/v1/conversations/${c.id}/messages`, JSON.stringify({ text: '' }), 400, 'MESSAGE_EMPTY'],
      [`/v1/conversations/${c.id}/messages`, JSON.stringify({ text: 'x'.repeat(5000) }), 413, 'MESSAGE_TOO_LONG'],
      [`/v1/conversations/${c.id}/messages`, JSON.stringify({ text: 42 }), 400, 'BAD_REQUEST'],
      ['/v1/conversations/bad%20id!/messages', JSON.stringify({ text: 'hi' }), 400, 'BAD_REQUEST'],
      ['/v1/conversations', JSON.stringify({ identity: { customerId: 'x', email: 'a@b.co', expiresAt: 1, signature: 'nothex' } }), 400, 'BAD_REQUEST'],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await post(path, body, c.auth);
      expect(res.status, `${path} ${body.slice(0, 20)}`).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    const unknown = await fetch(`${server.url}/v1/conversations/never-seen-0001/messages`);
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('TOKEN_MISSING');
  });

  it('ignores a userId in the body: the conversation acts for the user its token names', async () => {
    const c = await newConversation();
    const res = await post(`/v1/conversations/${c.id}/messages`, JSON.stringify({ text: 'hi', userId: 'someone-else-01' }), c.auth);
    expect(res.status).toBe(200);
    const state = await t.app.states.load(c.id);
    expect(state?.userId).toMatch(/^u-/);
  });

  it('accepts signed store events once and refuses unsigned, forged and replayed ones', async () => {
    const body = JSON.stringify({ events: [{ id: 'shop-order-77', type: 'purchase', ts: Date.now(), channel: 'rest', orderId: 'W-77', revenueCents: 4200 }] });
    expect((await post('/v1/events', body)).status).toBe(401);
    expect((await post('/v1/events', body, { 'x-shopbot-signature': signWebhook('wrong', body, Math.floor(Date.now() / 1000)) })).status).toBe(401);
    const sig = signWebhook(SECRET, body, Math.floor(Date.now() / 1000));
    const ok = await post('/v1/events', body, { 'x-shopbot-signature': sig });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ received: 1, stored: 1 });
    expect((await post('/v1/events', body, { 'x-shopbot-signature': sig })).status).toBe(401);
    // A retry of the same event with a fresh signature is accepted but stored once (idempotency key).
    const again = await post('/v1/events', body, { 'x-shopbot-signature': signWebhook(SECRET, body, Math.floor(Date.now() / 1000) + 1) });
    expect(await again.json()).toEqual({ received: 1, stored: 0 });
    const bad = JSON.stringify({ events: [{ id: 'x', type: 'purchase' }] });
    expect((await post('/v1/events', bad, { 'x-shopbot-signature': signWebhook(SECRET, bad, Math.floor(Date.now() / 1000)) })).status).toBe(400);
  });

  it('serves health, readiness, the demo page and the widget, and nothing outside them', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { ready: boolean }).ready).toBe(true);
    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/widget\.js/);
    expect((await fetch(`${server.url}/widget/widget.js`)).status).toBe(200);
    expect((await fetch(`${server.url}/widget/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/policies/en/returns.md`)).status).toBe(200);
  });
});
