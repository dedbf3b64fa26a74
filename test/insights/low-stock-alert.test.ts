/**
 * Low-stock alerts end to end: purchases in the funnel, the catalog's (demo) stock, the merchant's
 * request from the dashboard API, and the alert arriving in the fake Slack channel for alerts; the
 * scheduled check posting to the fake Teams alerts conversation by itself; a check repeats nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentConsoleChannel, chatChannels, merchantDashboardChannel, webChannel } from '../../channels/index.js';
import type { App } from '../../src/app.js';
import { createLowStockCheck, type DemandReport } from '../../src/insights/index.js';
import { FakeBotConnector, FakeConnections, TENANT } from '../channels/teams/fake-bot-connector.js';
import { loadConfig } from '../../src/config.js';
import type { RunningServer } from '../../src/server/index.js';
import { FakeSlackApi } from '../channels/slack/fake-slack-api.js';
import { FIXTURE_CATALOG, serveApp } from '../helpers/app.js';
import { consoleOverrides } from '../helpers/console.js';

const PASSWORD = 'merchant-password-1';
const DAY = 86_400_000;
let dir: string;
let server: RunningServer;
let app: App;
let slack: FakeSlackApi;

beforeAll(async () => {
  slack = new FakeSlackApi();
  await slack.start();
  dir = mkdtempSync(path.join(tmpdir(), 'shopbot-alert-'));
  const overrides = consoleOverrides(dir, {
    catalog: { demo: true, demoFile: FIXTURE_CATALOG },
    agents: { users: `mia:${PASSWORD}`, merchants: 'mia' },
    slack: { botToken: 'xoxb-test-token', signingSecret: 'alert-secret', apiUrl: `${slack.url}/api/`, alertsChannel: 'CALERTS' },
  });
  server = await serveApp(loadConfig({ env: {}, overrides }));
  app = server.app;
});
afterAll(async () => {
  await server?.close();
  await app?.close();
  await slack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `days` of sales of the lowest-stocked fixture product at stock/3 a day: about three days of cover left. */
async function sellOut(target: App, days = 21): Promise<{ id: string; stock: number }> {
  const ids = readFileSync(FIXTURE_CATALOG, 'utf8').split('\n').filter(Boolean).slice(0, 40).map((l) => (JSON.parse(l) as { asin?: string; product_id?: string }).product_id ?? (JSON.parse(l) as { asin: string }).asin);
  const products = await target.catalog.getMany(ids);
  const [product] = [...products.values()].filter((p) => (p.stock ?? 0) > 0).sort((a, b) => a.stock! - b.stock!);
  const perDay = Math.max(1, Math.round(product!.stock! / 3));
  const now = Date.now();
  const events = [];
  for (let d = days; d >= 1; d--) for (let u = 0; u < perDay; u++) events.push({ id: `o${d}-${u}`, ts: now - d * DAY, channel: 'web' as const, type: 'purchase' as const, orderId: `o${d}-${u}`, revenueCents: 1000, productIds: [product!.id] });
  await target.funnel.append(events);
  return { id: product!.id, stock: product!.stock! };
}

describe('low-stock alert', () => {
  it('posts the products about to run out to the merchant channel', async () => {
    const product = await sellOut(app);
    const token = ((await (await fetch(`${server.url}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'mia', password: PASSWORD }) })).json()) as { token: string }).token;
    const auth = { authorization: `Bearer ${token}` };
    const demand = (await (await fetch(`${server.url}/v1/admin/demand?period=month`, { headers: auth })).json()) as { tables: { key: string; rows: unknown[][] }[]; metrics: { key: string; value: number | null }[] };
    expect(demand.tables.find((t) => t.key === 'demand.low_stock')!.rows.map((r) => r[0])).toContain(product!.id);
    expect(demand.metrics.find((m) => m.key === 'demand.backtest_mae_croston')!.value).not.toBeNull();

    expect((await fetch(`${server.url}/v1/admin/demand/alert`, { method: 'POST' })).status).toBe(401);
    const sent = await fetch(`${server.url}/v1/admin/demand/alert?period=month`, { method: 'POST', headers: auth });
    expect(await sent.json()).toMatchObject({ sent: true });
    const call = await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'CALERTS');
    expect(call.authorization).toBe('Bearer xoxb-test-token');
    expect(String(call.body.text)).toMatch(new RegExp(`^Low stock: \\d+ products? under 7 days of cover\\n• .*\\(${product!.id}\\): ${product!.stock} left`));
  });
});

describe('the scheduled low-stock check on Teams', () => {
  const APP_ID = '99999999-2222-3333-4444-666666666666';
  const ALERTS = '19:merchant-alerts@thread.tacv2';
  let connector: FakeBotConnector;
  let teamsServer: RunningServer | undefined;
  let teamsDir: string;
  afterEach(async () => {
    await teamsServer?.close();
    await teamsServer?.app.close();
    await connector?.stop();
    rmSync(teamsDir, { recursive: true, force: true });
  });

  it("posts to the Teams alerts conversation on its own", { timeout: 15_000 }, async () => {
    connector = new FakeBotConnector();
    await connector.start();
    teamsDir = mkdtempSync(path.join(tmpdir(), 'shopbot-alert-teams-'));
    const overrides = consoleOverrides(teamsDir, {
      catalog: { demo: true, demoFile: FIXTURE_CATALOG },
      // A short interval: the test waits for the message, not for the clock.
      insights: { lowStockCheckMs: 50 },
      teams: { appId: APP_ID, appPassword: 'pw', tenantId: TENANT, authority: connector.authority, serviceUrl: connector.url, serviceUrlHosts: [new URL(connector.url).hostname], alertsConversationId: ALERTS },
    });
    const channels = [webChannel, (http: Parameters<typeof chatChannels>[0]) => chatChannels(http, { teams: { connections: new FakeConnections({ clientId: APP_ID }) } }), agentConsoleChannel, merchantDashboardChannel];
    teamsServer = await serveApp(loadConfig({ env: {}, overrides }), { channels });
    // The scheduled check reads the last quarter: sales over all of it.
    const sold = await sellOut(teamsServer.app, 84);
    const call = await connector.waitFor((c) => c.method === 'POST' && c.path.includes(ALERTS));
    expect(call.path).toBe(`/v3/conversations/${ALERTS}/activities`);
    // One paragraph per line (Teams markdown), the text escaped as Teams markdown.
    expect(String(call.body.text)).toMatch(/^Low stock: 1 product under 7 days of cover\n\n• /);
    expect(String(call.body.text)).toContain(`${sold.id}\\): ${sold.stock} left`);
  });
});

describe('a low-stock check', () => {
  const item = (productId: string) => ({ productId, title: productId, stock: 1, daysOfCover: 1, forecastPerDay: 1 });
  it('alerts on products newly low only, and again after one recovers and falls', async () => {
    let low = [item('a')];
    const sent: string[] = [];
    const check = createLowStockCheck({ report: async () => ({ lowStock: low, lowStockDays: 7 }) as unknown as DemandReport, send: async (text) => (sent.push(text), 1) });
    expect(await check()).toEqual(['a']);
    expect(await check()).toEqual([]);
    low = [item('a'), item('b')];
    expect(await check()).toEqual(['b']);
    expect(sent[1]).toMatch(/^Low stock: 1 product under 7 days of cover\n• b \(b\)/);
    low = [];
    expect(await check()).toEqual([]);
    low = [item('a')];
    expect(await check()).toEqual(['a']);
    expect(sent).toHaveLength(3);
  });

  it('keeps the products for the next check when no channel took the alert', async () => {
    const check = createLowStockCheck({ report: async () => ({ lowStock: [item('a')], lowStockDays: 7 }) as unknown as DemandReport, send: async () => 0 });
    expect(await check()).toEqual([]);
    expect(await check()).toEqual([]);
  });
});
