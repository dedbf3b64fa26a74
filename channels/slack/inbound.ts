/**
 * Slack payloads -> typed values, validated with zod at the edge. Conversation ids are stable per
 * Slack thread: `slack:<team>:<channel>:<thread_ts>` in channels (every bot reply is threaded),
 * `slack:<team>:<channel>` for a direct message outside threads.
 */
import { z } from 'zod';
import type { Feedback } from '../../src/insights/index.js';
import type { UiAction } from '../../src/messages.js';

const id = z.string().min(1).max(64);
const ts = z.string().regex(/^\d{1,12}\.\d{1,8}$/);

export const MessageEventSchema = z.object({
  type: z.enum(['message', 'app_mention']),
  channel: id,
  user: id.optional(),
  text: z.string().max(40_000).default(''),
  ts,
  thread_ts: ts.optional(),
  channel_type: z.string().max(20).optional(),
  subtype: z.string().max(64).optional(),
  bot_id: z.string().max(64).optional(),
});
export type SlackMessageEvent = z.infer<typeof MessageEventSchema>;

export const BlockActionSchema = z.object({
  type: z.literal('block_actions'),
  team: z.object({ id }).nullish(),
  user: z.object({ id, team_id: id.optional() }),
  channel: z.object({ id }).optional(),
  message: z.object({ ts, thread_ts: ts.optional() }).optional(),
  actions: z.array(z.object({ action_id: z.string().max(255), value: z.string().max(2000).optional() })).min(1).max(5),
});
export type SlackBlockAction = z.infer<typeof BlockActionSchema>;

export const SlashCommandSchema = z.object({
  command: z.string().max(64),
  text: z.string().max(4000).default(''),
  team_id: id,
  channel_id: id,
  user_id: id,
  response_url: z.url().max(2000),
});

export const ProductActionValueSchema = z.object({
  p: z.string().min(1).max(200),
  s: z.string().max(100).optional(),
  i: z.number().int().min(0).max(1000).optional(),
});

export const isDirectMessage = (channelId: string): boolean => channelId.startsWith('D');

export function slackConversationId(team: string, channel: string, threadTs: string | undefined): string {
  return threadTs ? `slack:${team}:${channel}:${threadTs}` : `slack:${team}:${channel}`;
}

export const slackUserId = (team: string, user: string): string => `slack:${team}:${user}`;

export function parseSlackConversationId(conversationId: string): { team: string; channel: string; threadTs?: string } | undefined {
  const m = /^slack:([A-Z0-9]+):([A-Z0-9]+)(?::(\d+\.\d+))?$/.exec(conversationId);
  return m ? { team: m[1]!, channel: m[2]!, threadTs: m[3] } : undefined;
}

/** Removes the leading @mention(s) of the bot: "<@U123> show me boots" -> "show me boots". */
export function stripMentions(text: string): string {
  return text.replace(/^(\s*<@[A-Z0-9]+(\|[^>]*)?>\s*)+/, '').trim();
}

/** Which thread a user message belongs to: channel messages thread under themselves. */
export function threadOf(e: Pick<SlackMessageEvent, 'channel' | 'ts' | 'thread_ts'>): string | undefined {
  return e.thread_ts ?? (isDirectMessage(e.channel) ? undefined : e.ts);
}

/** A product button's value back to a UiAction (the action lands in the funnel as click/add_to_cart). */
export function productAction(kind: 'click' | 'add_to_cart', value: string | undefined): UiAction | undefined {
  if (!value) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return undefined;
  }
  const v = ProductActionValueSchema.safeParse(json);
  if (!v.success) return undefined;
  return kind === 'click'
    ? { type: 'click', productId: v.data.p, slateId: v.data.s, position: v.data.i }
    : { type: 'add_to_cart', productId: v.data.p, quantity: 1, slateId: v.data.s, position: v.data.i };
}

const FeedbackValueSchema = z.object({ t: z.string().min(1).max(2000), n: z.string().max(100).optional() });

/** A thumbs or rating button back to the shopper's feedback; undefined for any other action or a malformed value. */
export function feedbackAction(actionId: string, value: string | undefined): Feedback | undefined {
  const rate = /^shopbot_rate_([1-5])$/.exec(actionId);
  if (rate) return { kind: 'conversation', rating: Number(rate[1]), ...(value?.startsWith('agent:') ? { subject: 'agent' as const } : {}) };
  const thumb = /^shopbot_feedback_(up|down)$/.exec(actionId);
  if (!thumb || !value) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return undefined;
  }
  const v = FeedbackValueSchema.safeParse(json);
  return v.success ? { kind: 'reply', vote: thumb[1] as 'up' | 'down', reply: v.data.t, ...(v.data.n ? { intent: v.data.n } : {}) } : undefined;
}
