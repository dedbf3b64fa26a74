/**
 * Per-conversation state and where it is kept. Everything a later turn needs is in here, as plain
 * JSON, so the state survives a restart and can live in Redis when several servers share sockets.
 */
import { z } from 'zod';
import { LangSchema } from '../messages.js';
import { IntentSchema } from '../nlu/index.js';
import type { Requester } from '../store/index.js';

export const ShownProductSchema = z.object({ id: z.string(), position: z.number().int(), slateId: z.string() });

export const SearchContextSchema = z.object({
  query: z.string(),
  priceMinCents: z.number().int().optional(),
  priceMaxCents: z.number().int().optional(),
  brands: z.array(z.string()).default([]),
  colors: z.array(z.string()).default([]),
  categories: z.array(z.string()).default([]),
  minRating: z.number().optional(),
  excludeTerms: z.array(z.string()).default([]),
  excludeBrands: z.array(z.string()).default([]),
  excludeColors: z.array(z.string()).default([]),
  /** The product type asked for ("mattress"): a refinement keeps it, a new product type starts a new search. */
  productTerms: z.array(z.string()).default([]),
  /** The products shown for this search so far: "show more" and "换一批" show others (capped). */
  shownIds: z.array(z.string()).max(200).default([]),
  /** How many results were already shown for this query ("show more" continues from here). */
  offset: z.number().int().default(0),
});
export type SearchContext = z.infer<typeof SearchContextSchema>;

export const TASK_KINDS = ['order_status', 'cancel_order', 'change_address', 'return_order', 'refund_status', 'checkout'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const TaskSchema = z.object({
  kind: z.enum(TASK_KINDS),
  /** orderId, email, reason, note, address. */
  slots: z.record(z.string(), z.string().max(1000)).default({}),
  /** The slot asked for last: orderId | email | reason | address | choice | confirm. */
  awaiting: z.string().optional(),
  /** The shopper said yes to the change; the next step performs it. */
  confirm: z.boolean().default(false),
  /** Order ids offered when the shopper has several. */
  options: z.array(z.string().max(100)).max(10).default([]),
  /** Order ids the shopper said are not the one ("no, the other order"). */
  excluded: z.array(z.string().max(100)).max(20).default([]),
  /** How often the current slot was asked without an answer. */
  retries: z.number().int().default(0),
});
export type Task = z.infer<typeof TaskSchema>;

export const ConversationStateSchema = z.object({
  conversationId: z.string(),
  userId: z.string(),
  channel: z.string(),
  lang: LangSchema.default('en'),
  turn: z.number().int().default(0),
  search: SearchContextSchema.optional(),
  lastShown: z.array(ShownProductSchema).default([]),
  /** The product the conversation is about ("add it to my cart", "is it waterproof?"). */
  focusProductId: z.string().optional(),
  /** The order last shown ("when will it arrive?" after a look-up asks about it). */
  focusOrderId: z.string().max(100).optional(),
  /** The policy question answered last, its document and turn: a follow-up on the next turn ("and for electronics?", "加急呢？") keeps the topic. */
  policy: z.object({ topic: z.string().max(100), question: z.string().max(500), turn: z.number().int() }).optional(),
  lastIntent: IntentSchema.optional(),
  lowConfidenceStreak: z.number().int().default(0),
  /** The store customer a store-signed identity named when the conversation started (src/identity). */
  customer: z.object({ id: z.string().max(200), email: z.string().max(320) }).optional(),
  /** Tokens issued before this epoch are revoked (src/identity/sessions.ts). */
  sessionEpoch: z.number().int().min(0).default(0),
  /**
   * Orders a guest proved they may see (order number + the order's e-mail: `status`) or change (a
   * one-time code sent to that e-mail: `manage`). Never a whole e-mail address's orders.
   */
  orderGrants: z.array(z.object({ orderId: z.string().max(100), level: z.enum(['status', 'manage']), until: z.number().int() })).max(10).default([]),
  /** The e-mail a shopper typed for order confirmations: a contact address, never proof of anything. */
  contactEmail: z.string().max(320).optional(),
  /** A service task in progress (order lookup, cancel, return): slot values and what is asked next. */
  task: TaskSchema.optional(),
  /** Consecutive messages that read as frustrated (an escalation trigger). */
  negativeStreak: z.number().int().default(0),
  /** Who answers the shopper: the bot, or a human agent after a handoff. */
  owner: z.enum(['bot', 'agent']).default('bot'),
  /** The coupon offered in this conversation; applied at checkout. */
  coupon: z.object({ code: z.string(), campaignId: z.string() }).optional(),
  handoff: z.object({ reason: z.string(), team: z.string().optional(), requestedAt: z.number(), agentId: z.string().optional(), ticketId: z.string().optional(), priority: z.string().optional() }).optional(),
  /** The last person who helped, once they handed back or resolved: a rating with subject 'agent' rates them. */
  lastAgent: z.object({ agentId: z.string().max(200), ticketId: z.string().max(200), closedAt: z.number() }).optional(),
});
export type ConversationState = z.infer<typeof ConversationStateSchema>;

/** Who the store should treat the shopper as: their user id, the store-verified customer, and their order grants. */
export function requesterOf(state: ConversationState): Requester {
  return { userId: state.userId, ...(state.customer ? { customer: state.customer } : {}), ...(state.orderGrants.length ? { grants: state.orderGrants } : {}) };
}

export function newState(conversationId: string, userId: string, channel: string): ConversationState {
  return ConversationStateSchema.parse({ conversationId, userId, channel });
}

export interface TranscriptRow {
  readonly role: 'user' | 'bot' | 'agent' | 'system';
  readonly text: string;
  readonly payload?: unknown;
  readonly ts: number;
}

/** What a retention sweep or a forget request removed. */
export interface ConversationsDeleted {
  readonly conversations: number;
  readonly messages: number;
}

/** Conversation state and transcripts. Embedded: SQLite. */
export interface StateStore {
  load(conversationId: string): Promise<ConversationState | undefined>;
  save(state: ConversationState, nowMs: number): Promise<void>;
  appendTranscript(conversationId: string, rows: readonly TranscriptRow[]): Promise<void>;
  transcript(conversationId: string, limit?: number): Promise<TranscriptRow[]>;
  /** Deletes conversations (state and whole transcript) with no save and no message since `cutoffMs`. */
  deleteInactive(cutoffMs: number): Promise<ConversationsDeleted>;
  /** Deletes every conversation of one user, state and transcript. */
  deleteUser(userId: string): Promise<ConversationsDeleted>;
  close(): Promise<void>;
}
