/**
 * Security: a correctly signed Teams activity names the serviceUrl that the bot's reply (carrying
 * its Bot Connector token) is POSTed to, and the conversation reference stored from it is used
 * later for agents' replies. An activity pointing at another host must be refused before anything
 * is sent or stored. The "attacker" is a second local HTTP server that records every request.
 */
import type { IncomingMessage } from 'node:http';
import type { ConversationReference } from '@microsoft/agents-activity';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerTeamsRoutes, type TeamsChannelHandle } from '../../channels/teams/index.js';
import { continueAndThrow } from '../../channels/teams/routes.js';
import { loadConfig } from '../../src/config.js';
import { SqliteFunnelStore } from '../../src/funnel/sqlite.js';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';
import { startJsonServer, type JsonServer } from '../helpers/json-server.js';
import { FakeAssistant, FakeClock, FakeLogger, seededRandom } from '../channels/shared/fakes.js';
import { FakeBotConnector, FakeConnections, TENANT } from '../channels/teams/fake-bot-connector.js';

const APP_ID = '22222222-3333-4444-5555-666666666666';

let connector: FakeBotConnector;
let attacker: JsonServer;
let attackerSaw: { method?: string; url?: string; authorization?: string }[];
let server: FastifyInstance | undefined;
let handle: TeamsChannelHandle | undefined;
let base: string;
let assistant: FakeAssistant;
let db: SqliteDb;
let funnel: SqliteFunnelStore;

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    MICROSOFT_APP_ID: APP_ID,
    MICROSOFT_APP_PASSWORD: 'secret-made-in-test',
    MICROSOFT_APP_TENANT_ID: TENANT,
    SHOPBOT_TEAMS_AUTHORITY: connector.authority,
    SHOPBOT_TEAMS_SUPPORT_CONVERSATION: '19:support@thread.tacv2',
    SHOPBOT_TEAMS_SERVICE_URL: connector.url,
    // Only the real (fake) Bot Connector's loopback host is listed; "localhost" is not.
    SHOPBOT_TEAMS_SERVICE_URL_HOSTS: new URL(connector.url).hostname,
    ...extra,
  };
}

async function mount(extra: Record<string, string> = {}): Promise<TeamsChannelHandle> {
  server = Fastify();
  return registerTeamsRoutes(
    server,
    { config: loadConfig({ env: env(extra) }), handleTurn: assistant.handleTurn, funnel, logger: new FakeLogger(), clock: new FakeClock(Date.UTC(2026, 10, 28, 12)), random: seededRandom(5) },
    { connections: new FakeConnections({ clientId: APP_ID }) },
  );
}

beforeEach(async () => {
  connector = new FakeBotConnector();
  await connector.start();
  attackerSaw = [];
  attacker = await startJsonServer(async (req: IncomingMessage) => {
    attackerSaw.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
    return { status: 200, body: { id: 'stolen-1' } };
  });
  assistant = new FakeAssistant();
  db = openSqlite(':memory:');
  funnel = new SqliteFunnelStore(db);
});

afterEach(async () => {
  await handle?.close();
  await server?.close();
  handle = server = undefined;
  await attacker.stop();
  await connector.stop();
  await funnel.close();
  db.close();
});

async function listen(): Promise<void> {
  handle = await mount();
  await server!.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server!.server.address() as { port: number }).port}`;
}

let seq = 0;
function activity(serviceUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    id: `in-${++seq}`,
    channelId: 'msteams',
    serviceUrl,
    from: { id: '29:user-1', aadObjectId: 'aad-user-1', name: 'Ann' },
    recipient: { id: `28:${APP_ID}`, name: 'Shopbot' },
    conversation: { id: 'a:personal-chat-1', conversationType: 'personal', tenantId: TENANT },
    text: 'show me boots',
    ...extra,
  };
}

const post = (body: unknown, token: string) =>
  fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

const noMessage = { conversationId: 'x', lang: 'en' as const, text: 'An agent says hi', products: [], quickReplies: [] };

async function expectRefusedAndNothingStored(res: Response): Promise<void> {
  expect(res.status).toBe(403);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SERVICE_URL_REFUSED');
  expect(attackerSaw).toEqual([]);
  expect(connector.calls).toEqual([]);
  expect(assistant.turns).toEqual([]);
  // No conversation reference was stored, so no agent reply can go there later either.
  await expect(handle!.deliver('teams:a:personal-chat-1', noMessage)).rejects.toMatchObject({ code: 'UNKNOWN_CONVERSATION' });
  expect(attackerSaw).toEqual([]);
}

describe('Teams serviceUrl validation', () => {
  it.each([
    ['a message', {}],
    ['an installation (which stores a reference and sends a welcome)', { type: 'installationUpdate', action: 'add', text: undefined }],
  ])("refuses %s whose serviceUrl is another server than the token's serviceurl claim", async (_name, extra) => {
    await listen();
    // Same loopback host as the allowed Bot Connector, another port: only the claim tells them apart.
    await expectRefusedAndNothingStored(await post(activity(attacker.url, extra), await connector.token(APP_ID)));
  });

  it('refuses a serviceUrl outside the allowlist, whether the token has no serviceurl claim or names that same host', async () => {
    await listen();
    const elsewhere = attacker.url.replace('127.0.0.1', 'localhost');
    await expectRefusedAndNothingStored(await post(activity(elsewhere), await connector.token(APP_ID, { serviceurl: null })));
    await expectRefusedAndNothingStored(await post(activity(elsewhere), await connector.token(APP_ID, { serviceurl: elsewhere })));
  });

  it('still answers an activity whose serviceUrl is the allowed one its token names, and delivers there later', async () => {
    await listen();
    expect((await post(activity(connector.url), await connector.token(APP_ID))).status).toBe(200);
    const reply = await connector.waitFor((c) => c.method === 'POST');
    expect(reply.authorization).toBe('Bearer test-outbound-token');
    await handle!.deliver('teams:a:personal-chat-1', noMessage);
    expect(connector.calls.some((c) => c.body.text === 'An agent says hi')).toBe(true);
    expect(attackerSaw).toEqual([]);
  });

  it('makes no connector client (so sends no token) for a reference whose serviceUrl is not allowed', async () => {
    await listen();
    const poisoned = { channelId: 'msteams', serviceUrl: attacker.url.replace('127.0.0.1', 'localhost'), conversation: { id: 'a:x' }, agent: { id: APP_ID } } as ConversationReference;
    await expect(continueAndThrow(handle!.adapter, APP_ID, poisoned, async (context) => void (await context.sendActivity('hi')))).rejects.toMatchObject({ code: 'SERVICE_URL_REFUSED' });
    expect(attackerSaw).toEqual([]);
  });

  it.each([
    ['a host outside the allowlist', 'https://evil-shopbot.trafficmanager.net/amer/'],
    ['plain http to a Bot Connector host', 'http://smba.trafficmanager.net/amer/'],
  ])('refuses to start with a support desk teams.serviceUrl on %s', async (_name, url) => {
    await expect(mount({ SHOPBOT_TEAMS_SERVICE_URL: url })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
