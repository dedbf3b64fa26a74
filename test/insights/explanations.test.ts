/**
 * Explanations and the exposure check: feature contributions by ablation, the exposure report's
 * shares on hand-computed slates, and both through the dashboard API on the real server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { FunnelEventSchema, type FunnelEvent, type FunnelEventInput } from '../../src/funnel/index.js';
import { exposureReport, priceBand, slateExplanation } from '../../src/insights/index.js';
import { createRanker, topContributions, type ScoringModels } from '../../src/ranking/index.js';
import type { Product } from '../../src/catalog/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { FIXTURE_CATALOG, serveApp } from '../helpers/app.js';
import { consoleOverrides } from '../helpers/console.js';
import { SlateExplanationSchema, SlatesSchema } from '../../channels/web/admin/schemas.js';

/** A model whose click probability rises with one brand and a sale, and purchase with the rating. */
const models: ScoringModels = {
  version: 'toy-1',
  predict: (f) => ({ ctr: 0.1 + (f.brand === 'acme' ? 0.1 : 0) + (f.onSale === 'yes' ? 0.05 : 0), cvr: 0.2 + (typeof f.rating === 'number' ? f.rating / 100 : 0) }),
};

const product = (id: string, brand: string, extra: Partial<Product> = {}): Product => ({ id, title: `${brand} ${id}`, brand, category: ['Shoes'], currency: 'USD', priceCents: 5000, ...extra }) as Product;

describe('feature contributions', () => {
  it('ranks the features whose removal changes pCTR x pCVR most', () => {
    const top = topContributions(models, { item: 'a', brand: 'acme', onSale: 'yes', rating: 4 });
    expect(top.map((c) => c.f)).toEqual(['brand', 'onSale', 'rating']);
    // With acme: 0.25 * 0.24; without: 0.15 * 0.24.
    expect(top[0]!.d).toBeCloseTo(0.1 * 0.24);
    expect(top[0]!.v).toBe('acme');
    expect(topContributions(models, { item: 'b', brand: 'other' })).toEqual([]);
  });

  it('is kept with each shown item when the ranker uses the models', () => {
    const ranker = createRanker({ models, ranking: loadConfig({ env: {} }).ranking, rng: () => 0.99, now: () => 1, isWarm: () => true });
    const out = ranker.rank({ candidates: [{ product: product('a', 'acme', { rating: 4 }), relevance: 1 }, { product: product('b', 'zeta'), relevance: 0.9 }], k: 2, query: 'shoes', userId: 'u', lang: 'en' });
    const a = out.items.find((i) => i.product.id === 'a')!;
    expect(a.explanation).toMatchObject({ relevance: 1, ctr: 0.2, explored: false });
    expect(a.explanation!.why[0]).toMatchObject({ f: 'brand', v: 'acme' });
    expect(out.items.find((i) => i.product.id === 'b')!.explanation!.relevance).toBeCloseTo(0.9);
    const cold = createRanker({ models, ranking: loadConfig({ env: {} }).ranking, rng: () => 0.99, now: () => 1, isWarm: () => false });
    expect(cold.rank({ candidates: [{ product: product('a', 'acme'), relevance: 1 }], k: 1, query: 'q', userId: 'u', lang: 'en' }).items[0]!.explanation).toEqual({ relevance: 1, explored: false, why: [] });
  });
});

describe('slate explanation', () => {
  const slate = (shown: { productId: string; explanation: { relevance: number; ctr?: number; cvr?: number; explored: boolean; why: { f: string; v: string | number; d: number }[] } }[]) =>
    FunnelEventSchema.parse({ id: 'x:slate', ts: 1, channel: 'web', type: 'slate', slateId: 's', policyId: 'p', policyVersion: '1', query: 'q', candidates: [], shown: shown.map((x, position) => ({ ...x, position, propensity: 1 })) }) as Extract<FunnelEvent, { type: 'slate' }>;
  const features = (t: ReturnType<typeof slateExplanation>) => t.rows.map((r) => r[t.columns.indexOf('top features')]);

  it('tells cards filled in below the relevance floor from a slate the cold models left in relevance order', () => {
    const warm = slate([
      { productId: 'a', explanation: { relevance: 1, ctr: 0.2, cvr: 0.1, explored: false, why: [{ f: 'brand', v: 'acme', d: 0.01 }] } },
      { productId: 'b', explanation: { relevance: 0.9, ctr: 0.1, cvr: 0.1, explored: false, why: [] } },
      { productId: 'c', explanation: { relevance: 0.2, explored: false, why: [] } },
    ]);
    expect(features(slateExplanation(warm, new Map()))).toEqual(['brand=acme (+1.0e-2)', 'no feature moved it', 'below the relevance floor (filled in relevance order)']);
    const cold = slate([
      { productId: 'a', explanation: { relevance: 1, explored: false, why: [] } },
      { productId: 'c', explanation: { relevance: 0.2, explored: false, why: [] } },
    ]);
    expect(features(slateExplanation(cold, new Map()))).toEqual(['relevance order (models cold)', 'relevance order (models cold)']);
  });
});

describe('exposure report', () => {
  const ev = (e: FunnelEventInput): FunnelEvent => FunnelEventSchema.parse(e);
  const cand = (productId: string, score: number, brand: string, price: number) => ({ productId, score, features: { brand, price } });
  const slate = (id: string, candidates: ReturnType<typeof cand>[], shown: string[]) =>
    ev({ id: `${id}:slate`, ts: 1, channel: 'web', type: 'slate', slateId: id, policyId: 'p', policyVersion: '1', query: 'q', candidates, shown: shown.map((productId, position) => ({ productId, position, propensity: 1, sponsored: false })) });
  // Slate 1: acme holds 3/4 of the relevance but gets both cards. Slate 2: zeta 1/2 of the relevance, both cards.
  const events = [
    slate('s1', [cand('a1', 2, 'acme', 10), cand('a2', 1, 'acme', 30), cand('z1', 1, 'zeta', 60)], ['a1', 'a2']),
    slate('s2', [cand('z2', 1, 'zeta', 60), cand('a3', 1, 'acme', 300)], ['z2', 'a3']),
  ];

  it('puts impression shares beside relevance shares by brand and price band', () => {
    const r = exposureReport(events, { maxPerBrand: 1 });
    const brands = r.tables.find((t) => t.key === 'exposure.brands')!;
    // acme: shown (1 + 1/2) / 2 = 0.75, relevance (3/4 + 1/2) / 2 = 0.625.
    expect(brands.rows[0]).toEqual(['acme', 0.75, 0.625, 0.75 / 0.625]);
    expect(brands.rows[1]).toEqual(['zeta', 0.25, 0.375, 0.25 / 0.375]);
    const metric = (k: string) => r.metrics.find((m) => m.key === k)!.value;
    expect(metric('exposure.brand_tvd')).toBeCloseTo(0.125);
    expect(metric('exposure.max_per_brand')).toBe(1);
    // Slate 1 shows two acme cards against a cap of 1.
    expect(metric('exposure.slates_over_cap')).toBe(0.5);
    const bands = r.tables.find((t) => t.key === 'exposure.price_bands')!;
    expect(bands.rows.map((row) => row[0])).toEqual(['under 25', '25-50', '50-100', '250 and over']);
    expect(bands.rows[0]).toEqual(['under 25', 0.25, 0.25, 1]);
    expect(priceBand(undefined)).toBe('(no price)');
    expect(exposureReport(events, { maxPerBrand: 2 }).metrics.find((m) => m.key === 'exposure.slates_over_cap')!.value).toBe(0);
  });
});

describe('explanations and exposure through the dashboard API', () => {
  let dir: string;
  let server: RunningServer;
  let app: App;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shopbot-explain-'));
    server = await serveApp(loadConfig({ env: {}, overrides: consoleOverrides(dir, { catalog: { demo: true, demoFile: FIXTURE_CATALOG }, ranking: { maxPerBrand: 1 }, agents: { users: 'mia:merchant-password-1', merchants: 'mia' } }) }));
    app = server.app;
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists slates and explains one, for merchants only', async () => {
    for (const [i, q] of ['ugg slipper', 'dewalt combo kit'].entries()) await app.handleTurn({ conversationId: `explain-${i}`, userId: `explain-user-${i}`, channel: 'web', text: q });
    await app.funnel.flush();
    const token = ((await (await fetch(`${server.url}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'mia', password: 'merchant-password-1' }) })).json()) as { token: string }).token;
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${server.url}/v1/admin/slates`)).status).toBe(401);
    const list = (await (await fetch(`${server.url}/v1/admin/slates?period=week`, { headers: auth })).json()) as { tables: { rows: (string | number)[][] }[] };
    expect(list.tables[0]!.rows).toHaveLength(2);
    // The answers match the schemas their OpenAPI description is generated from.
    expect(SlatesSchema.safeParse(list).error).toBeUndefined();
    const slateId = String(list.tables[0]!.rows.find((r) => r[3] === 'ugg slipper')![0]);

    expect((await fetch(`${server.url}/v1/admin/slates/${slateId}`)).status).toBe(401);
    expect((await fetch(`${server.url}/v1/admin/slates/no-such-slate`, { headers: auth })).status).toBe(404);
    const one = (await (await fetch(`${server.url}/v1/admin/slates/${encodeURIComponent(slateId)}?period=week`, { headers: auth })).json()) as { tables: { columns: string[]; rows: (string | number | null)[][] }[] };
    expect(SlateExplanationSchema.safeParse(one).error).toBeUndefined();
    const t = one.tables[0]!;
    const rows = t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));
    expect(rows.length).toBeGreaterThan(0);
    // Relevance is a share of the best candidate's score (the fill below the floor can score 0).
    expect(Math.max(...rows.map((r) => r.relevance as number))).toBe(1);
    for (const r of rows) {
      expect(r.relevance).toBeGreaterThanOrEqual(0);
      expect(r.relevance).toBeLessThanOrEqual(1);
      expect(['yes', 'no']).toContain(r.sponsored);
      expect(['yes', 'no']).toContain(r.explored);
      // A fresh install's models are cold: the slate is in relevance order, and says so.
      expect(r['top features']).toBe('relevance order (models cold)');
      expect(typeof r.title).toBe('string');
    }

    const metrics = (await (await fetch(`${server.url}/v1/admin/metrics?period=week`, { headers: auth })).json()) as { metrics: { key: string; value: number | null }[]; tables: { key: string; rows: unknown[][] }[] };
    expect(metrics.metrics.find((m) => m.key === 'exposure.max_per_brand')!.value).toBe(1);
    expect(metrics.metrics.find((m) => m.key === 'exposure.brand_tvd')!.value).not.toBeNull();
    const brands = metrics.tables.find((t) => t.key === 'exposure.brands')!;
    const shown = brands.rows.reduce((s, r) => s + (r[1] as number), 0);
    expect(shown).toBeGreaterThan(0.99);
    expect(shown).toBeLessThan(1.01);
  });
});
