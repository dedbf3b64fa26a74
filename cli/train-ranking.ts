/**
 * `shopbot train ranking [--config FILE] [--data-dir DIR] [--resume] [--json OUT]`
 *
 * Retrains the CTR/CVR towers from the funnel log (slates, impressions, clicks, carts, purchases)
 * with a progress bar, then writes the checkpoint the server loads. By default it starts from a
 * fresh model over the whole log; --resume continues from the last checkpoint with newer events.
 * The log is the one the config names (SQLite in the data dir, or PostgreSQL).
 */
import cliProgress from 'cli-progress';
import { printTable, writeJson } from '../evals/report.js';
import { openRankingTraining } from '../src/app.js';
import { RANKING_CHECKPOINT } from '../src/learning/index.js';
import { configFromCli } from './common.js';
import { parseFlags } from './args.js';

export const USAGE = `usage: shopbot train ranking [--config FILE] [--data-dir DIR] [--resume] [--quiet] [--json OUT]

Retrains the CTR/CVR models from the funnel log and writes the checkpoint the server loads.

options:
  --config FILE
  --data-dir DIR
  --resume
  --quiet
  --json OUT`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      resume: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const config = configFromCli(values);
  const trainer = await openRankingTraining(config);
  try {
    const resume = values.resume ?? false;
    const total = await trainer.countEvents({ resume });
    const bar = new cliProgress.SingleBar({ format: 'training ranking [{bar}] {percentage}% | {value}/{total} events | {impressions} impressions', hideCursor: true, noTTYOutput: !values.quiet, notTTYSchedule: 2000 }, cliProgress.Presets.shades_classic);
    if (!values.quiet) bar.start(Math.max(total, 1), 0, { impressions: 0 });
    const started = performance.now();
    const { stats, checkpointVersion } = await trainer.train({
      resume,
      onProgress: (s) => {
        if (!values.quiet && s.events % 1000 === 0) bar.update(s.events, { impressions: s.impressions });
      },
    });
    if (!values.quiet) {
      bar.update(stats.events, { impressions: stats.impressions });
      bar.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const metrics = {
      events: stats.events,
      impressions: stats.impressions,
      clicks: stats.clicks,
      conversions: stats.conversions,
      progressiveCtrLogLoss: stats.impressions > 0 ? stats.ctrLogLossSum / stats.impressions : Number.NaN,
      seconds,
      eventsPerSecond: stats.events / Math.max(seconds, 1e-9),
      checkpointVersion,
    };
    printTable(`train ranking (${resume ? 'resumed from checkpoint' : 'fresh model over the whole log'}; checkpoint ${RANKING_CHECKPOINT} v${checkpointVersion})`, { 'esmm ftrl': metrics });
    if (stats.impressions === 0) console.log('no impressions in the funnel log yet: the model is unchanged (serve and chat to log some).');
    writeJson(values.json, metrics);
    return 0;
  } finally {
    await trainer.close();
  }
}
