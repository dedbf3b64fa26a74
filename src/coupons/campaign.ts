/** Merchant-defined coupon campaigns, validated once at the edge. */
import { z } from 'zod';

export const CampaignSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ and - only (1-40)'),
    description: z.string().max(500).default(''),
    kind: z.enum(['percent', 'amount']),
    /** Percent off (0-100] or cents off, by kind. */
    value: z.number().positive(),
    maxDiscountCents: z.number().int().positive().optional(),
    minBasketCents: z.number().int().nonnegative().default(0),
    /** Lower-cased category names; empty means every category. */
    categories: z.array(z.string().min(1).max(300)).max(100).default([]),
    startsAt: z.number().int().nonnegative(),
    endsAt: z.number().int().positive(),
    /** A code expires this long after issue, or at the campaign's end, whichever is first. */
    codeTtlMs: z.number().int().positive().default(7 * 86_400_000),
    perShopperLimit: z.number().int().positive().max(1000).default(1),
    budgetCents: z.number().int().positive(),
  })
  .refine((c) => c.endsAt > c.startsAt, { message: 'endsAt must be after startsAt', path: ['endsAt'] })
  .refine((c) => c.kind !== 'percent' || c.value <= 100, { message: 'a percent discount is at most 100', path: ['value'] });

export type Campaign = z.infer<typeof CampaignSchema>;
export type CampaignInput = z.input<typeof CampaignSchema>;

export interface BasketLine {
  /** Lower-cased category path names of the product. */
  readonly categories: readonly string[];
  readonly amountCents: number;
}

/** The part of the basket the campaign discounts (all of it when the campaign has no categories). */
export function eligibleCents(c: Campaign, lines: readonly BasketLine[]): number {
  if (c.categories.length === 0) return lines.reduce((s, l) => s + l.amountCents, 0);
  const wanted = new Set(c.categories.map((x) => x.toLowerCase()));
  return lines.filter((l) => l.categories.some((x) => wanted.has(x.toLowerCase()))).reduce((s, l) => s + l.amountCents, 0);
}

export function discountCents(c: Campaign, baseCents: number): number {
  const raw = c.kind === 'percent' ? Math.round((baseCents * c.value) / 100) : Math.min(Math.round(c.value), baseCents);
  return Math.max(0, Math.min(raw, c.maxDiscountCents ?? Number.POSITIVE_INFINITY, baseCents));
}

export function isActive(c: Campaign, nowMs: number): boolean {
  return nowMs >= c.startsAt && nowMs < c.endsAt;
}
