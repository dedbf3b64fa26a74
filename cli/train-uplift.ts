/**
 * `shopbot train uplift [--config FILE] [--data-dir DIR] [--json OUT]`: retrains the coupon
 * targeter (a meta-learner over gradient-boosted trees) from the whole funnel log and writes the
 * checkpoint the server loads.
 */
import { printTable, writeJson } from '../evals/report.js';
import { openUpliftTraining } from '../src/app.js';
import { UPLIFT_CHECKPOINT } from '../src/coupons/index.js';
import { parseFlags } from './args.js';
import { configFromCli } from './common.js';

export const USAGE = `usage: shopbot train uplift [--config FILE] [--data-dir DIR] [--json OUT]

Retrains the coupon targeter's trees from the logged coupon decisions and purchases (in a worker
thread) and writes the checkpoint the server loads.

options:
  --config FILE
  --data-dir DIR
  --json OUT`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { usage: USAGE, options: { config: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'string' } } });
  const trainer = await openUpliftTraining(configFromCli(values));
  try {
    const started = performance.now();
    const r = await trainer.train();
    const metrics = { examples: r.examples, treated: r.treated, buys: r.buys, seconds: (performance.now() - started) / 1000, checkpointVersion: r.checkpointVersion };
    printTable(`train uplift (${r.kind}-learner over trees, from the whole log; checkpoint ${UPLIFT_CHECKPOINT} v${r.checkpointVersion})`, { [`${r.kind}-learner`]: metrics });
    writeJson(values.json, metrics);
    return 0;
  } finally {
    await trainer.close();
  }
}
