import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { FunnelEventSchema, type FunnelEvent, type FunnelEventInput } from '../../src/funnel/index.js';
import { assignVariant, experimentResults, relevanceOffPolicy, type Experiment } from '../../src/insights/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { FIXTURE_CATALOG, serveApp } from '../helpers/app.js';
import { consoleOverrides } from '../helpers/console.js';

const ev = (e: FunnelEventInput): FunnelEvent => FunnelEventSchema.parse(e);
const SPEC = { id: 'relevance-test', kind: 'ranking' as const, description: 'learned vs relevance', variants: [{ name: 'control', weight: 1, policy: {} }, { name: 'relevance', weight: 1, policy: { relevanceOnly: true } }] };

describe('assignment', () => {
  it('gives a shopper the same variant every time, and splits shoppers by weight', () => {
    const users = Array.from({ length: 4000 }, (_, i) => `user-${i}`);
    expect(users.map((u) => assignVariant(SPEC, u).name)).toEqual(users.map((u) => assignVariant(SPEC, u).name));
    const share = users.filter((u) => assignVariant(SPEC, u).name === 'relevance').length / users.length;
    expect(share).toBeGreaterThan(0.46);
    expect(share).toBeLessThan(0.54);
    const skewed = { ...SPEC, variants: [{ ...SPEC.variants[0]!, weight: 9 }, SPEC.variants[1]!] };
    expect(users.filter((u) => assignVariant(skewed, u).name === 'relevance').length / users.length).toBeLessThan(0.13);
  });
});

describe('results and the off-policy estimate', () => {
  const experiment: Experiment = { ...SPEC, status: 'running', startedAt: 0 };
  const slate = (id: string, user: string, variant: string, shown: { productId: string; position: number; propensity: number }[], candidates: { productId: string; score: number }[]) =>
    ev({ id: `${id}:slate`, ts: 10, channel: 'web', userId: user, conversationId: `c-${user}`, type: 'slate', slateId: id, policyId: `ev-esmm~relevance-test:${variant}`, policyVersion: '1', query: 'q', candidates, shown: shown.map((s) => ({ ...s, sponsored: false })) });
  const events = [
    slate('s1', 'u1', 'control', [{ productId: 'a', position: 0, propensity: 1 }, { productId: 'b', position: 1, propensity: 0.5 }], [{ productId: 'a', score: 0.9 }, { productId: 'b', score: 0.8 }]),
    slate('s2', 'u2', 'relevance', [{ productId: 'b', position: 0, propensity: 1 }, { productId: 'a', position: 1, propensity: 1 }], [{ productId: 'a', score: 0.9 }, { productId: 'b', score: 0.8 }]),
    ev({ id: 'k1', ts: 11, channel: 'web', userId: 'u1', type: 'click', productId: 'b', slateId: 's1' }),
    ev({ id: 'k2', ts: 11, channel: 'web', userId: 'u2', type: 'click', productId: 'b', slateId: 's2' }),
    ev({ id: 'p2', ts: 12, channel: 'web', userId: 'u2', type: 'purchase', orderId: 'o2', revenueCents: 700, productIds: ['b'] }),
    ev({ id: 'f2', ts: 13, channel: 'web', userId: 'u2', type: 'reply_feedback', vote: 'down', reply: 'x' }),
  ];

  it('reports each variant against the control with the guardrails', () => {
    const r = experimentResults(experiment, events);
    expect(r.tables[0]!.rows).toEqual([
      ['control', 1, 2, 1, 0.5, 0, 0, null, 0],
      ['relevance', 1, 2, 1, 0.5, 1, 700, 1, 0],
    ]);
    expect(r.metrics.find((m) => m.key.endsWith('relevance.conversion_diff'))!.value).toBe(1);
  });

  it('estimates relevance-only ranking from the logged propensities', () => {
    const m = relevanceOffPolicy(events);
    expect(m.find((x) => x.key === 'ope.logged_ctr')!.value).toBe(0.5);
    // Relevance order is a then b: s1 matches both cards (b clicked, weight 2); s2 matches neither.
    expect(m.find((x) => x.key === 'ope.relevance_ips')!.value).toBeCloseTo(2 / 4);
    expect(m.find((x) => x.key === 'ope.relevance_snips')!.value).toBeCloseTo(2 / 3);
  });
});

describe('an experiment end to end through the dashboard API', () => {
  let dir: string;
  let server: RunningServer;
  let app: App;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shopbot-experiments-'));
    server = await serveApp(loadConfig({ env: {}, overrides: consoleOverrides(dir, { catalog: { demo: true, demoFile: FIXTURE_CATALOG }, agents: { users: 'mia:merchant-password-1', merchants: 'mia' } }) }));
    app = server.app;
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts, ranks each shopper with their variant, reports and stops', async () => {
    const post = (url: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const token = ((await (await post('/admin/login', { name: 'mia', password: 'merchant-password-1' })).json()) as { token: string }).token;
    const auth = { authorization: `Bearer ${token}` };
    expect((await post('/v1/admin/experiments', SPEC)).status).toBe(401);
    expect((await post('/v1/admin/experiments', { ...SPEC, variants: [SPEC.variants[0]] }, auth)).status).toBe(400);
    expect((await post('/v1/admin/experiments', SPEC, auth)).status).toBe(201);
    expect((await post('/v1/admin/experiments', { ...SPEC, id: 'second' }, auth)).status).toBe(409);

    for (let i = 0; i < 8; i++) await app.handleTurn({ conversationId: `exp-conv-${i}`, userId: `exp-user-${i}`, channel: 'web', text: 'ugg slipper' });
    await app.funnel.flush();
    const slates: FunnelEvent[] = [];
    for await (const e of app.funnel.query({ types: ['slate'] })) slates.push(e);
    for (const s of slates) {
      if (s.type !== 'slate') continue;
      expect(s.policyId).toBe(`ev-esmm~relevance-test:${assignVariant(SPEC, s.userId!).name}`);
    }
    const results = (await (await fetch(`${server.url}/v1/admin/experiments?period=week`, { headers: auth })).json()) as { tables: { rows: unknown[][] }[]; metrics: { key: string }[] };
    const shoppers = results.tables[0]!.rows.map((r) => r[1] as number);
    expect(shoppers.reduce((a, b) => a + b, 0)).toBe(8);
    expect(results.metrics.map((m) => m.key)).toContain('ope.relevance_snips');
    expect((await post('/v1/admin/experiments/relevance-test/stop', {}, auth)).status).toBe(200);
    expect(app.experiments.running('ranking')).toBeUndefined();
  });
});
