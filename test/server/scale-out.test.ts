/**
 * Two server processes' worth of the assistant sharing one PostgreSQL funnel log and Redis
 * (conversation state and the socket.io adapter): a conversation started on one server continues
 * on the other, and an agent's reply on one reaches the shopper's socket on the other.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { OutboundMessage } from '../../src/messages.js';
import type { RunningServer } from '../../src/server/index.js';
import { FIXTURE_CATALOG, serveApp } from '../helpers/app.js';

const PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Keys of this file's servers only (state, limits, socket counts), so parallel test files never share a count. */
const REDIS_PREFIX = `shopbot-test-${randomUUID().slice(0, 8)}`;
const schema = `shopbot_scale_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const nodes: { app: App; server: RunningServer; dir: string }[] = [];

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  for (let i = 0; i < 2; i++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-scale-'));
    const config = loadConfig({
      env: {},
      overrides: {
        dataDir: dir,
        logLevel: 'silent',
        server: { port: 0 },
        catalog: { demoFile: FIXTURE_CATALOG },
        storage: { backend: 'postgres', postgresUrl: `${PG}?options=-c%20search_path%3D${schema}` },
        state: { backend: 'redis', redisUrl: REDIS, redisKeyPrefix: REDIS_PREFIX },
        security: { sessionSecret: 'scale-out-test-secret-0123456789abcdef' },
        agents: { users: 'sam:sam-password-0001' },
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
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

function ack<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  return new Promise((resolve) => socket.emit(event, payload, (r: T) => resolve(r)));
}

describe('scale-out backends', () => {
  it('shares conversations, sockets and the funnel log between servers', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    // A conversation started on server A (its state in Redis) is resumed with its token on server B.
    const started = await a.app.sessions.start({ channel: 'web' });
    const { conversationId, userId } = started;
    const first = await a.app.handleTurn({ conversationId, userId, channel: 'web', text: 'ugg slipper' });
    expect(first.products.length).toBeGreaterThan(0);

    const socket = connect(b.server.url, { transports: ['websocket'], forceNew: true });
    try {
      const hello = await ack<{ conversationId: string; history: unknown[] }>(socket, 'hello', { conversationId, token: started.token });
      expect(hello.conversationId).toBe(conversationId);
      expect(hello.history.length).toBe(2);
      // "the second one" on server B refers to the results server A showed.
      const second = await ack<OutboundMessage>(socket, 'message', { text: 'the second one' });
      // (Whether the classifier reads it as a look or an add-to-cart, it must be that product.)
      const referred = second.products[0]?.id ?? second.cart?.lines[0]?.productId;
      expect(referred, JSON.stringify(second).slice(0, 300)).toBe(first.products[1]?.id);

      // An agent on server A takes the escalation and replies: the reply reaches the socket on server B.
      const pushed = new Promise<OutboundMessage>((resolve) => socket.on('push', (m) => void (m.text === 'Hi, this is Sam from support.' && resolve(m))));
      expect((await a.app.handleTurn({ conversationId, userId, channel: 'web', text: 'I want to talk to a human please' })).handoff?.status).toBe('queued');
      const [ticket] = await a.app.handoff.queueFor(undefined);
      await a.app.handoff.take(ticket!.id, 'sam');
      await a.app.handoff.reply(conversationId, 'sam', 'Hi, this is Sam from support.');
      expect((await pushed).text).toBe('Hi, this is Sam from support.');
    } finally {
      socket.disconnect();
    }
    await a.app.funnel.flush();
    await b.app.funnel.flush();
    const seen = new Set<string>();
    for await (const e of b.app.funnel.query({ conversationId })) seen.add(e.type);
    expect([...seen]).toEqual(expect.arrayContaining(['impression', 'intent', 'message']));
  });
});
