/** The real assistant behind the Teams channel: a signed activity, a card button, the funnel rows. */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTeamsRoutes, type TeamsChannelHandle } from '../../../channels/teams/index.js';
import type { FunnelEvent } from '../../../src/funnel/events.js';
import { openTestApp, type TestApp } from '../../helpers/app.js';
import { FakeClock, FakeLogger, seededRandom } from '../shared/fakes.js';
import { FakeBotConnector, FakeConnections, TENANT } from './fake-bot-connector.js';

const APP_ID = '99999999-2222-3333-4444-555555555555';
let t: TestApp;
let connector: FakeBotConnector;
let server: FastifyInstance;
let handle: TeamsChannelHandle;
let base: string;

beforeAll(async () => {
  connector = new FakeBotConnector();
  await connector.start();
  t = await openTestApp({ teams: { appId: APP_ID, appPassword: 'pw', tenantId: TENANT, authority: connector.authority, serviceUrlHosts: [new URL(connector.url).hostname] } });
  server = Fastify();
  handle = await registerTeamsRoutes(
    server,
    { config: t.app.config, handleTurn: (m, o) => t.app.handleTurn(m, o), funnel: t.app.funnel, logger: new FakeLogger(), clock: new FakeClock(t.clock.now), random: seededRandom(1) },
    { connections: new FakeConnections({ clientId: APP_ID }) },
  );
  await server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await handle?.close();
  await server?.close();
  await t?.close();
  await connector?.stop();
});

let seq = 0;
async function send(extra: Record<string, unknown>) {
  const body = {
    type: 'message',
    id: `in-${++seq}`,
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:u', aadObjectId: 'aad-u' },
    recipient: { id: `28:${APP_ID}` },
    conversation: { id: 'a:chat-1', conversationType: 'personal', tenantId: TENANT },
    ...extra,
  };
  const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await connector.token(APP_ID)}` }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

describe('Teams with the real assistant', () => {
  it('searches, adds to cart from the card, and logs the funnel on the teams channel', async () => {
    await send({ text: 'band saw' });
    const reply = await connector.waitFor((c) => c.method === 'POST');
    const cards = reply.body.attachments as { content: { actions: { title: string; data?: Record<string, unknown> }[] } }[];
    expect(JSON.stringify(cards)).toMatch(/Band Saw/i);
    const data = cards[0]!.content.actions.find((a) => a.title === 'Add to cart')!.data!;
    await send({ value: data });
    const after = connector.calls.filter((c) => c.method === 'POST').map((c) => JSON.stringify(c.body));
    expect(after.some((b) => b.includes('Your cart'))).toBe(true);
    await t.app.funnel.flush();
    const events: FunnelEvent[] = [];
    for await (const e of t.app.funnel.query({ conversationId: 'teams:a:chat-1' })) events.push(e);
    expect(events.map((e) => e.type)).toContain('impression');
    expect(events.find((e) => e.type === 'add_to_cart')).toMatchObject({ channel: 'teams', productId: data.p });
  });
});
