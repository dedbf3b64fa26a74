/**
 * `shopbot train ranking [--config FILE] [--data-dir DIR] [--resume] [--json OUT]`
 *
 * Retrains the CTR/CVR towers from the funnel log (slates, impressions, clicks, carts, purchases)
 * with a progress bar, then writes the checkpoint the server loads. By default it starts from a
 * fresh model over the whole log; --resume continues from the last checkpoint with newer events.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { printTable, writeJson } from '../../evals/report.js';
import { configFromCli } from '../cli/common.js';
import type { FunnelStore } from '../funnel/types.js';
import { SqliteFunnelStore } from '../funnel/sqlite.js';
import { openSqlite, type SqliteDb } from '../storage/sqlite.js';
import type { Config } from '../config.js';
import { saveCheckpoint } from './checkpoints.js';
import { ImpressionJoiner } from './joiner.js';
import { loadRankingModel, newRankingModel, RANKING_CHECKPOINT } from './online.js';
import { LEARNING_EVENT_TYPES, replayLog } from './replay.js';

/** The funnel log a training command replays: PostgreSQL when configured, else the embedded database. */
export async function openFunnelLog(config: Config, db: SqliteDb): Promise<FunnelStore> {
  if (config.storage.backend !== 'postgres') return new SqliteFunnelStore(db);
  const { PostgresFunnelStore } = await import('../funnel/postgres.js');
  return PostgresFunnelStore.open({ url: config.storage.postgresUrl! });
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      resume: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const config = configFromCli(values);
  const db = openSqlite(config.dataDir === ':memory:' ? ':memory:' : path.resolve(config.dataDir));
  let funnel: FunnelStore | undefined;
  try {
    funnel = await openFunnelLog(config, db);
    const loaded = values.resume ? loadRankingModel(db, config) : { model: newRankingModel(config), lastEventTs: 0, trained: 0 };
    const fromTs = values.resume && loaded.lastEventTs > 0 ? loaded.lastEventTs + 1 : undefined;
    // The embedded store can say how many events there are; the bar just counts up otherwise.
    const total =
      config.storage.backend === 'sqlite'
        ? (db.prepare(`SELECT COUNT(*) AS n FROM funnel_events WHERE type IN (${LEARNING_EVENT_TYPES.map(() => '?').join(',')}) AND ts >= ?`).get(...LEARNING_EVENT_TYPES, fromTs ?? 0) as { n: number }).n
        : 0;
    const bar = new cliProgress.SingleBar({ format: 'training ranking [{bar}] {percentage}% | {value}/{total} events | {impressions} impressions', hideCursor: true, noTTYOutput: !values.quiet, notTTYSchedule: 2000 }, cliProgress.Presets.shades_classic);
    if (!values.quiet) bar.start(Math.max(total, 1), 0, { impressions: 0 });
    const started = performance.now();
    const joiner = new ImpressionJoiner({ attributionWindowMs: config.ranking.attributionWindowMs, maxPending: 1_000_000 });
    const stats = await replayLog(loaded.model, joiner, funnel.query({ types: LEARNING_EVENT_TYPES, ...(fromTs ? { fromTs } : {}) }), (s) => {
      if (!values.quiet && s.events % 1000 === 0) bar.update(s.events, { impressions: s.impressions });
    });
    if (!values.quiet) {
      bar.update(stats.events, { impressions: stats.impressions });
      bar.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const version = saveCheckpoint(db, RANKING_CHECKPOINT, loaded.model.toBuffer(), { trained: loaded.trained + stats.impressions, lastEventTs: Math.max(loaded.lastEventTs, stats.lastEventTs), extra: { clicks: stats.clicks, conversions: stats.conversions } }, Date.now());
    const metrics = {
      events: stats.events,
      impressions: stats.impressions,
      clicks: stats.clicks,
      conversions: stats.conversions,
      progressiveCtrLogLoss: stats.impressions > 0 ? stats.ctrLogLossSum / stats.impressions : Number.NaN,
      seconds,
      eventsPerSecond: stats.events / Math.max(seconds, 1e-9),
      checkpointVersion: version,
    };
    printTable(`train ranking (${values.resume ? 'resumed from checkpoint' : 'fresh model over the whole log'}; checkpoint ${RANKING_CHECKPOINT} v${version})`, { 'esmm ftrl': metrics });
    if (stats.impressions === 0) console.log('no impressions in the funnel log yet: the model is unchanged (serve and chat to log some).');
    writeJson(values.json, metrics);
    return 0;
  } finally {
    await funnel?.close();
    db.close();
  }
}
