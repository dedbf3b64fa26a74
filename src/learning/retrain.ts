/**
 * `shopbot train ranking`: retrains the CTR/CVR towers from the funnel log (wherever the config
 * keeps it, SQLite or PostgreSQL) and writes the checkpoint the server loads. Fresh over the whole
 * log by default; `resume` continues from the last checkpoint with newer events.
 */
import type { Config } from '../config.js';
import type { FunnelStore } from '../funnel/index.js';
import type { SqliteDb } from '../storage/index.js';
import { saveCheckpoint } from './checkpoints.js';
import { ImpressionJoiner } from './joiner.js';
import { loadRankingModel, newRankingModel, RANKING_CHECKPOINT } from './online.js';
import { LEARNING_EVENT_TYPES, replayLog, type TrainStats } from './replay.js';

export interface RetrainDeps {
  /** Where checkpoints live (the embedded database of the data dir). */
  readonly db: SqliteDb;
  readonly funnel: FunnelStore;
  readonly config: Config;
  readonly now: () => number;
}

export interface RetrainResult {
  readonly stats: TrainStats;
  readonly checkpointVersion: number;
  readonly resumed: boolean;
}

export interface RankingTrainer {
  /** Events a run would replay (for a progress bar). */
  countEvents(options: { resume: boolean }): Promise<number>;
  train(options: { resume: boolean; onProgress?: (stats: TrainStats) => void }): Promise<RetrainResult>;
}

export function createRankingTrainer(deps: RetrainDeps): RankingTrainer {
  const start = (resume: boolean) => {
    const loaded = resume ? loadRankingModel(deps.db, deps.config) : { model: newRankingModel(deps.config), lastEventTs: 0, trained: 0 };
    const fromTs = resume && loaded.lastEventTs > 0 ? loaded.lastEventTs + 1 : undefined;
    return { loaded, query: { types: LEARNING_EVENT_TYPES, ...(fromTs ? { fromTs } : {}) } };
  };
  return {
    countEvents: async ({ resume }) => deps.funnel.count(start(resume).query),
    async train({ resume, onProgress }) {
      const { loaded, query } = start(resume);
      const joiner = new ImpressionJoiner({ attributionWindowMs: deps.config.ranking.attributionWindowMs, maxPending: 1_000_000 });
      const stats = await replayLog(loaded.model, joiner, deps.funnel.query(query), onProgress);
      const checkpointVersion = saveCheckpoint(
        deps.db,
        RANKING_CHECKPOINT,
        loaded.model.toBuffer(),
        { trained: loaded.trained + stats.impressions, lastEventTs: Math.max(loaded.lastEventTs, stats.lastEventTs), extra: { clicks: stats.clicks, conversions: stats.conversions } },
        deps.now(),
      );
      return { stats, checkpointVersion, resumed: resume };
    },
  };
}
