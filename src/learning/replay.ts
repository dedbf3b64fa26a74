/**
 * Folding labelled impressions into the model, shared by the online learner and `shopbot train
 * ranking`. Progressive validation: each impression is scored before it is learned from, so the
 * running log-loss is an honest out-of-sample figure.
 */
import type { FunnelEvent } from '../funnel/index.js';
import type { EsmmModel } from './esmm.js';
import type { ImpressionJoiner, LabelledImpression } from './joiner.js';

export interface TrainStats {
  events: number;
  impressions: number;
  clicks: number;
  conversions: number;
  /** Sum of progressive CTR log-loss over trained impressions. */
  ctrLogLossSum: number;
  lastEventTs: number;
}

export function emptyStats(): TrainStats {
  return { events: 0, impressions: 0, clicks: 0, conversions: 0, ctrLogLossSum: 0, lastEventTs: 0 };
}

export function trainImpressions(model: EsmmModel, batch: readonly LabelledImpression[], stats: TrainStats): void {
  for (const imp of batch) {
    const { ctr } = model.train(imp.features, imp.clicked, imp.converted);
    stats.impressions++;
    if (imp.clicked) stats.clicks++;
    if (imp.converted) stats.conversions++;
    stats.ctrLogLossSum += imp.clicked ? -Math.log(ctr) : -Math.log(1 - ctr);
  }
}

/** Feeds one event: joins it, advances the window to its timestamp and trains what matured. */
export function foldEvent(model: EsmmModel, joiner: ImpressionJoiner, e: FunnelEvent, stats: TrainStats): void {
  stats.events++;
  stats.lastEventTs = Math.max(stats.lastEventTs, e.ts);
  trainImpressions(model, joiner.ingest(e), stats);
  trainImpressions(model, joiner.advance(e.ts), stats);
}

/** Event types the learner reads; replays ask the store for these only. */
export const LEARNING_EVENT_TYPES = ['slate', 'impression', 'click', 'add_to_cart', 'purchase'] as const;

export async function replayLog(
  model: EsmmModel,
  joiner: ImpressionJoiner,
  events: AsyncIterable<FunnelEvent>,
  onEvent?: (stats: TrainStats) => void,
): Promise<TrainStats> {
  const stats = emptyStats();
  for await (const e of events) {
    foldEvent(model, joiner, e, stats);
    onEvent?.(stats);
  }
  trainImpressions(model, joiner.flush(), stats);
  return stats;
}
