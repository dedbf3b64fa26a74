/**
 * The desk's tools from Slack and Teams escalation threads (`!note`, `!tag`, `!snooze`, `!canned`,
 * `!transfer`, `!resolve`), through the real channel routes against the local Slack API and Bot
 * Connector fakes, with the real app and handoff service: the holder-or-admin rule holds as in the
 * console, a command never reaches the shopper, notes stay on the desk, and the shopper is told when
 * another team or agent takes over.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlackChannelHandle } from '../../channels/slack/index.js';
import type { TeamsChannelHandle } from '../../channels/teams/index.js';
import { openApp, type App, type ChannelPlugin } from '../../src/app.js';
import { loadConfig, type ConfigInput } from '../../src/config.js';
import { DEFAULT_HANDOFF, parseAgentCommand, SqliteHandoffQueue } from '../../src/handoff/index.js';
import { openSqlite, type SqliteDb } from '../../src/storage/index.js';
import { FakeClock } from '../channels/shared/fakes.js';
import { FakeSlackApi } from '../channels/slack/fake-slack-api.js';
import { FakeBotConnector } from '../channels/teams/fake-bot-connector.js';
import { consoleOverrides } from '../helpers/console.js';
import { postSlackThread, postTeamsThread, slackDesk, slackDeskOverrides, teamsDesk, teamsDeskOverrides } from '../helpers/support-desks.js';

let dir: string;
let app: App;
let queueDb: SqliteDb;
let queue: SqliteHandoffQueue;
const START = Date.UTC(2026, 10, 3, 10);
const clock = { now: START };

async function open(overrides: ConfigInput, channel: ChannelPlugin): Promise<void> {
  clock.now = START;
  dir = mkdtempSync(path.join(tmpdir(), 'shopbot-thread-tools-'));
  const handoffFile = path.join(dir, 'handoff.json');
  writeFileSync(handoffFile, JSON.stringify({ teams: DEFAULT_HANDOFF.teams, agents: { 'slack:T1:UALICE': { displayName: 'Alice' }, 'slack:T1:UDANA': {}, 'teams:aad-dana': { displayName: 'Dana Li' }, 'slack:T1:UADMIN': { role: 'admin' } } }));
  const config = loadConfig({ env: {}, overrides: consoleOverrides(dir, { handoff: { file: handoffFile }, ...overrides }) });
  app = await openApp(config, { channels: [channel], now: () => clock.now });
  queueDb = openSqlite(dir);
  queue = new SqliteHandoffQueue(queueDb);
}
async function closeAll(): Promise<void> {
  queueDb.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
async function escalate(conversationId: string): Promise<void> {
  const out = await app.handleTurn({ conversationId, userId: `user-${conversationId}`, channel: 'web', text: 'I want to talk to a human please' });
  expect(out.handoff?.status).toBe('queued');
}
const shopperSees = async (conversationId: string) => (await app.history(conversationId)).map((h) => h.text).join('\n');

describe('thread commands', () => {
  it('parses the command words and leaves other messages as replies', () => {
    expect(parseAgentCommand('Your refund is on its way!')).toBeUndefined();
    expect(parseAgentCommand('!note  check the warehouse ')).toEqual({ kind: 'note', text: 'check the warehouse' });
    expect(parseAgentCommand('!snooze 2h')).toEqual({ kind: 'snooze', minutes: 120 });
    expect(parseAgentCommand('!snooze off')).toEqual({ kind: 'snooze', minutes: 0 });
    expect(parseAgentCommand('!snooze 30d')).toMatchObject({ kind: 'invalid' });
    expect(parseAgentCommand('!transfer billing needs a refund')).toEqual({ kind: 'transfer', to: 'billing', note: 'needs a refund' });
    expect(parseAgentCommand('!tag vip, late')).toEqual({ kind: 'tag', tags: ['vip', 'late'] });
    expect(parseAgentCommand('!RESOLVE Refund_Issued')).toEqual({ kind: 'resolve', resolution: 'refund_issued' });
    expect(parseAgentCommand('!frobnicate')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('Unknown command') });
  });
});

describe('desk tools in the Slack thread', () => {
  const SECRET = 'thread-tools-signing-secret';
  let api: FakeSlackApi;
  let slack: FastifyInstance;
  let handle: SlackChannelHandle;
  let base: string;

  beforeEach(async () => {
    api = new FakeSlackApi();
    await api.start();
    slack = Fastify();
    await open(slackDeskOverrides(api.url, SECRET), slackDesk(slack, new FakeClock(Date.now()), (h) => (handle = h)));
    await slack.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(slack.server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    await slack.close();
    await closeAll();
    await api.stop();
  });

  async function say(user: string, rootTs: string, text: string): Promise<string[]> {
    const before = api.calls.length;
    await postSlackThread(base, SECRET, handle, user, rootTs, text);
    await handle.outbound.drain();
    return api.calls.slice(before).filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts === rootTs).map((c) => String(c.body.text));
  }

  it('works a ticket with commands, refuses them to non-holders, and keeps notes from the shopper', async () => {
    const conversationId = 'conv-slack-tools';
    await escalate(conversationId);
    const rootTs = (await handle.supportDesk!.directory.byConversation(conversationId))!.split(':')[1]!;
    const ticketId = (await queue.openFor(conversationId))!.id;

    // Queued: the team may read the canned replies; sending one takes the ticket, as a typed reply does.
    const list = await say('UALICE', rootTs, '!canned');
    expect(list[0]).toMatch(/^greeting: Hi, this is Alice from the \w+ team/);
    expect(list[0]).toContain('order_status: (needs details this conversation lacks)');
    expect(await say('UALICE', rootTs, '!canned order_status')).toEqual([expect.stringMatching(/^Not done: canned reply order_status needs \{order\}/)]);
    expect(await queue.get(ticketId)).toMatchObject({ status: 'queued' });
    expect((await say('UALICE', rootTs, '!canned greeting'))[0]).toMatch(/^Sent to the shopper: Hi, this is/);
    expect(await queue.get(ticketId)).toMatchObject({ status: 'assigned', agentId: 'slack:T1:UALICE' });
    expect(await shopperSees(conversationId)).toContain('I have read your conversation');

    // Held by Alice: Bob's commands are refused and change nothing.
    expect(await say('UBOB', rootTs, '!resolve')).toEqual([expect.stringMatching(/^<@UBOB>: only the agent holding this conversation, or an admin/)]);
    expect(await say('UBOB', rootTs, '!note sneaky')).toHaveLength(1);
    expect(await queue.notes(ticketId)).toEqual([]);

    const posted = await say('UALICE', rootTs, '!note Repeat customer, card 4111 1111 1111 1111');
    expect(posted).toEqual([expect.stringMatching(/^:memo: \*Internal note\* \(slack:T1:UALICE\): Repeat customer, card \S/)]);
    expect(posted[0]).not.toContain('4111');
    expect(await say('UALICE', rootTs, '!tag VIP, late')).toEqual(['Tags: vip, late.']);
    expect(await say('UALICE', rootTs, '!untag late')).toEqual(['Tags: vip.']);
    expect(await say('UALICE', rootTs, '!snooze 30m')).toEqual(['Snoozed until 2026-11-03 10:30 UTC.']);
    expect((await queue.get(ticketId))!.snoozedUntil).toBe(clock.now + 30 * 60_000);

    // Notes are listed in time order (the same millisecond would leave it to their random ids).
    clock.now += 60_000;
    // A transfer to an agent by @mention: Dana holds it now, Alice no longer may act, the shopper is told.
    const moved = await say('UALICE', rootTs, '!transfer <@UDANA> please check the refund');
    expect(moved).toContain('Transferred to slack:T1:UDANA.');
    expect(await queue.get(ticketId)).toMatchObject({ status: 'assigned', agentId: 'slack:T1:UDANA' });
    // Dana has no display name: the shopper reads a generic one, never the Slack id.
    expect(await shopperSees(conversationId)).toContain('Someone from our support team is taking over your conversation.');
    expect((await say('UALICE', rootTs, '!snooze off'))[0]).toMatch(/only the agent holding/);
    expect(await say('UDANA', rootTs, '!resolve because')).toEqual([expect.stringMatching(/^Not done: resolution must be one of solved, refund_issued/)]);
    await say('UDANA', rootTs, '!resolve refund_issued');
    expect(await queue.get(ticketId)).toMatchObject({ status: 'resolved', resolution: 'refund_issued' });

    const shopper = await shopperSees(conversationId);
    expect(shopper).not.toMatch(/Repeat customer|please check the refund|!note|!tag|Tags:|slack:|UALICE|UDANA/);
    expect((await queue.notes(ticketId)).map((n) => n.text)).toEqual([expect.stringMatching(/^Repeat customer/), 'Transferred to slack:T1:UDANA: please check the refund']);
  });
});

describe('desk tools in the Teams thread', () => {
  let connector: FakeBotConnector;
  let teams: FastifyInstance;
  let handle: TeamsChannelHandle;
  let base: string;

  beforeEach(async () => {
    connector = new FakeBotConnector();
    await connector.start();
    teams = Fastify();
    await open(teamsDeskOverrides(connector), teamsDesk(teams, (h) => (handle = h)));
    await teams.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(teams.server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    await teams.close();
    await closeAll();
    await connector.stop();
  });

  async function say(threadRef: string, who: string, text: string): Promise<string[]> {
    const before = connector.calls.length;
    await postTeamsThread(base, connector, threadRef, who, { text: `<at>Shopbot</at> ${text}` });
    await handle.outbound.drain();
    return connector.calls.slice(before).filter((c) => c.method === 'POST').map((c) => String(c.body.text ?? ''));
  }

  it('notes, transfers to a team with a note, and resolves from the thread', async () => {
    const conversationId = 'conv-teams-tools';
    await escalate(conversationId);
    const threadRef = (await handle.supportDesk!.directory.byConversation(conversationId))!;
    const ticketId = (await queue.openFor(conversationId))!.id;

    await say(threadRef, 'alice', 'Hi, Alice from support here.');
    expect(await queue.get(ticketId)).toMatchObject({ status: 'assigned', agentId: 'teams:aad-alice' });
    expect((await say(threadRef, 'alice', '!note Shopper is upset about the delay'))[0]).toMatch(/^\*\*Internal note\*\* \(teams:aad-alice\): Shopper is upset about the delay/);
    expect((await say(threadRef, 'bob', '!transfer returns'))[0]).toMatch(/^bob: only the agent holding this conversation, or an admin/);
    expect(await queue.get(ticketId)).toMatchObject({ team: (await queue.get(ticketId))!.team, agentId: 'teams:aad-alice' });

    expect(await say(threadRef, 'alice', '!transfer billing needs a refund decision')).toContain('Transferred to the Billing queue.');
    expect(await queue.get(ticketId)).toMatchObject({ status: 'queued', team: 'billing' });
    expect(await shopperSees(conversationId)).toMatch(/I'm passing your conversation to our Billing team, who can help with this\. You are number 1 in their queue/);

    // Someone on Billing sends a canned reply (taking it) and resolves.
    expect((await say(threadRef, 'dana', '!canned greeting'))[0]).toMatch(/^Sent to the shopper: Hi, this is Dana Li from the Billing team/);
    await say(threadRef, 'dana', '!resolve information_given');
    expect(await queue.get(ticketId)).toMatchObject({ status: 'resolved', resolution: 'information_given', agentId: 'teams:aad-dana' });
    expect(await shopperSees(conversationId)).not.toMatch(/upset about the delay|refund decision|teams:|aad-/);
  });
});
