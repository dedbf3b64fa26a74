/**
 * `shopbot eval uplift --train FILE (--test FILE | --dev-split 0.3) [--dataset hillstrom|coupon] [--json OUT]`
 *
 * hillstrom: MineThatData e-mail experiment, original CSV. Treatment = any e-mail (two thirds of
 *   customers), outcome = visit (or --outcome conversion). The assistant's class-transformation
 *   learner with propensity weighting (src/coupons/uplift.ts) beside a two-model baseline and a
 *   random ranking: normalised Qini coefficient, AUUC, uplift@10% and @30%.
 * coupon: UCI in-vehicle coupon recommendation, original CSV: acceptance AUC / log-loss of the FTRL
 *   offer-acceptance model with coupon x context crosses, beside the same model without crosses.
 *   These are stated-preference survey answers, not logged redemptions.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ClassTransformUplift, TwoModelUplift, type UpliftExample } from '../src/coupons/uplift.js';
import { ShopbotError } from '../src/errors.js';
import { FeatureEncoder, type FeatureRecord } from '../src/learning/encoder.js';
import { Ftrl } from '../src/learning/ftrl.js';
import { createRng, shuffle, type Rng } from '../src/maths/index.js';
import { logLoss, rocAuc } from './metrics/auc.js';
import { bootstrapCi } from './metrics/ope.js';
import { auuc, qiniCoefficient, upliftAtK } from './metrics/uplift.js';
import { stratifiedSplit } from './conversion.js';
import { printTable, requireFile, writeJson, type SideBySide } from './report.js';
import { flag, parseFlags } from '../cli/args.js';

export const USAGE = `usage: shopbot eval uplift --train FILE (--test FILE | --dev-split 0.3) [--dataset hillstrom|coupon] [--json OUT]

hillstrom: MineThatData e-mail experiment, original CSV. Treatment = any e-mail (two thirds of
customers), outcome = visit (or --outcome conversion). The assistant's class-transformation
learner with propensity weighting (src/coupons/uplift.ts) beside a two-model baseline and a
random ranking: normalised Qini coefficient, AUUC, uplift@10% and @30%. coupon: UCI in-vehicle
coupon recommendation, original CSV: acceptance AUC / log-loss of the FTRL offer-acceptance
model with coupon x context crosses, beside the same model without crosses. These are
stated-preference survey answers, not logged redemptions.

options:
  --train FILE
  --test FILE
  --dataset VALUE   (default hillstrom)
  --outcome VALUE   (default visit)
  --dev-split VALUE
  --seed VALUE   (default 7)
  --epochs VALUE   (default 5)
  --crosses
  --json OUT`;

const MAX_ROWS = 2_000_000;

function readCsv(file: string): Record<string, string>[] {
  const rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  if (rows.length > MAX_ROWS) throw new ShopbotError('BAD_REQUEST', `${file}: more than ${MAX_ROWS} rows`);
  return rows;
}

interface HillstromRow {
  readonly features: FeatureRecord;
  readonly treated: boolean;
  readonly outcome: 0 | 1;
  /** Stratum for the split: treatment x outcome. */
  readonly label: number;
}

export function readHillstrom(file: string, outcome: 'visit' | 'conversion'): HillstromRow[] {
  return readCsv(file).map((r, i) => {
    if (r.segment === undefined || r[outcome] === undefined) throw new ShopbotError('BAD_REQUEST', `${file}: row ${i + 1}: not the Hillstrom CSV (segment/${outcome} missing)`);
    const treated = r.segment !== 'No E-Mail';
    const y = r[outcome] === '1' ? 1 : 0;
    return {
      features: { recency: Number(r.recency), history_segment: r.history_segment ?? '', history: Number(r.history), mens: r.mens ?? '', womens: r.womens ?? '', zip_code: r.zip_code ?? '', newbie: r.newbie ?? '', channel: r.channel ?? '' },
      treated,
      outcome: y,
      label: (treated ? 2 : 0) + y,
    };
  });
}

const HILLSTROM_CROSSES: readonly (readonly [string, string])[] = [['mens', 'womens'], ['newbie', 'channel'], ['history_segment', 'mens'], ['history_segment', 'womens'], ['recency', 'newbie'], ['zip_code', 'channel']];

function splitRows<T extends { label: number }>(rows: T[], values: { test?: string | undefined; 'dev-split'?: string | undefined }, read: (f: string) => T[], rng: Rng): { train: T[]; test: T[]; note: string } {
  if (values.test) return { train: rows, test: read(requireFile(values.test, '--test')), note: `test file ${values.test}` };
  if (values['dev-split']) {
    const frac = flag('dev-split', z.coerce.number().gt(0).lt(1), values['dev-split']);
    // Stratify on every label value present (outcome, or treatment x outcome).
    const labels = [...new Set(rows.map((r) => r.label))];
    const train: T[] = [];
    const test: T[] = [];
    for (const l of labels) {
      const s = stratifiedSplit(rows.filter((r) => r.label === l).map((r) => ({ ...r, label: 1 })), frac, rng);
      train.push(...s.train.map((r) => ({ ...r, label: l })));
      test.push(...s.test.map((r) => ({ ...r, label: l })));
    }
    return { train: shuffle(train, rng), test, note: `development split: seeded stratified ${Math.round(frac * 100)}% of the train file held out` };
  }
  throw new ShopbotError('INPUT_MISSING', 'missing --test FILE (or --dev-split FRACTION to split the train file)');
}

function hillstrom(trainFile: string, values: Record<string, string | boolean | undefined>, seed: number, epochs: number): SideBySide {
  const outcome = flag('outcome', z.enum(['visit', 'conversion']), values.outcome);
  const rng = createRng(seed);
  const { train, test, note } = splitRows(readHillstrom(trainFile, outcome), values as { test?: string; 'dev-split'?: string }, (f) => readHillstrom(f, outcome), rng);
  const e = train.filter((r) => r.treated).length / train.length;
  console.log(`hillstrom (${outcome}); ${note}\ntrain ${train.length} customers (treated share ${e.toFixed(3)}: propensity-weighted), test ${test.length}`);
  // Crosses lowered the Qini of every learner on the development split, so none are used here.
  const enc = { bits: 18, crosses: values.crosses ? HILLSTROM_CROSSES : [], tokenKeys: [] };
  const ct = new ClassTransformUplift(enc);
  const two = new TwoModelUplift(enc);
  const ctUnweighted = new ClassTransformUplift(enc);
  for (let ep = 0; ep < epochs; ep++) {
    for (const r of shuffle([...train], rng)) {
      const ex: UpliftExample = { features: r.features, treated: r.treated, outcome: r.outcome, propensity: e };
      ct.train(ex);
      two.train(ex);
      ctUnweighted.train({ ...ex, propensity: 0.5 });
    }
  }
  const y = test.map((r) => r.outcome);
  const t = test.map((r) => (r.treated ? 1 : 0));
  const out: SideBySide = {};
  const idx = test.map((_, i) => i);
  const add = (name: string, u: number[]) => {
    const ci = bootstrapCi(idx, (s) => qiniCoefficient(s.map((i) => y[i]!), s.map((i) => t[i]!), s.map((i) => u[i]!)), rng, { samples: 100 });
    out[name] = { qini: qiniCoefficient(y, t, u), qiniLow: ci.low, qiniHigh: ci.high, auuc: auuc(y, t, u), 'uplift@10%': upliftAtK(y, t, u, 0.1), 'uplift@30%': upliftAtK(y, t, u, 0.3), 'uplift@100%': upliftAtK(y, t, u, 1) };
  };
  add('class transform + propensity weights (shopbot)', test.map((r) => ct.uplift(r.features)));
  add('class transform, unweighted', test.map((r) => ctUnweighted.uplift(r.features)));
  add('two-model baseline', test.map((r) => two.uplift(r.features)));
  const rr = createRng(seed + 1);
  add('random ranking', test.map(() => rr()));
  printTable(`uplift on Hillstrom (${outcome}; Qini normalised, bootstrap 95% CI, 100 resamples)`, out);
  return out;
}

interface CouponRow {
  readonly features: FeatureRecord;
  readonly label: number;
}

export function readCoupon(file: string): CouponRow[] {
  return readCsv(file).map((r, i) => {
    if (r.Y === undefined) throw new ShopbotError('BAD_REQUEST', `${file}: row ${i + 1}: not the in-vehicle coupon CSV (no Y column)`);
    const f: Record<string, string> = {};
    for (const [k, v] of Object.entries(r)) if (k !== 'Y') f[k] = v === '' ? 'missing' : v;
    return { features: f, label: r.Y === '1' ? 1 : 0 };
  });
}

const COUPON_CONTEXT = ['destination', 'passanger', 'weather', 'time', 'expiration', 'Bar', 'CoffeeHouse', 'CarryAway', 'RestaurantLessThan20', 'Restaurant20To50', 'toCoupon_GEQ15min', 'toCoupon_GEQ25min', 'direction_same', 'age', 'income'];

function coupon(trainFile: string, values: Record<string, string | boolean | undefined>, seed: number, epochs: number): SideBySide {
  const rng = createRng(seed);
  const { train, test, note } = splitRows(readCoupon(trainFile), values as { test?: string; 'dev-split'?: string }, readCoupon, rng);
  console.log(`in-vehicle coupon acceptance; ${note}\ntrain ${train.length}, test ${test.length} (stated-preference survey answers, not logged redemptions)`);
  // The survey header names the coupon column couponType (UCI: coupon).
  const couponKey = train[0] && 'couponType' in train[0].features ? 'couponType' : 'coupon';
  const out: SideBySide = {};
  const y = test.map((r) => r.label);
  for (const [name, crosses] of [
    ['ftrl + coupon x context crosses (shopbot)', COUPON_CONTEXT.map((c) => [couponKey, c] as const)],
    ['ftrl (no crosses)', []],
  ] as const) {
    const enc = new FeatureEncoder({ bits: 18, crosses, tokenKeys: [] });
    const m = new Ftrl(enc.size, { alpha: 0.1, beta: 1, l1: 0.5, l2: 2 });
    for (let ep = 0; ep < epochs; ep++) for (const r of shuffle([...train], rng)) m.train(enc.encode(r.features), r.label);
    const p = test.map((r) => m.predict(enc.encode(r.features)));
    out[name] = { auc: rocAuc(y, p), logLoss: logLoss(y, p) };
  }
  const base = train.reduce((s, r) => s + r.label, 0) / train.length;
  out['constant rate'] = { auc: 0.5, logLoss: logLoss(y, test.map(() => base)) };
  printTable('coupon acceptance on UCI in-vehicle coupon (AUC, log-loss)', out);
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      train: { type: 'string' },
      test: { type: 'string' },
      dataset: { type: 'string', default: 'hillstrom' },
      outcome: { type: 'string', default: 'visit' },
      'dev-split': { type: 'string' },
      seed: { type: 'string', default: '7' },
      epochs: { type: 'string', default: '5' },
      crosses: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const trainFile = requireFile(values.train, '--train');
  const dataset = flag('dataset', z.enum(['hillstrom', 'coupon']), values.dataset);
  const seed = flag('seed', z.coerce.number().int(), values.seed);
  const epochs = flag('epochs', z.coerce.number().int().min(1).max(50), values.epochs);
  const out = dataset === 'hillstrom' ? hillstrom(trainFile, values, seed, epochs) : coupon(trainFile, values, seed, epochs);
  writeJson(values.json, out);
  return 0;
}
