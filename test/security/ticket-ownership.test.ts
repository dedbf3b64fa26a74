/**
 * Who may act on an escalated conversation: only the agent holding the ticket, or an admin (the
 * handoff file's `agents.<id>.role`). Bob tries to resolve, hand back and reply to a ticket Alice
 * holds and to a queued one nobody took, from the web console (real server, real socket.io clients)
 * and from the Slack and Teams support threads (the real channel routes against local Slack and Bot
 * Connector APIs); each try is
 * FORBIDDEN and leaves the ticket, the conversation and its transcript as they were.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlackChannelHandle } from '../../channels/slack/index.js';
import type { TeamsChannelHandle } from '../../channels/teams/index.js';
import { openApp, type App, type ChannelPlugin } from '../../src/app.js';
import { loadConfig, type Config, type ConfigInput } from '../../src/config.js';
import { DEFAULT_HANDOFF, SqliteHandoffQueue, type Ticket } from '../../src/handoff/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { openSqlite, type SqliteDb } from '../../src/storage/index.js';
import { FakeClock } from '../channels/shared/fakes.js';
import { FakeSlackApi } from '../channels/slack/fake-slack-api.js';
import { FakeBotConnector } from '../channels/teams/fake-bot-connector.js';
import { serveApp } from '../helpers/app.js';
import { consoleOverrides } from '../helpers/console.js';
import { postSlackThread, postTeamsThread, signedSlack, slackDesk, slackDeskOverrides, teamsDesk, teamsDeskOverrides } from '../helpers/support-desks.js';

const PASSWORDS = { alice: 'alice-password-1', bob: 'bob-password-22', root: 'root-password-333' } as const;
type Agent = keyof typeof PASSWORDS;
type Reply = { ok?: true; error?: { code: string } };

let dir: string;
let app: App;
let queueDb: SqliteDb;
let queue: SqliteHandoffQueue;

function adminsConfig(overrides: ConfigInput = {}): Config {
  dir = mkdtempSync(path.join(tmpdir(), 'shopbot-ownership-'));
  const handoffFile = path.join(dir, 'handoff.json');
  writeFileSync(handoffFile, JSON.stringify({ teams: DEFAULT_HANDOFF.teams, agents: { alice: {}, bob: {}, root: { role: 'admin' }, 'slack:T1:UADMIN': { role: 'admin' }, 'teams:aad-admin': { role: 'admin' } } }));
  const config = loadConfig({
    env: {},
    overrides: consoleOverrides(dir, {
      agents: { users: Object.entries(PASSWORDS).map(([n, p]) => `${n}:${p}`).join(',') },
      handoff: { file: handoffFile },
      ...overrides,
    }),
  });
  return config;
}

/** The tickets as the app stored them, read through a second connection to its database file. */
function openQueue(): void {
  queueDb = openSqlite(dir);
  queue = new SqliteHandoffQueue(queueDb);
}

async function openWithAdmins(overrides: ConfigInput = {}, channels: ChannelPlugin[] = []): Promise<void> {
  app = await openApp(adminsConfig(overrides), { channels });
  openQueue();
}

async function closeAll(): Promise<void> {
  queueDb.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}

async function escalate(conversationId: string): Promise<Ticket> {
  const out = await app.handleTurn({ conversationId, userId: `user-${conversationId}`, channel: 'web', text: 'I want to talk to a human please' });
  expect(out.handoff?.status).toBe('queued');
  return (await queue.openFor(conversationId))!;
}

/** Ticket, conversation state and transcript: what a refused action must leave as it was. */
async function snapshot(conversationId: string) {
  return { ticket: await queue.openFor(conversationId), state: await app.states.load(conversationId), transcript: await app.states.transcript(conversationId) };
}

describe('ticket actions on the agent console', () => {
  let server: RunningServer;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    server = await serveApp(adminsConfig());
    app = server.app;
    openQueue();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await server.close();
    await closeAll();
  });

  async function agent(name: Agent): Promise<Socket> {
    const res = await fetch(`${server.url}/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password: PASSWORDS[name] }) });
    const { token } = (await res.json()) as { token: string };
    const socket = connect(`${server.url}/agents`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token } });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  }
  const call = (socket: Socket, event: string, payload: unknown) => new Promise<Reply>((resolve) => socket.emit(event, payload, resolve));

  async function expectRefused(bob: Socket, conversationId: string): Promise<void> {
    const before = await snapshot(conversationId);
    expect((await call(bob, 'resolve', { conversationId })).error?.code).toBe('FORBIDDEN');
    expect((await call(bob, 'handBack', { conversationId })).error?.code).toBe('FORBIDDEN');
    expect((await call(bob, 'reply', { conversationId, text: 'Bob here, all sorted!' })).error?.code).toBe('FORBIDDEN');
    expect(await snapshot(conversationId)).toEqual(before);
  }

  it('bob cannot resolve, hand back or reply to a ticket alice holds', async () => {
    const ticket = await escalate('conv-own-held');
    const [alice, bob] = [await agent('alice'), await agent('bob')];
    expect(await call(alice, 'take', { ticketId: ticket.id })).toMatchObject({ ticket: { status: 'assigned', agentId: 'alice' } });
    await expectRefused(bob, 'conv-own-held');
    expect(await queue.openFor('conv-own-held')).toMatchObject({ status: 'assigned', agentId: 'alice' });
  });

  it('bob cannot resolve, hand back or reply to a queued ticket he never took', async () => {
    await escalate('conv-own-queued');
    await expectRefused(await agent('bob'), 'conv-own-queued');
    expect(await queue.openFor('conv-own-queued')).toMatchObject({ status: 'queued' });
  });

  it('an admin may reply to and resolve a ticket alice holds, and hand back a queued one', async () => {
    const held = await escalate('conv-own-admin-1');
    const queued = await escalate('conv-own-admin-2');
    const [alice, root] = [await agent('alice'), await agent('root')];
    await call(alice, 'take', { ticketId: held.id });
    expect(await call(root, 'reply', { conversationId: 'conv-own-admin-1', text: 'A supervisor here.' })).toEqual({ ok: true });
    expect((await app.states.transcript('conv-own-admin-1')).some((r) => r.role === 'agent' && r.text === 'A supervisor here.')).toBe(true);
    expect(await call(root, 'resolve', { conversationId: 'conv-own-admin-1' })).toEqual({ ok: true });
    expect(await queue.get(held.id)).toMatchObject({ status: 'resolved' });
    expect(await call(root, 'handBack', { conversationId: 'conv-own-admin-2' })).toEqual({ ok: true });
    expect(await queue.get(queued.id)).toMatchObject({ status: 'returned' });
    expect((await app.states.load('conv-own-admin-2'))?.owner).toBe('bot');
  });
});

describe('ticket actions from the Slack support thread', () => {
  const SECRET = 'ownership-test-signing-secret';
  let api: FakeSlackApi;
  let slack: FastifyInstance;
  let handle: SlackChannelHandle;
  let clock: FakeClock;
  let base: string;

  beforeEach(async () => {
    api = new FakeSlackApi();
    await api.start();
    clock = new FakeClock(Date.now());
    slack = Fastify();
    // The Slack channel opens with the app, on this test's own fastify; its support desk takes the escalations.
    await openWithAdmins(slackDeskOverrides(api.url, SECRET), [slackDesk(slack, clock, (h) => (handle = h))]);
    await slack.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(slack.server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    await slack.close();
    await closeAll();
    await api.stop();
  });

  const signed = (url: string, body: string, type: string) => signedSlack(base, SECRET, clock.now(), url, body, type);
  const threadReply = (user: string, rootTs: string, text: string) => postSlackThread(base, SECRET, handle, user, rootTs, text);
  async function pressHandBack(user: string, rootTs: string, conversationId: string): Promise<void> {
    const payload = { type: 'block_actions', team: { id: 'T1' }, user: { id: user }, channel: { id: 'CSUPPORT' }, message: { ts: rootTs }, actions: [{ action_id: 'shopbot_hand_back', value: conversationId }] };
    await signed('/slack/interactivity', new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
    await handle.idle();
  }
  const threadPosts = (rootTs: string) => api.calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts === rootTs).map((c) => String(c.body.text));

  it('refuses a hand-back by someone not holding the ticket, says so in the thread, and lets the holder and an admin act', async () => {
    const conversationId = 'conv-own-slack';
    const ticket = await escalate(conversationId);
    const rootTs = (await handle.supportDesk!.directory.byConversation(conversationId))!.split(':')[1]!;

    // Queued: nobody holds it yet, so Bob's button is refused.
    let before = await snapshot(conversationId);
    await pressHandBack('UBOB', rootTs, conversationId);
    expect(await snapshot(conversationId)).toEqual(before);
    expect(threadPosts(rootTs).at(-1)).toMatch(/<@UBOB>: only the agent holding this conversation, or an admin/);

    // Alice's reply in the thread takes the ticket and reaches the shopper.
    await threadReply('UALICE', rootTs, 'Hi, Alice from support here.');
    expect(await queue.openFor(conversationId)).toMatchObject({ status: 'assigned', agentId: 'slack:T1:UALICE' });
    expect((await app.states.transcript(conversationId)).some((r) => r.role === 'agent' && r.text === 'Hi, Alice from support here.')).toBe(true);

    // Held by Alice: Bob can neither hand it back nor reply.
    before = await snapshot(conversationId);
    await pressHandBack('UBOB', rootTs, conversationId);
    await threadReply('UBOB', rootTs, 'Bob here, closing this.');
    expect(await snapshot(conversationId)).toEqual(before);
    expect(threadPosts(rootTs).filter((t) => t.includes('<@UBOB>: only the agent holding'))).toHaveLength(3);

    // An admin may hand it back.
    await pressHandBack('UADMIN', rootTs, conversationId);
    expect(await queue.get(ticket.id)).toMatchObject({ status: 'returned' });
    // The service closes the thread as it closes the ticket (its note says "returned").
    expect(threadPosts(rootTs).at(-1)).toMatch(/returned/);
  });
});

describe('ticket actions from the Teams support thread', () => {
  let connector: FakeBotConnector;
  let teams: FastifyInstance;
  let handle: TeamsChannelHandle;
  let base: string;

  beforeEach(async () => {
    connector = new FakeBotConnector();
    await connector.start();
    teams = Fastify();
    await openWithAdmins(teamsDeskOverrides(connector), [teamsDesk(teams, (h) => (handle = h))]);
    await teams.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(teams.server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    await teams.close();
    await closeAll();
    await connector.stop();
  });

  const inThread = (threadRef: string, who: string, extra: Record<string, unknown>) => postTeamsThread(base, connector, threadRef, who, extra);
  const handBack = (threadRef: string, who: string, c: string) => inThread(threadRef, who, { value: { shopbot: 'hand_back', c } });
  const refusalsTo = (who: string) => connector.calls.filter((c) => String(c.body.text ?? '').startsWith(`${who}: only the agent holding this conversation, or an admin`));

  it('refuses a hand-back or reply by someone not holding the ticket, and lets the holder and an admin act', async () => {
    const conversationId = 'conv-own-teams';
    const ticket = await escalate(conversationId);
    const threadRef = (await handle.supportDesk!.directory.byConversation(conversationId))!;

    let before = await snapshot(conversationId);
    await handBack(threadRef, 'bob', conversationId);
    expect(await snapshot(conversationId)).toEqual(before);
    expect(refusalsTo('bob')).toHaveLength(1);

    await inThread(threadRef, 'alice', { text: 'Hi, Alice from support here.' });
    expect(await queue.openFor(conversationId)).toMatchObject({ status: 'assigned', agentId: 'teams:aad-alice' });

    before = await snapshot(conversationId);
    await handBack(threadRef, 'bob', conversationId);
    await inThread(threadRef, 'bob', { text: 'Bob here, closing this.' });
    expect(await snapshot(conversationId)).toEqual(before);
    expect(refusalsTo('bob')).toHaveLength(3);

    await handBack(threadRef, 'admin', conversationId);
    expect(await queue.get(ticket.id)).toMatchObject({ status: 'returned' });
    expect(refusalsTo('admin')).toHaveLength(0);
  });
});
