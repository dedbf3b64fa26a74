/**
 * After the human: an agent hands back, the bot resumes with the conversation's state (the cards it
 * had shown still answer "add the first one"), the shopper is asked to rate the human help, and the
 * rating is stored as a conversation_rating with subject 'agent' and the agent the server knows
 * helped (never one the client names); the bot's own rating is a separate event, and the merchant
 * metrics split the two. Over the real server's REST API on a conversation token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderOutbound as slackRender } from '../../channels/slack/blocks.js';
import { feedbackAction } from '../../channels/slack/inbound.js';
import { renderOutbound as teamsRender } from '../../channels/teams/cards.js';
import { submitToFeedback, SubmitValueSchema } from '../../channels/teams/inbound.js';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { FunnelEvent } from '../../src/funnel/index.js';
import { merchantMetrics } from '../../src/insights/metrics.js';
import type { OutboundMessage } from '../../src/messages.js';
import type { RunningServer } from '../../src/server/index.js';
import { FIXTURE_CATALOG, serveApp } from '../helpers/app.js';
import { consoleOverrides } from '../helpers/console.js';

let dir: string;
let server: RunningServer;
let app: App;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'shopbot-after-human-'));
  server = await serveApp(loadConfig({ env: {}, overrides: consoleOverrides(dir, { catalog: { demo: true, demoFile: FIXTURE_CATALOG }, agents: { users: 'alice:alice-password-1' } }) }));
  app = server.app;
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, body: unknown, token?: string) =>
  fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });

describe('after the human', () => {
  it('resumes the bot with the state, asks for a rating of the agent, and stores it apart from the bot rating', async () => {
    const c = (await (await post('/v1/conversations', {})).json()) as { conversationId: string; token: string };
    const say = async (text: string) => (await (await post(`/v1/conversations/${c.conversationId}/messages`, { text }, c.token)).json()) as OutboundMessage;
    const feedback = (body: unknown) => post(`/v1/conversations/${c.conversationId}/feedback`, body, c.token);

    const found = await say('band saw');
    expect(found.products.length).toBeGreaterThan(0);
    expect((await say('I want to talk to a human please')).handoff?.status).toBe('queued');
    // Nobody has helped yet: a rating of the agent is refused.
    expect((await feedback({ kind: 'conversation', rating: 5, subject: 'agent' })).status).toBe(400);

    const [ticket] = await app.handoff.queueFor(undefined);
    await app.handoff.take(ticket!.id, 'alice');
    await app.handoff.reply(c.conversationId, 'alice', 'Here is what I found for you.');
    await app.handoff.handBack(c.conversationId, 'alice');

    const history = await app.history(c.conversationId);
    expect(history.at(-1)!.text).toBe("You're back with the shop assistant. Anything else I can help with? How did our support team do? Please rate the help you got.");
    expect((await app.states.load(c.conversationId))!.lastAgent).toEqual({ agentId: 'alice', ticketId: ticket!.id, closedAt: expect.any(Number) });

    // The bot is back, and still knows the cards it showed before the handoff.
    const added = await say('add the first one');
    expect(added.silent).toBeFalsy();
    expect(added.cart?.lines.map((l) => l.productId)).toContain(found.products[0]!.id);

    // A client naming another agent changes nothing: the server says who helped.
    expect(await (await feedback({ kind: 'conversation', rating: 5, subject: 'agent', agentId: 'mallory', comment: 'Alice sorted it' })).json()).toEqual({ stored: true });
    expect(await (await feedback({ kind: 'conversation', rating: 1, subject: 'agent' })).json()).toEqual({ stored: false });
    expect(await (await feedback({ kind: 'conversation', rating: 3 })).json()).toEqual({ stored: true });

    await app.funnel.flush();
    const events: FunnelEvent[] = [];
    for await (const e of app.funnel.query({ conversationId: c.conversationId })) events.push(e);
    const ratings = events.filter((e): e is Extract<FunnelEvent, { type: 'conversation_rating' }> => e.type === 'conversation_rating');
    expect(ratings.map((r) => ({ subject: r.subject, agentId: r.agentId, ticketId: r.ticketId, rating: r.rating })).sort((a, b) => b.rating - a.rating)).toEqual([
      { subject: 'agent', agentId: 'alice', ticketId: ticket!.id, rating: 5 },
      { subject: 'bot', agentId: undefined, ticketId: undefined, rating: 3 },
    ]);

    const m = merchantMetrics(events, { label: 'test', fromTs: 0, toTs: 1e13 }, 'all');
    const value = (key: string) => m.metrics.find((x) => x.key === key)?.value;
    expect([value('feedback.mean_rating'), value('feedback.mean_rating_bot'), value('feedback.mean_rating_agent'), value('feedback.csat_agent'), value('feedback.csat_bot')]).toEqual([4, 3, 5, 1, 0]);
    expect(m.tables.find((t) => t.key === 'feedback.ratings_by_agent')!.rows).toEqual([['alice', 1, 5, 1]]);
  });

  it('asks Slack and Teams shoppers to rate the agent, and reads their answer as such', () => {
    const closed: OutboundMessage = { conversationId: 'slack:T1:D1', text: 'Back with the assistant.', lang: 'en', products: [], quickReplies: [], handoff: { status: 'resolved', reason: 'requested', rate: 'agent' } };
    const blocks = slackRender(closed).blocks;
    expect(JSON.stringify(blocks)).toContain('How was the help from our support team?');
    const star = (blocks.find((b) => b.block_id === 'rate') as unknown as { elements: { action_id: string; value: string }[] }).elements[3]!;
    expect(feedbackAction(star.action_id, star.value)).toEqual({ kind: 'conversation', rating: 4, subject: 'agent' });
    expect(feedbackAction('shopbot_rate_4', '4')).toEqual({ kind: 'conversation', rating: 4 });

    const card = JSON.stringify(teamsRender(closed));
    expect(card).toContain('How was the help from our support team?');
    const submit = SubmitValueSchema.parse({ shopbot: 'rate', s: 'agent', rating: '2' });
    expect(submitToFeedback(submit)).toEqual({ kind: 'conversation', rating: 2, subject: 'agent' });
  });
});
