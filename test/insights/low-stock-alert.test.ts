/**
 * Low-stock alerts end to end: purchases in the funnel, the catalog's (demo) stock, the merchant's
 * request from the dashboard API, and the alert arriving in the fake Slack channel for alerts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
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

describe('low-stock alert', () => {
  it('posts the products about to run out to the merchant channel', async () => {
    const ids = readFileSync(FIXTURE_CATALOG, 'utf8').split('\n').filter(Boolean).slice(0, 40).map((l) => (JSON.parse(l) as { asin?: string; product_id?: string }).product_id ?? (JSON.parse(l) as { asin: string }).asin);
    const products = await app.catalog.getMany(ids);
    const [product] = [...products.values()].filter((p) => (p.stock ?? 0) > 0).sort((a, b) => a.stock! - b.stock!);
    expect(product).toBeDefined();
    // Sells stock/3 units a day for three weeks: about three days of cover left.
    const perDay = Math.max(1, Math.round(product!.stock! / 3));
    const now = Date.now();
    const events = [];
    for (let d = 21; d >= 1; d--) for (let u = 0; u < perDay; u++) events.push({ id: `o${d}-${u}`, ts: now - d * DAY, channel: 'web' as const, type: 'purchase' as const, orderId: `o${d}-${u}`, revenueCents: 1000, productIds: [product!.id] });
    await app.funnel.append(events);

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
