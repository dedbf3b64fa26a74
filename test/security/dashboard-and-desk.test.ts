/**
 * The endpoints and console events added for the merchant dashboard and the desk's tools, played as
 * an attacker would against the real server: no token, a shopper's or an agent's token where a
 * merchant's is needed, another shopper's conversation token, oversized and malformed bodies, and a
 * non-holder agent using a ticket's tools.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { TicketView } from '../../src/handoff/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { serveApp } from '../helpers/app.js';
import { consoleOverrides } from '../helpers/console.js';

const MERCHANT = 'merchant-password-1';
const AGENT = 'agent-password-22';
const OTHER_AGENT = 'agent-password-33';
let dir: string;
let server: RunningServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'shopbot-dash-attack-'));
  const config = loadConfig({ env: {}, overrides: consoleOverrides(dir, { catalog: { demo: true, demoFile: 'test/fixtures/catalog/esci-slice.jsonl' }, agents: { users: `mia:${MERCHANT},alice:${AGENT},bob:${OTHER_AGENT}`, merchants: 'mia' } }) });
  server = await serveApp(config);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.close();
  await server?.app.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${server.url}${url}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
const tokenOf = async (url: string, name: string, password: string) => ((await (await post(url, { name, password })).json()) as { token: string }).token;
const conversation = async () => (await (await post('/v1/conversations', {})).json()) as { conversationId: string; token: string };
const call = <T = Record<string, unknown>>(socket: Socket, event: string, payload: unknown): Promise<T & { error?: { code: string } }> => new Promise((resolve) => socket.emit(event, payload, resolve));
async function socketTo(nsp: string, auth: Record<string, string> = {}): Promise<Socket> {
  const s = connect(`${server.url}${nsp}`, { transports: ['websocket'], forceNew: true, auth });
  sockets.push(s);
  await new Promise<void>((resolve, reject) => (s.once('connect', () => resolve()), s.once('connect_error', reject)));
  return s;
}

describe('shopper feedback, attacked', () => {
  it("refuses another shopper's token, oversized and malformed bodies, and keeps only the first vote", async () => {
    const mine = await conversation();
    const theirs = await conversation();
    const vote = { kind: 'reply', vote: 'down', reply: 'Here is what I found' };
    // Someone else's token on my conversation: refused, nothing stored.
    const foreign = await post(`/v1/conversations/${mine.conversationId}/feedback`, vote, { authorization: `Bearer ${theirs.token}` });
    expect([401, 403]).toContain(foreign.status);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toMatch(/UNAUTHORIZED|FORBIDDEN/);
    const auth = { authorization: `Bearer ${mine.token}` };
    expect((await post(`/v1/conversations/${mine.conversationId}/feedback`, { kind: 'conversation', rating: 4, comment: 'x'.repeat(5000) }, auth)).status).toBe(400);
    expect((await post(`/v1/conversations/${mine.conversationId}/feedback`, '{"kind":"reply",', auth)).status).toBe(400);
    expect((await post(`/v1/conversations/${mine.conversationId}/feedback`, { kind: 'reply', vote: 'sideways', reply: 'x' }, auth)).status).toBe(400);
    // Replayed: the same request again is accepted and not counted twice.
    expect(await (await post(`/v1/conversations/${mine.conversationId}/feedback`, vote, auth)).json()).toEqual({ stored: true });
    expect(await (await post(`/v1/conversations/${mine.conversationId}/feedback`, vote, auth)).json()).toEqual({ stored: false });
    await server.app.funnel.flush();
    const stored = [];
    for await (const e of server.app.funnel.query({})) if (e.type === 'reply_feedback') stored.push(e);
    expect(stored.map((e) => e.conversationId)).toEqual([mine.conversationId]);
  });
});

describe('the merchant API, attacked', () => {
  const routes: [string, string][] = [
    ['GET', '/v1/admin/metrics'],
    ['GET', '/v1/admin/metrics.csv'],
    ['GET', '/v1/admin/charts'],
    ['GET', '/v1/admin/demand'],
    ['POST', '/v1/admin/demand/alert'],
    ['GET', '/v1/admin/experiments'],
    ['POST', '/v1/admin/experiments'],
    ['POST', '/v1/admin/experiments/exp-1/stop'],
    ['GET', '/v1/admin/conversations/c-00000000'],
    ['GET', '/v1/admin/slates'],
    ['GET', '/v1/admin/slates/rank-1'],
  ];
  it('answers every route only to a merchant session: not without a token, nor on a shopper, agent or forged token', async () => {
    const shopper = (await conversation()).token;
    const agent = await tokenOf('/console/login', 'alice', AGENT);
    const merchant = await tokenOf('/admin/login', 'mia', MERCHANT);
    const forged = `${merchant.slice(0, -4)}AAAA`;
    for (const [method, url] of routes) {
      for (const token of [undefined, shopper, agent, forged]) {
        const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(method === 'POST' ? { body: '{}' } : {}) });
        expect(res.status, `${method} ${url} with ${token ? 'a wrong token' : 'no token'}`).toBe(401);
      }
    }
    // The merchant's own session gets in; a malformed experiment is a clear 400, not a crash.
    expect((await fetch(`${server.url}/v1/admin/experiments`, { headers: { authorization: `Bearer ${merchant}` } })).status).toBe(200);
    expect((await post('/v1/admin/experiments', { name: 'x'.repeat(10_000) }, { authorization: `Bearer ${merchant}` })).status).toBe(400);
    // A coupon experiment with a policy the kind does not have (or a made-up mode) is refused before anything runs.
    const coupon = (policy: unknown) => ({ id: 'free-money', kind: 'coupon', variants: [{ name: 'a' }, { name: 'b', policy }] });
    expect((await post('/v1/admin/experiments', coupon({ mode: 'free-money' }), { authorization: `Bearer ${merchant}` })).status).toBe(400);
    expect((await post('/v1/admin/experiments', coupon({ relevanceOnly: true }), { authorization: `Bearer ${merchant}` })).status).toBe(400);
    expect((await post('/v1/admin/experiments', coupon({ campaigns: Array.from({ length: 50 }, (_, i) => `c${i}`) }), { authorization: `Bearer ${merchant}` })).status).toBe(400);
    expect(server.app.experiments.running('coupon')).toBeUndefined();
    // An oversized slate id is refused (the router's parameter limit answers 414 before the route's own 400).
    expect([400, 414]).toContain((await fetch(`${server.url}/v1/admin/slates/${'x'.repeat(500)}`, { headers: { authorization: `Bearer ${merchant}` } })).status);
  });
});

describe("the desk's tools, attacked", () => {
  it('refuses a non-holder, oversized notes and malformed payloads, and changes nothing', async () => {
    const shopper = await socketTo('/');
    const { conversationId } = await call<{ conversationId: string }>(shopper, 'hello', {});
    await call(shopper, 'message', { text: 'I want to talk to a human please' });
    const alice = await socketTo('/agents', { token: await tokenOf('/console/login', 'alice', AGENT) });
    const bob = await socketTo('/agents', { token: await tokenOf('/console/login', 'bob', OTHER_AGENT) });
    const [ticket] = await call<TicketView[]>(alice, 'queue', {});
    await call(alice, 'take', { ticketId: ticket!.id });

    for (const [event, payload] of [
      ['note', { conversationId, text: 'mine now' }],
      ['tags', { conversationId, tags: ['x'] }],
      ['snooze', { conversationId, minutes: 5 }],
      ['sendCanned', { conversationId, cannedId: 'greeting' }],
      ['resolve', { conversationId, resolution: 'refund_issued' }],
    ] as const) {
      expect((await call(bob, event, payload)).error?.code, `${event} by a non-holder`).toBe('FORBIDDEN');
    }
    expect((await call(alice, 'note', { conversationId, text: 'x'.repeat(5000) })).error?.code).toBe('BAD_REQUEST');
    expect((await call(alice, 'tags', { conversationId, tags: Array.from({ length: 50 }, (_, i) => `t${i}`) })).error?.code).toBe('BAD_REQUEST');
    expect((await call(alice, 'snooze', { conversationId, minutes: -1 })).error?.code).toBe('BAD_REQUEST');
    expect((await call(alice, 'transfer', { conversationId, to: { team: 'billing', agentId: 'bob' } })).error?.code).toBe('BAD_REQUEST');
    const { notes } = await call<{ notes: unknown[] }>(alice, 'notes', { conversationId });
    expect(notes).toEqual([]);
  });
});
