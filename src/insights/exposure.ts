/**
 * Exposure check: do impressions follow relevance, or do some brands and price bands get more of
 * the shop window than their relevance earns? Per slate, each candidate's relevance share (its
 * retrieval score over the slate's total) is the exposure it "deserves"; each shown card is the
 * exposure it got. Summed over the period's slates by brand and by price band, the two shares side
 * by side, their ratio, and the total variation distance between the distributions (0: impressions
 * spread exactly as relevance; 1: disjoint). Beside it, the configured cap on one brand's cards
 * in a slate (`ranking.maxPerBrand`) and how often a slate went over it (the ranker fills a slot
 * with a repeat brand rather than leave it empty).
 */
import type { FunnelEvent } from '../funnel/index.js';
import type { Metric, MetricTable } from './report-types.js';

type Slate = Extract<FunnelEvent, { type: 'slate' }>;

export interface ExposureOptions {
  readonly maxPerBrand: number;
}

/** Price bands in the store currency's major unit (the ranker's `price` feature). */
const BANDS: readonly [number, string][] = [
  [25, 'under 25'],
  [50, '25-50'],
  [100, '50-100'],
  [250, '100-250'],
  [Infinity, '250 and over'],
];
const NO_BRAND = '(no brand)';
const NO_PRICE = '(no price)';
const ROWS = 15;

export function priceBand(price: number | string | undefined): string {
  if (typeof price !== 'number') return NO_PRICE;
  return BANDS.find(([hi]) => price < hi)![1];
}

interface Shares {
  shown: number;
  relevance: number;
}

function add(m: Map<string, Shares>, key: string, shown: number, relevance: number): void {
  const s = m.get(key) ?? { shown: 0, relevance: 0 };
  s.shown += shown;
  s.relevance += relevance;
  m.set(key, s);
}

/** The candidate features the report reads; the dashboard keeps only these of a slate's candidates. */
export const EXPOSURE_FEATURES = ['brand', 'price'] as const;

export function exposureReport(events: readonly FunnelEvent[], options: ExposureOptions): { metrics: Metric[]; tables: MetricTable[] } {
  const brands = new Map<string, Shares>();
  const bands = new Map<string, Shares>();
  let slates = 0;
  let overCap = 0;
  let cards = 0;
  for (const e of events) {
    if (e.type !== 'slate' || e.candidates.length === 0 || e.shown.length === 0) continue;
    const byId = new Map(e.candidates.map((c) => [c.productId, c]));
    const total = e.candidates.reduce((s, c) => s + Math.max(0, c.score), 0);
    if (total <= 0) continue;
    slates += 1;
    // Each slate weighs 1 on both sides: its relevance split over its candidates, its cards over what it showed.
    for (const c of e.candidates) {
      const share = Math.max(0, c.score) / total;
      add(brands, brandOf(c), 0, share);
      add(bands, priceBand(c.features?.price), 0, share);
    }
    const perBrand = new Map<string, number>();
    for (const s of e.shown) {
      const c = byId.get(s.productId);
      const brand = c ? brandOf(c) : NO_BRAND;
      add(brands, brand, 1 / e.shown.length, 0);
      add(bands, priceBand(c?.features?.price), 1 / e.shown.length, 0);
      if (brand !== NO_BRAND) perBrand.set(brand, (perBrand.get(brand) ?? 0) + 1);
      cards += 1;
    }
    if ([...perBrand.values()].some((n) => n > options.maxPerBrand)) overCap += 1;
  }
  const rows = (m: Map<string, Shares>, order?: readonly string[]) =>
    (order ? order.filter((k) => m.has(k)).map((k) => [k, m.get(k)!] as const) : [...m].sort((a, b) => b[1].shown - a[1].shown || b[1].relevance - a[1].relevance).slice(0, ROWS)).map(([k, s]) => [
      k,
      s.shown / slates,
      s.relevance / slates,
      s.relevance > 0 ? s.shown / s.relevance : null,
    ]);
  const tvd = (m: Map<string, Shares>) => (slates ? [...m.values()].reduce((sum, s) => sum + Math.abs(s.shown - s.relevance), 0) / (2 * slates) : null);
  const section = 'exposure';
  const columns = ['impression share', 'relevance share', 'impressions / relevance'];
  const units = ['ratio', 'ratio', 'score'] as const;
  const definition = (what: string) =>
    `Per ${what}: its share of the cards shown (each slate weighing 1) beside its share of the relevance-weighted candidates (each candidate's retrieval score over its slate's total), and their ratio (above 1: shown more than its relevance earns). ${slates} slates, ${cards} cards.`;
  return {
    metrics: [
      { key: 'exposure.brand_tvd', section, label: 'Brand exposure gap', value: tvd(brands), unit: 'ratio', definition: 'Total variation distance between brands\' impression shares and relevance shares: 0 when impressions spread exactly as relevance, 1 when they fall on entirely different brands.' },
      { key: 'exposure.price_tvd', section, label: 'Price-band exposure gap', value: tvd(bands), unit: 'ratio', definition: 'The same distance over price bands (under 25, 25-50, 50-100, 100-250, 250 and over, in the store currency).' },
      { key: 'exposure.max_per_brand', section, label: 'Cap on one brand per slate', value: options.maxPerBrand, unit: 'count', definition: 'ranking.maxPerBrand (SHOPBOT_RANKING_MAX_PER_BRAND): the most cards of one brand the ranker puts in a slate while other brands are eligible.' },
      { key: 'exposure.slates_over_cap', section, label: 'Slates over the brand cap', value: slates ? overCap / slates : null, unit: 'ratio', definition: 'Share of slates with more cards of one brand than the cap: only when no other eligible brand was left to fill the slot.' },
    ],
    tables: [
      { key: 'exposure.brands', section, title: 'Impressions vs relevance by brand', definition: definition('brand (the 15 most shown)'), columns: ['brand', ...columns], units: [null, ...units], rows: rows(brands) },
      { key: 'exposure.price_bands', section, title: 'Impressions vs relevance by price band', definition: definition('price band'), columns: ['price band', ...columns], units: [null, ...units], rows: rows(bands, [...BANDS.map((b) => b[1]), NO_PRICE]) },
    ],
  };
}

function brandOf(c: Slate['candidates'][number]): string {
  const b = c.features?.brand;
  return typeof b === 'string' && b ? b.slice(0, 80) : NO_BRAND;
}
