/**
 * `shopbot eval conversion --train FILE [--test FILE] [--seed 7] [--no-peers] [--splits-dir DIR] [--tune] [--json OUT]`
 *
 * UCI Online Shoppers Purchasing Intention, original CSV: will the session buy (Revenue)? Our
 * gradient-boosted trees (src/learning/gbdt, the shipped tabular learner), the same trees with an
 * FTRL layer on their leaves, today's hashed FTRL with crosses, and, in the same run on the same
 * split files, XGBoost and logistic regression from Debian's python3-xgboost/python3-sklearn
 * (evals/conversion-baselines.py). The split is frozen by rule (evals/tabular/protocol.ts): tuned
 * on the valid split, reported on the report split; `--test FILE` reports on a held-back file.
 */
import type { FeatureRecord } from '../src/learning/index.js';
import { runBinaryCli } from './tabular/binary.js';
import { readShopperTable, SHOPPER_CATEGORICAL, SHOPPER_NUMERIC, type LabelledRow } from './tabular/datasets.js';

/** Today's FTRL crosses (kept as they were, for the side-by-side). */
const CROSSES: readonly (readonly [string, string])[] = [['PageValues', 'VisitorType'], ['PageValues', 'Month'], ['ExitRates', 'PageValues'], ['ProductRelated', 'PageValues'], ['Month', 'VisitorType'], ['TrafficType', 'PageValues']];

/** Tuned with --tune on the valid split (validation log-loss); never on the report split. */
export const SHOPPERS_GBDT = { rounds: 3000, learningRate: 0.02, numLeaves: 31, minDataInLeaf: 60, featureFraction: 0.8, baggingFraction: 0.8, lambdaL2: 10, earlyStoppingRounds: 150 } as const;

function ftrlRecord(r: LabelledRow): FeatureRecord {
  const f: Record<string, string | number> = {};
  for (const k of SHOPPER_NUMERIC) {
    const v = Number(r.source[k]);
    f[k] = r.source[k] === '' || !Number.isFinite(v) || v < 0 ? 'missing' : v;
  }
  for (const k of SHOPPER_CATEGORICAL) f[k] = String(r.source[k] ?? '');
  return f;
}

export const USAGE = `usage: shopbot eval conversion --train FILE [--test FILE] [--seed 7] [--epochs 5] [--python BIN] [--no-peers] [--splits-dir DIR] [--tune] [--json OUT]

Will the session buy? UCI Online Shoppers, our trees (shipped) beside trees+FTRL, today's FTRL, XGBoost and
logistic regression on the same frozen split: tuned on the valid split, reported on the report split.

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
    dataset: 'shoppers',
    title: 'conversion (Revenue) on UCI online shoppers',
    read: readShopperTable,
    gbdt: SHOPPERS_GBDT,
    ftrl: () => ({ crosses: CROSSES, record: ftrlRecord, name: 'shopbot ftrl (hashed + crosses, before)' }),
  });
}
