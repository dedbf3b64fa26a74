import Fastify, { type FastifyInstance } from 'fastify';
import { generateKeyPair } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SPONSORED_WHY } from '../../../channels/shared/index.js';
import { productCard, registerTeamsRoutes, type TeamsChannelHandle } from '../../../channels/teams/index.js';
import { loadConfig } from '../../../src/config.js';
import { SqliteFunnelStore } from '../../../src/funnel/sqlite.js';
import { SqliteHandoffQueue } from '../../../src/handoff/index.js';
import { openSqlite, type SqliteDb } from '../../../src/storage/sqlite.js';
import { FakeAssistant, FakeClock, FakeLogger, FakeSupportCallbacks, seededRandom } from '../shared/fakes.js';
import { FakeBotConnector, FakeConnections, TENANT } from './fake-bot-connector.js';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const SUPPORT = '19:support@thread.tacv2';

let connector: FakeBotConnector;
let server: FastifyInstance;
let handle: TeamsChannelHandle;
let base: string;
let assistant: FakeAssistant;
let support: FakeSupportCallbacks;
let clock: FakeClock;
let logger: FakeLogger;
let db: SqliteDb;
let funnel: SqliteFunnelStore;
let config: ReturnType<typeof loadConfig>;

beforeEach(async () => {
  connector = new FakeBotConnector();
  await connector.start();
  config = loadConfig({
    env: {
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: 'secret-made-in-test',
      MICROSOFT_APP_TENANT_ID: TENANT,
      SHOPBOT_TEAMS_SUPPORT_CONVERSATION: SUPPORT,
      SHOPBOT_TEAMS_SERVICE_URL: connector.url,
      // The local fake Bot Connector is plain http on loopback, allowed only because it is listed.
      SHOPBOT_TEAMS_SERVICE_URL_HOSTS: new URL(connector.url).hostname,
      SHOPBOT_TEAMS_MERCHANTS: 'aad-merchant',
      SHOPBOT_TEAMS_AUTHORITY: connector.authority,
    },
  });
  assistant = new FakeAssistant();
  support = new FakeSupportCallbacks();
  clock = new FakeClock(Date.UTC(2026, 10, 28, 12));
  logger = new FakeLogger();
  db = openSqlite(':memory:');
  funnel = new SqliteFunnelStore(db);
  server = Fastify();
  handle = await registerTeamsRoutes(
    server,
    { config, handleTurn: assistant.handleTurn, funnel, logger, support, clock, random: seededRandom(3) },
    { connections: new FakeConnections({ clientId: APP_ID }) },
  );
  await server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
});

afterEach(async () => {
  await handle.close();
  await server.close();
  await connector.stop();
  await funnel.close();
  db.close();
});

let seq = 0;
function activity(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    id: `in-${++seq}`,
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:user-1', aadObjectId: 'aad-user-1', name: 'Ann' },
    recipient: { id: `28:${APP_ID}`, name: 'Shopbot' },
    conversation: { id: 'a:personal-chat-1', conversationType: 'personal', tenantId: TENANT },
    text: 'show me boots',
    locale: 'en-US',
    ...extra,
  };
}

async function post(body: unknown, token?: string): Promise<Response> {
  return fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

const cardsOf = (call: { body: Record<string, unknown> }) => (call.body.attachments as { contentType: string; content: { body: { type: string; text?: string; url?: string }[]; actions?: { type: string; title: string; data?: Record<string, unknown> }[] } }[]) ?? [];

describe('Teams product cards', () => {
  it("label a sponsored card and say why in the reply's language", () => {
    const card = { id: 'B9', title: '登山靴', currency: 'CNY', inStock: true, position: 0, sponsored: true, slateId: 's' } as const;
    const body = (a: ReturnType<typeof productCard>) => (a.content as { body: { text?: string; isSubtle?: boolean }[] }).body;
    const zh = body(productCard(card, 'zh'));
    expect(zh[0]).toMatchObject({ text: '广告', isSubtle: true });
    expect(zh.map((b) => b.text)).toContain(SPONSORED_WHY.zh);
    expect(body(productCard(card)).map((b) => b.text)).toEqual(expect.arrayContaining(['Sponsored', SPONSORED_WHY.en]));
    expect(body(productCard({ ...card, sponsored: false }, 'zh')).map((b) => b.text)).not.toContain('广告');
  });
});

describe('Teams request authentication', () => {
  it('refuses unsigned and wrongly signed activities', async () => {
    expect((await post(activity())).status).toBe(401);
    const otherKey = (await generateKeyPair('RS256')).privateKey;
    expect((await post(activity(), await connector.token(APP_ID, { key: otherKey }))).status).toBe(401);
    expect((await post(activity(), await connector.token(APP_ID, { aud: 'some-other-bot' }))).status).toBe(401);
    expect((await post(activity(), await connector.token(APP_ID, { expSec: Math.floor(Date.now() / 1000) - 3600 }))).status).toBe(401);
    // right key, but an issuer outside the allow-list (another tenant)
    expect((await post(activity(), await connector.token(APP_ID, { iss: `${connector.url}/another-tenant/v2.0` }))).status).toBe(401);
    expect((await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Basic abc' }, body: '{}' })).status).toBe(401);
    expect(assistant.turns).toHaveLength(0);
    expect(connector.calls).toHaveLength(0);
  });

  it('accepts a correctly signed activity and replies over the Bot Connector', async () => {
    const res = await post(activity(), await connector.token(APP_ID));
    expect(res.status).toBe(200);
    expect(assistant.turns[0]).toMatchObject({ channel: 'teams', conversationId: 'teams:a:personal-chat-1', userId: 'teams:aad-user-1', text: 'show me boots', locale: 'en-US' });
    const reply = await connector.waitFor((c) => c.method === 'POST');
    expect(reply.authorization).toBe('Bearer test-outbound-token');
    expect(reply.path).toBe(`/v3/conversations/a:personal-chat-1/activities/in-${seq}`);
    expect(reply.body.attachmentLayout).toBe('carousel');
    const cards = cardsOf(reply);
    expect(cards).toHaveLength(2);
    expect(cards[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const texts = cards[0]!.content.body.map((b) => b.text).filter(Boolean);
    expect(texts).toContain('Sponsored');
    // The sponsored card says why it is an ad, as the widget does; the organic one carries neither.
    expect(texts).toContain(SPONSORED_WHY.en);
    const organic = cards[1]!.content.body.map((b) => b.text).filter(Boolean);
    expect(organic).not.toContain('Sponsored');
    expect(organic).not.toContain(SPONSORED_WHY.en);
    expect(texts).toContain('Boots <b\\>&</b\\> \\*bold\\* \\[x\\]\\(http://evil\\)');
    expect(cards[0]!.content.actions!.map((a) => a.title)).toEqual(['Add to cart', 'Details', 'Open in shop']);
    expect(cards[0]!.content.actions![0]!.data).toEqual({ shopbot: 'add_to_cart', p: 'B001', s: 'slate-1', i: 0 });
    expect(cards[1]!.content.actions!.map((a) => a.title)).toEqual(['Details']);
    expect((reply.body.suggestedActions as { actions: { value: string }[] }).actions[0]!.value).toBe('show me cheaper boots');
    // coupon as its own card
    const coupon = await connector.waitFor((c) => c.method === 'POST', 2);
    expect(JSON.stringify(coupon.body.attachments)).toContain('SAVE10-ABC');
  });
});

describe('Teams conversations', () => {
  it('answers channel mentions in their thread, and card buttons become actions', async () => {
    await post(activity({ conversation: { id: '19:general@thread.tacv2;messageid=111', conversationType: 'channel', isGroup: true }, text: '<at>Shopbot</at> show me&nbsp;boots' }), await connector.token(APP_ID));
    expect(assistant.turns[0]).toMatchObject({ conversationId: 'teams:19:general@thread.tacv2;messageid=111', text: 'show me boots' });
    const reply = await connector.waitFor((c) => c.method === 'POST');
    expect(reply.path).toContain('/v3/conversations/19:general@thread.tacv2;messageid=111/activities/');

    await post(activity({ text: undefined, value: { shopbot: 'add_to_cart', p: 'B001', s: 'slate-1', i: 0 } }), await connector.token(APP_ID));
    expect(assistant.turns[1]).toMatchObject({ action: { type: 'add_to_cart', productId: 'B001', slateId: 'slate-1', position: 0, quantity: 1 } });
    await post(activity({ text: undefined, value: { shopbot: 'evil', x: 1 } }), await connector.token(APP_ID));
    expect(assistant.turns).toHaveLength(2);
  });

  it('welcomes new members and new installations', async () => {
    await post(activity({ type: 'conversationUpdate', text: undefined, membersAdded: [{ id: '29:user-1' }] }), await connector.token(APP_ID));
    await post(activity({ type: 'installationUpdate', action: 'add', text: undefined }), await connector.token(APP_ID));
    const second = await connector.waitFor((c) => c.method === 'POST', 2);
    expect(second.body.text).toContain('I can help you find products');
    expect(assistant.turns).toHaveLength(0);
  });

  it('delivers proactively to a conversation it has seen, with 429 Retry-After honoured', async () => {
    await post(activity({ text: 'hi' }), await connector.token(APP_ID));
    await connector.waitFor((c) => c.method === 'POST', 2);
    connector.failures = [{ status: 429, retryAfterSec: 2 }];
    clock.sleeps.length = 0;
    await handle.deliver('teams:a:personal-chat-1', { conversationId: 'x', lang: 'en', text: 'An agent says hello', products: [], quickReplies: [] });
    const ok = await connector.waitFor((c) => c.method === 'POST' && c.body.text === 'An agent says hello');
    expect(ok.path).toBe('/v3/conversations/a:personal-chat-1/activities');
    expect(connector.calls.map((c) => c.method).slice(-2)).toEqual(['POST#429', 'POST']);
    expect(clock.sleeps.some((ms) => ms >= 2000 && ms < 3000)).toBe(true);
    await expect(handle.deliver('teams:never-seen', { conversationId: 'x', lang: 'en', text: 'x', products: [], quickReplies: [] })).rejects.toMatchObject({ code: 'UNKNOWN_CONVERSATION' });
  });

  it('delivers from another server (or after a restart) through the shared reference directory, never to a stored serviceUrl outside the allowed hosts', async () => {
    const references = new SqliteHandoffQueue(db).threads('teams-references');
    const open = async (fastify: FastifyInstance) =>
      registerTeamsRoutes(fastify, { config, handleTurn: assistant.handleTurn, funnel, logger, support, clock, random: seededRandom(4) }, { connections: new FakeConnections({ clientId: APP_ID }), references });
    const serverA = Fastify();
    const a = await open(serverA);
    await serverA.listen({ port: 0, host: '127.0.0.1' });
    const serverB = Fastify();
    const b = await open(serverB);
    try {
      const urlA = `http://127.0.0.1:${(serverA.server.address() as { port: number }).port}`;
      await fetch(`${urlA}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await connector.token(APP_ID)}` }, body: JSON.stringify(activity({ text: 'hi' })) });
      await connector.waitFor((c) => c.method === 'POST', 2);
      // B never saw the shopper: the reference comes from the directory A wrote.
      await b.deliver('teams:a:personal-chat-1', { conversationId: 'x', lang: 'en', text: 'Sent from server B', products: [], quickReplies: [] });
      expect((await connector.waitFor((c) => c.method === 'POST' && c.body.text === 'Sent from server B')).path).toBe('/v3/conversations/a:personal-chat-1/activities');
      // A row rewritten to point elsewhere (a tampered database) is refused before the bot's token is sent.
      const stored = JSON.parse((await references.byConversation('teams:a:personal-chat-1'))!) as Record<string, unknown>;
      await references.set('teams:a:forged', JSON.stringify({ ...stored, serviceUrl: 'https://attacker.example/' }));
      await expect(b.deliver('teams:a:forged', { conversationId: 'x', lang: 'en', text: 'x', products: [], quickReplies: [] })).rejects.toMatchObject({ code: 'SERVICE_URL_REFUSED' });
      expect(connector.calls.some((c) => c.body.text === 'x')).toBe(false);
    } finally {
      await a.close();
      await b.close();
      await serverA.close();
      await serverB.close();
    }
  });

  it('fails loudly, not silently, after bounded retries', async () => {
    await post(activity({ text: 'hi' }), await connector.token(APP_ID));
    await connector.waitFor((c) => c.method === 'POST', 2);
    connector.failures = Array.from({ length: 5 }, () => ({ status: 503 }));
    await expect(handle.deliver('teams:a:personal-chat-1', { conversationId: 'x', lang: 'en', text: 'lost?', products: [], quickReplies: [] })).rejects.toMatchObject({ code: 'CHANNEL_SEND_FAILED' });
    expect(handle.outbound.stats.failed).toBe(1);
    expect(handle.outbound.stats.retried).toBe(4);
    expect(logger.lines.some((l) => l.level === 'error' && l.msg === 'outbound message failed')).toBe(true);
  });
});

describe('Teams merchant commands', () => {
  it('sends the funnel report as an Adaptive Card with a data-URI chart to merchants only', async () => {
    await funnel.append([{ id: 'p1', ts: clock.now() - 1000, channel: 'web', type: 'purchase', orderId: 'o1', revenueCents: 1250 }]);
    await post(activity({ text: 'report month', from: { id: '29:m', aadObjectId: 'aad-merchant' } }), await connector.token(APP_ID));
    const reply = await connector.waitFor((c) => c.method === 'POST');
    const card = cardsOf(reply)[0]!.content;
    expect(card.body[0]!.text).toBe('Funnel report, last 30 days');
    expect(card.body[1]!.url).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(JSON.stringify(card)).toContain('$12.50');
    expect(assistant.turns).toHaveLength(0);
    await post(activity({ text: 'report month' }), await connector.token(APP_ID));
    expect(assistant.turns.map((t) => t.text)).toEqual(['report month']);
  });
});

describe('Teams support channel', () => {
  it('posts escalations as threads, relays both ways and hands back', async () => {
    const desk = handle.supportDesk!;
    const { threadRef } = await desk.postEscalation({ conversationId: 'web-conv-9', summary: 'Wants a refund *now*', priority: 'urgent', team: 'billing', shopper: { name: 'Bo', channel: 'web' } });
    const root = await connector.waitFor((c) => c.method === 'POST');
    expect(root.path).toBe(`/v3/conversations/${SUPPORT}/activities`);
    expect(JSON.stringify(root.body.attachments)).toContain('Wants a refund \\\\*now\\\\*');
    expect(threadRef).toBe(`${SUPPORT};messageid=act-1`);

    await desk.postShopperMessage('web-conv-9', 'Hello?');
    const mirrored = await connector.waitFor((c) => c.method === 'POST', 2);
    expect(mirrored.path).toBe(`/v3/conversations/${threadRef}/activities`);
    expect(mirrored.body.text).toBe('**Shopper:** Hello?');

    const agent = { id: '29:agent', aadObjectId: 'aad-agent', name: 'Agent Smith' };
    await post(activity({ conversation: { id: threadRef, conversationType: 'channel', isGroup: true }, from: agent, text: '<at>Shopbot</at> Your refund is on its way.' }), await connector.token(APP_ID));
    expect(support.replies).toEqual([{ conversationId: 'web-conv-9', agentId: 'teams:aad-agent', text: 'Your refund is on its way.' }]);
    expect(assistant.turns).toHaveLength(0);

    await post(activity({ conversation: { id: threadRef, conversationType: 'channel', isGroup: true }, from: agent, text: undefined, value: { shopbot: 'hand_back', c: 'web-conv-9' } }), await connector.token(APP_ID));
    expect(support.handBacks).toEqual([{ conversationId: 'web-conv-9', agentId: 'teams:aad-agent' }]);
    const note = await connector.waitFor((c) => c.method === 'POST', 3);
    expect(note.body.text).toBe('Handed back to the bot by Agent Smith.');
    await expect(desk.postShopperMessage('web-conv-9', 'again')).rejects.toMatchObject({ code: 'UNKNOWN_CONVERSATION' });
  });
});
