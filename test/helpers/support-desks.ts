/**
 * The Slack and Teams support desks as channels of a real app, on a test's own fastify, against the
 * local Slack API and Bot Connector fakes: their config, the channel plugin that registers the
 * routes with the handoff service's callbacks, and an activity posted into a Teams thread.
 */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { registerSlackRoutes, type SlackChannelHandle } from '../../channels/slack/index.js';
import { signSlackRequest } from '../../channels/slack/verify.js';
import { registerTeamsRoutes, type TeamsChannelHandle } from '../../channels/teams/index.js';
import type { ChannelPlugin } from '../../src/app.js';
import type { ConfigInput } from '../../src/config.js';
import { FakeClock, FakeLogger, seededRandom } from '../channels/shared/fakes.js';
import { FakeConnections, TENANT, type FakeBotConnector } from '../channels/teams/fake-bot-connector.js';

export const TEAMS_APP_ID = '11111111-2222-3333-4444-555555555555';
export const TEAMS_SUPPORT = '19:support@thread.tacv2';

export const slackDeskOverrides = (apiUrl: string, signingSecret: string): ConfigInput => ({ slack: { botToken: 'xoxb-test-token', signingSecret, supportChannel: 'CSUPPORT', apiUrl: `${apiUrl}/api/` } });

export const teamsDeskOverrides = (connector: FakeBotConnector): ConfigInput => ({
  teams: { appId: TEAMS_APP_ID, appPassword: 'secret-made-in-test', tenantId: TENANT, supportConversationId: TEAMS_SUPPORT, serviceUrl: connector.url, authority: connector.authority, serviceUrlHosts: [new URL(connector.url).hostname] },
});

/** The Slack channel opening with the app; its support desk takes the escalations. */
export function slackDesk(fastify: FastifyInstance, clock: FakeClock, opened: (h: SlackChannelHandle) => void): ChannelPlugin {
  return async (ctx) => {
    const handle = await registerSlackRoutes(fastify, { config: ctx.config, handleTurn: (m, o) => ctx.handleTurn(m, o), funnel: ctx.funnel, logger: new FakeLogger(), support: ctx.handoff.callbacks, clock, random: seededRandom(5) });
    opened(handle);
    return { desk: handle.supportDesk!, close: () => handle.close() };
  };
}

export function teamsDesk(fastify: FastifyInstance, opened: (h: TeamsChannelHandle) => void): ChannelPlugin {
  return async (ctx) => {
    const handle = await registerTeamsRoutes(
      fastify,
      { config: ctx.config, handleTurn: (m, o) => ctx.handleTurn(m, o), funnel: ctx.funnel, logger: new FakeLogger(), support: ctx.handoff.callbacks, clock: new FakeClock(Date.now()), random: seededRandom(3) },
      { connections: new FakeConnections({ clientId: TEAMS_APP_ID }) },
    );
    opened(handle);
    return { desk: handle.supportDesk!, close: () => handle.close() };
  };
}

let seq = 0;
/** An agent's activity in the escalation's thread, signed for the app; answered once the route has handled it. */
export async function postTeamsThread(base: string, connector: FakeBotConnector, threadRef: string, who: string, extra: Record<string, unknown>): Promise<void> {
  const activity = {
    type: 'message',
    id: `thread-${++seq}`,
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: `29:${who}`, aadObjectId: `aad-${who}`, name: who },
    recipient: { id: `28:${TEAMS_APP_ID}`, name: 'Shopbot' },
    conversation: { id: threadRef, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    ...extra,
  };
  const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await connector.token(TEAMS_APP_ID)}` }, body: JSON.stringify(activity) });
  expect(res.status).toBeLessThan(300);
}

/** A signed Slack request to the channel's routes, timestamped by `nowMs`. */
export function signedSlack(base: string, secret: string, nowMs: number, url: string, body: string, type: string): Promise<Response> {
  const ts = Math.floor(nowMs / 1000);
  return fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': type, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(secret, ts, body) }, body });
}

let slackSeq = 0;
/** A user's message in the escalation thread of the support channel, handled before it returns. */
export async function postSlackThread(base: string, secret: string, handle: SlackChannelHandle, user: string, rootTs: string, text: string): Promise<void> {
  const event = { type: 'message', channel: 'CSUPPORT', user, text, ts: `${1_800_000_000 + ++slackSeq}.000100`, thread_ts: rootTs };
  await signedSlack(base, secret, Date.now(), '/slack/events', JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: `EvThread${slackSeq}`, event }), 'application/json');
  await handle.idle();
}
