/**
 * Coupon and reply experiments end to end on the real server: started from the dashboard API,
 * traffic through whole turns (each shopper's offers and wording follow their variant, exposure
 * logged once per shopper), results with intervals, stopped; and the CLI on a data dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as experimentsCli } from '../../cli/experiments.js';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { FunnelEvent } from '../../src/funnel/index.js';
import { assignVariant, ExperimentSpecSchema } from '../../src/insights/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { FIXTURE_CATALOG, serveApp } from '../helpers/app.js';
import { consoleOverrides } from '../helpers/console.js';

const COUPON = { id: 'offer-everyone', kind: 'coupon' as const, description: 'no offers vs an offer to everyone eligible', variants: [{ name: 'never', policy: { mode: 'never' as const } }, { name: 'always', policy: { mode: 'always' as const } }] };
const REPLY = { id: 'first-wording', kind: 'reply' as const, variants: [{ name: 'rotation', policy: { chooser: 'rotation' as const } }, { name: 'first', policy: { chooser: 'first' as const, generator: false } }] };

/** `n` user ids per variant of a spec, by the same assignment the server uses. */
function usersPerVariant(spec: unknown, prefix: string, n: number): Map<string, string[]> {
  const parsed = ExperimentSpecSchema.parse(spec);
  const out = new Map<string, string[]>(parsed.variants.map((v) => [v.name, []]));
  for (let i = 0; [...out.values()].some((u) => u.length < n); i++) {
    const user = `${prefix}-${i}`;
    const list = out.get(assignVariant(parsed, user).name)!;
    if (list.length < n) list.push(user);
  }
  return out;
}

describe('the spec', () => {
  it('takes a policy per kind and refuses one of another kind', () => {
    expect(ExperimentSpecSchema.parse(COUPON).variants[1]!.weight).toBe(1);
    expect(ExperimentSpecSchema.safeParse({ ...COUPON, variants: [{ name: 'a', policy: { relevanceOnly: true } }, { name: 'b' }] }).success).toBe(false);
    expect(ExperimentSpecSchema.safeParse({ ...REPLY, variants: [{ name: 'a', policy: { chooser: 'loudest' } }, { name: 'b' }] }).success).toBe(false);
    expect(ExperimentSpecSchema.safeParse({ ...COUPON, kind: 'pricing' }).success).toBe(false);
  });
});

describe('coupon and reply experiments through the dashboard API', () => {
  let dir: string;
  let server: RunningServer;
  let app: App;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shopbot-exp-kinds-'));
    const overrides = consoleOverrides(dir, { catalog: { demo: true, demoFile: FIXTURE_CATALOG }, coupons: { enabled: true, holdoutRate: 0, explorationRate: 0 }, agents: { users: 'mia:merchant-password-1', merchants: 'mia' } });
    server = await serveApp(loadConfig({ env: {}, overrides }));
    app = server.app;
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  async function login(): Promise<Record<string, string>> {
    const token = ((await (await post('/admin/login', { name: 'mia', password: 'merchant-password-1' })).json()) as { token: string }).token;
    return { authorization: `Bearer ${token}` };
  }
  async function all(types: FunnelEvent['type'][]): Promise<FunnelEvent[]> {
    await app.funnel.flush();
    const out: FunnelEvent[] = [];
    for await (const e of app.funnel.query({ types })) out.push(e);
    return out;
  }

  it('offers coupons by variant, reports revenue and discount with intervals, and stops', async () => {
    const auth = await login();
    expect((await post('/v1/admin/experiments', COUPON)).status).toBe(401);
    expect((await post('/v1/admin/experiments', COUPON, auth)).status).toBe(201);
    expect((await post('/v1/admin/experiments', { ...COUPON, id: 'another-coupon-test' }, auth)).status).toBe(409);

    const arms = usersPerVariant(COUPON, 'cpn', 3);
    const coupons = new Map<string, boolean>();
    for (const [variant, users] of arms) {
      for (const user of users) {
        const say = (text: string, action?: Parameters<App['handleTurn']>[0]['action']) => app.handleTurn({ conversationId: `conv-${user}`, userId: user, channel: 'rest', text, ...(action ? { action } : {}) });
        const found = await say('dewalt combo kit');
        const kit = found.products.find((p) => p.inStock && (p.priceCents ?? 0) >= 2500)!;
        const added = await say('', { type: 'add_to_cart', productId: kit.id, quantity: 1 });
        coupons.set(user, added.coupon !== undefined);
        // Every shopper of the 'always' arm buys with the code; nobody in the control buys.
        if (variant === 'always') await say('', { type: 'checkout', email: `${user}@example.com` });
      }
    }
    expect(arms.get('always')!.every((u) => coupons.get(u))).toBe(true);
    expect(arms.get('never')!.some((u) => coupons.get(u))).toBe(false);

    const exposures = (await all(['experiment_exposure'])).filter((e) => e.type === 'experiment_exposure' && e.experimentId === COUPON.id);
    expect(exposures).toHaveLength(6);
    for (const e of exposures) expect(e.type === 'experiment_exposure' && e.variant).toBe(assignVariant(ExperimentSpecSchema.parse(COUPON), e.userId!).name);

    const results = (await (await fetch(`${server.url}/v1/admin/experiments?period=week`, { headers: auth })).json()) as { tables: { key: string; columns: string[]; rows: (string | number | null)[][] }[]; metrics: { key: string; value: number | null; ci95?: [number, number] }[] };
    const table = results.tables.find((t) => t.key === `experiment.${COUPON.id}`)!;
    const row = (name: string) => Object.fromEntries(table.columns.map((c, i) => [c, table.rows.find((r) => r[0] === name)![i]]));
    expect(row('never')).toMatchObject({ shoppers: 3, offered: 0, redeemed: 0, 'discount/shopper': 0, conversion: 0, 'revenue/shopper': 0 });
    expect(row('always')).toMatchObject({ shoppers: 3, offered: 3, redeemed: 3, conversion: 1 });
    expect(row('always')['discount/shopper']).toBeGreaterThan(0);
    const purchases = (await all(['purchase'])).filter((e) => e.type === 'purchase' && arms.get('always')!.includes(e.userId!));
    const revenue = purchases.reduce((s, e) => s + (e.type === 'purchase' ? e.revenueCents : 0), 0) / 3;
    expect(row('always')['revenue/shopper']).toBeCloseTo(revenue);
    const diff = results.metrics.find((m) => m.key === `experiment.${COUPON.id}.always.revenue_diff`)!;
    expect(diff.value).toBeCloseTo(revenue);
    expect(diff.ci95![0]).toBeLessThanOrEqual(diff.value!);
    expect(diff.ci95![1]).toBeGreaterThanOrEqual(diff.value!);
    expect(results.metrics.map((m) => m.key)).toEqual(expect.arrayContaining([`experiment.${COUPON.id}.always.discount_diff`, `experiment.${COUPON.id}.always.guardrail_escalation`]));

    expect((await post(`/v1/admin/experiments/${COUPON.id}/stop`, {})).status).toBe(401);
    expect((await post(`/v1/admin/experiments/${COUPON.id}/stop`, {}, auth)).status).toBe(200);
    expect(app.experiments.running('coupon')).toBeUndefined();
    // Stopped: the next shopper of the 'always' arm is back on the targeter (no exploration, untrained: no offer).
    const late = usersPerVariant(COUPON, 'late', 1).get('always')![0]!;
    const found = await app.handleTurn({ conversationId: `conv-${late}`, userId: late, channel: 'rest', text: 'dewalt combo kit' });
    const kit = found.products.find((p) => p.inStock && (p.priceCents ?? 0) >= 2500)!;
    const added = await app.handleTurn({ conversationId: `conv-${late}`, userId: late, channel: 'rest', text: '', action: { type: 'add_to_cart', productId: kit.id, quantity: 1 } });
    expect(added.coupon).toBeUndefined();
  });

  it('words replies by variant, logs one exposure per shopper and reports the thumbs', async () => {
    const auth = await login();
    expect((await post('/v1/admin/experiments', REPLY, auth)).status).toBe(201);
    const arms = usersPerVariant(REPLY, 'rpl', 2);
    const texts = new Map<string, string[]>();
    for (const users of arms.values()) {
      for (const user of users) {
        const replies = [];
        for (const q of ['ugg slipper', 'dewalt combo kit', 'hiking boots']) replies.push((await app.handleTurn({ conversationId: `conv-${user}`, userId: user, channel: 'rest', text: q })).text);
        texts.set(user, replies);
      }
    }
    // 'first' always takes a template's first wording; the rotation moves with the turn.
    for (const u of arms.get('first')!) for (const t of texts.get(u)!) expect(t).not.toMatch(/^These match/);
    expect(arms.get('rotation')!.flatMap((u) => texts.get(u)!).some((t) => /^These match/.test(t))).toBe(true);

    const exposures = (await all(['experiment_exposure'])).filter((e) => e.type === 'experiment_exposure' && e.experimentId === REPLY.id);
    expect(exposures.map((e) => e.userId).sort()).toEqual([...arms.values()].flat().sort());

    // Shoppers of 'first' rate their replies up, the control's down.
    const now = Date.now();
    const votes = [...arms].flatMap(([variant, users]) => users.map((u, i) => ({ id: `vote-${u}`, ts: now + i, channel: 'rest' as const, userId: u, conversationId: `conv-${u}`, type: 'reply_feedback' as const, vote: variant === 'first' ? ('up' as const) : ('down' as const), reply: 'x' })));
    await app.funnel.append(votes);
    const results = (await (await fetch(`${server.url}/v1/admin/experiments?period=week`, { headers: auth })).json()) as { tables: { key: string; columns: string[]; rows: (string | number | null)[][] }[]; metrics: { key: string; value: number | null; definition: string }[] };
    const table = results.tables.find((t) => t.key === `experiment.${REPLY.id}`)!;
    expect(table.columns.slice(0, 4)).toEqual(['variant', 'shoppers', 'rated replies', 'thumbs-up share']);
    expect(table.rows.map((r) => r.slice(0, 4))).toEqual([['rotation', 2, 2, 0], ['first', 2, 2, 1]]);
    expect(results.metrics.find((m) => m.key === `experiment.${REPLY.id}.first.thumbs_up_diff`)!.value).toBe(1);
    const guard = results.metrics.find((m) => m.key === `experiment.${REPLY.id}.first.guardrail_thumbs_down`)!;
    expect(guard.value).toBe(-1);
    expect(guard.definition).toContain('Breached (no)');
    expect((await post(`/v1/admin/experiments/${REPLY.id}/stop`, {}, auth)).status).toBe(200);
  });
});

describe('shopbot experiments', () => {
  it('starts, lists, reports and stops an experiment in a data dir', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-exp-cli-'));
    const logs: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const file = path.join(dir, 'spec.json');
      writeFileSync(file, JSON.stringify(COUPON));
      const args = ['--data-dir', dir];
      expect(await experimentsCli(['start', file, ...args])).toBe(0);
      expect(await experimentsCli(['start', file, ...args])).toBe(1);
      expect(await experimentsCli(['list', ...args])).toBe(0);
      expect(logs.some((l) => l.startsWith(`${COUPON.id}\tcoupon\trunning`))).toBe(true);
      expect(await experimentsCli(['results', COUPON.id, ...args])).toBe(0);
      expect(logs.some((l) => l.includes('always vs never: revenue per shopper'))).toBe(true);
      expect(await experimentsCli(['stop', COUPON.id, ...args])).toBe(0);
      expect(await experimentsCli(['stop', COUPON.id, ...args])).toBe(1);
    } finally {
      log.mockRestore();
      err.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
