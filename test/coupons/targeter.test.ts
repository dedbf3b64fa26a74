import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { upliftExamplesFromLog } from '../../src/coupons/from-log.js';
import { openCoupons, SHIPPED_META_LEARNER } from '../../src/coupons/index.js';
import type { FunnelEvent } from '../../src/funnel/events.js';
import { FunnelEventSchema } from '../../src/funnel/events.js';
import { createRng } from '../../src/maths/index.js';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';

const T0 = 1_700_000_000_000;
const config = loadConfig({ overrides: { coupons: { secret: 'test-secret', holdoutRate: 0.5, explorationRate: 1 } } });
const WINDOW = config.ranking.attributionWindowMs;

async function* stream(events: FunnelEvent[]): AsyncIterable<FunnelEvent> {
  yield* events;
}

const offered = (conv: string, ts: number, decision: 'offered' | 'holdout', features?: Record<string, string | number>) =>
  FunnelEventSchema.parse({ id: `${conv}:o`, type: 'coupon_offered', ts, channel: 'web', conversationId: conv, campaignId: 'C', holdout: decision === 'holdout', decision, propensity: 0.5, ...(features ? { features } : {}) });
const purchase = (conv: string, ts: number) => FunnelEventSchema.parse({ id: `${conv}:p`, type: 'purchase', ts, channel: 'web', conversationId: conv, orderId: `${conv}-order`, revenueCents: 5000 });

describe('labelled coupon decisions from the funnel log', () => {
  it('joins decisions to purchases within the window and leaves out what it cannot label', async () => {
    const f = { segment: 'new', basket: 50 };
    const examples = await upliftExamplesFromLog(
      stream([
        offered('a', T0, 'offered', f),
        offered('b', T0 + 1, 'holdout', f),
        offered('c', T0 + 2, 'offered'), // logged before features were recorded: unusable
        offered('d', T0 + 3, 'holdout', f),
        purchase('a', T0 + 10),
        purchase('d', T0 + 3 + WINDOW + 1), // too late to count
        offered('e', T0 + 3 * WINDOW, 'offered', f), // its window is still open at the end of the log
      ]),
      WINDOW,
    );
    expect(examples).toEqual([
      { features: f, treated: true, outcome: 1, propensity: 0.5 },
      { features: f, treated: false, outcome: 0, propensity: 0.5 },
      { features: f, treated: false, outcome: 0, propensity: 0.5 },
    ]);
  });
});

describe('the tree targeter inside the coupon policy', () => {
  let dir: string;
  let db: SqliteDb;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-targeter-'));
    db = openSqlite(dir);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after a restart refills its buffer from the log and still labels a decision made before it', async () => {
    const f = { segment: 'new', basket: 50 };
    const log = [offered('a', T0, 'offered', f), offered('b', T0 + 1, 'holdout', f), purchase('a', T0 + 10), offered('late', T0 + 2 * WINDOW, 'offered', f)];
    const funnel = { query: () => stream(log) };
    let now = T0 + 2 * WINDOW + 5; // 'late' is still inside its window
    const coupons = openCoupons({ db, config, clock: () => now, rng: createRng(1), retrainEvery: 1000 });
    expect(coupons.model.buffered).toBe(0);
    expect(await coupons.catchUp(funnel)).toEqual({ labelled: 2, open: 1 });
    expect(coupons.model.buffered).toBe(2);
    // The purchase after the restart labels the decision logged before it.
    coupons.observe([purchase('late', now + 1)]);
    expect(coupons.model.buffered).toBe(3);
    // A window that closed while the server was down is labelled "no purchase" at catch-up.
    const again = openCoupons({ db, config, clock: () => (now = T0 + 4 * WINDOW), rng: createRng(2), retrainEvery: 1000 });
    expect(await again.catchUp(funnel)).toEqual({ labelled: 2, open: 1 });
    expect(again.model.buffered).toBe(3);
    await coupons.close();
    await again.close();
  });

  it('retrains in a worker from the outcomes it sees, then targets the shoppers the offer moves', async () => {
    let now = T0;
    const coupons = openCoupons({ db, config, clock: () => now, rng: createRng(5), retrainEvery: 3000 });
    await coupons.addCampaign({ id: 'TEN', kind: 'percent', value: 10, startsAt: T0, endsAt: T0 + 10_000 * (WINDOW + 10), perShopperLimit: 1, budgetCents: 1e12 });
    expect(coupons.model.kind).toBe(SHIPPED_META_LEARNER);
    const world = createRng(6);
    let holdouts = 0;
    for (let i = 0; i < 3100; i++) {
      const segment = i % 2 === 0 ? 'new' : 'returning';
      const d = await coupons.decideOffer({ userId: `u${i}`, conversationId: `c${i}`, channel: 'web', segment }, { valueCents: 6000, items: 1, categories: ['shoes'] });
      expect(d.event?.features).toMatchObject({ segment, basket: 60 });
      if (d.decision === 'holdout') holdouts++;
      // The offer lifts "new" shoppers from 20% to 60%; "returning" ones buy at 20% either way.
      const p = d.decision === 'offered' && segment === 'new' ? 0.6 : 0.2;
      if (world() < p) coupons.observe([purchase(`c${i}`, now + 1)]);
      now += WINDOW + 1;
    }
    expect(holdouts).toBeGreaterThan(1200);
    await coupons.drain();
    expect(coupons.model.retrains).toBe(1);
    const f = (segment: string) => ({ basket: 60, items: 1, channel: 'web', segment, cat: 'shoes' });
    const tNew = coupons.model.uplift(f('new'));
    const tOld = coupons.model.uplift(f('returning'));
    expect(tNew).toBeGreaterThan(0.2);
    expect(Math.abs(tOld)).toBeLessThan(0.15);
    await coupons.close();

    // The retrained model was checkpointed: a restart decides with it.
    const again = openCoupons({ db, config, clock: () => now, rng: createRng(7) });
    expect(again.model.uplift(f('new'))).toBe(tNew);
    expect(again.model.trained).toBeGreaterThan(2000);
    await again.close();
  });
});
