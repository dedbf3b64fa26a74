import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FunnelEventInput } from '../../src/funnel/events.js';
import { SqliteFunnelStore } from '../../src/funnel/sqlite.js';
import { computeFunnelReport, parsePeriod, summarizeCoupons, summarizeStages } from '../../src/reports/index.js';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const HOUR = 3_600_000;
let n = 0;
const ev = (e: Record<string, unknown>): FunnelEventInput => ({ id: `e${n++}`, channel: 'web', ts: NOW - HOUR, ...e }) as FunnelEventInput;

describe('summaries (pure)', () => {
  it('stage conversion and CTR from stage rows', () => {
    const s = summarizeStages([
      { day: '2026-11-27', channel: 'web', counts: { impression: 80, click: 8, add_to_cart: 4, checkout_started: 2, purchase: 1 }, revenueCents: 1000 },
      { day: '2026-11-28', channel: 'slack', counts: { impression: 20, click: 2, add_to_cart: 0, checkout_started: 0, purchase: 0 }, revenueCents: 0 },
    ]);
    expect(s.stages.map((x) => x.count)).toEqual([100, 10, 4, 2, 1]);
    expect(s.stages.map((x) => x.conversion)).toEqual([null, 0.1, 0.4, 0.5, 0.5]);
    expect(s.recommendationCtr).toBe(0.1);
    expect(s.revenueCents).toBe(1000);
    expect(summarizeStages([]).recommendationCtr).toBeNull();
  });

  it('coupon uplift compares treated with holdout', () => {
    const events = [
      // 4 treated, 2 convert; 2 holdout, 0 convert
      ...['a', 'b', 'c', 'd'].map((c) => ev({ type: 'coupon_offered', conversationId: c, campaignId: 'x', holdout: false, ts: 10 })),
      ...['h1', 'h2'].map((c) => ev({ type: 'coupon_offered', conversationId: c, campaignId: 'x', holdout: true, ts: 10 })),
      ev({ type: 'purchase', conversationId: 'a', orderId: 'o1', revenueCents: 5000, ts: 20 }),
      ev({ type: 'purchase', userId: 'ub', orderId: 'o2', revenueCents: 5000, ts: 20 }),
      // a purchase before the offer does not count
      ev({ type: 'purchase', conversationId: 'h1', orderId: 'o0', revenueCents: 5000, ts: 5 }),
      ev({ type: 'coupon_redeemed', campaignId: 'x', code: 'C1', discountCents: 500, orderId: 'o1' }),
    ];
    // user id join: the offer in 'b' knew the user
    (events[1] as { userId?: string }).userId = 'ub';
    const parsed = events.map((e) => ({ currency: 'USD', productIds: [], ...e })) as never[];
    const c = summarizeCoupons(parsed);
    expect([c.treated, c.holdout, c.treatedConverted, c.holdoutConverted]).toEqual([4, 2, 2, 0]);
    expect(c.uplift).toBeCloseTo(0.5);
    expect(c.upliftCi95![0]).toBeLessThan(0.5);
    expect(c.upliftCi95![1]).toBeGreaterThan(0.5);
    expect([c.redeemed, c.costCents]).toEqual([1, 500]);
  });

  it('no uplift without a holdout arm', () => {
    const c = summarizeCoupons([]);
    expect(c.uplift).toBeNull();
    expect(c.treatedRate).toBeNull();
  });
});

describe('computeFunnelReport on SQLite', () => {
  let db: SqliteDb;
  let store: SqliteFunnelStore;
  beforeEach(() => {
    db = openSqlite(':memory:');
    store = new SqliteFunnelStore(db);
  });
  afterEach(async () => {
    await store.close();
    db.close();
  });

  it('reports only the period', async () => {
    await store.append([
      ev({ type: 'impression', productId: 'p1', position: 0, policyId: 'pol', slateId: 's1' }),
      ev({ type: 'impression', productId: 'p2', position: 1, policyId: 'pol', slateId: 's1' }),
      ev({ type: 'click', productId: 'p1', slateId: 's1', position: 0 }),
      ev({ type: 'add_to_cart', productId: 'p1', quantity: 1, priceCents: 1999 }),
      ev({ type: 'purchase', orderId: 'o1', revenueCents: 1999, conversationId: 'c1' }),
      ev({ type: 'coupon_offered', campaignId: 'x', holdout: false, conversationId: 'c1', ts: NOW - 2 * HOUR }),
      // outside the week
      ev({ type: 'impression', productId: 'p3', position: 0, policyId: 'pol', slateId: 's0', ts: NOW - 9 * 24 * HOUR }),
    ]);
    const r = await computeFunnelReport(store, parsePeriod('week', NOW));
    expect(r.stages.map((s) => s.count)).toEqual([2, 1, 1, 0, 1]);
    expect(r.revenueCents).toBe(1999);
    expect(r.recommendationCtr).toBe(0.5);
    expect(r.coupons.treated).toBe(1);
    expect(r.coupons.treatedConverted).toBe(1);
  });
});

describe('parsePeriod', () => {
  it('accepts names and day counts, refuses the rest', () => {
    expect(parsePeriod('week', NOW).fromTs).toBe(NOW - 7 * 24 * HOUR);
    expect(parsePeriod('14d', NOW).label).toBe('last 14 days');
    expect(parsePeriod(undefined, NOW).label).toBe('last 7 days');
    expect(() => parsePeriod('forever', NOW)).toThrow(/unknown period/);
    expect(() => parsePeriod('999d', NOW)).toThrow();
  });
});
