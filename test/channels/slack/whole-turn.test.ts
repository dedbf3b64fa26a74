/** The real assistant behind the Slack channel: a signed DM, a button click, the funnel rows, the report. */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSlackRoutes, type SlackChannelHandle } from '../../../channels/slack/index.js';
import { signSlackRequest } from '../../../channels/slack/verify.js';
import type { FunnelEvent } from '../../../src/funnel/events.js';
import { openTestApp, type TestApp } from '../../helpers/app.js';
import { FakeClock, FakeLogger, seededRandom } from '../shared/fakes.js';
import { FakeSlackApi } from './fake-slack-api.js';

const SECRET = 'whole-turn-secret';
let t: TestApp;
let api: FakeSlackApi;
let server: FastifyInstance;
let handle: SlackChannelHandle;
let clock: FakeClock;
let base: string;

beforeAll(async () => {
  api = new FakeSlackApi();
  await api.start();
  t = await openTestApp({ slack: { botToken: 'xoxb-test-token', signingSecret: SECRET, apiUrl: `${api.url}/api/`, merchantUserIds: 'UMERCHANT' } });
  clock = new FakeClock(t.clock.now);
  server = Fastify();
  handle = await registerSlackRoutes(server, { config: t.app.config, handleTurn: (m, o) => t.app.handleTurn(m, o), funnel: t.app.funnel, logger: new FakeLogger(), clock, random: seededRandom(1) });
  await server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await handle?.close();
  await server?.close();
  await t?.close();
  await api?.stop();
});

function signed(path: string, body: string, type: string) {
  const ts = Math.floor(clock.now() / 1000);
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': type, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(SECRET, ts, body) }, body });
}

describe('Slack with the real assistant', () => {
  it('searches from a DM, adds to cart from the button, logs the funnel and reports it', async () => {
    await signed('/slack/events', JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: 'Ev1', event: { type: 'message', channel: 'D1', channel_type: 'im', user: 'U1', text: 'band saw', ts: '1762077600.000100' } }), 'application/json');
    const reply = await api.waitFor('chat.postMessage');
    const blocks = reply.body.blocks as { type: string; elements?: { action_id: string; value: string }[]; text?: { text: string } }[];
    expect(JSON.stringify(blocks)).toMatch(/Band Saw/i);
    const addToCart = blocks.find((b) => b.type === 'actions' && b.elements?.some((e) => e.action_id === 'shopbot_add_to_cart'))!.elements!.find((e) => e.action_id === 'shopbot_add_to_cart')!;

    const payload = { type: 'block_actions', team: { id: 'T1' }, user: { id: 'U1' }, channel: { id: 'D1' }, message: { ts: '1762077601.000100' }, actions: [{ action_id: 'shopbot_add_to_cart', value: addToCart.value }] };
    await signed('/slack/interactivity', new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
    const cartReply = await api.waitFor('chat.postMessage', () => true, 2);
    expect(JSON.stringify(cartReply.body.blocks)).toContain('Your cart');

    await t.app.funnel.flush();
    const events: FunnelEvent[] = [];
    for await (const e of t.app.funnel.query({ conversationId: 'slack:T1:D1' })) events.push(e);
    const types = events.map((e) => e.type);
    expect(types).toContain('impression');
    expect(events.find((e) => e.type === 'add_to_cart')).toMatchObject({ channel: 'slack', productId: JSON.parse(addToCart.value).p });

    await signed('/slack/events', JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: 'Ev2', event: { type: 'message', channel: 'D2', channel_type: 'im', user: 'UMERCHANT', text: 'report week', ts: '1762077700.000100' } }), 'application/json');
    const report = await api.waitFor('chat.postMessage', () => true, 3);
    const stages = (report.body.blocks as { block_id?: string; text?: { text: string } }[]).find((b) => b.block_id === 'stages')!.text!.text;
    expect(stages).toMatch(/Added to cart: \*1\*/);
    expect(stages).not.toMatch(/Shown: \*0\*/);
  });
});
