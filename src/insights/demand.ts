/**
 * Demand signals for inventory, from the funnel log: per product, how often it was shown, opened,
 * added to a cart and bought; unmet demand (searches that found nothing, opens of out-of-stock
 * products); a forecast of daily demand with Croston's method and the Syntipov-Boylan
 * approximation (SBA), the standard for intermittent series where most days sell nothing,
 * backtested on the last weeks of the store's own history with its error beside a naive forecast;
 * and days of cover against the catalog's stock, with the products under the alert threshold.
 */
import type { Product } from '../catalog/index.js';
import type { FunnelEvent, FunnelReader } from '../funnel/index.js';
import { normalizeQuery } from '../reports/index.js';
import type { Metric, MetricTable, MetricUnit } from './metrics.js';

const DAY_MS = 86_400_000;

/** Croston/SBA smoothing constant: 0.1 to 0.2 is the usual range for intermittent demand. */
export const CROSTON_ALPHA = 0.1;

/**
 * Croston's forecast with the SBA bias correction: per-period demand rate (1 - a/2) * z / p, where
 * z smooths the non-zero demand sizes and p the intervals between them. Zero for a series that
 * never sold.
 */
export function crostonSba(series: readonly number[], alpha = CROSTON_ALPHA): number {
  let z: number | undefined;
  let p: number | undefined;
  let since = 1;
  for (const y of series) {
    if (y > 0) {
      z = z === undefined ? y : z + alpha * (y - z);
      p = p === undefined ? since : p + alpha * (since - p);
      since = 1;
    } else since += 1;
  }
  return z === undefined || p === undefined ? 0 : (1 - alpha / 2) * (z / p);
}

export interface Backtest {
  /** Days held out at the end of the history. */
  readonly horizonDays: number;
  /** Mean absolute error per product of the forecast total over the horizon (units). */
  readonly maeCroston: number;
  /** The same for the naive forecast (the mean daily demand before the horizon). */
  readonly maeNaive: number;
  /** Products with any sale in the history, over which the errors are averaged. */
  readonly products: number;
}

/**
 * Fits on all days but the last `horizonDays` and compares each product's forecast total over
 * the horizon with what it sold; undefined when the history is not longer than the horizon.
 */
export function backtest(series: ReadonlyMap<string, readonly number[]>, horizonDays: number): Backtest | undefined {
  let n = 0, errCroston = 0, errNaive = 0;
  for (const s of series.values()) {
    if (s.length <= horizonDays || !s.some((y) => y > 0)) continue;
    const train = s.slice(0, s.length - horizonDays);
    const actual = s.slice(-horizonDays).reduce((a, b) => a + b, 0);
    const naive = (train.reduce((a, b) => a + b, 0) / train.length) * horizonDays;
    errCroston += Math.abs(crostonSba(train) * horizonDays - actual);
    errNaive += Math.abs(naive - actual);
    n += 1;
  }
  return n === 0 ? undefined : { horizonDays, maeCroston: errCroston / n, maeNaive: errNaive / n, products: n };
}

export interface ProductDemand {
  readonly productId: string;
  readonly title?: string;
  readonly shown: number;
  readonly opened: number;
  readonly cartAdds: number;
  readonly unitsSold: number;
  /** Opens of the product while it was out of stock: demand the store could not serve. */
  readonly outOfStockOpens: number;
  readonly forecastPerDay: number;
  readonly stock?: number;
  /** stock / forecast per day; undefined without stock or without forecast demand. */
  readonly daysOfCover?: number;
}

export interface DemandReport {
  readonly historyDays: number;
  readonly products: readonly ProductDemand[];
  readonly unmetSearches: readonly { query: string; count: number }[];
  readonly backtest?: Backtest;
  /** Products whose days of cover are under the threshold, fewest first. */
  readonly lowStock: readonly ProductDemand[];
  readonly lowStockDays: number;
}

export interface DemandOptions {
  readonly fromTs: number;
  readonly toTs: number;
  /** Days held out for the backtest. */
  readonly horizonDays?: number;
  /** Alert when fewer days of cover than this remain. */
  readonly lowStockDays?: number;
}

function isOutOfStock(p: Product | undefined): boolean {
  return !!p && (p.availability === 'out_of_stock' || p.stock === 0);
}

export function demandReport(events: Iterable<FunnelEvent>, catalog: ReadonlyMap<string, Product>, options: DemandOptions): DemandReport {
  const days = Math.max(1, Math.ceil((options.toTs - options.fromTs) / DAY_MS));
  const dayOf = (ts: number) => Math.min(days - 1, Math.max(0, Math.floor((ts - options.fromTs) / DAY_MS)));
  const rows = new Map<string, { shown: number; opened: number; cartAdds: number; unitsSold: number; outOfStockOpens: number; daily: number[] }>();
  const row = (id: string) => {
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { shown: 0, opened: 0, cartAdds: 0, unitsSold: 0, outOfStockOpens: 0, daily: new Array<number>(days).fill(0) }));
    return r;
  };
  const unmet = new Map<string, number>();
  for (const e of events) {
    if (e.ts < options.fromTs || e.ts >= options.toTs) continue;
    if (e.type === 'impression') row(e.productId).shown += 1;
    else if (e.type === 'click') {
      const r = row(e.productId);
      r.opened += 1;
      if (isOutOfStock(catalog.get(e.productId))) r.outOfStockOpens += 1;
    } else if (e.type === 'add_to_cart') row(e.productId).cartAdds += e.quantity;
    else if (e.type === 'purchase') {
      for (const id of e.productIds) {
        const r = row(id);
        r.unitsSold += 1;
        r.daily[dayOf(e.ts)]! += 1;
      }
    } else if (e.type === 'search' && e.results === 0) {
      const q = normalizeQuery(e.query);
      if (q) unmet.set(q, (unmet.get(q) ?? 0) + 1);
    }
  }
  const lowStockDays = options.lowStockDays ?? 7;
  const products: ProductDemand[] = [...rows].map(([productId, r]) => {
    const product = catalog.get(productId);
    const forecastPerDay = crostonSba(r.daily);
    const stock = product?.stock;
    const daysOfCover = stock !== undefined && forecastPerDay > 0 ? stock / forecastPerDay : undefined;
    return {
      productId,
      ...(product ? { title: product.title } : {}),
      shown: r.shown,
      opened: r.opened,
      cartAdds: r.cartAdds,
      unitsSold: r.unitsSold,
      outOfStockOpens: r.outOfStockOpens,
      forecastPerDay,
      ...(stock !== undefined ? { stock } : {}),
      ...(daysOfCover !== undefined ? { daysOfCover } : {}),
    };
  });
  products.sort((a, b) => b.unitsSold - a.unitsSold || b.cartAdds - a.cartAdds || b.opened - a.opened || a.productId.localeCompare(b.productId));
  const lowStock = products.filter((p) => p.daysOfCover !== undefined && p.daysOfCover < lowStockDays).sort((a, b) => a.daysOfCover! - b.daysOfCover!);
  const bt = backtest(new Map([...rows].map(([id, r]) => [id, r.daily])), options.horizonDays ?? Math.min(14, Math.floor(days / 3)));
  return {
    historyDays: days,
    products,
    unmetSearches: [...unmet].map(([query, count]) => ({ query, count })).sort((a, b) => b.count - a.count || a.query.localeCompare(b.query)).slice(0, 20),
    ...(bt ? { backtest: bt } : {}),
    lowStock,
    lowStockDays,
  };
}

export async function computeDemandReport(
  store: Pick<FunnelReader, 'query'>,
  catalog: { getMany(ids: readonly string[]): Promise<ReadonlyMap<string, Product>> },
  options: DemandOptions,
): Promise<DemandReport> {
  const events: FunnelEvent[] = [];
  for await (const e of store.query({ types: ['impression', 'click', 'add_to_cart', 'purchase', 'search'], fromTs: options.fromTs, toTs: options.toTs })) events.push(e);
  const ids = new Set<string>();
  for (const e of events) {
    if ('productId' in e) ids.add(e.productId);
    if (e.type === 'purchase') for (const id of e.productIds) ids.add(id);
  }
  return demandReport(events, await catalog.getMany([...ids]), options);
}

/** The report as the dashboard's tables (the same shape as the metrics' tables, with definitions). */
export function demandTables(r: DemandReport): { metrics: Metric[]; tables: MetricTable[] } {
  const section = 'demand';
  const row = (p: ProductDemand) => [p.productId, p.title ?? null, p.shown, p.opened, p.cartAdds, p.unitsSold, p.outOfStockOpens, p.forecastPerDay, p.stock ?? null, p.daysOfCover ?? null];
  const columns = ['product', 'title', 'shown', 'opened', 'cart adds', 'sold', 'out-of-stock opens', 'forecast/day', 'stock', 'days of cover'];
  const units: (MetricUnit | null)[] = [null, null, 'count', 'count', 'count', 'count', 'count', 'score', 'count', 'days'];
  const bt = r.backtest;
  return {
    metrics: [
      { key: 'demand.backtest_mae_croston', section, label: `Forecast error, Croston/SBA (${bt?.horizonDays ?? '-'} days)`, value: bt?.maeCroston ?? null, unit: 'score', definition: `Backtest on the store's history: the model is fitted on all but the last ${bt?.horizonDays ?? 'few'} days, and its forecast total for those days is compared with what each product sold; mean absolute error in units over ${bt?.products ?? 0} products that sold.` },
      { key: 'demand.backtest_mae_naive', section, label: 'Forecast error, naive mean', value: bt?.maeNaive ?? null, unit: 'score', definition: 'The same backtest for the mean daily sales before the held-out days, as the baseline the model must beat.' },
      { key: 'demand.low_stock', section, label: `Products under ${r.lowStockDays} days of cover`, value: r.lowStock.length, unit: 'count', definition: `Products whose stock lasts fewer than ${r.lowStockDays} days at the forecast rate (stock / forecast per day).` },
    ],
    tables: [
      { key: 'demand.low_stock', section, title: 'Low stock', definition: `Stock divided by the Croston/SBA forecast of daily demand (alpha ${CROSTON_ALPHA}), fewest days first.`, columns, units, rows: r.lowStock.slice(0, 50).map(row) },
      { key: 'demand.products', section, title: 'Demand by product', definition: `Over the last ${r.historyDays} days: cards shown, opened, units added to carts, units sold (purchases), opens while out of stock, the forecast, stock and days of cover.`, columns, units, rows: r.products.slice(0, 50).map(row) },
      { key: 'demand.unmet_searches', section, title: 'Unmet demand: searches with no result', definition: 'Searches that found no product at all, most frequent first.', columns: ['query', 'count'], rows: r.unmetSearches.map((u) => [u.query, u.count]) },
    ],
  };
}

/** The low-stock alert a merchant channel receives (plain text; each channel escapes it). */
export function lowStockAlertText(r: DemandReport, limit = 10): string | undefined {
  if (r.lowStock.length === 0) return undefined;
  const lines = r.lowStock.slice(0, limit).map((p) => `• ${(p.title ?? p.productId).slice(0, 80)} (${p.productId}): ${p.stock} left, ${p.daysOfCover!.toFixed(1)} days of cover at ${p.forecastPerDay.toFixed(2)}/day`);
  const more = r.lowStock.length > limit ? `\n…and ${r.lowStock.length - limit} more` : '';
  return `Low stock: ${r.lowStock.length} product${r.lowStock.length === 1 ? '' : 's'} under ${r.lowStockDays} days of cover\n${lines.join('\n')}${more}`;
}
