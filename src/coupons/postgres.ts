/**
 * Campaigns, codes and redemptions in PostgreSQL (storage.backend = postgres), shared by every
 * server. A redemption locks its campaign row (SELECT ... FOR UPDATE) for the rest of its
 * transaction, so redemptions of one campaign are judged one after another on whichever server
 * they arrive: a budget is never overspent. The pool is the shop's (src/store/postgres.ts), so a
 * checkout's redemption runs on the order's own client and commits with it.
 */
import type pg from 'pg';
import { pgEnsureSchema, pgTransaction } from '../storage/index.js';
import { CampaignSchema, type Campaign } from './campaign.js';
import { judgeRedemption, type CodeRow, type CouponStore, type RedeemOrder, type Redemption, type RedemptionInOrder } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS coupon_campaigns (
  id          TEXT PRIMARY KEY,
  data        TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS coupon_codes (
  code         TEXT PRIMARY KEY,
  campaign_id  TEXT NOT NULL REFERENCES coupon_campaigns(id),
  user_id      TEXT NOT NULL,
  issued_at    BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS coupon_codes_campaign_user ON coupon_codes (campaign_id, user_id);
CREATE TABLE IF NOT EXISTS coupon_redemptions (
  code            TEXT PRIMARY KEY REFERENCES coupon_codes(code),
  campaign_id     TEXT NOT NULL REFERENCES coupon_campaigns(id),
  user_id         TEXT NOT NULL,
  order_id        TEXT NOT NULL,
  discount_cents  BIGINT NOT NULL,
  redeemed_at     BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS coupon_redemptions_campaign_user ON coupon_redemptions (campaign_id, user_id);
`;

type Queryable = Pick<pg.PoolClient, 'query'>;

export class PostgresCouponStore implements CouponStore {
  private constructor(private readonly pool: pg.Pool) {}

  /** Creates the tables when missing (serialised across servers starting together). The caller owns the pool. */
  static async open(pool: pg.Pool): Promise<PostgresCouponStore> {
    await pgEnsureSchema(pool, 7246019, SCHEMA);
    return new PostgresCouponStore(pool);
  }

  async upsertCampaign(c: Campaign, nowMs: number): Promise<void> {
    await this.pool.query('INSERT INTO coupon_campaigns (id, data, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data', [c.id, JSON.stringify(c), nowMs]);
  }

  async campaigns(): Promise<Campaign[]> {
    const r = await this.pool.query<{ data: string }>('SELECT data FROM coupon_campaigns ORDER BY id');
    return r.rows.map((row) => CampaignSchema.parse(JSON.parse(row.data)));
  }

  private static async spent(q: Queryable, campaignId: string): Promise<number> {
    const r = await q.query<{ s: string }>('SELECT COALESCE(SUM(discount_cents), 0) AS s FROM coupon_redemptions WHERE campaign_id = $1', [campaignId]);
    return Number(r.rows[0]!.s);
  }

  spentCents(campaignId: string): Promise<number> {
    return PostgresCouponStore.spent(this.pool, campaignId);
  }

  async issuedTo(campaignId: string, userId: string): Promise<number> {
    const r = await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM coupon_codes WHERE campaign_id = $1 AND user_id = $2', [campaignId, userId]);
    return Number(r.rows[0]!.n);
  }

  async insertCode(code: string, campaignId: string, userId: string, issuedAt: number, expiresAt: number): Promise<boolean> {
    const r = await this.pool.query('INSERT INTO coupon_codes (code, campaign_id, user_id, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING', [code, campaignId, userId, issuedAt, expiresAt]);
    return r.rowCount === 1;
  }

  async forgetUser(userId: string, replacementId: string): Promise<{ codesDeleted: number; redemptionsAnonymised: number }> {
    return pgTransaction(this.pool, async (c) => {
      const codesDeleted = (await c.query('DELETE FROM coupon_codes WHERE user_id = $1 AND code NOT IN (SELECT code FROM coupon_redemptions)', [userId])).rowCount ?? 0;
      await c.query('UPDATE coupon_codes SET user_id = $1 WHERE user_id = $2', [replacementId, userId]);
      const redemptionsAnonymised = (await c.query('UPDATE coupon_redemptions SET user_id = $1 WHERE user_id = $2', [replacementId, userId])).rowCount ?? 0;
      return { codesDeleted, redemptionsAnonymised };
    });
  }

  /** Inside the caller's transaction: locks the campaign, reads the facts, judges, writes. */
  private static async redeemOn(c: Queryable, campaignId: string, code: string, order: RedeemOrder, nowMs: number): Promise<Redemption> {
    const campaignRow = (await c.query<{ data: string }>('SELECT data FROM coupon_campaigns WHERE id = $1 FOR UPDATE', [campaignId])).rows[0];
    const row = (await c.query<CodeRow & { expires_at: string }>('SELECT code, campaign_id, user_id, expires_at FROM coupon_codes WHERE code = $1', [code.trim()])).rows[0];
    const used = row
      ? (await c.query<{ order_id: string; discount_cents: string }>('SELECT order_id, discount_cents FROM coupon_redemptions WHERE code = $1', [row.code])).rows.map((u) => ({ orderId: u.order_id, discountCents: Number(u.discount_cents) }))[0]
      : undefined;
    const n = (await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM coupon_redemptions WHERE campaign_id = $1 AND user_id = $2', [campaignId, order.userId])).rows[0]!.n;
    const facts = {
      row: row ? { ...row, expires_at: Number(row.expires_at) } : undefined,
      campaign: campaignRow ? CampaignSchema.parse(JSON.parse(campaignRow.data)) : undefined,
      used,
      shopperRedemptions: Number(n),
      spentCents: await PostgresCouponStore.spent(c, campaignId),
    };
    const judged = judgeRedemption(campaignId, facts, order, nowMs);
    if (!judged.replay) {
      await c.query('INSERT INTO coupon_redemptions (code, campaign_id, user_id, order_id, discount_cents, redeemed_at) VALUES ($1, $2, $3, $4, $5, $6)', [row!.code, campaignId, order.userId, order.orderId, judged.discountCents, nowMs]);
    }
    return { code: row!.code, campaignId, orderId: order.orderId, discountCents: judged.discountCents };
  }

  redeem(campaignId: string, code: string, order: RedeemOrder, nowMs: number): Promise<Redemption> {
    return pgTransaction(this.pool, (c) => PostgresCouponStore.redeemOn(c, campaignId, code, order, nowMs));
  }

  redeemInOrder(campaignId: string, code: string, nowMs: number): RedemptionInOrder {
    // A savepoint: a refusal rolls back the redemption's reads and locks only, never the order.
    return {
      postgres: async (client, order) => {
        await client.query('SAVEPOINT coupon');
        try {
          const r = await PostgresCouponStore.redeemOn(client, campaignId, code, order, nowMs);
          await client.query('RELEASE SAVEPOINT coupon');
          return r;
        } catch (err) {
          await client.query('ROLLBACK TO SAVEPOINT coupon');
          throw err;
        }
      },
    };
  }

  async close(): Promise<void> {
    // The pool is the shop's; the app ends it after both stores close.
  }
}
