/**
 * `shopbot train uplift [--config FILE] [--data-dir DIR] [--json OUT]`
 *
 * Retrains the coupon targeter's trees from the whole funnel log (coupon decisions and purchases)
 * in a worker thread, and writes the checkpoint the server loads. The server also retrains on its
 * own as outcomes arrive; this is for a first model, or after a restart with a long log.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { printTable, writeJson } from '../../evals/report.js';
import { configFromCli } from '../cli/common.js';
import { ShopbotError } from '../errors.js';
import type { FunnelStore } from '../funnel/types.js';
import { saveCheckpoint } from '../learning/checkpoints.js';
import { openFunnelLog } from '../learning/train-cli.js';
import { openSqlite } from '../storage/sqlite.js';
import { upliftExamplesFromLog, UPLIFT_LOG_TYPES } from './from-log.js';
import { UPLIFT_CHECKPOINT } from './index.js';
import { hasEnoughForTrees, UpliftTargeter } from './targeter.js';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'string' } } });
  const config = configFromCli(values);
  const db = openSqlite(config.dataDir === ':memory:' ? ':memory:' : path.resolve(config.dataDir));
  let funnel: FunnelStore | undefined;
  try {
    funnel = await openFunnelLog(config, db);
    const started = performance.now();
    const examples = await upliftExamplesFromLog(funnel.query({ types: UPLIFT_LOG_TYPES }), config.ranking.attributionWindowMs);
    if (!hasEnoughForTrees(examples)) {
      throw new ShopbotError('INPUT_MISSING', `the funnel log has ${examples.length} labelled coupon decisions with features: too few in one arm to train trees (serve with coupons on to log more)`);
    }
    const targeter = new UpliftTargeter({ retrainEvery: Number.POSITIVE_INFINITY, seed: 1 });
    for (const ex of examples) targeter.add(ex);
    const model = await targeter.retrain();
    if (!model) throw new ShopbotError('INTERNAL', 'the retrain returned no model');
    const version = saveCheckpoint(db, UPLIFT_CHECKPOINT, targeter.toBuffer(), { trained: targeter.trained, lastEventTs: 0, extra: {} }, Date.now());
    const treated = examples.filter((e) => e.treated).length;
    const metrics = { examples: examples.length, treated, buys: examples.reduce((s, e) => s + e.outcome, 0), seconds: (performance.now() - started) / 1000, checkpointVersion: version };
    printTable(`train uplift (${targeter.kind}-learner over trees, from the whole log; checkpoint ${UPLIFT_CHECKPOINT} v${version})`, { [`${targeter.kind}-learner`]: metrics });
    writeJson(values.json, metrics);
    return 0;
  } finally {
    await funnel?.close();
    db.close();
  }
}
