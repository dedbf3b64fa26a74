/**
 * Floods and cross-site use, against real servers: REST turns over the per-address limit get 429 with
 * Retry-After; socket connections over the rate or the open-socket cap are refused with a code;
 * other sites' pages can neither open widget sockets nor post to the API; and with Redis the limits
 * hold across two server processes.
 */
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config.js';
import type { RunningServer } from '../../src/server/index.js';
import { openTestServer, type TestServer } from '../helpers/app.js';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const opened: { t: TestServer; server: RunningServer }[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const { t, server } of opened.splice(0)) {
    await server.close();
    await t.close();
  }
});

async function node(overrides: ConfigInput): Promise<RunningServer> {
  const t = await openTestServer(overrides);
  const server = t.server;
  opened.push({ t, server });
  return server;
}

function socketTo(url: string, extraHeaders: Record<string, string> = {}): Promise<{ socket: Socket; error?: { message: string; data?: { code?: string; retryAfterMs?: number } } }> {
  const socket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error: Error & { data?: { code?: string; retryAfterMs?: number } }) => resolve({ socket, error }));
  });
}

const newConversation = (url: string, headers: Record<string, string> = {}) => fetch(`${url}/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

describe('rate limits', () => {
  it('answers a REST flood from one address with 429 and Retry-After', async () => {
    const server = await node({ limits: { restTurnsPerMinutePerIp: 5 } });
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 8; i++) {
      const res = await newConversation(server.url);
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused!.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
  });

  it('limits one conversation\'s turns', async () => {
    const server = await node({ limits: { turnsPerMinutePerConversation: 2 } });
    const c = (await (await newConversation(server.url)).json()) as { conversationId: string; token: string };
    const turn = () => fetch(`${server.url}/v1/conversations/${c.conversationId}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` }, body: JSON.stringify({ text: 'hello' }) });
    expect((await turn()).status).toBe(200);
    expect((await turn()).status).toBe(200);
    expect((await turn()).status).toBe(429);
  });

  it('refuses socket connections over the rate, and over the open-socket cap, with a code', async () => {
    const server = await node({ limits: { socketConnectionsPerMinutePerIp: 3 } });
    for (let i = 0; i < 3; i++) expect((await socketTo(server.url)).error).toBeUndefined();
    const over = await socketTo(server.url);
    expect(over.error?.data?.code).toBe('RATE_LIMITED');
    expect(over.error?.data?.retryAfterMs).toBeGreaterThan(0);

    const capped = await node({ limits: { maxSocketsPerIp: 2 } });
    const first = await socketTo(capped.url);
    expect((await socketTo(capped.url)).error).toBeUndefined();
    expect((await socketTo(capped.url)).error?.data?.code).toBe('TOO_MANY_CONNECTIONS');
    // A closed socket gives its slot back.
    first.socket.disconnect();
    let again = await socketTo(capped.url);
    for (let i = 0; i < 20 && again.error; i++) again = await socketTo(capped.url);
    expect(again.error).toBeUndefined();
  });

  it('holds across two server processes sharing Redis', async () => {
    const shared: ConfigInput = {
      state: { backend: 'redis', redisUrl: REDIS, redisKeyPrefix: `shopbot-test-${randomUUID().slice(0, 8)}` },
      security: { sessionSecret: 'abuse-test-secret-0123456789abcdef012345' },
      limits: { restTurnsPerMinutePerIp: 4, maxSocketsPerIp: 2 },
    };
    const a = await node(shared);
    const b = await node(shared);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await newConversation(i % 2 ? b.url : a.url)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
    expect((await socketTo(a.url)).error).toBeUndefined();
    expect((await socketTo(b.url)).error).toBeUndefined();
    expect((await socketTo(a.url)).error?.data?.code).toBe('TOO_MANY_CONNECTIONS');
  });
});

describe('origins', () => {
  it('refuses widget sockets and API writes from another site, and answers allowed origins with CORS', async () => {
    const server = await node({ security: { allowedOrigins: 'https://shop.example' } });
    const evil = await socketTo(server.url, { origin: 'https://evil.example' });
    expect(evil.error).toBeDefined();
    expect((await socketTo(server.url, { origin: 'https://shop.example' })).error).toBeUndefined();
    expect((await socketTo(server.url, { origin: server.url })).error).toBeUndefined();

    const cross = await newConversation(server.url, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect(((await cross.json()) as { error: { code: string } }).error.code).toBe('ORIGIN_FORBIDDEN');
    expect(cross.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = await fetch(`${server.url}/v1/conversations`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const allowed = await newConversation(server.url, { origin: 'https://shop.example' });
    expect(allowed.status).toBe(201);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const evilPreflight = await fetch(`${server.url}/v1/conversations`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(evilPreflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
