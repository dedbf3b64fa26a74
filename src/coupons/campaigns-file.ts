/**
 * The coupon campaigns to run: the merchant's JSON file when configured, else, for the demo store
 * only, one welcome campaign so the offer path can be seen working.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { ShopbotError } from '../errors.js';
import type { CampaignInput } from './campaign.js';

const DAY_MS = 86_400_000;

export function demoCampaign(nowMs: number): CampaignInput {
  return {
    id: 'DEMO-WELCOME10',
    description: '10% off your order (demo store)',
    kind: 'percent',
    value: 10,
    maxDiscountCents: 2000,
    minBasketCents: 2500,
    startsAt: Math.floor(nowMs / DAY_MS) * DAY_MS - DAY_MS,
    endsAt: Math.floor(nowMs / DAY_MS) * DAY_MS + 365 * DAY_MS,
    perShopperLimit: 1,
    budgetCents: 50_000,
  };
}

export function loadCampaigns(config: Config, nowMs: number): CampaignInput[] {
  const file = config.coupons.campaignsFile;
  if (!file) return config.catalog.demo ? [demoCampaign(nowMs)] : [];
  try {
    const raw = JSON.parse(readFileSync(path.resolve(file), 'utf8')) as unknown;
    if (!Array.isArray(raw)) throw new Error('expected a JSON array of campaigns');
    return raw as CampaignInput[];
  } catch (cause) {
    throw new ShopbotError('CONFIG_INVALID', `coupons.campaignsFile (SHOPBOT_COUPON_CAMPAIGNS): ${(cause as Error).message}`, { cause });
  }
}
