import { z } from 'zod';

/**
 * The one normalized product every importer produces and every stage reads.
 * Money is integer minor units (cents) with an ISO currency. `demo` marks values the demo
 * store derived because the source had none (never set for a merchant's own feed).
 */
export const AvailabilitySchema = z.enum(['in_stock', 'out_of_stock', 'preorder', 'backorder']);
export type Availability = z.infer<typeof AvailabilitySchema>;

export const ProductSchema = z.object({
  id: z.string().min(1).max(200),
  title: z.string().min(1).max(2000),
  description: z.string().max(50_000).default(''),
  bullets: z.array(z.string().max(5000)).max(100).default([]),
  brand: z.string().max(300).optional(),
  color: z.string().max(200).optional(),
  size: z.string().max(200).optional(),
  /** Category path, top to leaf. */
  category: z.array(z.string().max(300)).max(20).default([]),
  priceCents: z.number().int().nonnegative().optional(),
  salePriceCents: z.number().int().nonnegative().optional(),
  currency: z.string().length(3).default('USD'),
  marginCents: z.number().int().optional(),
  availability: AvailabilitySchema.default('in_stock'),
  stock: z.number().int().nonnegative().optional(),
  rating: z.number().min(0).max(5).optional(),
  ratingCount: z.number().int().nonnegative().optional(),
  imageUrl: z.string().max(2000).optional(),
  url: z.string().max(2000).optional(),
  gtin: z.string().max(50).optional(),
  /** Which fields were derived for the demo store rather than read from the source. */
  demo: z.array(z.enum(['price', 'stock'])).default([]),
  source: z.enum(['esci', 'csv', 'gmc', 'api']),
});

export type Product = z.infer<typeof ProductSchema>;
export type ProductInput = z.input<typeof ProductSchema>;

/** The price a shopper pays now. */
export function effectivePriceCents(p: Pick<Product, 'priceCents' | 'salePriceCents'>): number | undefined {
  return p.salePriceCents ?? p.priceCents;
}
