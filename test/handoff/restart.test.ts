/**
 * A restart loses no ticket or Slack thread: a shopper escalates, the ticket is posted to the fake
 * Slack support channel, the server stops; a new server on the same data directory (a restart, or a
 * second server on the same store) relays the agent's thread reply to the shopper and the shopper's
 * next message into the same thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../channels/slack/verify.js';
import { loadConfig } from '../../src/config.js';
import type { RunningServer } from '../../src/server/index.js';
import { FakeSlackApi } from '../channels/slack/fake-slack-api.js';
import { FIXTURE_CATALOG, serveApp } from '../helpers/app.js';

const SECRET = 'restart-secret';
let api: FakeSlackApi;
let dir: string;
const clock = { now: Date.UTC(2026, 10, 2, 10) };

beforeAll(async () => {
  api = new FakeSlackApi();
  await api.start();
  dir = mkdtempSync(path.join(tmpdir(), 'shopbot-restart-'));
});
afterAll(async () => {
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
});

const serve = () =>
  serveApp(
    loadConfig({
      env: {},
      overrides: {
        dataDir: dir,
        logLevel: 'silent',
        server: { port: 0, host: '127.0.0.1' },
        catalog: { demo: true, demoFile: FIXTURE_CATALOG },
        slack: { botToken: 'xoxb-test-token', signingSecret: SECRET, supportChannel: 'CSUPPORT', apiUrl: `${api.url}/api/` },
      },
    }),
    { now: () => clock.now },
  );

function slackEvent(server: RunningServer, event: object, id: string) {
  const body = JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: id, event });
  const ts = Math.floor(Date.now() / 1000);
  return fetch(`${server.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(SECRET, ts, body) }, body });
}

describe('handoff across a restart', () => {
  it('keeps the ticket, its holder and the Slack thread', async () => {
    const first = await serve();
    try {
      const r = await first.app.handleTurn({ conversationId: 'web-restart-1', userId: 'u-restart', channel: 'web', text: 'I want to talk to a human agent' });
      expect(r.handoff).toMatchObject({ status: 'queued' });
      await api.waitFor('chat.postMessage', (c) => c.body.channel === 'CSUPPORT');
    } finally {
      await first.close();
    }

    const second = await serve();
    try {
      const ref = await second.app.handoff.threads('slack').byConversation('web-restart-1');
      expect(ref).toMatch(/^CSUPPORT:\d+\.\d+$/);
      const rootTs = ref!.split(':')[1]!;
      const [ticket] = await second.app.handoff.queueFor(undefined);
      expect(ticket).toMatchObject({ conversationId: 'web-restart-1', status: 'queued' });
      await slackEvent(second, { type: 'message', channel: 'CSUPPORT', user: 'UAGENT', text: 'Hello, I can help with that.', ts: '1764331400.000100', thread_ts: rootTs }, 'EvR1');
      await expect.poll(async () => (await second.app.history('web-restart-1')).map((e) => e.text)).toContain('Hello, I can help with that.');
      expect((await second.app.handoff.queueFor(undefined))[0]).toMatchObject({ status: 'assigned', agentId: 'slack:T1:UAGENT' });
      await second.app.handleTurn({ conversationId: 'web-restart-1', userId: 'u-restart', channel: 'web', text: 'thanks, it is order SB-1' });
      const mirrored = await api.waitFor('chat.postMessage', (c) => c.body.thread_ts === rootTs && String(c.body.text).startsWith('*Shopper:*'));
      expect(mirrored.body.text).toContain('thanks');
    } finally {
      await second.close();
    }
  });
});

describe('a console agent across a restart', () => {
  const serveConsole = (dataDir: string) =>
    serveApp(
      loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent', server: { port: 0, host: '127.0.0.1' }, catalog: { demo: true, demoFile: FIXTURE_CATALOG }, security: { sessionSecret: 'restart-session-secret-0123456789' }, agents: { users: 'alice:alice-password-1' } } }),
      { now: () => clock.now },
    );
  async function agentSocket(server: RunningServer): Promise<Socket> {
    const res = await fetch(`${server.url}/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: 'alice-password-1' }) });
    const { token } = (await res.json()) as { token: string };
    const s = connect(`${server.url}/agents`, { transports: ['websocket'], forceNew: true, auth: { token } });
    await new Promise<void>((resolve, reject) => (s.once('connect', () => resolve()), s.once('connect_error', reject)));
    return s;
  }
  const call = (s: Socket, event: string, payload: unknown) => new Promise<{ error?: unknown; ticket?: unknown }>((resolve) => s.emit(event, payload, resolve));

  it("still gets the shopper's messages and keeps the ticket's tools: the holder is the store's, not the process's", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'shopbot-restart-console-'));
    try {
      const first = await serveConsole(dataDir);
      try {
        await first.app.handleTurn({ conversationId: 'web-restart-2', userId: 'u-restart-2', channel: 'web', text: 'I want to talk to a human agent' });
        const s = await agentSocket(first);
        const [ticket] = await first.app.handoff.queueFor(undefined);
        expect((await call(s, 'take', { ticketId: ticket!.id })).error).toBeUndefined();
        s.disconnect();
      } finally {
        await first.close();
      }
      const second = await serveConsole(dataDir);
      try {
        const s = await agentSocket(second);
        const relayed = new Promise<{ conversationId: string; text: string }>((resolve) => s.once('shopperMessage', resolve));
        await second.app.handleTurn({ conversationId: 'web-restart-2', userId: 'u-restart-2', channel: 'web', text: 'are you still there?' });
        expect(await relayed).toMatchObject({ conversationId: 'web-restart-2', text: 'are you still there?' });
        expect((await call(s, 'note', { conversationId: 'web-restart-2', text: 'picked up after the restart' })).error).toBeUndefined();
        expect(await call(s, 'resolve', { conversationId: 'web-restart-2', resolution: 'solved' })).toEqual({ ok: true });
        s.disconnect();
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
