/**
 * `shopbot eval acceptance --train FILE [--test FILE] [--seed 7] [--no-peers] [--splits-dir DIR] [--tune] [--json OUT]`
 *
 * UCI in-vehicle coupon recommendation, original CSV: will the driver accept the coupon (Y)? The
 * same side-by-side as `eval conversion` (evals/tabular/binary.ts): our trees (shipped: the
 * outcome model the coupon targeter prices offers with), trees + FTRL on leaves, today's FTRL with
 * coupon x context crosses, XGBoost and logistic regression on the same frozen split.
 * These are stated-preference survey answers (Mechanical Turk), not logged redemptions.
 */
import type { FeatureRecord } from '../src/learning/index.js';
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

export const USAGE = `usage: shopbot eval acceptance --train FILE [--test FILE] [--seed 7] [--epochs 5] [--python BIN] [--no-peers] [--splits-dir DIR] [--tune] [--json OUT]

Will the driver accept the coupon? UCI in-vehicle coupon data, the same side-by-side as eval conversion.

options:
  --train FILE        the development CSV (the frozen report split is carved out of it by rule)
  --test FILE         report on a held-back file instead
  --seed N            (default 7)
  --epochs N          FTRL epochs (default 5)
  --python BIN        the interpreter with python3-sklearn and python3-xgboost (default Debian's)
  --no-peers          skip XGBoost and logistic regression
  --splits-dir DIR    where the split files for the peers are written
  --tune              hyperparameter search on the valid split (no peers)
  --json OUT`;

export function run(argv: string[]): Promise<number> {
  return runBinaryCli(argv, {
    usage: USAGE,
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
