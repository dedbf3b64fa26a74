/**
 * Shopper and agent, both as real socket.io clients against the real server: the shopper asks for
 * a person, an agent logs in, takes the conversation and replies live in the widget, the bot stays
 * silent meanwhile, and the agent hands the conversation back to the bot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import type { FunnelEvent } from '../../../src/funnel/events.js';
import type { OutboundMessage } from '../../../src/messages.js';
import type { RunningServer } from '../../../src/server/index.js';
import { serveApp } from '../../helpers/app.js';

type Push = OutboundMessage & { from: 'bot' | 'agent' };
type AnyReply = Record<string, unknown> & { error?: { code: string } };

function call<T = AnyReply>(socket: Socket, event: string, payload: unknown): Promise<T> {
  return new Promise((resolve) => socket.emit(event, payload, (r: T) => resolve(r)));
}
function next<T>(socket: Socket, event: string, accept: (v: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const on = (v: T) => {
      if (!accept(v)) return;
      socket.off(event, on);
      resolve(v);
    };
    socket.on(event, on);
  });
}
function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

describe('agent console with live shopper and agent sockets', () => {
  let dir: string;
  let app: App;
  let server: RunningServer;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shopbot-console-'));
    const config = loadConfig({
      overrides: { dataDir: dir, logLevel: 'silent', catalog: { demo: false }, coupons: { enabled: false }, server: { port: 0 }, agents: { users: 'alice:long-secret-1,bob:long-secret-2' }, funnel: { flushIntervalMs: 60_000 } },
    });
    server = await serveApp(config);
    app = server.app;
  });
  afterEach(async () => {
    for (const s of sockets) s.disconnect();
    await server.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function login(name: string, password: string): Promise<Response> {
    return fetch(`${server.url}/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  }

  it('escalates, lets an agent take over while the bot stays silent, and hands back', async () => {
    const shopper = connect(server.url, { transports: ['websocket'], forceNew: true });
    sockets.push(shopper);
    await connected(shopper);
    const { conversationId } = await call<{ conversationId: string }>(shopper, 'hello', {});

    const escalated = await call<OutboundMessage>(shopper, 'message', { text: 'I want to talk to a human please' });
    expect(escalated.handoff).toMatchObject({ status: 'queued', queuePosition: 1 });
    expect(escalated.text).toMatch(/number 1 in the queue/);

    expect((await login('alice', 'wrong')).status).toBe(401);
    const res = await login('alice', 'long-secret-1');
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };

    const refused = connect(`${server.url}/agents`, { transports: ['websocket'], forceNew: true, auth: { token: 'forged.token' } });
    sockets.push(refused);
    await expect(connected(refused)).rejects.toThrow(/invalid session token/);

    const agent = connect(`${server.url}/agents`, { transports: ['websocket'], forceNew: true, auth: { token } });
    sockets.push(agent);
    await connected(agent);
    const queue = await call<{ id: string; conversationId: string; status: string; position: number; brief: { text: string } }[]>(agent, 'queue', {});
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({ conversationId, status: 'queued', position: 1 });
    expect(queue[0]!.brief.text).toContain('talk to a human');

    const joined = next<Push>(shopper, 'push');
    const taken = await call<{ ticket: { status: string }; transcript: { role: string; text: string }[] }>(agent, 'take', { ticketId: queue[0]!.id });
    expect(taken.ticket.status).toBe('assigned');
    expect(taken.transcript.some((m) => m.role === 'user' && m.text.includes('human'))).toBe(true);
    // No display name in the handoff file: the shopper reads a generic one, never the login.
    expect((await joined).text).toBe('Someone from our support team has joined the chat.');

    // While alice owns the conversation the bot says nothing; the message reaches her.
    const relayed = next<{ conversationId: string; text: string }>(agent, 'shopperMessage');
    const silent = await call<OutboundMessage>(shopper, 'message', { text: 'my card 4111 1111 1111 1111 was charged twice' });
    expect(silent).toMatchObject({ silent: true, text: '' });
    expect((await relayed).text).toBe('my card [card number removed] was charged twice');

    const agentPush = next<Push>(shopper, 'push', (p) => p.from === 'agent');
    expect(await call(agent, 'reply', { conversationId, text: 'Sorry about that, I will refund the duplicate charge.' })).toEqual({ ok: true });
    expect((await agentPush).text).toBe('Sorry about that, I will refund the duplicate charge.');

    const backPush = next<Push>(shopper, 'push', (p) => p.from === 'bot');
    expect(await call(agent, 'handBack', { conversationId })).toEqual({ ok: true });
    expect((await backPush).text).toMatch(/back with the shop assistant/);

    const botAgain = await call<OutboundMessage>(shopper, 'message', { text: 'thank you' });
    expect(botAgain.silent).toBeUndefined();
    expect(botAgain.text.length).toBeGreaterThan(0);

    // Transcripts never keep the card number; the funnel log has the handoff timeline.
    const history = await app.history(conversationId);
    expect(history.map((h) => h.text).join('\n')).not.toMatch(/4111/);
    expect(history.some((h) => h.role === 'agent')).toBe(true);
    await app.funnel.flush();
    const handoffs: FunnelEvent[] = [];
    for await (const e of app.funnel.query({ types: ['handoff'] })) handoffs.push(e);
    expect(handoffs.map((e) => (e.type === 'handoff' ? e.status : '')).sort()).toEqual(['assigned', 'queued', 'requested', 'returned']);
    const assigned = handoffs.find((e) => e.type === 'handoff' && e.status === 'assigned');
    expect(assigned && assigned.type === 'handoff' ? assigned.durationMs : undefined).toBeGreaterThanOrEqual(0);
  });

  it('serves the page with its script and styles as files, nothing inline (for a CSP without unsafe-inline)', async () => {
    const html = await (await fetch(`${server.url}/console`)).text();
    expect(html).toContain('<script src="/console/console.js"></script>');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/<style|\sstyle=/i);
    for (const [file, type] of [['console.js', 'text/javascript'], ['console.css', 'text/css']] as const) {
      const res = await fetch(`${server.url}/console/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
    }
  });

  it('keeps another agent from replying to a conversation alice holds', async () => {
    const shopper = connect(server.url, { transports: ['websocket'], forceNew: true });
    sockets.push(shopper);
    await connected(shopper);
    const { conversationId } = await call<{ conversationId: string }>(shopper, 'hello', {});
    await call(shopper, 'message', { text: 'I want to speak to a human' });
    const tokenOf = async (n: string, p: string) => ((await (await login(n, p)).json()) as { token: string }).token;
    // Both tokens first: a socket that connects while the next login is awaited would fire 'connect' before connected() listens.
    const [aliceToken, bobToken] = [await tokenOf('alice', 'long-secret-1'), await tokenOf('bob', 'long-secret-2')];
    const alice = connect(`${server.url}/agents`, { transports: ['websocket'], forceNew: true, auth: { token: aliceToken } });
    const bob = connect(`${server.url}/agents`, { transports: ['websocket'], forceNew: true, auth: { token: bobToken } });
    sockets.push(alice, bob);
    await Promise.all([connected(alice), connected(bob)]);
    const [ticket] = await call<{ id: string }[]>(alice, 'queue', {});
    await call(alice, 'take', { ticketId: ticket!.id });
    expect((await call(bob, 'take', { ticketId: ticket!.id })).error?.code).toBe('CONFLICT');
    expect((await call(bob, 'reply', { conversationId, text: 'hi' })).error?.code).toBe('FORBIDDEN');
  });
});
