/**
 * Where campaigns, issued codes and redemptions are kept: the embedded SQLite database or
 * PostgreSQL (storage.backend), behind one interface. The redemption rules are written once here
 * (judgeRedemption); each engine reads the facts and writes the redemption inside one transaction
 * that holds the campaign (SQLite: IMMEDIATE; PostgreSQL: the campaign row FOR UPDATE), so two
 * orders racing for the last of a budget, on one server or two, cannot both pass.
 */
import type pg from 'pg';
import { ShopbotError } from '../errors.js';
import { discountCents, eligibleCents, type BasketLine, type Campaign } from './campaign.js';

export type RefusalReason = 'FORGED' | 'UNKNOWN' | 'NOT_STARTED' | 'EXPIRED' | 'WRONG_SHOPPER' | 'REUSED' | 'MIN_BASKET' | 'CATEGORY' | 'LIMIT_REACHED' | 'OVER_BUDGET';

const REASON_TEXT: Readonly<Record<RefusalReason, string>> = {
  FORGED: 'this is not a code we issued (malformed or bad signature)',
  UNKNOWN: 'this code was never issued',
  NOT_STARTED: 'the campaign has not started yet',
  EXPIRED: 'this code has expired',
  WRONG_SHOPPER: 'this code was issued to another shopper',
  REUSED: 'this code has already been used',
  MIN_BASKET: 'the basket is below the minimum for this code',
  CATEGORY: 'nothing in the basket is in the categories this code covers',
  LIMIT_REACHED: 'this shopper has used this campaign the maximum number of times',
  OVER_BUDGET: 'the campaign budget is spent',
};

/** A refused redemption; `reason` is stable for tests, logs and the channel reply. */
export class CouponRefusedError extends ShopbotError {
  constructor(readonly reason: RefusalReason) {
    super('COUPON_INVALID', `coupon refused (${reason}): ${REASON_TEXT[reason]}`);
    this.name = 'CouponRefusedError';
  }
}

export interface RedeemOrder {
  readonly userId: string;
  readonly orderId: string;
  readonly lines: readonly BasketLine[];
}

export interface Redemption {
  readonly code: string;
  readonly campaignId: string;
  readonly orderId: string;
  readonly discountCents: number;
}

export interface CodeRow {
  readonly code: string;
  readonly campaign_id: string;
  readonly user_id: string;
  readonly expires_at: number;
}

/** What a redemption is judged on, read inside the engine's transaction. */
export interface RedemptionFacts {
  readonly row: CodeRow | undefined;
  readonly campaign: Campaign | undefined;
  /** The code's redemption, if it was redeemed before. */
  readonly used: { readonly orderId: string; readonly discountCents: number } | undefined;
  /** This shopper's redemptions of the campaign. */
  readonly shopperRedemptions: number;
  readonly spentCents: number;
}

/**
 * The redemption rules: the discount to record, `replay` when this very order already redeemed
 * the code (a retried checkout gets the same answer), or a CouponRefusedError.
 */
export function judgeRedemption(campaignId: string, f: RedemptionFacts, order: RedeemOrder, nowMs: number): { discountCents: number; replay: boolean } {
  const { row, campaign: c } = f;
  if (!row || row.campaign_id !== campaignId || !c) throw new CouponRefusedError('UNKNOWN');
  if (f.used && f.used.orderId === order.orderId && row.user_id === order.userId) return { discountCents: f.used.discountCents, replay: true };
  if (f.used) throw new CouponRefusedError('REUSED');
  if (nowMs < c.startsAt) throw new CouponRefusedError('NOT_STARTED');
  if (nowMs >= row.expires_at || nowMs >= c.endsAt) throw new CouponRefusedError('EXPIRED');
  if (row.user_id !== order.userId) throw new CouponRefusedError('WRONG_SHOPPER');
  const basket = order.lines.reduce((s, l) => s + l.amountCents, 0);
  if (basket < c.minBasketCents) throw new CouponRefusedError('MIN_BASKET');
  const base = eligibleCents(c, order.lines);
  if (base <= 0) throw new CouponRefusedError('CATEGORY');
  if (f.shopperRedemptions >= c.perShopperLimit) throw new CouponRefusedError('LIMIT_REACHED');
  const discount = discountCents(c, base);
  if (f.spentCents + discount > c.budgetCents) throw new CouponRefusedError('OVER_BUDGET');
  return { discountCents: discount, replay: false };
}

/**
 * A redemption that joins the transaction placing an order (src/store's OrderDiscount): the
 * engine fills in the method of its own kind, synchronous for SQLite (inside better-sqlite3's
 * transaction), on the order's client for PostgreSQL.
 */
export interface RedemptionInOrder {
  sqlite?(order: RedeemOrder): Redemption;
  postgres?(client: pg.PoolClient, order: RedeemOrder): Promise<Redemption>;
}

export interface CouponStore {
  upsertCampaign(c: Campaign, nowMs: number): Promise<void>;
  campaigns(): Promise<Campaign[]>;
  spentCents(campaignId: string): Promise<number>;
  issuedTo(campaignId: string, userId: string): Promise<number>;
  /** Inserts the code; false when it already exists (a nonce collision: the caller draws again). */
  insertCode(code: string, campaignId: string, userId: string, issuedAt: number, expiresAt: number): Promise<boolean>;
  /**
   * A forget request. Unredeemed codes are deleted. Redeemed codes and their redemptions are kept
   * with the user id replaced: the budget check sums redemptions, so deleting them would hand the
   * spent budget back to the campaign.
   */
  forgetUser(userId: string, replacementId: string): Promise<{ codesDeleted: number; redemptionsAnonymised: number }>;
  /** Checks and records a redemption in its own transaction (the code's campaign already read from its signature). */
  redeem(campaignId: string, code: string, order: RedeemOrder, nowMs: number): Promise<Redemption>;
  /** The same, inside the transaction that places the order. */
  redeemInOrder(campaignId: string, code: string, nowMs: number): RedemptionInOrder;
  close(): Promise<void>;
}
