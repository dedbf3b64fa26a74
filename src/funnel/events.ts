/**
 * Funnel events: one zod-validated discriminated union. Every event carries an idempotency key
 * (`id`); a retried event with the same key is stored once.
 */
import { z } from 'zod';
import { ChannelSchema } from '../messages.js';

const base = {
  /** Idempotency key. Producers derive it from what makes the event unique (slate + position, order id...). */
  id: z.string().min(1).max(200),
  ts: z.number().int().nonnegative(),
  channel: ChannelSchema,
  conversationId: z.string().max(200).optional(),
  userId: z.string().max(200).optional(),
};

const productId = z.string().min(1).max(200);
const money = z.number().int();

export const SlateCandidateSchema = z.object({
  productId,
  score: z.number(),
  /** Feature values the ranker used, so a new policy can be trained and evaluated offline. */
  features: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
});

/** Why a shown product got its place: relevance share, predicted probabilities, exploration, the features that moved it most. */
export const SlateExplanationSchema = z.object({
  relevance: z.number(),
  ctr: z.number().min(0).max(1).optional(),
  cvr: z.number().min(0).max(1).optional(),
  explored: z.boolean(),
  why: z.array(z.object({ f: z.string().max(40), v: z.union([z.number(), z.string().max(80)]), d: z.number() })).max(5),
});

export const FunnelEventSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('impression'), productId, position: z.number().int().min(0), query: z.string().max(2000).default(''), policyId: z.string().max(100), slateId: z.string().max(100), propensity: z.number().min(0).max(1).optional(), sponsored: z.boolean().default(false) }),
  z.object({ ...base, type: z.literal('click'), productId, position: z.number().int().min(0).optional(), slateId: z.string().max(100).optional() }),
  z.object({ ...base, type: z.literal('add_to_cart'), productId, quantity: z.number().int().min(1), priceCents: money, slateId: z.string().max(100).optional() }),
  z.object({ ...base, type: z.literal('remove_from_cart'), productId, quantity: z.number().int().min(1) }),
  z.object({ ...base, type: z.literal('checkout_started'), cartValueCents: money, items: z.number().int().min(0) }),
  z.object({ ...base, type: z.literal('purchase'), orderId: z.string().min(1).max(200), revenueCents: money, currency: z.string().length(3).default('USD'), productIds: z.array(productId).max(1000).default([]), couponCode: z.string().max(200).optional() }),
  z.object({ ...base, type: z.literal('message'), role: z.enum(['user', 'bot', 'agent']), chars: z.number().int().min(0), /** Bot replies: what the turn's actions came to (search, policy_unknown, out_of_scope...), for the answer rate. */ outcomes: z.array(z.string().max(40)).max(20).optional() }),
  z.object({ ...base, type: z.literal('intent'), intent: z.string().max(100), confidence: z.number().min(0).max(1), lang: z.string().max(10) }),
  z.object({ ...base, type: z.literal('search'), query: z.string().max(2000), results: z.number().int().min(0) }),
  z.object({ ...base, type: z.literal('handoff'), status: z.enum(['requested', 'queued', 'assigned', 'resolved', 'returned']), reason: z.string().max(500), team: z.string().max(100).optional(), agentId: z.string().max(200).optional(), /** Wait to be assigned (assigned) or time with the agent (resolved, returned). */ durationMs: z.number().int().min(0).optional(), priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(), queuePosition: z.number().int().min(0).optional() }),
  z.object({ ...base, type: z.literal('slate'), slateId: z.string().max(100), policyId: z.string().max(100), policyVersion: z.string().max(100), query: z.string().max(2000), candidates: z.array(SlateCandidateSchema).max(1000), shown: z.array(z.object({ productId, position: z.number().int().min(0), propensity: z.number().min(0).max(1), sponsored: z.boolean().default(false), /** Why it was placed (src/ranking/explain.ts), for the merchant's explanation view. */ explanation: SlateExplanationSchema.optional() })).max(100) }),
  z.object({ ...base, type: z.literal('coupon_offered'), campaignId: z.string().max(100), code: z.string().max(200).optional(), holdout: z.boolean(), uplift: z.number().optional(), /** offered | holdout (random control) | declined (model expected no gain); additive, for uplift learning. */ decision: z.enum(['offered', 'holdout', 'declined']).optional(), /** P(offer | shopper) under the deciding policy. */ propensity: z.number().min(0).max(1).optional(), /** The targeter's inputs, so the uplift model can be retrained from the log. */ features: z.record(z.string().max(100), z.union([z.number(), z.string().max(200)])).optional() }),
  /** A storefront visit reported by the store's webhook: every shopper, whether or not they open the assistant (the base of assisted vs unassisted conversion). */
  z.object({ ...base, type: z.literal('visit'), path: z.string().max(500).optional() }),
  /** A shopper's thumbs up or down on one bot reply; `reply` is the rated text (the review list shows it with its conversation). */
  z.object({ ...base, type: z.literal('reply_feedback'), vote: z.enum(['up', 'down']), reply: z.string().max(500), intent: z.string().max(100).optional() }),
  /** The shopper's rating of the whole conversation, 1 (worst) to 5, with an optional comment. */
  z.object({ ...base, type: z.literal('conversation_rating'), rating: z.number().int().min(1).max(5), comment: z.string().max(1000).optional(), /** What was rated: the assistant, or the person who helped after a handoff (agentId, their ticket). */ subject: z.enum(['bot', 'agent']).default('bot'), agentId: z.string().max(200).optional(), ticketId: z.string().max(200).optional() }),
  /** A shopper's exposure to a coupon or reply experiment's variant (logged once per shopper: the id is the experiment and user); ranking variants are tagged on their slates instead. */
  z.object({ ...base, type: z.literal('experiment_exposure'), experimentId: z.string().max(60), kind: z.enum(['ranking', 'coupon', 'reply']), variant: z.string().max(40) }),
  z.object({ ...base, type: z.literal('coupon_redeemed'), campaignId: z.string().max(100), code: z.string().max(200), discountCents: money, orderId: z.string().max(200) }),
]);

export type FunnelEvent = z.infer<typeof FunnelEventSchema>;
export type FunnelEventInput = z.input<typeof FunnelEventSchema>;
export type FunnelEventType = FunnelEvent['type'];

/** The shopping funnel in order; `shopbot funnel` reports these stages. */
export const FUNNEL_STAGES = ['impression', 'click', 'add_to_cart', 'checkout_started', 'purchase'] as const satisfies readonly FunnelEventType[];
