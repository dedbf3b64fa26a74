/**
 * `shopbot train uplift`: retrains the coupon targeter's trees from the whole funnel log (coupon
 * decisions and purchases, wherever the config keeps the log) in a worker thread, and writes the
 * checkpoint the server loads. The server also retrains as outcomes arrive; this is for a first
 * model, or after a restart with a long log.
 */
import type { Config } from '../config.js';
import { ShopbotError } from '../errors.js';
import type { FunnelStore } from '../funnel/index.js';
import { saveCheckpoint } from '../learning/index.js';
import type { SqliteDb } from '../storage/index.js';
import { upliftExamplesFromLog, UPLIFT_LOG_TYPES } from './from-log.js';
import { hasEnoughForTrees, UpliftTargeter } from './targeter.js';

/** The checkpoint name of the shipped targeter (checkpoints of the old `coupon-uplift` learner are not read). */
export const UPLIFT_CHECKPOINT = 'coupon-targeter';

export interface UpliftTrainResult {
  readonly kind: string;
  readonly examples: number;
  readonly treated: number;
  readonly buys: number;
  readonly checkpointVersion: number;
}

export interface UpliftTrainer {
  train(): Promise<UpliftTrainResult>;
}

export function createUpliftTrainer(deps: { db: SqliteDb; funnel: FunnelStore; config: Config; now: () => number }): UpliftTrainer {
  return {
    async train() {
      const examples = await upliftExamplesFromLog(deps.funnel.query({ types: UPLIFT_LOG_TYPES }), deps.config.ranking.attributionWindowMs);
      if (!hasEnoughForTrees(examples)) {
        throw new ShopbotError('INPUT_MISSING', `the funnel log has ${examples.length} labelled coupon decisions with features: too few in one arm to train trees (serve with coupons on to log more)`);
      }
      const targeter = new UpliftTargeter({ retrainEvery: Number.POSITIVE_INFINITY, seed: 1 });
      for (const ex of examples) targeter.add(ex);
      const model = await targeter.retrain();
      if (!model) throw new ShopbotError('INTERNAL', 'the retrain returned no model');
      const checkpointVersion = saveCheckpoint(deps.db, UPLIFT_CHECKPOINT, targeter.toBuffer(), { trained: targeter.trained, lastEventTs: 0, extra: {} }, deps.now());
      return { kind: targeter.kind, examples: examples.length, treated: examples.filter((e) => e.treated).length, buys: examples.reduce((s, e) => s + e.outcome, 0), checkpointVersion };
    },
  };
}
