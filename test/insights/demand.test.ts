import { describe, expect, it } from 'vitest';
import { ProductSchema, type Product } from '../../src/catalog/index.js';
import { FunnelEventSchema, type FunnelEvent, type FunnelEventInput } from '../../src/funnel/index.js';
import { backtest, crostonSba, demandReport, lowStockAlertText } from '../../src/insights/index.js';

const DAY = 86_400_000;
const ev = (e: FunnelEventInput): FunnelEvent => FunnelEventSchema.parse(e);

describe('Croston/SBA', () => {
  it('forecasts the bias-corrected rate of an intermittent series', () => {
    // Sizes 3 and 3, every third day: z = 3, p = 3, SBA = (1 - 0.05) * 1.
    expect(crostonSba([0, 0, 3, 0, 0, 3])).toBeCloseTo(0.95);
    expect(crostonSba([0, 0, 0])).toBe(0);
    // Smoothing moves towards the newer size: sizes 2 then 4 every day -> z = 2.2, p = 1.
    expect(crostonSba([2, 4])).toBeCloseTo(0.95 * 2.2);
  });

  it('backtests on held-out final days beside the naive mean', () => {
    const series = new Map([['a', [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]], ['never', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]]);
    const bt = backtest(series, 4)!;
    expect(bt.products).toBe(1);
    // Train [1,0,1,0,1,0]: z = 1; intervals 1, 2, 2 smooth p to 1 -> 1.1 -> 1.19, so 0.95 / 1.19 per
    // day, 3.19 over 4 days against 2 sold; the naive mean 0.5/day gives exactly 2.
    expect(bt.maeCroston).toBeCloseTo((4 * 0.95) / 1.19 - 2);
    expect(bt.maeNaive).toBeCloseTo(0);
    expect(backtest(series, 10)).toBeUndefined();
  });
});

describe('demandReport', () => {
  const product = (id: string, stock: number, extra: Partial<Product> = {}): Product => ProductSchema.parse({ id, title: `Product ${id}`, stock, priceCents: 1000, source: 'api', ...extra });
  const catalog = new Map([['fast', product('fast', 3)], ['slow', product('slow', 500)], ['gone', product('gone', 0, { availability: 'out_of_stock' })]]);
  const events: FunnelEvent[] = [];
  for (let d = 0; d < 28; d++) {
    events.push(ev({ id: `o${d}`, ts: d * DAY + 1000, channel: 'web', type: 'purchase', orderId: `o${d}`, revenueCents: 1000, productIds: ['fast', ...(d % 7 === 0 ? ['slow'] : [])] }));
  }
  events.push(
    ev({ id: 'c1', ts: 5 * DAY, channel: 'web', type: 'click', productId: 'gone', conversationId: 'c' }),
    ev({ id: 'i1', ts: 5 * DAY, channel: 'web', type: 'impression', productId: 'gone', position: 0, policyId: 'p', slateId: 's', conversationId: 'c' }),
    ev({ id: 'q1', ts: 6 * DAY, channel: 'web', type: 'search', query: 'Unicorn  Saddle', results: 0 }),
  );
  const r = demandReport(events, catalog, { fromTs: 0, toTs: 28 * DAY, lowStockDays: 7 });

  it('counts signals, forecasts and finds what runs out first', () => {
    const fast = r.products.find((p) => p.productId === 'fast')!;
    expect(fast.unitsSold).toBe(28);
    expect(fast.forecastPerDay).toBeCloseTo(0.95);
    expect(fast.daysOfCover).toBeCloseTo(3 / 0.95);
    expect(r.products.find((p) => p.productId === 'gone')).toMatchObject({ shown: 1, opened: 1, outOfStockOpens: 1 });
    expect(r.lowStock.map((p) => p.productId)).toEqual(['fast']);
    expect(r.unmetSearches).toEqual([{ query: 'unicorn saddle', count: 1 }]);
    expect(r.backtest!.horizonDays).toBe(9);
    expect(lowStockAlertText(r)).toMatch(/^Low stock: 1 product under 7 days of cover\n• Product fast \(fast\): 3 left, 3\.2 days of cover at 0\.95\/day$/);
  });
});
