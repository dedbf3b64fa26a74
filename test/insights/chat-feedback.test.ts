/**
 * Shopper feedback from Slack buttons and Teams cards, with the real assistant behind each
 * channel: thumbs under a reply, the rating asked at the end of the conversation, both stored as
 * funnel events of the channel's conversation.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSlackRoutes, type SlackChannelHandle } from '../../channels/slack/index.js';
import { signSlackRequest } from '../../channels/slack/verify.js';
import { registerTeamsRoutes, type TeamsChannelHandle } from '../../channels/teams/index.js';
import type { FunnelEvent } from '../../src/funnel/index.js';
import { FakeClock, FakeLogger, seededRandom } from '../channels/shared/fakes.js';
import { FakeSlackApi } from '../channels/slack/fake-slack-api.js';
import { FakeBotConnector, FakeConnections, TENANT } from '../channels/teams/fake-bot-connector.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

const SECRET = 'feedback-secret';
const APP_ID = '99999999-2222-3333-4444-555555555555';
let t: TestApp;
let slackApi: FakeSlackApi;
let connector: FakeBotConnector;
const servers: FastifyInstance[] = [];
let slack: SlackChannelHandle;
let teams: TeamsChannelHandle;
let slackBase: string;
let teamsBase: string;
let clock: FakeClock;

async function listen(server: FastifyInstance): Promise<string> {
  servers.push(server);
  await server.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
}

beforeAll(async () => {
  slackApi = new FakeSlackApi();
  await slackApi.start();
  connector = new FakeBotConnector();
  await connector.start();
  t = await openTestApp({
    slack: { botToken: 'xoxb-test-token', signingSecret: SECRET, apiUrl: `${slackApi.url}/api/` },
    teams: { appId: APP_ID, appPassword: 'pw', tenantId: TENANT, authority: connector.authority, serviceUrlHosts: [new URL(connector.url).hostname] },
  });
  clock = new FakeClock(t.clock.now);
  const deps = { config: t.app.config, handleTurn: t.app.handleTurn, funnel: t.app.funnel, logger: new FakeLogger(), clock, random: seededRandom(1) };
  const slackServer = Fastify();
  slack = await registerSlackRoutes(slackServer, deps);
  slackBase = await listen(slackServer);
  const teamsServer = Fastify();
  teams = await registerTeamsRoutes(teamsServer, deps, { connections: new FakeConnections({ clientId: APP_ID }) });
  teamsBase = await listen(teamsServer);
});

afterAll(async () => {
  await slack?.close();
  await teams?.close();
  for (const s of servers) await s.close();
  await t?.close();
  await slackApi?.stop();
  await connector?.stop();
});

async function eventsOf(conversationId: string): Promise<FunnelEvent[]> {
  await t.app.funnel.flush();
  const out: FunnelEvent[] = [];
  for await (const e of t.app.funnel.query({ conversationId })) out.push(e);
  return out;
}

type Blocks = { type: string; block_id?: string; elements?: { action_id: string; value: string }[] }[];

describe('feedback in Slack', () => {
  const signed = (path: string, body: string, type: string) => {
    const ts = Math.floor(clock.now() / 1000);
    return fetch(`${slackBase}${path}`, { method: 'POST', headers: { 'content-type': type, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(SECRET, ts, body) }, body });
  };
  const dm = (id: string, text: string, ts: string) => signed('/slack/events', JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: id, event: { type: 'message', channel: 'D1', channel_type: 'im', user: 'U1', text, ts } }), 'application/json');
  const press = (actionId: string, value: string) =>
    signed('/slack/interactivity', new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', team: { id: 'T1' }, user: { id: 'U1' }, channel: { id: 'D1' }, message: { ts: '1762077601.000100' }, actions: [{ action_id: actionId, value }] }) }).toString(), 'application/x-www-form-urlencoded');

  it('stores a thumbs-down from the reply buttons and a rating from the closing reply', async () => {
    await dm('EvF1', 'band saw', '1762077600.000100');
    const reply = await slackApi.waitFor('chat.postMessage');
    const feedback = (reply.body.blocks as Blocks).find((b) => b.block_id === 'feedback')!;
    expect(feedback.elements!.map((e) => e.action_id)).toEqual(['shopbot_feedback_up', 'shopbot_feedback_down']);
    await press('shopbot_feedback_down', feedback.elements![1]!.value);
    await press('shopbot_feedback_down', '{not json');

    await dm('EvF2', 'thanks, bye!', '1762077602.000100');
    const closing = await slackApi.waitFor('chat.postMessage', () => true, 2);
    const rate = (closing.body.blocks as Blocks).find((b) => b.block_id === 'rate')!;
    expect(rate.elements!.map((e) => e.action_id)).toEqual(['shopbot_rate_1', 'shopbot_rate_2', 'shopbot_rate_3', 'shopbot_rate_4', 'shopbot_rate_5']);
    await press('shopbot_rate_4', '4');
    await slack.idle();

    const events = await eventsOf('slack:T1:D1');
    const votes = events.filter((e) => e.type === 'reply_feedback');
    expect(votes).toHaveLength(1);
    expect(votes[0]).toMatchObject({ channel: 'slack', vote: 'down', userId: 'slack:T1:U1' });
    expect((votes[0] as { reply: string }).reply).toMatch(/saw/i);
    expect(events.find((e) => e.type === 'conversation_rating')).toMatchObject({ rating: 4, channel: 'slack' });
  });
});

describe('feedback in Teams', () => {
  let seq = 0;
  async function send(extra: Record<string, unknown>) {
    const body = { type: 'message', id: `fb-${++seq}`, channelId: 'msteams', serviceUrl: connector.url, from: { id: '29:u', aadObjectId: 'aad-u' }, recipient: { id: `28:${APP_ID}` }, conversation: { id: 'a:chat-fb', conversationType: 'personal', tenantId: TENANT }, ...extra };
    const res = await fetch(`${teamsBase}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await connector.token(APP_ID)}` }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  }
  type Card = { content: { body: { type: string; id?: string }[]; actions?: { title: string; data?: Record<string, unknown> }[] } };
  const cardsIn = () => connector.calls.filter((c) => c.method === 'POST').flatMap((c) => (c.body.attachments as Card[] | undefined) ?? []);

  it('stores a thumbs-up from the card and the rating card with its comment', async () => {
    await send({ text: 'band saw' });
    await connector.waitFor((c) => c.method === 'POST', 2);
    const thumbs = cardsIn().find((c) => c.content.actions?.some((a) => a.title === '👍 Helpful'))!;
    await send({ value: thumbs.content.actions!.find((a) => a.title === '👍 Helpful')!.data });
    await send({ value: { shopbot: 'feedback', v: 'sideways', t: 'x' } }); // refused by the schema

    await send({ text: 'thanks, bye!' });
    await connector.waitFor((c) => c.method === 'POST' && JSON.stringify(c.body).includes('How was this conversation?'));
    const rating = cardsIn().find((c) => c.content.body.some((b) => b.id === 'rating'))!;
    // Teams merges the card's inputs into the submitted data.
    await send({ value: { ...rating.content.actions!.find((a) => a.title === 'Send rating')!.data, rating: '2', comment: 'too slow' } });

    const events = await eventsOf('teams:a:chat-fb');
    expect(events.filter((e) => e.type === 'reply_feedback')).toEqual([expect.objectContaining({ channel: 'teams', vote: 'up', userId: 'teams:aad-u' })]);
    expect(events.find((e) => e.type === 'conversation_rating')).toMatchObject({ rating: 2, comment: 'too slow' });
  });
});
