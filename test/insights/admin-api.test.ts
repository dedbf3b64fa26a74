/**
 * The merchant dashboard's API on the real server: the merchant role's login (and its refusals),
 * shopper feedback posted on a conversation token reaching the review list, the metrics as JSON
 * and CSV, and the page under the CSP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { RunningServer } from '../../src/server/index.js';
import { serveApp } from '../helpers/app.js';
import { consoleOverrides } from '../helpers/console.js';

const MERCHANT = 'merchant-password-1';
const AGENT = 'agent-password-22';
let dir: string;
let server: RunningServer;
let app: App;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'shopbot-admin-'));
  const config = loadConfig({ env: {}, overrides: consoleOverrides(dir, { catalog: { demo: true, demoFile: 'test/fixtures/catalog/esci-slice.jsonl' }, agents: { users: `mia:${MERCHANT},alice:${AGENT}`, merchants: 'mia' } }) });
  server = await serveApp(config);
  app = server.app;
});
afterAll(async () => {
  await server?.close();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
const login = (url: string, name: string, password: string) => fetch(`${server.url}${url}`, json({ name, password }));

describe('merchant dashboard API', () => {
  it('logs in merchants only, with their own session tokens', async () => {
    expect((await login('/admin/login', 'alice', AGENT)).status).toBe(401); // an agent, not a merchant
    expect((await login('/admin/login', 'mia', 'wrong-password-x')).status).toBe(401);
    const consoleToken = ((await (await login('/console/login', 'mia', MERCHANT)).json()) as { token: string }).token;
    expect((await fetch(`${server.url}/v1/admin/metrics`, { headers: { authorization: `Bearer ${consoleToken}` } })).status).toBe(401);
    expect((await fetch(`${server.url}/v1/admin/metrics`)).status).toBe(401);
    const ok = await login('/admin/login', 'mia', MERCHANT);
    expect(ok.status).toBe(200);
  });

  it('takes feedback on the conversation token and lists rated-down replies with their conversation', async () => {
    const c = (await (await fetch(`${server.url}/v1/conversations`, json({}))).json()) as { conversationId: string; token: string };
    const auth = { authorization: `Bearer ${c.token}` };
    const reply = (await (await fetch(`${server.url}/v1/conversations/${c.conversationId}/messages`, json({ text: 'ugg slipper' }, auth))).json()) as { text: string; intent: string };
    const vote = { kind: 'reply', vote: 'down', reply: reply.text, intent: reply.intent };
    expect((await fetch(`${server.url}/v1/conversations/${c.conversationId}/feedback`, json(vote))).status).toBe(401);
    expect((await fetch(`${server.url}/v1/conversations/${c.conversationId}/feedback`, json({ kind: 'conversation', rating: 9 }, auth))).status).toBe(400);
    const first = await fetch(`${server.url}/v1/conversations/${c.conversationId}/feedback`, json(vote, auth));
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ stored: true });
    expect(await (await fetch(`${server.url}/v1/conversations/${c.conversationId}/feedback`, json({ ...vote, vote: 'up' }, auth))).json()).toEqual({ stored: false });
    expect((await fetch(`${server.url}/v1/conversations/${c.conversationId}/feedback`, json({ kind: 'conversation', rating: 2, comment: 'meh' }, auth))).status).toBe(202);
    await app.funnel.flush();

    const token = ((await (await login('/admin/login', 'mia', MERCHANT)).json()) as { token: string }).token;
    const bearer = { authorization: `Bearer ${token}` };
    const metrics = (await (await fetch(`${server.url}/v1/admin/metrics?period=week&channel=rest`, { headers: bearer })).json()) as { metrics: { key: string; value: number; definition: string }[]; tables: { key: string; rows: unknown[][] }[] };
    const value = (k: string) => metrics.metrics.find((m) => m.key === k)?.value;
    expect(value('feedback.thumbs_down')).toBe(1);
    expect(value('feedback.mean_rating')).toBe(2);
    expect(value('conversations')).toBe(1);
    const review = metrics.tables.find((t) => t.key === 'feedback.review')!.rows;
    expect(review).toHaveLength(1);
    expect(review[0]![2]).toBe(c.conversationId);
    const transcript = (await (await fetch(`${server.url}/v1/admin/conversations/${c.conversationId}`, { headers: bearer })).json()) as { messages: { role: string; text: string }[] };
    expect(transcript.messages.map((m) => m.role)).toEqual(['user', 'bot']);

    const csv = await fetch(`${server.url}/v1/admin/metrics.csv?period=week`, { headers: bearer });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toMatch(/feedback,feedback\.thumbs_down,Thumbs down,1,count/);
    const charts = (await (await fetch(`${server.url}/v1/admin/charts?period=week`, { headers: bearer })).json()) as { charts: { src: string }[] };
    expect(charts.charts[0]!.src).toMatch(/^data:image\/png;base64,iVBOR/);
    expect((await fetch(`${server.url}/v1/admin/metrics?period=forever`, { headers: bearer })).status).toBe(400);
  });

  it('serves the page under the CSP, without inline script', async () => {
    const page = await fetch(`${server.url}/admin`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script src="/admin/admin.js"></script>');
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
  });
});
