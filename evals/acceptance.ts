/**
 * `shopbot eval acceptance --train FILE [--test FILE] [--seed 7] [--no-peers] [--splits-dir DIR] [--tune] [--json OUT]`
 *
 * UCI in-vehicle coupon recommendation, original CSV: will the driver accept the coupon (Y)? The
 * same side-by-side as `eval conversion` (evals/tabular/binary.ts): our trees (shipped: the
 * outcome model the coupon targeter prices offers with), trees + FTRL on leaves, today's FTRL with
 * coupon x context crosses, XGBoost and logistic regression on the same frozen split.
 * These are stated-preference survey answers (Mechanical Turk), not logged redemptions.
 */
import type { FeatureRecord } from '../src/learning/encoder.js';
import { runBinaryCli } from './tabular/binary.js';
import { readCouponTable, type LabelledRow } from './tabular/datasets.js';

const COUPON_CONTEXT = ['destination', 'passanger', 'weather', 'time', 'expiration', 'Bar', 'CoffeeHouse', 'CarryAway', 'RestaurantLessThan20', 'Restaurant20To50', 'toCoupon_GEQ15min', 'toCoupon_GEQ25min', 'direction_same', 'age', 'income'];

/** Tuned with --tune on the valid split (validation log-loss); never on the report split. */
export const COUPON_GBDT = { rounds: 4000, learningRate: 0.02, numLeaves: 63, minDataInLeaf: 10, featureFraction: 0.8, baggingFraction: 0.8, lambdaL2: 1, catL2: 1, earlyStoppingRounds: 150 } as const;

function ftrlRecord(r: LabelledRow): FeatureRecord {
  const f: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.source)) if (k !== 'Y') f[k] = v === '' ? 'missing' : v;
  return f;
}

export function run(argv: string[]): Promise<number> {
  return runBinaryCli(argv, {
    dataset: 'coupon',
    title: 'coupon acceptance (Y) on UCI in-vehicle coupon',
    read: readCouponTable,
    gbdt: COUPON_GBDT,
    ftrl: (table) => {
      const couponKey = table.header.split(',').includes('couponType') ? 'couponType' : 'coupon';
      return { crosses: COUPON_CONTEXT.map((c) => [couponKey, c] as const), record: ftrlRecord, name: 'shopbot ftrl + coupon x context crosses (before)' };
    },
  });
}
