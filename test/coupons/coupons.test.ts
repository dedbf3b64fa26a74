import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pgSchemaPerFile } from '../helpers/postgres.js';
import { loadConfig } from '../../src/config.js';
import { CouponRefusedError, openCoupons, PostgresCouponStore, verifyCode, type Coupons, type CouponStore } from '../../src/coupons/index.js';
import { FunnelEventSchema } from '../../src/funnel/events.js';
import { createRng } from '../../src/maths/index.js';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';

const DAY = 86_400_000;
const T0 = 1_700_000_000_000;
const config = loadConfig({ overrides: { coupons: { secret: 'test-secret', holdoutRate: 0.1, explorationRate: 0.05 } } });
const shopper = { userId: 'u1', conversationId: 'c1', channel: 'web' as const, segment: 'returning' };
const basket = { valueCents: 8000, items: 2, categories: ['shoes'] };
const lines = [{ categories: ['shoes'], amountCents: 8000 }];

async function refusal(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof CouponRefusedError) {
      expect(err.code).toBe('COUPON_INVALID');
      return err.reason;
    }
    throw err;
  }
  return undefined;
}

const schema = pgSchemaPerFile('shopbot_coupons');

/** The same rules on both engines of the coupon tables: SQLite in the data dir, PostgreSQL (its own schema per run). */
const engines: [string, (db: SqliteDb) => Promise<CouponStore | undefined>][] = [
  ['sqlite', async () => undefined],
  [
    'postgres',
    async () => {
      const store = await PostgresCouponStore.open(schema.pool());
      await schema.pool().query('TRUNCATE coupon_redemptions, coupon_codes, coupon_campaigns');
      return store;
    },
  ],
];

describe.each(engines)('coupons (%s)', (_name, engine) => {
  let dir: string;
  let db: SqliteDb;
  let now: number;
  let coupons: Coupons;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-coupons-'));
    db = openSqlite(dir);
    now = T0;
    const store = await engine(db);
    // Exploration rate 1: every non-holdout shopper is offered, so the code paths are reachable from an untrained model.
    coupons = openCoupons({ db, ...(store ? { store } : {}), config: { ...config, coupons: { ...config.coupons, explorationRate: 1, holdoutRate: 0 } }, clock: () => now, rng: createRng(1) });
    await coupons.addCampaign({ id: 'SHOES10', kind: 'percent', value: 10, minBasketCents: 5000, categories: ['shoes'], startsAt: T0, endsAt: T0 + 30 * DAY, codeTtlMs: 7 * DAY, perShopperLimit: 1, budgetCents: 1500 });
  });
  afterEach(async () => {
    await coupons.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function offerTo(userId: string, conversationId = `conv-${userId}`): Promise<string> {
    const d = await coupons.decideOffer({ ...shopper, userId, conversationId }, basket);
    expect(d.decision).toBe('offered');
    expect(FunnelEventSchema.parse(d.event).type).toBe('coupon_offered');
    return d.offer!.code;
  }

  it('issues a signed, unique code and redeems it once', async () => {
    const code = await offerTo('u1');
    expect(verifyCode('test-secret', code)).toBe('SHOES10');
    const r = await coupons.redeem(code, { userId: 'u1', orderId: 'o1', lines, channel: 'web' });
    expect(r.discountCents).toBe(800);
    expect(FunnelEventSchema.parse(r.event).type).toBe('coupon_redeemed');
    // A retry of the same order is idempotent; another order is refused.
    expect((await coupons.redeem(code, { userId: 'u1', orderId: 'o1', lines, channel: 'web' })).discountCents).toBe(800);
    expect(await refusal(() => coupons.redeem(code, { userId: 'u1', orderId: 'o2', lines, channel: 'web' }))).toBe('REUSED');
  });

  it('issues short codes, and offers none to a basket under the campaign minimum', async () => {
    expect(await offerTo('u1')).toMatch(/^SHOES10-[A-Z2-9]{16}$/);
    const small = await coupons.decideOffer({ ...shopper, userId: 'u2', conversationId: 'conv-u2' }, { ...basket, valueCents: 4999 });
    expect(small.offer).toBeUndefined();
  });

  it('refuses forged codes: tampered signature, another key, garbage', async () => {
    const code = await offerTo('u1');
    const tampered = code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
    expect(await refusal(() => coupons.redeem(tampered, { userId: 'u1', orderId: 'o1', lines, channel: 'web' }))).toBe('FORGED');
    expect(await refusal(() => coupons.redeem('SHOES10.ABCDEFGHJK.ABCDEFGHJKLMNPQR', { userId: 'u1', orderId: 'o1', lines, channel: 'web' }))).toBe('FORGED');
    expect(await refusal(() => coupons.redeem("'; DROP TABLE coupon_codes; --", { userId: 'u1', orderId: 'o1', lines, channel: 'web' }))).toBe('FORGED');
  });

  it('refuses expired, wrong-shopper, small-basket and wrong-category redemptions', async () => {
    const code = await offerTo('u1');
    expect(await refusal(() => coupons.redeem(code, { userId: 'u2', orderId: 'o1', lines, channel: 'web' }))).toBe('WRONG_SHOPPER');
    expect(await refusal(() => coupons.redeem(code, { userId: 'u1', orderId: 'o1', lines: [{ categories: ['shoes'], amountCents: 1000 }], channel: 'web' }))).toBe('MIN_BASKET');
    expect(await refusal(() => coupons.redeem(code, { userId: 'u1', orderId: 'o1', lines: [{ categories: ['hats'], amountCents: 9000 }], channel: 'web' }))).toBe('CATEGORY');
    now = T0 + 8 * DAY;
    expect(await refusal(() => coupons.redeem(code, { userId: 'u1', orderId: 'o1', lines, channel: 'web' }))).toBe('EXPIRED');
  });

  it('refuses redemptions past the campaign budget', async () => {
    // Budget 1500 cents; each redemption costs 800: the second would overspend.
    const a = await offerTo('a');
    const b = await offerTo('b');
    await coupons.redeem(a, { userId: 'a', orderId: 'oa', lines, channel: 'web' });
    expect(await refusal(() => coupons.redeem(b, { userId: 'b', orderId: 'ob', lines, channel: 'web' }))).toBe('OVER_BUDGET');
    expect(await coupons.spentCents('SHOES10')).toBe(800);
  });

  it('stops offering once a shopper reached the per-shopper limit, and offers nothing outside the campaign', async () => {
    await offerTo('u1', 'conv-1');
    expect(await coupons.decideOffer({ ...shopper, userId: 'u1', conversationId: 'conv-2' }, basket)).toMatchObject({ decision: 'none', reason: 'no eligible campaign' });
    expect((await coupons.decideOffer({ ...shopper, userId: 'u3', conversationId: 'conv-3' }, { ...basket, categories: ['hats'] })).decision).toBe('none');
  });
});

describe('offer decisions', () => {
  let dir: string;
  let db: SqliteDb;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-coupons-'));
    db = openSqlite(dir);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a seeded random holdout and learns to offer where the coupon changes the outcome', async () => {
    let now = T0;
    const cfg = { ...config, coupons: { ...config.coupons, holdoutRate: 0.2, explorationRate: 0.5 }, ranking: { ...config.ranking, attributionWindowMs: 1000 } };
    const coupons = openCoupons({ db, config: cfg, clock: () => now, rng: createRng(7) });
    await coupons.addCampaign({ id: 'ALL5', kind: 'percent', value: 5, startsAt: T0, endsAt: T0 + 365 * DAY, perShopperLimit: 1, budgetCents: 1e9 });
    const world = createRng(99);
    const counts = { holdout: 0, offered: 0, declined: 0 };
    const offeredBySegment = { new: [0, 0], returning: [0, 0] };
    // "new" shoppers buy 10% without and 50% with a coupon; "returning" buy 40% either way.
    for (let i = 0; i < 4000; i++) {
      // The targeter's trees retrain in a worker after 1,000 outcomes; the second half decides with them.
      if (i === 2000) await coupons.drain();
      now += 2000;
      const segment = world() < 0.5 ? 'new' : 'returning';
      const s = { userId: `u${i}`, conversationId: `c${i}`, channel: 'web' as const, segment };
      const d = await coupons.decideOffer(s, basket);
      if (d.decision === 'none') continue;
      if (i >= 2000) {
        counts[d.decision]++;
        offeredBySegment[segment as 'new' | 'returning'][0]! += d.decision === 'offered' ? 1 : 0;
        offeredBySegment[segment as 'new' | 'returning'][1]!++;
      }
      const p = segment === 'new' ? (d.decision === 'offered' ? 0.5 : 0.1) : 0.4;
      if (world() < p) coupons.observe([FunnelEventSchema.parse({ id: `buy${i}`, type: 'purchase', ts: now, channel: 'web', conversationId: `c${i}`, orderId: `o${i}`, revenueCents: 8000 })]);
    }
    expect(counts.holdout / 2000).toBeGreaterThan(0.15);
    expect(counts.holdout / 2000).toBeLessThan(0.25);
    // Once it has learned, offers go to the shoppers they move.
    const rate = (k: 'new' | 'returning') => offeredBySegment[k][0]! / offeredBySegment[k][1]!;
    expect(rate('new')).toBeGreaterThan(rate('returning') + 0.1);
    const newUplift = coupons.model.uplift({ basket: 80, items: 2, channel: 'web', segment: 'new', cat: 'shoes' });
    const retUplift = coupons.model.uplift({ basket: 80, items: 2, channel: 'web', segment: 'returning', cat: 'shoes' });
    expect(newUplift).toBeGreaterThan(retUplift + 0.15);
    const n = await coupons.decideOffer({ userId: 'x', conversationId: 'cx', channel: 'web', segment: 'new' }, basket);
    const r = await coupons.decideOffer({ userId: 'y', conversationId: 'cy', channel: 'web', segment: 'returning' }, basket);
    expect(n.expectedGainCents!).toBeGreaterThan(r.expectedGainCents!);
    await coupons.close();
  });
});
