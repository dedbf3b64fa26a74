/**
 * The learner inside the server. `observe()` only queues (it is called from the funnel writer's
 * flush, off the reply path); a setImmediate loop joins and trains in small batches so a burst
 * never blocks a turn for long, and the model is checkpointed every `checkpointEvery` impressions.
 *
 * With several server processes on one data dir (`serve --workers N`) one of them, the leader,
 * trains and checkpoints; the others are followers: they train nothing (their events reach the
 * leader) and reload the leader's checkpoint every FOLLOWER_RELOAD_MS.
 */
import type { Config } from '../config.js';
import { ShopbotError } from '../errors.js';
import type { FunnelEvent, FunnelStore, Logger } from '../funnel/index.js';
import type { SqliteDb } from '../storage/index.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoints.js';
import type { FeatureRecord } from './encoder.js';
import { DEFAULT_CROSSES, EsmmModel, type Prediction } from './esmm.js';
import { ImpressionJoiner } from './joiner.js';
import { emptyStats, foldEvent, LEARNING_EVENT_TYPES, trainImpressions, type TrainStats } from './replay.js';

export const RANKING_CHECKPOINT = 'ranking-esmm';
const BATCH_EVENTS = 500;
const MAX_QUEUE = 200_000;
/** How stale a follower's ranking model may be behind the leader's last checkpoint. */
export const FOLLOWER_RELOAD_MS = 15_000;

export interface LearningDeps {
  readonly db: SqliteDb;
  readonly funnel?: FunnelStore;
  readonly config: Config;
  readonly clock: () => number;
  readonly log: Logger;
  /**
   * Unset: the only process on its data dir. 'leader': the one that learns among several, and
   * checkpoints at least every FOLLOWER_RELOAD_MS while it learns. 'follower': learns nothing and
   * reloads the leader's checkpoints.
   */
  readonly role?: 'leader' | 'follower';
}

/** What the ranker needs from the learner. */
export interface RankingModels {
  predict(features: FeatureRecord): Prediction;
  /** "esmm@<checkpoint version>.<updates>", logged with every slate. */
  readonly version: string;
}

export interface Learning {
  readonly models: RankingModels;
  /** Queues events for training; returns at once. */
  /** Events as the funnel writer stored them (validated there). */
  observe(events: readonly FunnelEvent[]): void;
  /** Resolves when everything queued so far has been processed. */
  drain(): Promise<void>;
  /** Replays events logged since the last checkpoint (after a restart). Returns events read. */
  catchUp(): Promise<number>;
  checkpoint(): Promise<number>;
  stats(): Readonly<TrainStats> & { pending: number; queued: number; dropped: number };
  close(): Promise<void>;
}

export function newRankingModel(config: Config): EsmmModel {
  return new EsmmModel({ encoder: { bits: config.ranking.hashBits, crosses: DEFAULT_CROSSES, tokenKeys: ['q'] } });
}

export function loadRankingModel(db: SqliteDb, config: Config): { model: EsmmModel; version: number; lastEventTs: number; trained: number } {
  const cp = loadCheckpoint(db, RANKING_CHECKPOINT);
  if (!cp) return { model: newRankingModel(config), version: 0, lastEventTs: 0, trained: 0 };
  const model = EsmmModel.fromBuffer(cp.model);
  if (model.encoder.size !== 2 ** config.ranking.hashBits) {
    // hashBits changed: the old weights index a different space, so start over rather than mis-score.
    return { model: newRankingModel(config), version: cp.version, lastEventTs: 0, trained: 0 };
  }
  return { model, version: cp.version, lastEventTs: cp.meta.lastEventTs, trained: cp.meta.trained };
}

export function openLearning(deps: LearningDeps): Learning {
  const { db, config, clock, log } = deps;
  let loaded: ReturnType<typeof loadRankingModel>;
  try {
    loaded = loadRankingModel(db, config);
  } catch (err) {
    // An unreadable checkpoint must not stop the server: start fresh (the log can retrain it) and say so.
    if (!(err instanceof ShopbotError) || err.code !== 'MODEL_MISSING') throw err;
    log.warn({ err }, 'ranking checkpoint unreadable; starting from a fresh model (run `shopbot train ranking`)');
    loaded = { model: newRankingModel(config), version: 0, lastEventTs: 0, trained: 0 };
  }
  let model = loaded.model;
  let cpVersion = loaded.version;
  const isFollower = deps.role === 'follower';
  const joiner = new ImpressionJoiner({ attributionWindowMs: config.ranking.attributionWindowMs, maxPending: 100_000 });
  const stats = emptyStats();
  stats.lastEventTs = loaded.lastEventTs;
  let trainedTotal = loaded.trained;
  let sinceCheckpoint = 0;
  // Raw inputs: validation happens in the background batches too, not in the caller's tick.
  let queue: FunnelEvent[] = [];
  let dropped = 0;
  let scheduled: Promise<void> | undefined;
  let closed = false;

  const doCheckpoint = (): number => {
    cpVersion = saveCheckpoint(db, RANKING_CHECKPOINT, model.toBuffer(), { trained: trainedTotal, lastEventTs: stats.lastEventTs, extra: { clicks: stats.clicks, conversions: stats.conversions } }, clock());
    sinceCheckpoint = 0;
    return cpVersion;
  };

  const account = (before: number): void => {
    trainedTotal += stats.impressions - before;
    sinceCheckpoint += stats.impressions - before;
    if (sinceCheckpoint >= config.ranking.checkpointEvery) doCheckpoint();
  };

  const processSome = (): boolean => {
    const batch = queue.splice(0, BATCH_EVENTS);
    const before = stats.impressions;
    for (const raw of batch) {
      foldEvent(model, joiner, raw, stats);
    }
    trainImpressions(model, joiner.advance(clock()), stats);
    account(before);
    return queue.length > 0;
  };

  const schedule = (): Promise<void> => {
    scheduled ??= new Promise<void>((resolve) => {
      const tick = () => {
        let more = false;
        try {
          more = processSome();
        } catch (err) {
          log.error({ err }, 'online learner batch failed; batch skipped');
        }
        if (more) setImmediate(tick);
        else {
          scheduled = undefined;
          resolve();
        }
      };
      setImmediate(tick);
    });
    return scheduled;
  };

  // A follower takes the leader's newer checkpoint; an unreadable one keeps the model it has.
  const reload = () => {
    const row = db.prepare('SELECT version FROM learning_checkpoints WHERE name = ?').get(RANKING_CHECKPOINT) as { version: number } | undefined;
    if (!row || row.version === cpVersion) return;
    try {
      const next = loadRankingModel(db, config);
      (model = next.model), (cpVersion = next.version), (trainedTotal = next.trained), (stats.lastEventTs = next.lastEventTs);
    } catch (err) {
      log.warn({ err, version: row.version }, 'ranking checkpoint unreadable; the follower keeps its model');
    }
  };

  // Impressions with no click must still mature when traffic is quiet.
  const timer = isFollower
    ? setInterval(reload, FOLLOWER_RELOAD_MS)
    : setInterval(
        () => {
          const before = stats.impressions;
          trainImpressions(model, joiner.advance(clock()), stats);
          account(before);
        },
        Math.min(60_000, config.ranking.attributionWindowMs),
      );
  timer.unref();
  // Followers read what the leader learned from their turns only once it is checkpointed.
  const shareTimer = deps.role === 'leader' ? setInterval(() => sinceCheckpoint > 0 && doCheckpoint(), FOLLOWER_RELOAD_MS) : undefined;
  shareTimer?.unref();

  const models: RankingModels = {
    predict: (f) => model.predict(f),
    get version() {
      return `esmm@${cpVersion}.${model.ctr.updates}`;
    },
  };

  return {
    models,
    observe(events) {
      if (closed || isFollower) return;
      for (const raw of events) {
        if (!(LEARNING_EVENT_TYPES as readonly string[]).includes((raw as { type?: unknown }).type as string)) continue;
        if (queue.length >= MAX_QUEUE) {
          dropped++;
          continue;
        }
        queue.push(raw);
      }
      if (dropped > 0 && dropped % 10_000 === 1) log.warn({ dropped }, 'online learner queue full; events dropped (still in the funnel log)');
      if (queue.length > 0) void schedule();
    },
    async drain() {
      while (scheduled || queue.length > 0) await (scheduled ?? schedule());
    },
    async catchUp() {
      if (!deps.funnel || isFollower) return 0;
      let n = 0;
      const before = stats.impressions;
      for await (const e of deps.funnel.query({ types: LEARNING_EVENT_TYPES, fromTs: loaded.lastEventTs > 0 ? loaded.lastEventTs + 1 : undefined })) {
        foldEvent(model, joiner, e, stats);
        n++;
      }
      trainImpressions(model, joiner.advance(clock()), stats);
      account(before);
      return n;
    },
    async checkpoint() {
      if (isFollower) return cpVersion;
      await this.drain();
      return doCheckpoint();
    },
    stats() {
      return { ...stats, impressions: trainedTotal, pending: joiner.size, queued: queue.length, dropped };
    },
    async close() {
      await this.drain();
      closed = true;
      clearInterval(timer);
      clearInterval(shareTimer);
      if (!isFollower) doCheckpoint();
    },
  };
}
