/**
 * The merchant funnel report: stage counts and step conversion, revenue, recommendation CTR,
 * and coupon cost with the uplift measured against the random holdout (DESIGN: coupons keep a
 * holdout so their uplift is measured, not assumed).
 */
import { FUNNEL_STAGES, type FunnelEvent, type FunnelReader, type StageRow } from '../funnel/index.js';
import { differenceOfProportions } from '../maths/index.js';
import type { Period } from './period.js';

export interface StageSummary {
  readonly stage: (typeof FUNNEL_STAGES)[number];
  readonly count: number;
  /** count / previous stage's count; null for the first stage or an empty previous stage. */
  readonly conversion: number | null;
}

export interface CouponSummary {
  /** Shoppers (conversation or user) offered a coupon, split by the holdout flag. */
  readonly treated: number;
  readonly holdout: number;
  readonly treatedConverted: number;
  readonly holdoutConverted: number;
  readonly treatedRate: number | null;
  readonly holdoutRate: number | null;
  /** treatedRate - holdoutRate, as a fraction; null without both arms. */
  readonly uplift: number | null;
  /** Normal-approximation 95% interval for the uplift. */
  readonly upliftCi95: readonly [number, number] | null;
  readonly redeemed: number;
  readonly costCents: number;
}

export interface FunnelReport {
  readonly period: Period;
  readonly stages: readonly StageSummary[];
  readonly revenueCents: number;
  readonly recommendationCtr: number | null;
  readonly coupons: CouponSummary;
}

export function summarizeStages(rows: readonly StageRow[]): { stages: StageSummary[]; revenueCents: number; recommendationCtr: number | null } {
  const totals = new Map<string, number>(FUNNEL_STAGES.map((s) => [s, 0]));
  let revenueCents = 0;
  for (const row of rows) {
    for (const s of FUNNEL_STAGES) totals.set(s, totals.get(s)! + (row.counts[s] ?? 0));
    revenueCents += row.revenueCents;
  }
  const stages = FUNNEL_STAGES.map((stage, i): StageSummary => {
    const count = totals.get(stage)!;
    const prev = i === 0 ? 0 : totals.get(FUNNEL_STAGES[i - 1]!)!;
    return { stage, count, conversion: i === 0 || prev === 0 ? null : count / prev };
  });
  const impressions = totals.get('impression')!;
  return { stages, revenueCents, recommendationCtr: impressions > 0 ? totals.get('click')! / impressions : null };
}

/**
 * Coupon outcome per offered shopper. A shopper converts when a purchase follows the first offer
 * in the same conversation, or from the same user id (store webhooks often know only the user).
 */
export function summarizeCoupons(events: Iterable<FunnelEvent>): CouponSummary {
  interface Unit { holdout: boolean; offeredTs: number; converted: boolean }
  const units = new Map<string, Unit>();
  const byConversation = new Map<string, Unit>();
  const byUser = new Map<string, Unit>();
  let redeemed = 0;
  let costCents = 0;
  const purchases: FunnelEvent[] = [];
  for (const e of events) {
    if (e.type === 'coupon_offered') {
      const key = e.conversationId ? `c:${e.conversationId}` : e.userId ? `u:${e.userId}` : undefined;
      if (!key || units.has(key)) continue;
      const unit: Unit = { holdout: e.holdout, offeredTs: e.ts, converted: false };
      units.set(key, unit);
      if (e.conversationId) byConversation.set(e.conversationId, unit);
      if (e.userId && !byUser.has(e.userId)) byUser.set(e.userId, unit);
    } else if (e.type === 'coupon_redeemed') {
      redeemed += 1;
      costCents += e.discountCents;
    } else if (e.type === 'purchase') {
      purchases.push(e);
    }
  }
  for (const p of purchases) {
    const unit = (p.conversationId ? byConversation.get(p.conversationId) : undefined) ?? (p.userId ? byUser.get(p.userId) : undefined);
    if (unit && p.ts >= unit.offeredTs) unit.converted = true;
  }
  let treated = 0, holdout = 0, treatedConverted = 0, holdoutConverted = 0;
  for (const u of units.values()) {
    if (u.holdout) (holdout += 1, (holdoutConverted += u.converted ? 1 : 0));
    else (treated += 1, (treatedConverted += u.converted ? 1 : 0));
  }
  const treatedRate = treated > 0 ? treatedConverted / treated : null;
  const holdoutRate = holdout > 0 ? holdoutConverted / holdout : null;
  const diff = differenceOfProportions(treatedConverted, treated, holdoutConverted, holdout);
  const uplift = diff ? diff.difference : null;
  const upliftCi95 = diff ? diff.ci95 : null;
  return { treated, holdout, treatedConverted, holdoutConverted, treatedRate, holdoutRate, uplift, upliftCi95, redeemed, costCents };
}

export async function computeFunnelReport(store: FunnelReader, period: Period, signal?: AbortSignal): Promise<FunnelReport> {
  const rows = await store.stages({ fromTs: period.fromTs, toTs: period.toTs });
  const { stages, revenueCents, recommendationCtr } = summarizeStages(rows);
  const couponEvents: FunnelEvent[] = [];
  for await (const e of store.query({ types: ['coupon_offered', 'coupon_redeemed', 'purchase'], fromTs: period.fromTs, toTs: period.toTs })) {
    signal?.throwIfAborted();
    couponEvents.push(e);
  }
  return { period, stages, revenueCents, recommendationCtr, coupons: summarizeCoupons(couponEvents) };
}
