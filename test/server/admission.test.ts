/**
 * Admission control on the real server: with one turn slot and no queue, concurrent turns beyond
 * the slot are refused at once with BUSY (REST: 503 + Retry-After; sockets: the ack's error with
 * retryAfterMs), while health checks and new socket handshakes are still served.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationCreatedSchema } from '../../src/server/rest.js';
import { openTestServer, type TestServer } from '../helpers/app.js';

let t: TestServer;
const many = 1_000_000;

beforeAll(async () => {
  t = await openTestServer({
    limits: {
      maxConcurrentTurns: 1,
      maxQueuedTurns: 0,
      // Every request comes from 127.0.0.1: lift the per-address limits so only admission refuses.
      restTurnsPerMinutePerIp: many,
      conversationsPerHourPerIp: many,
      socketConnectionsPerMinutePerIp: many,
      socketMessagesPerMinutePerIp: many,
      maxSocketsPerIp: 10_000,
    },
  });
});
afterAll(async () => {
  await t?.close();
});

const url = (p: string) => `${t.server.url}${p}`;
const post = (p: string, body: unknown, headers: Record<string, string> = {}) => fetch(url(p), { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

type Ack = { text?: string; error?: { code: string; retryAfterMs?: number } };

function socketClient(): Promise<Socket> {
  const s = connect(t.server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}
const emit = <T>(s: Socket, event: string, payload: unknown) => new Promise<T>((resolve) => s.emit(event, payload, (r: T) => resolve(r)));

describe('admission control on a saturated server', () => {
  it('answers REST turns beyond capacity with 503 BUSY and Retry-After, and keeps /healthz answering', async () => {
    const conversations = await Promise.all(
      Array.from({ length: 24 }, async () => ConversationCreatedSchema.parse(await (await post('/v1/conversations', {})).json())),
    );
    const turns = conversations.map((c) => post(`/v1/conversations/${c.conversationId}/messages`, { text: 'running shoes for women' }, { authorization: `Bearer ${c.token}` }));
    const health = Array.from({ length: 5 }, () => fetch(url('/healthz')));
    const responses = await Promise.all(turns);
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    for (const r of responses.filter((x) => x.status === 503)) {
      expect(r.headers.get('retry-after')).toBe('1');
      expect(((await r.json()) as Ack).error?.code).toBe('BUSY');
    }
    expect((await Promise.all(health)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('acks socket turns beyond capacity with BUSY while new sockets still connect and say hello', async () => {
    const sockets = await Promise.all(Array.from({ length: 16 }, socketClient));
    try {
      for (const s of sockets) expect((await emit<{ conversationId?: string }>(s, 'hello', {})).conversationId).toBeTruthy();
      const acks = sockets.map((s) => emit<Ack>(s, 'message', { text: 'wireless earbuds under $50' }));
      // Handshakes during the burst are not queued behind turns.
      const late = await socketClient();
      sockets.push(late);
      expect((await emit<{ conversationId?: string }>(late, 'hello', {})).conversationId).toBeTruthy();
      const replies = await Promise.all(acks);
      const busy = replies.filter((r) => r.error);
      expect(busy.length).toBeGreaterThan(0);
      expect(replies.some((r) => typeof r.text === 'string' && !r.error)).toBe(true);
      for (const r of busy) {
        expect(r.error!.code).toBe('BUSY');
        expect(r.error!.retryAfterMs).toBe(1000);
      }
    } finally {
      for (const s of sockets) s.disconnect();
    }
  });
});
