/**
 * Campaigns, issued codes and redemptions in the embedded database. Redemption runs in one
 * IMMEDIATE transaction, so two orders racing for the last of a budget (or the same code) cannot
 * both pass the checks.
 */
import type { SqliteDb } from '../storage/index.js';
import { ShopbotError } from '../errors.js';
import { CampaignSchema, discountCents, eligibleCents, type BasketLine, type Campaign } from './campaign.js';
import { verifyCode } from './codes.js';

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

interface CodeRow {
  code: string;
  campaign_id: string;
  user_id: string;
  issued_at: number;
  expires_at: number;
}

export class SqliteCouponStore {
  constructor(private readonly db: SqliteDb) {}

  upsertCampaign(c: Campaign, nowMs: number): void {
    this.db.prepare('INSERT INTO coupon_campaigns (id, data, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data').run(c.id, JSON.stringify(c), nowMs);
  }

  campaign(id: string): Campaign | undefined {
    const row = this.db.prepare('SELECT data FROM coupon_campaigns WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? CampaignSchema.parse(JSON.parse(row.data)) : undefined;
  }

  campaigns(): Campaign[] {
    return (this.db.prepare('SELECT data FROM coupon_campaigns ORDER BY id').all() as { data: string }[]).map((r) => CampaignSchema.parse(JSON.parse(r.data)));
  }

  spentCents(campaignId: string): number {
    return (this.db.prepare('SELECT COALESCE(SUM(discount_cents), 0) AS s FROM coupon_redemptions WHERE campaign_id = ?').get(campaignId) as { s: number }).s;
  }

  issuedTo(campaignId: string, userId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM coupon_codes WHERE campaign_id = ? AND user_id = ?').get(campaignId, userId) as { n: number }).n;
  }

  /** Inserts the code; false when it already exists (a nonce collision: the caller draws again). */
  insertCode(code: string, campaignId: string, userId: string, issuedAt: number, expiresAt: number): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO coupon_codes (code, campaign_id, user_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(code, campaignId, userId, issuedAt, expiresAt).changes === 1;
  }

  /**
   * A forget request. Unredeemed codes are deleted. Redeemed codes and their redemptions are kept
   * with the user id replaced: the budget check sums redemptions, so deleting them would hand the
   * spent budget back to the campaign.
   */
  forgetUser(userId: string, replacementId: string): { codesDeleted: number; redemptionsAnonymised: number } {
    return this.db.transaction(() => {
      const codesDeleted = this.db.prepare('DELETE FROM coupon_codes WHERE user_id = ? AND code NOT IN (SELECT code FROM coupon_redemptions)').run(userId).changes;
      this.db.prepare('UPDATE coupon_codes SET user_id = ? WHERE user_id = ?').run(replacementId, userId);
      const redemptionsAnonymised = this.db.prepare('UPDATE coupon_redemptions SET user_id = ? WHERE user_id = ?').run(replacementId, userId).changes;
      return { codesDeleted, redemptionsAnonymised };
    })();
  }

  redeem(secret: string, code: string, order: RedeemOrder, nowMs: number): Redemption {
    const campaignId = verifyCode(secret, code);
    if (!campaignId) throw new CouponRefusedError('FORGED');
    const tx = this.db.transaction((): Redemption => {
      const row = this.db.prepare('SELECT * FROM coupon_codes WHERE code = ?').get(code.trim()) as CodeRow | undefined;
      if (!row || row.campaign_id !== campaignId) throw new CouponRefusedError('UNKNOWN');
      const c = this.campaign(campaignId);
      if (!c) throw new CouponRefusedError('UNKNOWN');
      const used = this.db.prepare('SELECT order_id, discount_cents FROM coupon_redemptions WHERE code = ?').get(row.code) as { order_id: string; discount_cents: number } | undefined;
      // A retried checkout of the same order gets the same answer instead of REUSED.
      if (used && used.order_id === order.orderId && row.user_id === order.userId) return { code: row.code, campaignId, orderId: order.orderId, discountCents: used.discount_cents };
      if (used) throw new CouponRefusedError('REUSED');
      if (nowMs < c.startsAt) throw new CouponRefusedError('NOT_STARTED');
      if (nowMs >= row.expires_at || nowMs >= c.endsAt) throw new CouponRefusedError('EXPIRED');
      if (row.user_id !== order.userId) throw new CouponRefusedError('WRONG_SHOPPER');
      const basket = order.lines.reduce((s, l) => s + l.amountCents, 0);
      if (basket < c.minBasketCents) throw new CouponRefusedError('MIN_BASKET');
      const base = eligibleCents(c, order.lines);
      if (base <= 0) throw new CouponRefusedError('CATEGORY');
      const n = (this.db.prepare('SELECT COUNT(*) AS n FROM coupon_redemptions WHERE campaign_id = ? AND user_id = ?').get(c.id, order.userId) as { n: number }).n;
      if (n >= c.perShopperLimit) throw new CouponRefusedError('LIMIT_REACHED');
      const discount = discountCents(c, base);
      if (this.spentCents(c.id) + discount > c.budgetCents) throw new CouponRefusedError('OVER_BUDGET');
      this.db.prepare('INSERT INTO coupon_redemptions (code, campaign_id, user_id, order_id, discount_cents, redeemed_at) VALUES (?, ?, ?, ?, ?, ?)').run(row.code, c.id, order.userId, order.orderId, discount, nowMs);
      return { code: row.code, campaignId: c.id, orderId: order.orderId, discountCents: discount };
    });
    return tx.immediate();
  }
}
