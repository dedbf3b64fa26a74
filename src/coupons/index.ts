/**
 * Coupons: campaigns, signed single-use codes, server-side redemption checks, and the uplift
 * model that decides who gets an offer (with a random holdout kept for measurement). The targeter is
 * a meta-learner over gradient-boosted trees (targeter.ts), retrained in a worker thread as outcomes arrive.
 *
 * openCoupons({ db, store, config, clock, rng }) -> { addCampaign, decideOffer, redeem, inOrder, observe, checkpoint, drain, close }
 *
 * The store (campaigns, codes, redemptions) is SQLite in the data dir or PostgreSQL (storage.backend);
 * the targeter's model and its checkpoint stay in the data dir. Among several server processes on
 * one data dir (`serve --workers N`) the leader alone trains and checkpoints it, from every
 * process's decisions (their coupon_offered events reach it); followers reload its checkpoint.
 */
import type pg from 'pg';
import type { Config } from '../config.js';
import { ShopbotError } from '../errors.js';
import type { FunnelEvent, FunnelEventInput, FunnelStore, Logger } from '../funnel/index.js';
import { upliftDecisionsFromLog, UPLIFT_LOG_TYPES } from './from-log.js';
import { FOLLOWER_RELOAD_MS, loadCheckpoint, saveCheckpoint, type FeatureRecord } from '../learning/index.js';
import type { Channel } from '../messages.js';
import type { SqliteDb } from '../storage/index.js';
import { CampaignSchema, type Campaign, type CampaignInput } from './campaign.js';
import { newCode, verifyCode } from './codes.js';
import { eligibleCampaigns, offerFor, upliftFeatures, valueOffer, type BasketSignals, type CouponPolicy, type OfferDecision, type ShopperSignals } from './offers.js';
import type { OrderDiscount, PlacedOrder } from '../store/index.js';
import { PostgresCouponStore } from './postgres.js';
import { SqliteCouponStore } from './sqlite.js';
import { CouponRefusedError, type CouponStore, type RedeemOrder, type RefusalReason, type Redemption } from './store.js';
import { UpliftTargeter } from './targeter.js';

export { CampaignSchema, type Campaign, type CampaignInput, type BasketLine } from './campaign.js';
export { CouponRefusedError, judgeRedemption, type CouponStore, type RefusalReason, type RedeemOrder, type Redemption } from './store.js';
export { SqliteCouponStore } from './sqlite.js';
export { PostgresCouponStore } from './postgres.js';
export { ClassTransformUplift, TwoModelUplift, type UpliftExample } from './uplift.js';
export { UpliftTargeter, SHIPPED_META_LEARNER, upliftJob, type UpliftEstimator } from './targeter.js';
export { upliftFeatures, type BasketSignals, type CouponPolicy, type OfferDecision, type ShopperSignals } from './offers.js';
export { newCode, verifyCode } from './codes.js';
export { loadCampaigns } from './campaigns-file.js';
export { createUpliftTrainer, UPLIFT_CHECKPOINT, type UpliftTrainer, type UpliftTrainResult } from './retrain.js';
import { UPLIFT_CHECKPOINT } from './retrain.js';

/** The coupon tables' engine: SQLite in `db`, or PostgreSQL on the shop's pool (the one orders are written with). */
export async function openCouponStore(config: Pick<Config, 'storage'>, deps: { readonly db: SqliteDb; readonly pool?: pg.Pool }): Promise<CouponStore> {
  if (config.storage.backend === 'sqlite') return new SqliteCouponStore(deps.db);
  if (!deps.pool) throw new ShopbotError('CONFIG_INVALID', 'storage.postgresUrl (DATABASE_URL) is required for postgres coupons');
  return PostgresCouponStore.open(deps.pool);
}

/** Forgets one shopper's coupon rows (see SqliteCouponStore.forgetUser); works whether or not coupons are enabled now. */
export function forgetCouponHolder(store: CouponStore, userId: string, replacementId: string): Promise<{ codesDeleted: number; redemptionsAnonymised: number }> {
  return store.forgetUser(userId, replacementId);
}

/** Labelled decisions between retrains of the targeter's trees. */
export const RETRAIN_EVERY = 1000;
/** Used only when coupons.secret is unset and the demo catalog is on (never in production). */
const DEV_SECRET = 'shopbot-dev-coupon-key-not-for-production';
const MAX_PENDING = 100_000;
const CAMPAIGN_CACHE_MS = 30_000;

export interface CouponsDeps {
  /** The data dir's database: the targeter's checkpoint, and the coupon tables unless `store` is given. */
  readonly db: SqliteDb;
  /** Campaigns, codes and redemptions (default: SQLite in `db`). */
  readonly store?: CouponStore;
  readonly config: Config;
  readonly clock: () => number;
  readonly rng: () => number;
  readonly log?: Logger;
  /** Defaults to RETRAIN_EVERY. */
  readonly retrainEvery?: number;
  /** As the ranking learner's (src/learning/online.ts): unset alone, 'leader' trains for all, 'follower' reloads. */
  readonly role?: 'leader' | 'follower';
}

export interface Coupons {
  addCampaign(input: CampaignInput): Promise<Campaign>;
  campaigns(): Promise<Campaign[]>;
  /** Decides whether this shopper gets an offer now (under `policy`, a coupon experiment's variant); log `decision.event` through the funnel writer. */
  decideOffer(shopper: ShopperSignals, basket: BasketSignals, policy?: CouponPolicy): Promise<OfferDecision>;
  /** Checks and records a redemption; throws CouponRefusedError (code COUPON_INVALID) with a reason. */
  redeem(code: string, order: RedeemOrder & { channel: Channel; conversationId?: string }): Promise<RedeemedCoupon>;
  /**
   * A redemption written in the transaction that places the order (src/store checkout): the
   * discount to pass to the store, and, once the order is placed, what came of the code (a
   * refusal never stops the purchase). `categoriesOf` gives an order line's product categories.
   */
  inOrder(code: string, meta: { channel: Channel; conversationId?: string; categoriesOf: (productId: string) => readonly string[] }): CouponInOrder;
  spentCents(campaignId: string): Promise<number>;
  /** Feeds funnel events as the writer stored them (validated there): purchases label pending offer decisions. */
  observe(events: readonly FunnelEvent[]): void;
  /**
   * At start-up: refills the targeter's buffer from the funnel log (the labelled decisions a
   * restart would otherwise forget) and re-opens decisions still inside their attribution window,
   * so a purchase after the restart still labels them. Returns how many of each.
   */
  catchUp(funnel: Pick<FunnelStore, 'query'>): Promise<{ labelled: number; open: number }>;
  readonly model: UpliftTargeter;
  checkpoint(): number;
  /** Resolves when a retrain in flight has finished (and been checkpointed). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export type RedeemedCoupon = Redemption & { event: Extract<FunnelEventInput, { type: 'coupon_redeemed' }> };

export interface CouponInOrder {
  readonly discount: OrderDiscount;
  /** After checkout: the redemption, the refusal, or undefined when the store never asked (it applies no discounts). */
  outcome(): { redeemed: RedeemedCoupon } | { refused: RefusalReason } | undefined;
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
  const store = deps.store ?? new SqliteCouponStore(db);
  const cp = loadCheckpoint(db, UPLIFT_CHECKPOINT);
  const targeterOptions = { retrainEvery: deps.retrainEvery ?? RETRAIN_EVERY, seed: 1 };
  const model = cp ? UpliftTargeter.fromBuffer(cp.model, targeterOptions) : new UpliftTargeter(targeterOptions);
  const pending = new Map<string, PendingDecision>();
  let lastEventTs = cp?.meta.lastEventTs ?? 0;
  const windowMs = config.ranking.attributionWindowMs;
  // Campaigns are read per decision; a short cache keeps that off SQLite while other processes' edits still show up.
  let cached: { at: number; campaigns: Campaign[] } | undefined;
  const activeCampaigns = async (nowMs: number): Promise<Campaign[]> => {
    if (!cached || nowMs - cached.at > CAMPAIGN_CACHE_MS || nowMs < cached.at) cached = { at: nowMs, campaigns: await store.campaigns() };
    return cached.campaigns;
  };

  let retraining: Promise<void> | undefined;
  let closing = false;
  const isFollower = deps.role === 'follower';
  let cpVersion = cp?.version ?? 0;
  const saveModel = () => (cpVersion = saveCheckpoint(db, UPLIFT_CHECKPOINT, model.toBuffer(), { trained: model.trained, lastEventTs, extra: { pending: pending.size } }, clock()));
  // A follower decides with the leader's latest trees; its own pending map only keeps one decision per conversation.
  const reload = () => {
    const row = db.prepare('SELECT version FROM learning_checkpoints WHERE name = ?').get(UPLIFT_CHECKPOINT) as { version: number } | undefined;
    if (!row || row.version === cpVersion) return;
    try {
      const next = loadCheckpoint(db, UPLIFT_CHECKPOINT)!;
      model.model = UpliftTargeter.fromBuffer(next.model, targeterOptions).model;
      cpVersion = next.version;
    } catch (err) {
      deps.log?.warn({ err }, 'coupon targeter checkpoint unreadable; the follower keeps its model');
    }
  };
  const reloads = isFollower ? setInterval(reload, FOLLOWER_RELOAD_MS) : undefined;
  reloads?.unref();
  const learn = (p: PendingDecision, outcome: 0 | 1) => {
    if (isFollower) return;
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

  const issue = async (c: Campaign, userId: string, nowMs: number): Promise<{ code: string; expiresAt: number }> => {
    const expiresAt = Math.min(c.endsAt, nowMs + c.codeTtlMs);
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = newCode(secret, c.id, rng);
      if (await store.insertCode(code, c.id, userId, nowMs, expiresAt)) return { code, expiresAt };
    }
    throw new ShopbotError('CONFLICT', 'could not draw a unique coupon code in 5 attempts');
  };

  const campaignOf = (code: string): string => {
    const id = verifyCode(secret, code);
    if (!id) throw new CouponRefusedError('FORGED');
    return id;
  };
  const redeemed = (r: Redemption, order: { userId: string; channel: Channel; conversationId?: string }, nowMs: number): RedeemedCoupon => ({
    ...r,
    event: { id: `${r.orderId}:coupon:${r.code}`, type: 'coupon_redeemed', ts: nowMs, channel: order.channel, ...(order.conversationId ? { conversationId: order.conversationId } : {}), userId: order.userId, campaignId: r.campaignId, code: r.code, discountCents: r.discountCents, orderId: r.orderId },
  });

  return {
    model,
    async addCampaign(input) {
      const parsed = CampaignSchema.safeParse(input);
      if (!parsed.success) throw new ShopbotError('BAD_REQUEST', `invalid campaign: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const c = parsed.data;
      await store.upsertCampaign(c, clock());
      cached = undefined;
      return c;
    },
    campaigns: () => store.campaigns(),
    spentCents: (id) => store.spentCents(id),

    async decideOffer(shopper, basket, policy) {
      const nowMs = clock();
      mature(nowMs);
      if (!config.coupons.enabled) return { decision: 'none', reason: 'coupons disabled' };
      const key = shopper.conversationId ?? shopper.userId;
      if (pending.has(key)) return { decision: 'none', reason: 'already decided in this conversation' };
      // Budgets and per-shopper counts are read from the store, so every server sees every server's spending.
      const only = policy?.campaigns ? new Set(policy.campaigns) : undefined;
      const active = (await activeCampaigns(nowMs)).filter((c) => !only || only.has(c.id));
      const counts = await Promise.all(active.map(async (c) => [c.id, await store.spentCents(c.id), await store.issuedTo(c.id, shopper.userId)] as const));
      const spent = new Map(counts.map(([id, s]) => [id, s]));
      const issued = new Map(counts.map(([id, , n]) => [id, n]));
      if (pending.has(key)) return { decision: 'none', reason: 'already decided in this conversation' };
      const eligible = eligibleCampaigns(active, nowMs, basket, (id) => spent.get(id) ?? 0, (id) => issued.get(id) ?? 0);
      if (eligible.length === 0) return { decision: 'none', reason: 'no eligible campaign' };
      const features = upliftFeatures(shopper, basket);
      const valued = eligible.map((c) => ({ c, v: valueOffer(model, c, features, basket.valueCents, config.coupons.defaultMarginRate) })).sort((a, b) => b.v.gainCents - a.v.gainCents);
      const { c, v } = valued[0]!;
      const mode = policy?.mode ?? 'targeter';
      let decision: 'offered' | 'holdout' | 'declined';
      let propensity: number;
      // A fixed policy (an experiment's always / never arm) decides with certainty; its own arm is the control, not a holdout.
      if (mode === 'always') (decision = 'offered'), (propensity = 1);
      else if (mode === 'never') (decision = 'declined'), (propensity = 0);
      else {
        const h = config.coupons.holdoutRate;
        const eps = config.coupons.explorationRate;
        const wanted = v.gainCents > 0;
        propensity = (1 - h) * (wanted ? 1 : eps);
        if (rng() < h) decision = 'holdout';
        else if (wanted || rng() < eps) decision = 'offered';
        else decision = 'declined';
      }
      pending.set(key, { features, treated: decision === 'offered', propensity, ts: nowMs });
      const code = decision === 'offered' ? await issue(c, shopper.userId, nowMs) : undefined;
      const event = {
        id: `${key}:coupon:${c.id}:${nowMs}`,
        type: 'coupon_offered' as const,
        ts: nowMs,
        channel: shopper.channel,
        ...(shopper.conversationId ? { conversationId: shopper.conversationId } : {}),
        userId: shopper.userId,
        campaignId: c.id,
        ...(code ? { code: code.code } : {}),
        holdout: decision === 'holdout',
        uplift: v.uplift,
        decision,
        propensity,
        features,
      };
      return {
        decision,
        campaignId: c.id,
        ...(code ? { offer: offerFor(c, code.code, code.expiresAt) } : {}),
        uplift: v.uplift,
        expectedGainCents: v.gainCents,
        propensity,
        event,
      };
    },

    async redeem(code, order) {
      const nowMs = clock();
      const r = await store.redeem(campaignOf(code), code, order, nowMs);
      return redeemed(r, order, nowMs);
    },

    inOrder(code, meta) {
      const nowMs = clock();
      let outcome: ReturnType<CouponInOrder['outcome']>;
      const toRedeem = (o: PlacedOrder): RedeemOrder => ({ userId: o.userId, orderId: o.id, lines: o.lines.map((l) => ({ categories: meta.categoriesOf(l.productId), amountCents: l.unitPriceCents * l.quantity })) });
      const settle = (o: PlacedOrder, r: Redemption): number => {
        outcome = { redeemed: redeemed(r, { ...meta, userId: o.userId }, nowMs) };
        return r.discountCents;
      };
      // A refused code (expired, over budget, basket too small) never stops the purchase.
      const refuse = (err: unknown): number => {
        if (!(err instanceof CouponRefusedError)) throw err;
        outcome = { refused: err.reason };
        return 0;
      };
      const campaignId = verifyCode(secret, code);
      if (!campaignId) {
        refuse(new CouponRefusedError('FORGED'));
        return { discount: {}, outcome: () => outcome };
      }
      const joined = store.redeemInOrder(campaignId, code, nowMs);
      const { sqlite, postgres } = joined;
      const discount: OrderDiscount = {
        ...(sqlite
          ? {
              sqlite: (o: PlacedOrder) => {
                try {
                  return settle(o, sqlite(toRedeem(o)));
                } catch (err) {
                  return refuse(err);
                }
              },
            }
          : {}),
        ...(postgres ? { postgres: (client: Parameters<typeof postgres>[0], o: PlacedOrder) => postgres(client, toRedeem(o)).then((r) => settle(o, r), refuse) } : {}),
      };
      return { discount, outcome: () => outcome };
    },

    observe(events) {
      for (const e of events) {
        lastEventTs = Math.max(lastEventTs, e.ts);
        // The leader learns from the followers' decisions too: their events carry what decideOffer kept here.
        if (e.type === 'coupon_offered' && deps.role === 'leader') {
          const key = e.conversationId ?? e.userId;
          if (key && !pending.has(key) && e.features && e.propensity !== undefined && e.decision !== undefined && pending.size < MAX_PENDING) {
            pending.set(key, { features: e.features, treated: e.decision === 'offered', propensity: e.propensity, ts: e.ts });
          }
          continue;
        }
        if (e.type !== 'purchase') continue;
        const key = e.conversationId ?? e.userId;
        const p = key ? pending.get(key) : undefined;
        if (p && key) {
          pending.delete(key);
          learn(p, 1);
        }
      }
      mature(clock());
    },

    async catchUp(funnel) {
      if (isFollower) return { labelled: 0, open: 0 };
      const nowMs = clock();
      const { labelled, open, lastTs } = await upliftDecisionsFromLog(funnel.query({ types: UPLIFT_LOG_TYPES }), windowMs);
      model.refill(labelled);
      let reopened = 0;
      for (const d of open) {
        if (pending.has(d.key) || pending.size >= MAX_PENDING) continue;
        pending.set(d.key, { features: d.example.features, treated: d.example.treated, propensity: d.example.propensity, ts: d.ts });
        reopened++;
      }
      lastEventTs = Math.max(lastEventTs, lastTs);
      // Windows that closed while the server was down mature now (as no purchase: none came).
      mature(nowMs);
      return { labelled: labelled.length, open: reopened };
    },

    checkpoint: () => (isFollower ? cpVersion : saveModel()),

    async drain() {
      while (retraining) await retraining;
    },

    async close() {
      closing = true;
      clearInterval(reloads);
      await model.close();
      await retraining;
      if (!isFollower) saveModel();
    },
  };
}
