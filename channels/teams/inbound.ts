/**
 * Teams activities -> typed values. Conversation ids: `teams:<conversation.id>` (a channel
 * thread's id already carries `;messageid=<root>`, so each thread is its own conversation); ids too
 * long for the funnel's 200-character limit are hashed.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Feedback } from '../../src/insights/index.js';
import type { UiAction } from '../../src/messages.js';

export const SubmitValueSchema = z.discriminatedUnion('shopbot', [
  z.object({ shopbot: z.enum(['click', 'add_to_cart']), p: z.string().min(1).max(200), s: z.string().max(100).optional(), i: z.number().int().min(0).max(1000).optional() }),
  z.object({ shopbot: z.literal('view_cart') }),
  z.object({ shopbot: z.literal('checkout') }),
  z.object({ shopbot: z.literal('quick_reply'), t: z.string().min(1).max(2000) }),
  z.object({ shopbot: z.literal('hand_back'), c: z.string().min(1).max(200) }),
  /** Thumbs on a reply: the reply's excerpt and intent ride in the card's data. */
  z.object({ shopbot: z.literal('feedback'), v: z.enum(['up', 'down']), t: z.string().min(1).max(2000), n: z.string().max(100).optional() }),
  /** The rating card: Teams merges its inputs (`rating`, `comment`) into the submitted data. */
  z.object({ shopbot: z.literal('rate'), rating: z.coerce.number().int().min(1).max(5), comment: z.string().max(4000).optional(), s: z.literal('agent').optional() }),
]);
export type SubmitValue = z.infer<typeof SubmitValueSchema>;

export function submitToAction(v: SubmitValue): UiAction | undefined {
  switch (v.shopbot) {
    case 'click':
      return { type: 'click', productId: v.p, slateId: v.s, position: v.i };
    case 'add_to_cart':
      return { type: 'add_to_cart', productId: v.p, quantity: 1, slateId: v.s, position: v.i };
    case 'view_cart':
      return { type: 'view_cart' };
    case 'checkout':
      return { type: 'checkout' };
    default:
      return undefined;
  }
}

export function teamsConversationId(platformId: string): string {
  const id = `teams:${platformId}`;
  return id.length <= 200 ? id : `teams:h:${createHash('sha256').update(platformId).digest('base64url')}`;
}

export function teamsUserId(from: { id: string; aadObjectId?: string }): string {
  return `teams:${(from.aadObjectId ?? from.id).slice(0, 190)}`;
}

/** Drops <at>mentions</at> of the bot and the HTML Teams wraps channel messages in. */
export function cleanTeamsText(text: string | undefined): string {
  return (text ?? '')
    .replace(/<at>[^<]*<\/at>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The root conversation id of a channel thread: "19:x@thread.tacv2;messageid=1" -> "19:x@thread.tacv2". */
export function baseConversation(platformId: string): string {
  return platformId.split(';')[0]!;
}

/** A thumbs or rating submit as the shopper's feedback; undefined for every other submit. */
export function submitToFeedback(v: SubmitValue): Feedback | undefined {
  if (v.shopbot === 'feedback') return { kind: 'reply', vote: v.v, reply: v.t, ...(v.n ? { intent: v.n } : {}) };
  if (v.shopbot === 'rate') return { kind: 'conversation', rating: v.rating, ...(v.comment?.trim() ? { comment: v.comment } : {}), ...(v.s ? { subject: 'agent' as const } : {}) };
  return undefined;
}
