/**
 * `shopbot eval simulate [--conversations N] [--batch N] [--seed S] [--json OUT] [--png OUT]`
 *
 * A funnel simulator for policies end to end. The shoppers' preferences come from a model the
 * ranker never sees (its generating form uses no feature or cross the ranker is given), built from
 * dataset marginals and product attributes:
 *   - whether a shopper is new or returning, and how often each converts, from UCI online
 *     shoppers; how much an offer lifts conversion for new vs established customers, from
 *     Hillstrom (e-mail vs none). The new/returning status is hidden: neither the ranker nor the
 *     coupon targeter gets it, as production supplies neither with it.
 *   - utility of a product = quality (z-scored rating and log rating count from the catalog)
 *     + a hidden taste (the shopper's 4-d vector times a vector hashed from the product's title
 *     words) - price sensitivity x log(price / the query group's median price), sensitivity
 *     lognormal around 1.2 for new and 0.6 for returning shoppers.
 *   - which category a shopper searches: a hidden per-shopper preference over top-level categories.
 * Policies get exactly what production gives them: the ranker the query, user id, channel and
 * language (src/ranking/ranker.ts); the coupon targeter the user, conversation, channel and language
 * (src/actions/coupons.ts).
 *
 * Policies: no recommendations (the shopper may still buy on their own), popularity (most bought so
 * far in this run) and the learned policy (src/ranking rank() on src/learning models trained online
 * from the events the simulation logs), each with and without coupons (src/coupons: uplift-targeted
 * offers with a holdout, codes issued and redeemed for real). Everything runs through the same
 * code the server uses; only the shopper is simulated. The learning curves go to a PNG.
 */
import { writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Product } from '../src/catalog/product.js';
import { loadConfig, type Config } from '../src/config.js';
import { openCoupons, type Coupons } from '../src/coupons/index.js';
import { FunnelEventSchema, type FunnelEventInput } from '../src/funnel/events.js';
import { openLearning, type Learning } from '../src/learning/online.js';
import { fnv1a, mix } from '../src/learning/encoder.js';
import { createRng, shuffle, type Rng } from '../src/maths/index.js';
import { policyFromConfig, rank } from '../src/ranking/index.js';
import { openSqlite } from '../src/storage/sqlite.js';
import { lineChartPng, type Series } from './png.js';
import { printTable, requireFile, writeJson, type SideBySide } from './report.js';
import { loadCatalog } from './retrieval.js';
import { flag, parseFlags } from '../cli/args.js';

export const USAGE = `usage: shopbot eval simulate [--conversations N] [--batch N] [--seed S] [--json OUT] [--png OUT]

A funnel simulator for policies end to end. Shoppers' preferences come from a model the ranker
never sees, built from dataset marginals (UCI online shoppers: new/returning mix and conversion;
Hillstrom: offer lift) and product attributes (rating, rating count, title words, price against
the query group's median); the new/returning status stays hidden from every policy. Policies get
only what production gives them (ranker: query, user, channel, language; coupons: user,
conversation, channel, language). Policies: no recommendations, popularity, and the learned
policy (src/ranking on src/learning models trained online from the simulated events), each with
and without coupons (uplift-targeted offers with a holdout, codes issued and redeemed for real).
The learning curves go to a PNG.

options:
  --conversations VALUE   (default 6000)
  --batch VALUE   (default 500)
  --seed VALUE   (default 7)
  --catalog FILE   (default evals/data/esci/ubi_ecommerce_products.json.gz)
  --shoppers FILE   (default evals/data/online-shoppers/online_shoppers_intention_train.csv)
  --hillstrom FILE   (default evals/data/hillstrom/hillstrom_train.csv)
  --json OUT
  --png OUT
  --policies VALUE   (default none,popularity,learned)`;

interface Marginals {
  returningShare: number;
  conv: { new: number; returning: number };
  /** Conversion with an offer / without, by segment (Hillstrom newbie=1 -> new). */
  offerLift: { new: number; returning: number };
}

export function shopperMarginals(shoppersCsv: string, hillstromCsv: string): Marginals {
  const s = parse(readFileSync(shoppersCsv), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const isRet = (r: Record<string, string>) => r.VisitorType === 'Returning_Visitor';
  const rate = (rows: Record<string, string>[]) => rows.filter((r) => String(r.Revenue).toUpperCase() === 'TRUE').length / Math.max(1, rows.length);
  const h = parse(readFileSync(hillstromCsv), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const conv = (rows: Record<string, string>[]) => rows.filter((r) => r.conversion === '1').length / Math.max(1, rows.length);
  const lift = (newbie: string) => {
    const g = h.filter((r) => r.newbie === newbie);
    const c = conv(g.filter((r) => r.segment === 'No E-Mail'));
    return c > 0 ? conv(g.filter((r) => r.segment !== 'No E-Mail')) / c : 1;
  };
  return { returningShare: s.filter(isRet).length / s.length, conv: { new: rate(s.filter((r) => !isRet(r))), returning: rate(s.filter(isRet)) }, offerLift: { new: lift('1'), returning: lift('0') } };
}

interface Shopper {
  id: string;
  /** Hidden from every policy: production knows no such thing about a shopper. */
  segment: 'new' | 'returning';
  catPref: Map<string, number>;
  sensitivity: number;
  taste: number[];
}

const TASTE_DIM = 4;

interface World {
  groups: Map<string, Product[]>;
  queries: string[];
  cat0s: string[];
  /** Quality from the product's own attributes: z-scored rating and log rating count. */
  quality: Map<string, number>;
  /** A hidden direction per product, hashed from its title words (the ranker sees no title words). */
  styleOf: Map<string, number[]>;
  medianPrice: Map<string, number>;
}

function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function zScores(values: Map<string, number | undefined>): Map<string, number> {
  const xs = [...values.values()].filter((v): v is number => v !== undefined);
  const m = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length)) || 1;
  return new Map([...values].map(([k, v]) => [k, v === undefined ? 0 : (v - m) / sd]));
}

/** A unit vector from the title's words: each word hashes to a fixed direction, summed. */
function titleStyle(title: string): number[] {
  const v = new Array<number>(TASTE_DIM).fill(0);
  for (const w of title.toLowerCase().match(/[a-z]{3,}/g) ?? []) {
    const h = fnv1a(w);
    for (let d = 0; d < TASTE_DIM; d++) v[d]! += ((mix(h, d) % 2001) - 1000) / 1000;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function buildWorld(products: readonly Product[]): World {
  const groups = new Map<string, Product[]>();
  for (const p of products) {
    if (p.category.length < 2 || p.priceCents === undefined) continue;
    const key = `${p.category[0]} > ${p.category[1]}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  for (const [k, v] of groups) if (v.length < 12) groups.delete(k);
  const rating = zScores(new Map(products.map((p) => [p.id, p.rating])));
  const count = zScores(new Map(products.map((p) => [p.id, p.ratingCount === undefined ? undefined : Math.log1p(p.ratingCount)])));
  const quality = new Map(products.map((p) => [p.id, 0.6 * rating.get(p.id)! + 0.3 * count.get(p.id)!]));
  const styleOf = new Map(products.map((p) => [p.id, titleStyle(p.title)]));
  const medianPrice = new Map([...groups].map(([k, v]) => [k, [...v.map((p) => p.priceCents!)].sort((a, b) => a - b)[Math.floor(v.length / 2)]!]));
  const queries = [...groups.keys()].sort();
  return { groups, queries, cat0s: [...new Set(queries.map((q) => q.split(' > ')[0]!))], quality, styleOf, medianPrice };
}

function newShopper(id: string, segment: Shopper['segment'], world: World, rng: Rng): Shopper {
  // New visitors are more price sensitive (lognormal around 1.2 vs 0.6).
  return {
    id,
    segment,
    catPref: new Map(world.cat0s.map((c) => [c, gaussian(rng)])),
    sensitivity: Math.exp(Math.log(segment === 'new' ? 1.2 : 0.6) + 0.5 * gaussian(rng)),
    taste: Array.from({ length: TASTE_DIM }, () => gaussian(rng)),
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

type PolicyName = 'none' | 'popularity' | 'learned';

interface RunResult {
  metrics: Record<string, number>;
  curve: { x: number; conversion: number; revenue: number }[];
}

async function simulatePolicy(policy: PolicyName, withCoupons: boolean, world: World, m: Marginals, base: Config, n: number, batch: number, seed: number): Promise<RunResult> {
  const config: Config = { ...base, ranking: { ...base.ranking, explorationRate: 0.1, hashBits: 18, checkpointEvery: 1_000_000 }, coupons: { ...base.coupons, secret: 'simulation', holdoutRate: 0.1, explorationRate: 0.1 } };
  const db = openSqlite(':memory:');
  let now = 1_700_000_000_000;
  const clock = () => now;
  const silent = { info() {}, warn() {}, error() {} };
  const learning: Learning | undefined = policy === 'learned' ? openLearning({ db, config, clock, log: silent }) : undefined;
  const coupons: Coupons | undefined = withCoupons ? openCoupons({ db, config, clock, rng: createRng(seed + 3) }) : undefined;
  await coupons?.addCampaign({ id: 'SIM10', description: '10% off', kind: 'percent', value: 10, startsAt: now, endsAt: now + 10 * 365 * 86_400_000, perShopperLimit: 1000, budgetCents: 1e12 });
  const shopperRng = createRng(seed); // same shopper stream for every policy
  const responseRng = createRng(seed + 1);
  const policyRng = createRng(seed + 2);
  const returning = Array.from({ length: 1500 }, (_, i) => newShopper(`r${i}`, 'returning', world, shopperRng));
  const sold = new Map<string, number>();
  const totals = { conversions: 0, revenue: 0, gross: 0, couponCost: 0, offers: 0, impressions: 0, clicks: 0 };
  const curve: RunResult['curve'] = [];
  let batchConv = 0, batchRev = 0;
  const rp = policyFromConfig(config.ranking);

  for (let i = 0; i < n; i++) {
    now += 60_000;
    const shopper = shopperRng() < m.returningShare ? returning[Math.floor(shopperRng() * returning.length)]! : newShopper(`n${i}`, 'new', world, shopperRng);
    const prefs = world.cat0s.map((c) => Math.exp(shopper.catPref.get(c)!));
    let r = shopperRng() * prefs.reduce((a, b) => a + b, 0);
    const cat0 = world.cat0s.find((_, k) => (r -= prefs[k]!) < 0) ?? world.cat0s[0]!;
    const qs = world.queries.filter((q) => q.startsWith(`${cat0} > `));
    const query = qs[Math.floor(shopperRng() * qs.length)]!;
    const group = world.groups.get(query)!;
    const candidates = shuffle([...group], createRng(seed * 7919 + i)).slice(0, 40).map((product, k) => ({ product, relevance: 1 - k / 80 }));
    const median = world.medianPrice.get(query)!;
    const conversationId = `c${i}`;
    const events: FunnelEventInput[] = [];
    const utility = (p: Product) => {
      const style = world.styleOf.get(p.id)!;
      const taste = shopper.taste.reduce((s, t, d) => s + t * style[d]!, 0);
      return world.quality.get(p.id)! + taste - shopper.sensitivity * Math.log(p.priceCents! / median);
    };

    let couponFactor = 1;
    let code: string | undefined;
    if (coupons) {
      const d = await coupons.decideOffer({ userId: shopper.id, conversationId, channel: 'web', lang: 'en' }, { valueCents: median, items: 1, categories: [cat0.toLowerCase()] });
      if (d.event) events.push(d.event);
      if (d.offer) {
        totals.offers++;
        code = d.offer.code;
        // Hillstrom's lift for the segment, stronger for price-sensitive shoppers.
        couponFactor = 1 + (m.offerLift[shopper.segment] - 1) * Math.min(2.5, shopper.sensitivity);
      }
    }

    let shown: Product[] = [];
    const slateId = `s${i}`;
    if (policy === 'popularity') {
      shown = [...candidates].sort((a, b) => (sold.get(b.product.id) ?? 0) - (sold.get(a.product.id) ?? 0) || b.relevance - a.relevance).slice(0, rp.slateSize).map((c) => c.product);
    } else if (policy === 'learned') {
      const res = rank(candidates, learning!.models, policyRng, { ...rp, slateId, policyId: 'ev-esmm', ts: now, channel: 'web', conversationId, context: { query, userId: shopper.id, channel: 'web', lang: 'en' } });
      shown = res.items.map((it) => it.product);
      events.push(res.event);
    }

    let bought: Product | undefined;
    for (const [pos, p] of shown.entries()) {
      totals.impressions++;
      const u = utility(p);
      if (responseRng() < sigmoid(-3 + u) / Math.pow(1 + pos, 0.7)) {
        totals.clicks++;
        events.push({ id: `${slateId}:click:${p.id}`, type: 'click', ts: now + 1000, channel: 'web', conversationId, productId: p.id, slateId, position: pos });
        if (!bought && responseRng() < Math.min(0.95, sigmoid(-1.5 + 0.8 * u) * couponFactor)) bought = p;
      }
    }
    // Without (or despite) recommendations the shopper may find something on their own.
    if (!bought && responseRng() < Math.min(0.95, m.conv[shopper.segment] * 0.6 * couponFactor)) bought = candidates[Math.floor(responseRng() * candidates.length)]!.product;

    if (bought) {
      const price = bought.priceCents!;
      let discount = 0;
      if (code && coupons) {
        const red = await coupons.redeem(code, { userId: shopper.id, orderId: `o${i}`, lines: [{ categories: bought.category.map((c) => c.toLowerCase()), amountCents: price }], channel: 'web', conversationId });
        discount = red.discountCents;
        events.push(red.event);
      }
      totals.conversions++;
      totals.gross += price;
      totals.revenue += price - discount;
      totals.couponCost += discount;
      sold.set(bought.id, (sold.get(bought.id) ?? 0) + 1);
      events.push({ id: `o${i}`, type: 'purchase', ts: now + 2000, channel: 'web', conversationId, userId: shopper.id, orderId: `o${i}`, revenueCents: price - discount, productIds: [bought.id], ...(code ? { couponCode: code } : {}) });
      batchConv++;
      batchRev += price - discount;
    }
    // As the funnel writer hands them on: validated once.
    const stored = events.map((e) => FunnelEventSchema.parse(e));
    learning?.observe(stored);
    coupons?.observe(stored);
    if ((i + 1) % batch === 0) {
      await learning?.drain();
      curve.push({ x: i + 1, conversion: batchConv / batch, revenue: batchRev / batch / 100 });
      batchConv = 0;
      batchRev = 0;
    }
  }
  await learning?.close();
  await coupons?.close();
  db.close();
  const margin = config.coupons.defaultMarginRate;
  return {
    metrics: {
      conversionRate: totals.conversions / n,
      revenuePerConversation: totals.revenue / n / 100,
      couponCostPerConversation: totals.couponCost / n / 100,
      marginPerConversation: (totals.gross * margin - totals.couponCost) / n / 100,
      offerRate: totals.offers / n,
      ctr: totals.impressions > 0 ? totals.clicks / totals.impressions : 0,
      lastBatchConversion: curve.at(-1)?.conversion ?? Number.NaN,
    },
    curve,
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      conversations: { type: 'string', default: '6000' },
      batch: { type: 'string', default: '500' },
      seed: { type: 'string', default: '7' },
      catalog: { type: 'string', default: 'evals/data/esci/ubi_ecommerce_products.json.gz' },
      shoppers: { type: 'string', default: 'evals/data/online-shoppers/online_shoppers_intention_train.csv' },
      hillstrom: { type: 'string', default: 'evals/data/hillstrom/hillstrom_train.csv' },
      json: { type: 'string' },
      png: { type: 'string' },
      policies: { type: 'string', default: 'none,popularity,learned' },
    },
  });
  const n = flag('conversations', z.coerce.number().int().min(100).max(1_000_000), values.conversations);
  const batch = flag('batch', z.coerce.number().int().min(10).max(n), values.batch);
  const seed = flag('seed', z.coerce.number().int(), values.seed);
  const marginals = shopperMarginals(requireFile(values.shoppers, '--shoppers'), requireFile(values.hillstrom, '--hillstrom'));
  const { products } = await loadCatalog(requireFile(values.catalog, '--catalog'), 'esci');
  const world = buildWorld(products);
  console.log(`world: ${world.queries.length} query groups over ${[...world.groups.values()].reduce((s, g) => s + g.length, 0)} priced products; returning share ${marginals.returningShare.toFixed(3)}, conversion new ${marginals.conv.new.toFixed(3)} / returning ${marginals.conv.returning.toFixed(3)} (UCI); offer lift new ${marginals.offerLift.new.toFixed(2)}x / returning ${marginals.offerLift.returning.toFixed(2)}x (Hillstrom)`);
  const base = loadConfig();
  const rows: SideBySide = {};
  const curves: { name: string; curve: RunResult['curve'] }[] = [];
  const policies = flag('policies', z.array(z.enum(['none', 'popularity', 'learned'])).min(1), values.policies!.split(','));
  for (const policy of policies) {
    for (const withCoupons of [false, true]) {
      const name = `${policy}${withCoupons ? ' + coupons' : ''}`;
      const r = await simulatePolicy(policy, withCoupons, world, marginals, base, n, batch, seed);
      rows[name] = r.metrics;
      curves.push({ name, curve: r.curve });
    }
  }
  printTable(`simulated funnel: ${n} conversations per policy (${batch}-conversation batches; money in dollars)`, rows);
  const firstLast: SideBySide = {};
  for (const c of curves) firstLast[c.name] = { firstBatchConversion: c.curve[0]?.conversion ?? Number.NaN, lastBatchConversion: c.curve.at(-1)?.conversion ?? Number.NaN, firstBatchRevenue: c.curve[0]?.revenue ?? Number.NaN, lastBatchRevenue: c.curve.at(-1)?.revenue ?? Number.NaN };
  printTable('learning curve ends (per batch)', firstLast);
  writeJson(values.json, rows);
  if (values.png) {
    const colors: [number, number, number][] = [[150, 150, 150], [90, 90, 90], [66, 133, 244], [15, 70, 170], [230, 120, 30], [200, 30, 30]];
    const series = (key: 'conversion' | 'revenue'): Series[] => curves.map((c, i) => ({ name: c.name, color: colors[i % colors.length]!, points: c.curve.map((p) => [p.x, p[key]] as const) }));
    writeFileSync(values.png, lineChartPng([{ title: 'CONVERSION RATE PER BATCH', series: series('conversion') }, { title: 'REVENUE PER CONVERSATION ($, NET OF COUPONS)', series: series('revenue') }], 'CONVERSATIONS'));
    console.log(`wrote ${values.png}`);
  }
  return 0;
}
