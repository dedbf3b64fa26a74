/**
 * The desk's tools over the console's socket.io namespace, against the real server: canned replies
 * filled from the brief, internal notes the shopper never sees, tags, snooze, transfer to a team
 * with a note, resolution with a reason, service-level timers in the queue, and the holder-or-admin rule.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { DEFAULT_HANDOFF, type TicketView } from '../../../src/handoff/index.js';
import type { OutboundMessage } from '../../../src/messages.js';
import type { RunningServer } from '../../../src/server/index.js';
import { serveApp } from '../../helpers/app.js';
import { consoleOverrides } from '../../helpers/console.js';

type Push = OutboundMessage & { from: 'bot' | 'agent' };
type Reply<T = Record<string, unknown>> = T & { error?: { code: string; message: string } };

const call = <T = Record<string, unknown>>(socket: Socket, event: string, payload: unknown): Promise<Reply<T>> => new Promise((resolve) => socket.emit(event, payload, (r: Reply<T>) => resolve(r)));
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
const connected = (socket: Socket) => new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));

describe('agent tools in the console', () => {
  let dir: string;
  let server: RunningServer;
  const sockets: Socket[] = [];
  const clock = { now: Date.UTC(2026, 10, 3, 10) };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shopbot-tools-'));
    // Alice has a display name in the handoff file; Bob has none, so shoppers read a generic one.
    const handoffFile = path.join(dir, 'handoff.json');
    writeFileSync(handoffFile, JSON.stringify({ teams: DEFAULT_HANDOFF.teams, agents: { alice: { displayName: 'Alice Chen' } } }));
    server = await serveApp(loadConfig({ env: {}, overrides: consoleOverrides(dir, { agents: { users: 'alice:long-secret-1,bob:long-secret-2' }, handoff: { file: handoffFile } }) }), { now: () => clock.now });
  });
  afterEach(async () => {
    for (const s of sockets) s.disconnect();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function agent(name: string, password: string): Promise<Socket> {
    const res = await fetch(`${server.url}/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
    const { token } = (await res.json()) as { token: string };
    const s = connect(`${server.url}/agents`, { transports: ['websocket'], forceNew: true, auth: { token } });
    sockets.push(s);
    await connected(s);
    return s;
  }

  it('works a ticket with canned replies, notes, tags, snooze, a transfer and a resolution', async () => {
    const shopper = connect(server.url, { transports: ['websocket'], forceNew: true });
    sockets.push(shopper);
    await connected(shopper);
    const { conversationId } = await call<{ conversationId: string }>(shopper, 'hello', {});
    await call(shopper, 'message', { text: 'I want to talk to a human please' });

    const alice = await agent('alice', 'long-secret-1');
    const bob = await agent('bob', 'long-secret-2');
    const [queued] = await call<TicketView[]>(alice, 'queue', {});
    expect(queued!.serviceLevel).toMatchObject({ firstResponseDueAt: queued!.requestedAt + 15 * 60_000, resolutionDueAt: queued!.requestedAt + 240 * 60_000, firstResponseBreached: false });
    const joined = next<Push>(shopper, 'push', (p) => p.from === 'agent');
    await call(alice, 'take', { ticketId: queued!.id });
    expect((await joined).text).toBe('Alice Chen from our support team has joined the chat.');

    const { replies, resolutions } = await call<{ replies: { id: string; text?: string }[]; resolutions: string[] }>(alice, 'canned', { conversationId });
    const greeting = replies.find((r) => r.id === 'greeting')!;
    expect(greeting.text).toMatch(/^Hi, this is Alice Chen from the \w+ team/);
    // No order in this conversation: the order reply cannot be filled, so it is offered without text and refused.
    expect(replies.find((r) => r.id === 'order_status')!.text).toBeUndefined();
    expect((await call(alice, 'sendCanned', { conversationId, cannedId: 'order_status' })).error?.code).toBe('BAD_REQUEST');
    const pushed = next<Push>(shopper, 'push', (p) => p.from === 'agent');
    expect((await call<{ text: string }>(alice, 'sendCanned', { conversationId, cannedId: 'greeting' })).text).toBe(greeting.text);
    expect((await pushed).text).toBe(greeting.text);

    expect((await call(alice, 'note', { conversationId, text: 'Shopper sounds like a repeat customer; card 4111 1111 1111 1111' })).error).toBeUndefined();
    expect((await call(bob, 'note', { conversationId, text: 'not mine' })).error?.code).toBe('FORBIDDEN');
    expect((await call(bob, 'transfer', { conversationId, to: { team: 'billing' } })).error?.code).toBe('FORBIDDEN');
    const tagged = await call<{ ticket: TicketView }>(alice, 'tags', { conversationId, tags: ['VIP', 'repeat'] });
    expect(tagged.ticket.tags).toEqual(['vip', 'repeat']);
    const snoozed = await call<{ ticket: TicketView }>(alice, 'snooze', { conversationId, minutes: 30 });
    expect(snoozed.ticket.snoozedUntil).toBe(clock.now + 30 * 60_000);
    expect(snoozed.ticket.serviceLevel.snoozed).toBe(true);

    clock.now += 60_000;
    const moved = await call<{ ticket: TicketView }>(alice, 'transfer', { conversationId, to: { team: 'billing' }, note: 'needs a refund decision' });
    expect(moved.ticket).toMatchObject({ status: 'queued', team: 'billing' });
    expect(moved.ticket.agentId).toBeUndefined();
    // The queued ticket is the team's again: alice may no longer reply to it.
    expect((await call(alice, 'reply', { conversationId, text: 'still here' })).error?.code).toBe('FORBIDDEN');

    const bobJoined = next<Push>(shopper, 'push', (p) => p.from === 'agent');
    await call(bob, 'take', { ticketId: queued!.id });
    expect((await bobJoined).text).toBe('Someone from our support team has joined the chat.');
    // Without a display name, the reply that names the agent is not offered (nor sent with the login in it).
    const bobsReplies = await call<{ replies: { id: string; text?: string }[] }>(bob, 'canned', { conversationId });
    expect(bobsReplies.replies.find((r) => r.id === 'greeting')!.text).toBeUndefined();
    expect((await call(bob, 'sendCanned', { conversationId, cannedId: 'greeting' })).error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('{agent}') });
    const { notes } = await call<{ notes: { agentId: string; text: string }[] }>(bob, 'notes', { conversationId });
    expect(notes.map((n) => n.agentId)).toEqual(['alice', 'alice']);
    expect(notes[0]!.text).toMatch(/^Shopper sounds like a repeat customer; card \S/);
    expect(notes[0]!.text).not.toContain('4111');
    expect(notes[1]!.text).toBe('Transferred to billing: needs a refund decision');
    expect((await call(bob, 'resolve', { conversationId, resolution: 'because' })).error?.code).toBe('BAD_REQUEST');
    expect(resolutions).toContain('refund_issued');
    expect(await call(bob, 'resolve', { conversationId, resolution: 'refund_issued' })).toEqual({ ok: true });
    expect(await server.app.handoff.queueFor(undefined)).toEqual([]);

    // Notes are the desk's: never in the shopper's transcript.
    const history = (await server.app.history(conversationId)).map((h) => h.text).join('\n');
    expect(history).toContain(greeting.text!);
    expect(history).not.toMatch(/repeat customer|refund decision/);
    // The account ids are the desk's: the shopper reads display names only.
    expect(history).not.toMatch(/\b(alice|bob)\b/);
  });

  it('tells the shopper who takes over by display name, never by login, in English and Chinese', async () => {
    for (const [lang, text, named, unnamed] of [
      ['en', 'I want to talk to a human please', 'Alice Chen from our support team is taking over your conversation.', 'Someone from our support team has joined the chat.'],
      ['zh', '我要转人工客服', '客服 Alice Chen 将接手您的对话。', '客服 专员 已加入对话。'],
    ] as const) {
      const shopper = connect(server.url, { transports: ['websocket'], forceNew: true });
      sockets.push(shopper);
      await connected(shopper);
      const { conversationId } = await call<{ conversationId: string }>(shopper, 'hello', { locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
      expect((await call<OutboundMessage>(shopper, 'message', { text })).handoff?.status).toBe('queued');
      const bob = await agent('bob', 'long-secret-2');
      const ticket = (await call<TicketView[]>(bob, 'queue', {})).find((t) => t.conversationId === conversationId)!;
      const joined = next<Push>(shopper, 'push', (p) => p.from === 'agent');
      await call(bob, 'take', { ticketId: ticket.id });
      expect((await joined).text).toBe(unnamed);
      const told = next<Push>(shopper, 'push', (p) => p.from === 'agent');
      expect((await call<{ ticket: TicketView }>(bob, 'transfer', { conversationId, to: { agentId: 'alice' } })).ticket).toMatchObject({ status: 'assigned', agentId: 'alice' });
      expect((await told).text).toBe(named);
      const history = (await server.app.history(conversationId)).map((h) => h.text).join('\n');
      expect(history).not.toMatch(/\b(alice|bob)\b/);
    }
  });
});
