/**
 * Labelled coupon decisions from the funnel log: each coupon_offered event that recorded the
 * targeter's features is one example (treated = offered, propensity = the logged P(offer)); it is
 * positive when the same conversation (or shopper, without one) bought within the attribution
 * window. Decisions whose window has not closed by the newest event are left out: their outcome is
 * not known yet.
 */
import type { FunnelEvent } from '../funnel/index.js';
import type { UpliftExample } from './uplift.js';

export const UPLIFT_LOG_TYPES = ['coupon_offered', 'purchase'] as const;

/** A logged decision whose attribution window was still open at the newest event. */
export interface OpenDecision {
  readonly key: string;
  readonly example: UpliftExample;
  readonly ts: number;
}

export async function upliftExamplesFromLog(events: AsyncIterable<FunnelEvent>, windowMs: number): Promise<UpliftExample[]> {
  return (await upliftDecisionsFromLog(events, windowMs)).labelled;
}

/** The labelled decisions and, apart, those still waiting for their outcome (a restart picks them up again). */
export async function upliftDecisionsFromLog(events: AsyncIterable<FunnelEvent>, windowMs: number): Promise<{ labelled: UpliftExample[]; open: OpenDecision[]; lastTs: number }> {
  const open = new Map<string, { ex: UpliftExample; ts: number }>();
  const out: UpliftExample[] = [];
  let lastTs = 0;
  const closeBefore = (ts: number) => {
    for (const [k, p] of open) {
      if (p.ts + windowMs > ts) continue;
      out.push(p.ex);
      open.delete(k);
    }
  };
  for await (const e of events) {
    lastTs = Math.max(lastTs, e.ts);
    if (e.type === 'coupon_offered') {
      if (!e.features || e.propensity === undefined || e.decision === undefined) continue;
      const key = e.conversationId ?? e.userId;
      if (!key) continue;
      closeBefore(e.ts);
      open.set(key, { ex: { features: e.features, treated: e.decision === 'offered', outcome: 0, propensity: e.propensity }, ts: e.ts });
    } else if (e.type === 'purchase') {
      const key = e.conversationId ?? e.userId;
      const p = key ? open.get(key) : undefined;
      if (p && key && e.ts - p.ts <= windowMs) {
        out.push({ ...p.ex, outcome: 1 });
        open.delete(key);
      }
    }
  }
  closeBefore(lastTs);
  return { labelled: out, open: [...open].map(([key, p]) => ({ key, example: p.ex, ts: p.ts })), lastTs };
}
