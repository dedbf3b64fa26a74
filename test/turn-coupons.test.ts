/** Coupons inside whole turns: the uplift decision is logged, an offered code is applied at checkout. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelEvent } from '../src/funnel/events.js';
import { openTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  // No holdout and exploration on every decision: an offer is made even while the uplift model is untrained.
  t = await openTestApp({ coupons: { holdoutRate: 0, explorationRate: 1 } });
});
afterAll(async () => t?.close());

async function events(conversationId: string): Promise<FunnelEvent[]> {
  await t.app.funnel.flush();
  const out: FunnelEvent[] = [];
  for await (const e of t.app.funnel.query({ conversationId })) out.push(e);
  return out;
}

describe('coupons in the conversation', () => {
  it('logs one offer decision per conversation and applies an offered code at checkout', async () => {
    let offered = 0;
    for (let i = 0; i < 1; i++) {
      const c = `coupon-conv-${i}`;
      const user = `coupon-user-${i}`;
      const say = (text: string, action?: Parameters<typeof t.app.handleTurn>[0]['action']) =>
        t.app.handleTurn({ conversationId: c, userId: user, channel: 'rest', text, ...(action ? { action } : {}) });
      const found = await say('dewalt combo kit');
      const kit = found.products.find((p) => p.inStock && (p.priceCents ?? 0) >= 2500)!;
      const added = await say('', { type: 'add_to_cart', productId: kit.id, quantity: 1 });
      await say('', { type: 'view_cart' });
      const log = await events(c);
      const decisions = log.filter((e) => e.type === 'coupon_offered');
      expect(decisions).toHaveLength(1);
      expect(added.coupon).toBeDefined();
      if (!added.coupon) continue;
      offered++;
      expect(added.coupon.code).toMatch(/^DEMO-WELCOME10-[A-Z2-9]{16}$/);
      const done = await say('', { type: 'checkout', email: 'c@example.com' });
      const after = await events(c);
      const redeemed = after.find((e) => e.type === 'coupon_redeemed');
      const purchase = after.find((e) => e.type === 'purchase');
      expect(redeemed).toMatchObject({ code: added.coupon.code, campaignId: 'DEMO-WELCOME10' });
      const discount = (redeemed as { discountCents: number }).discountCents;
      expect(discount).toBe(Math.min(2000, Math.round(kit.priceCents! * 0.1)));
      expect(purchase).toMatchObject({ revenueCents: kit.priceCents! - discount, couponCode: added.coupon.code });
      expect(done.text).toContain(added.coupon.code);
    }
    expect(offered).toBe(1);
  });

  it('refuses a forged code server-side', async () => {
    await expect(t.app.coupons!.redeem('DEMO-WELCOME10.AAAAAAAAAAAA.forged', { userId: 'u', orderId: 'SB-1', lines: [{ categories: [], amountCents: 5000 }], channel: 'rest' })).rejects.toThrow(/FORGED|forged/i);
  });

  it("says why a coupon was refused in the shopper's language, from the templates", async () => {
    const c = 'coupon-conv-zh';
    const user = 'coupon-user-zh';
    const say = (text: string, action?: Parameters<typeof t.app.handleTurn>[0]['action']) =>
      t.app.handleTurn({ conversationId: c, userId: user, channel: 'rest', text, ...(action ? { action } : {}) });
    const found = await say('dewalt combo kit');
    const kit = found.products.find((p) => p.inStock && (p.priceCents ?? 0) >= 2500)!;
    await say('', { type: 'add_to_cart', productId: kit.id, quantity: 1 });
    // The shopper now writes Chinese, and holds a code that was never issued (a forged signature
    // stands in for any refusal reason).
    const state = (await t.app.states.load(c))!;
    await t.app.states.save({ ...state, lang: 'zh', coupon: { code: 'DEMO-WELCOME10.AAAAAAAAAAAA.forged', campaignId: 'DEMO-WELCOME10' } }, t.clock.now);
    const done = await say('', { type: 'checkout', email: 'zh@example.com' });
    expect(done.text).toContain('优惠券无法使用（这不是我们发放的优惠码（格式或签名无效））');
    expect(done.text).not.toMatch(/not a code we issued|coupon refused/);
  });
});

