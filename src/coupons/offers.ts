/**
 * Who gets an offer, and the learning loop behind it. Every eligible shopper first draws the
 * random holdout (kept as the measurement control whatever the model says). The rest get an
 * offer only when the uplift model expects it to pay for itself:
 *   gain = tau(x) * margin - P(buy | offer, x) * discount  > 0
 * and, so that the model keeps learning where it currently says no, a small exploration share of
 * the declined get one anyway. The probability of an offer is logged with each decision and
 * used as the propensity weight when the outcome is learned.
 */
import type { FeatureRecord } from '../learning/index.js';
import type { Channel, CouponOffer } from '../messages.js';
import type { FunnelEventInput } from '../funnel/index.js';
import { discountCents, isActive, type Campaign } from './campaign.js';
import type { UpliftEstimator } from './targeter.js';

export interface ShopperSignals {
  readonly userId: string;
  readonly conversationId?: string;
  readonly channel: Channel;
  /** "new" | "returning" or any coarse segment the store knows. */
  readonly segment?: string;
  readonly messages?: number;
  readonly productViews?: number;
  readonly cartAdds?: number;
  readonly lang?: string;
}

/**
 * How a decision is taken (a coupon experiment's variant): the uplift targeter with its holdout
 * (the default), an offer to every eligible shopper, or none; optionally from some campaigns only.
 */
export interface CouponPolicy {
  readonly mode: 'targeter' | 'always' | 'never';
  readonly campaigns?: readonly string[];
}

export interface BasketSignals {
  readonly valueCents: number;
  readonly items: number;
  /** Lower-cased categories of the basket (or of the products being considered). */
  readonly categories: readonly string[];
}

export type OfferEvent = Extract<FunnelEventInput, { type: 'coupon_offered' }>;

export interface OfferDecision {
  readonly decision: 'offered' | 'holdout' | 'declined' | 'none';
  readonly campaignId?: string;
  readonly offer?: CouponOffer;
  readonly uplift?: number;
  readonly expectedGainCents?: number;
  /** P(offer | shopper) under this policy. */
  readonly propensity?: number;
  /** Why there was nothing to decide (no campaign eligible, already decided in this conversation). */
  readonly reason?: string;
  /** The coupon_offered event to log (absent for 'none'). */
  readonly event?: OfferEvent;
}

export function upliftFeatures(s: ShopperSignals, b: BasketSignals): FeatureRecord {
  const f: Record<string, string | number> = { basket: Math.round(b.valueCents / 100), items: b.items, channel: s.channel };
  if (s.segment) f.segment = s.segment;
  if (s.lang) f.lang = s.lang;
  if (s.messages !== undefined) f.messages = s.messages;
  if (s.productViews !== undefined) f.views = s.productViews;
  if (s.cartAdds !== undefined) f.carts = s.cartAdds;
  if (b.categories[0]) f.cat = b.categories[0].toLowerCase();
  return f;
}

export interface Valuation {
  readonly uplift: number;
  readonly gainCents: number;
  readonly discountCents: number;
}

export function valueOffer(model: UpliftEstimator, c: Campaign, features: FeatureRecord, basketCents: number, marginRate: number): Valuation {
  const base = Math.max(basketCents, c.minBasketCents);
  const discount = discountCents(c, base);
  const tau = model.uplift(features);
  const pBuyTreated = model.responseRate(features, true);
  return { uplift: tau, discountCents: discount, gainCents: tau * base * marginRate - pBuyTreated * discount };
}

export function offerFor(c: Campaign, code: string, expiresAt: number): CouponOffer {
  return {
    code,
    description: c.description || (c.kind === 'percent' ? `${c.value}% off` : `${(c.value / 100).toFixed(2)} off`),
    ...(c.kind === 'percent' ? { percentOff: c.value } : { amountOffCents: Math.round(c.value) }),
    ...(c.minBasketCents > 0 ? { minBasketCents: c.minBasketCents } : {}),
    expiresAt: new Date(expiresAt).toISOString(),
  };
}

export function eligibleCampaigns(campaigns: readonly Campaign[], nowMs: number, basket: BasketSignals, spent: (id: string) => number, issued: (id: string) => number): Campaign[] {
  const cats = new Set(basket.categories.map((c) => c.toLowerCase()));
  return campaigns.filter(
    (c) =>
      isActive(c, nowMs) &&
      spent(c.id) < c.budgetCents &&
      issued(c.id) < c.perShopperLimit &&
      // Offered only to a basket that already qualifies: a code the shopper cannot use yet is noise.
      basket.valueCents >= c.minBasketCents &&
      (c.categories.length === 0 || c.categories.some((x) => cats.has(x.toLowerCase()))),
  );
}
