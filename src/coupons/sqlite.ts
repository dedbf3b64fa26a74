/**
 * Campaigns, issued codes and redemptions in the embedded database. Redemption runs in one
 * IMMEDIATE transaction (or, at checkout, inside the order's), so two orders racing for the last
 * of a budget (or the same code) cannot both pass the checks (judgeRedemption, store.ts).
 */
import type { SqliteDb } from '../storage/index.js';
import { CampaignSchema, type Campaign } from './campaign.js';
import { judgeRedemption, type CodeRow, type CouponStore, type RedeemOrder, type Redemption, type RedemptionInOrder } from './store.js';

export class SqliteCouponStore implements CouponStore {
  constructor(private readonly db: SqliteDb) {}

  async upsertCampaign(c: Campaign, nowMs: number): Promise<void> {
    this.db.prepare('INSERT INTO coupon_campaigns (id, data, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data').run(c.id, JSON.stringify(c), nowMs);
  }

  private campaign(id: string): Campaign | undefined {
    const row = this.db.prepare('SELECT data FROM coupon_campaigns WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? CampaignSchema.parse(JSON.parse(row.data)) : undefined;
  }

  async campaigns(): Promise<Campaign[]> {
    return (this.db.prepare('SELECT data FROM coupon_campaigns ORDER BY id').all() as { data: string }[]).map((r) => CampaignSchema.parse(JSON.parse(r.data)));
  }

  private spent(campaignId: string): number {
    return (this.db.prepare('SELECT COALESCE(SUM(discount_cents), 0) AS s FROM coupon_redemptions WHERE campaign_id = ?').get(campaignId) as { s: number }).s;
  }

  async spentCents(campaignId: string): Promise<number> {
    return this.spent(campaignId);
  }

  async issuedTo(campaignId: string, userId: string): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM coupon_codes WHERE campaign_id = ? AND user_id = ?').get(campaignId, userId) as { n: number }).n;
  }

  async insertCode(code: string, campaignId: string, userId: string, issuedAt: number, expiresAt: number): Promise<boolean> {
    return this.db.prepare('INSERT OR IGNORE INTO coupon_codes (code, campaign_id, user_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(code, campaignId, userId, issuedAt, expiresAt).changes === 1;
  }

  async forgetUser(userId: string, replacementId: string): Promise<{ codesDeleted: number; redemptionsAnonymised: number }> {
    return this.db.transaction(() => {
      const codesDeleted = this.db.prepare('DELETE FROM coupon_codes WHERE user_id = ? AND code NOT IN (SELECT code FROM coupon_redemptions)').run(userId).changes;
      this.db.prepare('UPDATE coupon_codes SET user_id = ? WHERE user_id = ?').run(replacementId, userId);
      const redemptionsAnonymised = this.db.prepare('UPDATE coupon_redemptions SET user_id = ? WHERE user_id = ?').run(replacementId, userId).changes;
      return { codesDeleted, redemptionsAnonymised };
    })();
  }

  /** Reads the facts, judges and writes; the caller holds the transaction. */
  private redeemNow(campaignId: string, code: string, order: RedeemOrder, nowMs: number): Redemption {
    const row = this.db.prepare('SELECT code, campaign_id, user_id, expires_at FROM coupon_codes WHERE code = ?').get(code.trim()) as CodeRow | undefined;
    const used = row ? (this.db.prepare('SELECT order_id AS orderId, discount_cents AS discountCents FROM coupon_redemptions WHERE code = ?').get(row.code) as { orderId: string; discountCents: number } | undefined) : undefined;
    const shopperRedemptions = (this.db.prepare('SELECT COUNT(*) AS n FROM coupon_redemptions WHERE campaign_id = ? AND user_id = ?').get(campaignId, order.userId) as { n: number }).n;
    const judged = judgeRedemption(campaignId, { row, campaign: this.campaign(campaignId), used, shopperRedemptions, spentCents: this.spent(campaignId) }, order, nowMs);
    if (!judged.replay) {
      this.db.prepare('INSERT INTO coupon_redemptions (code, campaign_id, user_id, order_id, discount_cents, redeemed_at) VALUES (?, ?, ?, ?, ?, ?)').run(row!.code, campaignId, order.userId, order.orderId, judged.discountCents, nowMs);
    }
    return { code: row!.code, campaignId, orderId: order.orderId, discountCents: judged.discountCents };
  }

  async redeem(campaignId: string, code: string, order: RedeemOrder, nowMs: number): Promise<Redemption> {
    return this.db.transaction(() => this.redeemNow(campaignId, code, order, nowMs)).immediate();
  }

  redeemInOrder(campaignId: string, code: string, nowMs: number): RedemptionInOrder {
    // A savepoint inside the order's transaction: a refusal undoes nothing of the order.
    return { sqlite: (order) => this.db.transaction(() => this.redeemNow(campaignId, code, order, nowMs))() };
  }

  async close(): Promise<void> {}
}
