/**
 * The store's intent taxonomy and what the NLU returns for one message.
 * Every NLU engine (the linear baseline, the ONNX transformer) returns NluResult.
 */
import { z } from 'zod';
import type { Lang } from '../messages.js';

export const INTENTS = [
  'product_search', // product search / recommendation
  'product_question',
  'add_to_cart',
  'view_cart',
  'checkout_help',
  'coupon_question',
  'order_status', // order status / tracking
  'cancel_order', // cancel or change order
  'returns_refunds',
  'shipping_delivery',
  'payment_problem',
  'account',
  'complaint',
  'human_agent',
  'greeting',
  'goodbye',
  'thanks',
  'out_of_scope',
] as const;
export const IntentSchema = z.enum(INTENTS);
export type Intent = z.infer<typeof IntentSchema>;

export interface PriceRange {
  readonly minCents?: number;
  readonly maxCents?: number;
}

export interface Entities {
  readonly orderIds: readonly string[];
  readonly emails: readonly string[];
  readonly money: readonly { readonly cents: number; readonly currency: string }[];
  readonly priceRange?: PriceRange;
  readonly quantities: readonly number[];
  readonly colors: readonly string[];
  readonly sizes: readonly string[];
  /** "4 stars and up", "评分4分以上". */
  readonly minRating?: number;
  /** "the second one" -> 1 (0-based), "last one" -> -1. */
  readonly ordinal?: number;
  /** Refinement cues on the last results. */
  readonly refinements: readonly ('cheaper' | 'pricier' | 'more' | 'better_rated')[];
  /** Negated terms: "without buckles" -> ["buckles"], "不要皮的" -> ["皮"]. */
  readonly excludeTerms: readonly string[];
}

export interface IntentScore {
  readonly intent: Intent;
  readonly confidence: number;
}

/** A tagged span of the message: character offsets [start, end) in the text parsed. */
export interface NluSpan {
  /** PRODUCT, BRAND, COLOR, SIZE, PRICE (budget expressions), NEG (an excluded term), ORDER_ID, EMAIL. */
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface NluResult {
  readonly lang: Lang;
  readonly intent: Intent;
  /** Calibrated probability of `intent`. */
  readonly confidence: number;
  /** All intents, best first. */
  readonly ranking: readonly IntentScore[];
  readonly entities: Entities;
  /** Spans tagged by the transformer engine (absent for engines that do not tag). */
  readonly spans?: readonly NluSpan[];
  /** Which engine produced the intent (for logs and evals). */
  readonly engine: string;
}

export interface Nlu {
  parse(text: string, options?: { signal?: AbortSignal; langHint?: Lang }): Promise<NluResult>;
  close(): Promise<void>;
}
