/**
 * Shopper feedback as funnel events: a thumbs up/down on one bot reply, and a 1-5 rating of the
 * whole conversation with an optional comment. The widget posts it over REST with the
 * conversation's token; Slack and Teams send it from their buttons and cards. Each is validated
 * here, and its idempotency key makes a second vote on the same reply (or a second rating) a no-op:
 * the first answer counts, so a double click cannot weigh twice.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FunnelEventInput } from '../funnel/index.js';
import type { Channel } from '../messages.js';
import { ShopbotError } from '../errors.js';

/** What a shopper sends: one vote on a reply, or one rating of the conversation. */
export const FeedbackSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reply'), vote: z.enum(['up', 'down']), reply: z.string().min(1).max(4000), intent: z.string().max(100).optional() }),
  /** subject 'agent': the shopper rates the person who helped (the conversation's last closed handoff, looked up by the server). */
  z.object({ kind: z.literal('conversation'), rating: z.number().int().min(1).max(5), comment: z.string().max(4000).optional(), subject: z.enum(['bot', 'agent']).optional() }),
]);
export type Feedback = z.infer<typeof FeedbackSchema>;

/** The stored excerpt of a rated reply: enough to find it in the transcript and read it in the review list. */
const REPLY_CHARS = 500;
const COMMENT_CHARS = 1000;

function clip(text: string, max: number): string {
  const chars = [...text.trim()];
  return chars.length <= max ? chars.join('') : chars.slice(0, max - 1).join('') + '…';
}

/** Keys stay under the funnel's 200-character id limit whatever the conversation id's length. */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

export interface FeedbackContext {
  readonly conversationId: string;
  readonly userId?: string;
  readonly channel: Channel;
  readonly ts: number;
  /** The person who last helped in this conversation (its state's lastAgent), never taken from the client. */
  readonly lastAgent?: { readonly agentId: string; readonly ticketId: string };
}

export function feedbackEvent(f: Feedback, ctx: FeedbackContext): FunnelEventInput {
  const base = { ts: ctx.ts, channel: ctx.channel, conversationId: ctx.conversationId, ...(ctx.userId ? { userId: ctx.userId } : {}) };
  if (f.kind === 'conversation') {
    const comment = f.comment?.trim() ? clip(f.comment, COMMENT_CHARS) : undefined;
    if (f.subject === 'agent') {
      if (!ctx.lastAgent) throw new ShopbotError('BAD_REQUEST', 'no person has helped in this conversation yet');
      // One rating per ticket: a second handoff in the same conversation is rated on its own.
      const { agentId, ticketId } = ctx.lastAgent;
      return { ...base, id: `rating:${digest(`${ctx.conversationId}\u0000${ticketId}`)}`, type: 'conversation_rating', rating: f.rating, subject: 'agent', agentId, ticketId, ...(comment ? { comment } : {}) };
    }
    return { ...base, id: `rating:${digest(ctx.conversationId)}`, type: 'conversation_rating', rating: f.rating, subject: 'bot', ...(comment ? { comment } : {}) };
  }
  const reply = clip(f.reply, REPLY_CHARS);
  // One vote per reply text in a conversation.
  return { ...base, id: `vote:${digest(`${ctx.conversationId}\u0000${reply}`)}`, type: 'reply_feedback', vote: f.vote, reply, ...(f.intent ? { intent: f.intent } : {}) };
}
