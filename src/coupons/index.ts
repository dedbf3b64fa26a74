/**
 * Coupons: campaigns, signed single-use codes, server-side redemption checks, and the uplift
 * model that decides who gets an offer (with a random holdout kept for measurement). The targeter is
 * a meta-learner over gradient-boosted trees (targeter.ts), retrained in a worker thread as outcomes arrive.
 *
 * openCoupons({ db, config, clock, rng }) -> { addCampaign, decideOffer, redeem, observe, checkpoint, drain, close }
 */
import type { Config } from '../config.js';
import { ShopbotError } from '../errors.js';
import { FunnelEventSchema, type FunnelEventInput, type Logger } from '../funnel/index.js';
import { loadCheckpoint, saveCheckpoint, type FeatureRecord } from '../learning/index.js';
import type { Channel } from '../messages.js';
import type { SqliteDb } from '../storage/index.js';
import { CampaignSchema, type Campaign, type CampaignInput } from './campaign.js';
import { newCode } from './codes.js';
import { eligibleCampaigns, offerFor, upliftFeatures, valueOffer, type BasketSignals, type OfferDecision, type ShopperSignals } from './offers.js';
import { SqliteCouponStore, type RedeemOrder, type Redemption } from './sqlite.js';
import { UpliftTargeter } from './targeter.js';

export { CampaignSchema, type Campaign, type CampaignInput, type BasketLine } from './campaign.js';
export { CouponRefusedError, type RefusalReason, type RedeemOrder, type Redemption } from './sqlite.js';
export { ClassTransformUplift, TwoModelUplift, type UpliftExample } from './uplift.js';
export { UpliftTargeter, SHIPPED_META_LEARNER, upliftJob, type UpliftEstimator } from './targeter.js';
export { upliftFeatures, type BasketSignals, type OfferDecision, type ShopperSignals } from './offers.js';
export { newCode, verifyCode } from './codes.js';
export { loadCampaigns } from './campaigns-file.js';
export { createUpliftTrainer, UPLIFT_CHECKPOINT, type UpliftTrainer, type UpliftTrainResult } from './retrain.js';
import { UPLIFT_CHECKPOINT } from './retrain.js';

/** Forgets one shopper's coupon rows (see SqliteCouponStore.forgetUser); works whether or not coupons are enabled now. */
export function forgetCouponHolder(db: SqliteDb, userId: string, replacementId: string): { codesDeleted: number; redemptionsAnonymised: number } {
  return new SqliteCouponStore(db).forgetUser(userId, replacementId);
}

/** Labelled decisions between retrains of the targeter's trees. */
export const RETRAIN_EVERY = 1000;
/** Used only when coupons.secret is unset and the demo catalog is on (never in production). */
const DEV_SECRET = 'shopbot-dev-coupon-key-not-for-production';
const MAX_PENDING = 100_000;
const CAMPAIGN_CACHE_MS = 30_000;

export interface CouponsDeps {
  readonly db: SqliteDb;
  readonly config: Config;
  readonly clock: () => number;
  readonly rng: () => number;
  readonly log?: Logger;
  /** Defaults to RETRAIN_EVERY. */
  readonly retrainEvery?: number;
}

export interface Coupons {
  addCampaign(input: CampaignInput): Campaign;
  campaigns(): Campaign[];
  /** Decides whether this shopper gets an offer now; log `decision.event` through the funnel writer. */
  decideOffer(shopper: ShopperSignals, basket: BasketSignals): OfferDecision;
  /** Checks and records a redemption; throws CouponRefusedError (code COUPON_INVALID) with a reason. */
  redeem(code: string, order: RedeemOrder & { channel: Channel; conversationId?: string }): Redemption & { event: Extract<FunnelEventInput, { type: 'coupon_redeemed' }> };
  spentCents(campaignId: string): number;
  /** Feeds funnel events (purchases label pending offer decisions). */
  observe(events: readonly FunnelEventInput[]): void;
  readonly model: UpliftTargeter;
  checkpoint(): number;
  /** Resolves when a retrain in flight has finished (and been checkpointed). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

interface PendingDecision {
  features: FeatureRecord;
  treated: boolean;
  propensity: number;
  ts: number;
}

export function openCoupons(deps: CouponsDeps): Coupons {
  const { db, config, clock, rng } = deps;
  const secret = config.coupons.secret ?? (config.catalog.demo ? DEV_SECRET : undefined);
  if (!secret) throw new ShopbotError('CONFIG_INVALID', 'coupons.secret (SHOPBOT_COUPON_SECRET) is required when coupons are enabled without the demo catalog');
  const store = new SqliteCouponStore(db);
  const cp = loadCheckpoint(db, UPLIFT_CHECKPOINT);
  const targeterOptions = { retrainEvery: deps.retrainEvery ?? RETRAIN_EVERY, seed: 1 };
  const model = cp ? UpliftTargeter.fromBuffer(cp.model, targeterOptions) : new UpliftTargeter(targeterOptions);
  const pending = new Map<string, PendingDecision>();
  let lastEventTs = cp?.meta.lastEventTs ?? 0;
  const windowMs = config.ranking.attributionWindowMs;
  // Campaigns are read per decision; a short cache keeps that off SQLite while other processes' edits still show up.
  let cached: { at: number; campaigns: Campaign[] } | undefined;
  const activeCampaigns = (nowMs: number): Campaign[] => {
    if (!cached || nowMs - cached.at > CAMPAIGN_CACHE_MS || nowMs < cached.at) cached = { at: nowMs, campaigns: store.campaigns() };
    return cached.campaigns;
  };

  let retraining: Promise<void> | undefined;
  let closing = false;
  const saveModel = () => saveCheckpoint(db, UPLIFT_CHECKPOINT, model.toBuffer(), { trained: model.trained, lastEventTs, extra: { pending: pending.size } }, clock());
  const learn = (p: PendingDecision, outcome: 0 | 1) => {
    if (!model.add({ features: p.features, treated: p.treated, outcome, propensity: p.propensity }) || retraining) return;
    // Off the reply path: the worker trains while decisions go on with the previous model.
    retraining = model
      .retrain()
      .then((m) => {
        if (m) saveModel();
      })
      .catch((err: unknown) => {
        // A shutdown stops the worker on purpose; anything else is a real failure.
        if (!closing) deps.log?.error({ err }, 'coupon targeter retrain failed; the previous model stays');
      })
      .finally(() => (retraining = undefined));
  };
  const mature = (nowMs: number) => {
    for (const [k, p] of pending) {
      if (p.ts + windowMs > nowMs && pending.size <= MAX_PENDING) break;
      pending.delete(k);
      learn(p, 0);
    }
  };

  const issue = (c: Campaign, userId: string, nowMs: number): { code: string; expiresAt: number } => {
    const expiresAt = Math.min(c.endsAt, nowMs + c.codeTtlMs);
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = newCode(secret, c.id, rng);
      if (store.insertCode(code, c.id, userId, nowMs, expiresAt)) return { code, expiresAt };
    }
    throw new ShopbotError('CONFLICT', 'could not draw a unique coupon code in 5 attempts');
  };

  return {
    model,
    addCampaign(input) {
      const parsed = CampaignSchema.safeParse(input);
      if (!parsed.success) throw new ShopbotError('BAD_REQUEST', `invalid campaign: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const c = parsed.data;
      store.upsertCampaign(c, clock());
      cached = undefined;
      return c;
    },
    campaigns: () => store.campaigns(),
    spentCents: (id) => store.spentCents(id),

    decideOffer(shopper, basket) {
      const nowMs = clock();
      mature(nowMs);
      if (!config.coupons.enabled) return { decision: 'none', reason: 'coupons disabled' };
      const key = shopper.conversationId ?? shopper.userId;
      if (pending.has(key)) return { decision: 'none', reason: 'already decided in this conversation' };
      const eligible = eligibleCampaigns(activeCampaigns(nowMs), nowMs, basket, (id) => store.spentCents(id), (id) => store.issuedTo(id, shopper.userId));
      if (eligible.length === 0) return { decision: 'none', reason: 'no eligible campaign' };
      const features = upliftFeatures(shopper, basket);
      const valued = eligible.map((c) => ({ c, v: valueOffer(model, c, features, basket.valueCents, config.coupons.defaultMarginRate) })).sort((a, b) => b.v.gainCents - a.v.gainCents);
      const { c, v } = valued[0]!;
      const h = config.coupons.holdoutRate;
      const eps = config.coupons.explorationRate;
      const wanted = v.gainCents > 0;
      const propensity = (1 - h) * (wanted ? 1 : eps);
      let decision: 'offered' | 'holdout' | 'declined';
      if (rng() < h) decision = 'holdout';
      else if (wanted || rng() < eps) decision = 'offered';
      else decision = 'declined';
      const issued = decision === 'offered' ? issue(c, shopper.userId, nowMs) : undefined;
      pending.set(key, { features, treated: decision === 'offered', propensity, ts: nowMs });
      const event = {
        id: `${key}:coupon:${c.id}:${nowMs}`,
        type: 'coupon_offered' as const,
        ts: nowMs,
        channel: shopper.channel,
        ...(shopper.conversationId ? { conversationId: shopper.conversationId } : {}),
        userId: shopper.userId,
        campaignId: c.id,
        ...(issued ? { code: issued.code } : {}),
        holdout: decision === 'holdout',
        uplift: v.uplift,
        decision,
        propensity,
        features,
      };
      return {
        decision,
        campaignId: c.id,
        ...(issued ? { offer: offerFor(c, issued.code, issued.expiresAt) } : {}),
        uplift: v.uplift,
        expectedGainCents: v.gainCents,
        propensity,
        event,
      };
    },

    redeem(code, order) {
      const nowMs = clock();
      const r = store.redeem(secret, code, order, nowMs);
      return {
        ...r,
        event: { id: `${r.orderId}:coupon:${r.code}`, type: 'coupon_redeemed', ts: nowMs, channel: order.channel, ...(order.conversationId ? { conversationId: order.conversationId } : {}), userId: order.userId, campaignId: r.campaignId, code: r.code, discountCents: r.discountCents, orderId: r.orderId },
      };
    },

    observe(events) {
      for (const raw of events) {
        const e = FunnelEventSchema.safeParse(raw);
        if (!e.success) continue;
        lastEventTs = Math.max(lastEventTs, e.data.ts);
        if (e.data.type !== 'purchase') continue;
        const key = e.data.conversationId ?? e.data.userId;
        const p = key ? pending.get(key) : undefined;
        if (p && key) {
          pending.delete(key);
          learn(p, 1);
        }
      }
      mature(clock());
    },

    checkpoint: saveModel,

    async drain() {
      while (retraining) await retraining;
    },

    async close() {
      closing = true;
      await model.close();
      await retraining;
      saveModel();
    },
  };
}
