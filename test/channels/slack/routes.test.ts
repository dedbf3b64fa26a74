import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerSlackRoutes, type SlackChannelHandle } from '../../../channels/slack/index.js';
import { renderOutbound } from '../../../channels/slack/blocks.js';
import { signSlackRequest } from '../../../channels/slack/verify.js';
import { SPONSORED_WHY } from '../../../channels/shared/index.js';
import { loadConfig } from '../../../src/config.js';
import { SqliteFunnelStore } from '../../../src/funnel/sqlite.js';
import { openSqlite, type SqliteDb } from '../../../src/storage/sqlite.js';
import { FakeAssistant, FakeClock, FakeLogger, FakeSupportCallbacks, seededRandom } from '../shared/fakes.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { ADD_TO_CART_CLICK } from './payloads.js';

const SECRET = 'test-signing-secret-made-in-this-test';
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

let api: FakeSlackApi;
let server: FastifyInstance;
let handle: SlackChannelHandle;
let base: string;
let assistant: FakeAssistant;
let support: FakeSupportCallbacks;
let clock: FakeClock;
let db: SqliteDb;
let funnel: SqliteFunnelStore;
let logger: FakeLogger;

async function start(extra: Record<string, string> = {}) {
  api = new FakeSlackApi();
  await api.start();
  const config = loadConfig({
    env: {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SECRET,
      SHOPBOT_SLACK_SUPPORT_CHANNEL: 'CSUPPORT',
      SHOPBOT_SLACK_MERCHANTS: 'UMERCHANT',
      SHOPBOT_PUBLIC_URL: 'https://shop.example/bot',
      ...extra,
    },
    overrides: { slack: { apiUrl: `${api.url}/api/` } },
  });
  assistant = new FakeAssistant();
  support = new FakeSupportCallbacks();
  clock = new FakeClock(NOW);
  logger = new FakeLogger();
  db = openSqlite(':memory:');
  funnel = new SqliteFunnelStore(db);
  server = Fastify();
  handle = await registerSlackRoutes(server, { config, handleTurn: assistant.handleTurn, funnel, logger, support, clock, random: seededRandom(7) });
  await server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
}

beforeEach(async () => start());
afterEach(async () => {
  await handle.close();
  await server.close();
  await api.stop();
  await funnel.close();
  db.close();
});

function signedPost(path: string, body: string, contentType: string, opts: { ts?: number; secret?: string; headers?: Record<string, string> } = {}) {
  const ts = opts.ts ?? Math.floor(NOW / 1000);
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signSlackRequest(opts.secret ?? SECRET, ts, body),
      ...opts.headers,
    },
    body,
  });
}
const postEvent = (payload: unknown, opts = {}) => signedPost('/slack/events', JSON.stringify(payload), 'application/json', opts);
const postAction = (payload: unknown) => signedPost('/slack/interactivity', new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');

let eventSeq = 0;
const mention = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'event_callback',
  team_id: 'T1',
  event_id: `Ev${eventSeq++}`,
  event: { type: 'app_mention', channel: 'C1', user: 'U1', text, ts: '1764331200.000100', ...extra },
});
const dm = (text: string, user = 'U1') => ({
  type: 'event_callback',
  team_id: 'T1',
  event_id: `Ev${eventSeq++}`,
  event: { type: 'message', channel: 'D1', channel_type: 'im', user, text, ts: '1764331300.000200' },
});

describe('Slack request signing', () => {
  it('answers the url_verification challenge when signed', async () => {
    const res = await postEvent({ type: 'url_verification', challenge: 'abc123' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'abc123' });
  });

  it('refuses unsigned, wrongly signed, tampered, stale and future requests', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'x' });
    const unsigned = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    expect((await postEvent({ type: 'url_verification', challenge: 'x' }, { secret: 'another-secret' })).status).toBe(401);
    const ts = Math.floor(NOW / 1000);
    const tampered = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(SECRET, ts, body) },
      body: body.replace('"x"', '"y"'),
    });
    expect(tampered.status).toBe(401);
    const stale = await postEvent({ type: 'url_verification', challenge: 'x' }, { ts: ts - 301 });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('SIGNATURE_REPLAYED');
    expect((await postEvent({ type: 'url_verification', challenge: 'x' }, { ts: ts + 301 })).status).toBe(401);
    expect((await postEvent({ type: 'url_verification', challenge: 'x' }, { ts: ts - 299 })).status).toBe(200);
    expect(assistant.turns).toHaveLength(0);
  });
});

describe('Slack messages', () => {
  it("labels a sponsored card and says why in the reply's language", () => {
    const card = { id: 'B9', title: '登山靴', currency: 'CNY', inStock: true, position: 0, sponsored: true, slateId: 's' } as const;
    const zh = renderOutbound({ conversationId: 'c', lang: 'zh', text: '为您找到：', products: [card, { ...card, id: 'B8', sponsored: false, position: 1 }], quickReplies: [] });
    const texts = zh.blocks.map((b) => JSON.stringify(b));
    expect(texts.find((t) => t.includes('"product_0"'))).toContain('`广告` *登山靴*');
    expect(texts.find((t) => t.includes('"product_sponsored_0"'))).toContain(`广告: ${SPONSORED_WHY.zh}`);
    expect(texts.some((t) => t.includes('product_sponsored_1'))).toBe(false);
    expect(texts.find((t) => t.includes('"product_1"'))).not.toContain('广告');
  });

  it('answers a channel mention in its thread, with escaped Block Kit products', async () => {
    expect((await postEvent(mention('<@UBOT> show me boots'))).status).toBe(200);
    const call = await api.waitFor('chat.postMessage');
    expect(call.authorization).toBe('Bearer xoxb-test-token');
    expect(call.body.channel).toBe('C1');
    expect(call.body.thread_ts).toBe('1764331200.000100');
    expect(assistant.turns[0]).toMatchObject({ channel: 'slack', conversationId: 'slack:T1:C1:1764331200.000100', userId: 'slack:T1:U1', text: 'show me boots' });
    const blocks = JSON.stringify(call.body.blocks);
    const productText = (call.body.blocks as { block_id?: string; text?: { text: string } }[]).find((b) => b.block_id === 'product_0')!.text!.text;
    expect(productText).toContain('Boots &lt;b&gt;&amp;&lt;/b&gt;');
    expect(productText).not.toContain('<b>');
    expect(blocks).toContain('`Sponsored`');
    // The sponsored card says why it is an ad, as the widget does; the organic one carries no note.
    const notes = (call.body.blocks as { block_id?: string }[]).filter((b) => b.block_id?.startsWith('product_sponsored_'));
    expect(notes).toEqual([{ type: 'context', block_id: 'product_sponsored_0', elements: [{ type: 'mrkdwn', text: `Sponsored: ${SPONSORED_WHY.en}` }] }]);
    const ids = (call.body.blocks as { block_id?: string }[]).map((b) => b.block_id);
    expect(ids.indexOf('product_sponsored_0')).toBe(ids.indexOf('product_0') + 1);
    expect(String(call.body.text)).toContain('• [Sponsored] Boots');
    expect(blocks).toContain('https://shop.example/b?x=1%7C2');
    expect(blocks).toContain('SAVE10-ABC');
    const actions = (call.body.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).filter((b) => b.type === 'actions');
    expect(actions[0]!.elements!.map((e) => e.action_id)).toEqual(['shopbot_add_to_cart', 'shopbot_click']);
    expect(JSON.parse(actions[0]!.elements![0]!.value)).toEqual({ p: 'B001', s: 'slate-1', i: 0 });
    // the out-of-stock product offers no add-to-cart button
    expect(actions[1]!.elements!.map((e) => e.action_id)).toEqual(['shopbot_click']);
  });

  it('answers direct messages without a thread, and processes a redelivered event once', async () => {
    const event = dm('hello there');
    expect((await postEvent(event)).status).toBe(200);
    // Slack signs each retry again with the time it sends it, so a retry is not a replay.
    const retry = await postEvent(event, { ts: Math.floor(NOW / 1000) + 60, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(retry.status).toBe(200);
    const call = await api.waitFor('chat.postMessage');
    await handle.idle();
    expect(call.body.channel).toBe('D1');
    expect(call.body.thread_ts).toBeUndefined();
    expect(assistant.turns.map((t) => t.conversationId)).toEqual(['slack:T1:D1']);
  });

  it('stays quiet when an agent owns the conversation', async () => {
    assistant.silent = true;
    await postEvent(dm('anyone?'));
    await handle.idle();
    expect(assistant.turns).toHaveLength(1);
    expect(api.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);
  });

  it('turns button clicks into add_to_cart and click actions', async () => {
    const res = await postAction(ADD_TO_CART_CLICK);
    expect(res.status).toBe(200);
    const call = await api.waitFor('chat.postMessage');
    expect(call.body.thread_ts).toBe('1764331200.000100');
    expect(assistant.turns[0]).toMatchObject({
      conversationId: 'slack:T1:C1:1764331200.000100',
      action: { type: 'add_to_cart', productId: 'B001', slateId: 'slate-1', position: 0, quantity: 1 },
    });
    await postAction({
      type: 'block_actions',
      team: { id: 'T1' },
      user: { id: 'U1' },
      channel: { id: 'D1' },
      message: { ts: '1764331201.000100' },
      actions: [{ action_id: 'shopbot_click', value: JSON.stringify({ p: 'B002', s: 'slate-1', i: 1 }) }],
    });
    await api.waitFor('chat.postMessage', () => true, 2);
    expect(assistant.turns[1]).toMatchObject({ conversationId: 'slack:T1:D1', action: { type: 'click', productId: 'B002', position: 1 } });
  });
});

describe('Slack merchant commands', () => {
  it('reports the funnel with a chart for merchants, and passes the same words through for shoppers', async () => {
    await funnel.append([
      { id: 'i1', ts: NOW - 1000, channel: 'web', type: 'impression', productId: 'B001', position: 0, policyId: 'p', slateId: 's' },
      { id: 'c1', ts: NOW - 900, channel: 'web', type: 'click', productId: 'B001' },
      { id: 'o1', ts: NOW - 800, channel: 'web', type: 'purchase', orderId: 'o1', revenueCents: 4999 },
    ]);
    await postEvent(dm('report week', 'UMERCHANT'));
    const call = await api.waitFor('chat.postMessage');
    const blocks = call.body.blocks as { type: string; image_url?: string; text?: { text: string } }[];
    expect(blocks[0]!.text!.text).toBe('Funnel report, last 7 days');
    expect(JSON.stringify(blocks)).toContain('Clicked: *1* (100.0% of previous)');
    expect(JSON.stringify(blocks)).toContain('$49.99');
    const image = blocks.find((b) => b.type === 'image')!;
    expect(image.image_url).toMatch(/^https:\/\/shop\.example\/bot\/charts\/[0-9a-f-]{36}\.png$/);
    const png = await fetch(`${base}${new URL(image.image_url!).pathname.replace('/bot', '')}`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect((await fetch(`${base}/charts/00000000-0000-0000-0000-000000000000.png`)).status).toBe(404);
    expect(assistant.turns).toHaveLength(0);

    await postEvent(dm('report week', 'USHOPPER'));
    await api.waitFor('chat.postMessage', () => true, 2);
    expect(assistant.turns.map((t) => t.text)).toEqual(['report week']);
  });

  it('answers /shopbot through the response_url', async () => {
    await funnel.append([{ id: 's1', ts: NOW - 1000, channel: 'web', type: 'search', query: 'Pink Wellies', results: 0 }]);
    const form = new URLSearchParams({ command: '/shopbot', text: 'no results', team_id: 'T1', channel_id: 'C9', user_id: 'UMERCHANT', response_url: `${api.url}/respond/1` });
    expect((await signedPost('/slack/commands', form.toString(), 'application/x-www-form-urlencoded')).status).toBe(200);
    const call = await api.waitFor('respond/1');
    expect(call.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(call.body.blocks)).toContain('pink wellies');
  });
});

describe('Slack support channel', () => {
  it('posts escalations, relays agent replies and shopper messages, and hands back', async () => {
    const desk = handle.supportDesk!;
    const { threadRef } = await desk.postEscalation({ conversationId: 'web-conv-1', summary: 'Refund for <order> #42 & more', team: 'billing', priority: 'high', shopper: { name: 'Ann', channel: 'web' } });
    const post = await api.waitFor('chat.postMessage');
    expect(post.body.channel).toBe('CSUPPORT');
    expect(JSON.stringify(post.body.blocks)).toContain('Refund for &lt;order&gt; #42 &amp; more');
    expect(JSON.stringify(post.body.blocks)).toContain('shopbot_hand_back');
    const rootTs = threadRef.split(':')[1]!;

    await desk.postShopperMessage('web-conv-1', 'Any news?');
    const mirrored = await api.waitFor('chat.postMessage', () => true, 2);
    expect(mirrored.body).toMatchObject({ channel: 'CSUPPORT', thread_ts: rootTs, text: '*Shopper:* Any news?' });
    // the second post to the same channel waited for Slack's one-per-second limit
    expect(clock.sleeps).toContain(1000);

    await postEvent({ type: 'event_callback', team_id: 'T1', event_id: 'EvAgent', event: { type: 'message', channel: 'CSUPPORT', user: 'UAGENT', text: 'Refund approved.', ts: '1764331400.000100', thread_ts: rootTs } });
    await handle.idle();
    expect(support.replies).toEqual([{ conversationId: 'web-conv-1', agentId: 'slack:T1:UAGENT', text: 'Refund approved.' }]);
    expect(assistant.turns).toHaveLength(0);

    await postAction({ type: 'block_actions', team: { id: 'T1' }, user: { id: 'UAGENT' }, channel: { id: 'CSUPPORT' }, message: { ts: rootTs }, actions: [{ action_id: 'shopbot_hand_back', value: 'web-conv-1' }] });
    const note = await api.waitFor('chat.postMessage', () => true, 3);
    expect(note.body.text).toContain('Handed back to the bot by <@UAGENT>');
    expect(support.handBacks).toEqual([{ conversationId: 'web-conv-1', agentId: 'slack:T1:UAGENT' }]);
    await expect(desk.postShopperMessage('web-conv-1', 'hello?')).rejects.toMatchObject({ code: 'UNKNOWN_CONVERSATION' });
  });
});

describe('Slack outbound rate limits', () => {
  it('honours 429 Retry-After, then delivers', async () => {
    api.failures = [{ status: 429, retryAfterSec: 3 }];
    await handle.deliver('slack:T1:C7:1764331200.000100', { conversationId: 'x', lang: 'en', text: 'An agent says hi', products: [], quickReplies: [] });
    const ok = await api.waitFor('chat.postMessage');
    expect(ok.body).toMatchObject({ channel: 'C7', thread_ts: '1764331200.000100' });
    expect(api.calls.map((c) => c.method)).toEqual(['chat.postMessage#429', 'chat.postMessage']);
    expect(clock.sleeps.some((ms) => ms >= 3000 && ms < 4000)).toBe(true);
    expect(handle.outbound.stats).toMatchObject({ sent: 1, retried: 1, failed: 0 });
  });

  it('resends without images when Slack cannot fetch one', async () => {
    api.refuseImages = true;
    await postEvent(dm('boots please'));
    const ok = await api.waitFor('chat.postMessage', (c) => !JSON.stringify(c.body.blocks).includes('image_url'));
    expect(JSON.stringify(ok.body.blocks)).toContain('shopbot_add_to_cart');
    expect(api.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(2);
    expect(logger.lines.some((l) => l.msg === 'slack refused the blocks; resent without images')).toBe(true);
  });

  it('gives up after bounded retries with a logged, counted failure', async () => {
    api.failures = Array.from({ length: 5 }, () => ({ status: 500 }));
    await expect(handle.deliver('slack:T1:C7', { conversationId: 'x', lang: 'en', text: 'hi', products: [], quickReplies: [] })).rejects.toMatchObject({ code: 'CHANNEL_SEND_FAILED' });
    expect(handle.outbound.stats).toMatchObject({ sent: 0, retried: 4, failed: 1 });
    expect(logger.lines.some((l) => l.level === 'error' && l.msg === 'outbound message failed')).toBe(true);
  });
});
