/**
 * The messages that enter and leave a turn, whatever the channel. Channel adapters parse their
 * own wire format into InboundMessage and render OutboundMessage back (widget cards, Adaptive
 * Cards, Block Kit).
 */
import { z } from 'zod';

export const ChannelSchema = z.enum(['web', 'rest', 'cli', 'teams', 'slack', 'agent']);
export type Channel = z.infer<typeof ChannelSchema>;

export const LangSchema = z.enum(['en', 'zh']);
export type Lang = z.infer<typeof LangSchema>;

/** A structured action from a button or card, instead of (or beside) typed text. */
export const UiActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('click'), productId: z.string().min(1).max(200), slateId: z.string().max(100).optional(), position: z.number().int().min(0).max(1000).optional() }),
  z.object({ type: z.literal('add_to_cart'), productId: z.string().min(1).max(200), quantity: z.number().int().min(1).max(99).default(1), slateId: z.string().max(100).optional(), position: z.number().int().min(0).max(1000).optional() }),
  z.object({ type: z.literal('remove_from_cart'), productId: z.string().min(1).max(200) }),
  z.object({ type: z.literal('view_cart') }),
  z.object({ type: z.literal('checkout'), email: z.email().max(320).optional() }),
]);
export type UiAction = z.infer<typeof UiActionSchema>;

export interface InboundMessage {
  readonly conversationId: string;
  readonly userId: string;
  readonly channel: Channel;
  readonly text: string;
  readonly locale?: string;
  readonly action?: UiAction;
  /** Channel-specific extras kept for transcripts (thread ids, team ids); never interpreted by stages. */
  readonly context?: Readonly<Record<string, string>>;
}

export interface ProductCard {
  readonly id: string;
  readonly title: string;
  readonly brand?: string;
  readonly priceCents?: number;
  readonly currency: string;
  readonly rating?: number;
  readonly ratingCount?: number;
  readonly imageUrl?: string;
  readonly url?: string;
  readonly inStock: boolean;
  readonly position: number;
  readonly sponsored: boolean;
  readonly slateId: string;
}

export interface QuickReply {
  readonly label: string;
  /** Text sent back as the shopper's next message when chosen. */
  readonly text: string;
}

export interface CouponOffer {
  readonly code: string;
  readonly description: string;
  readonly percentOff?: number;
  readonly amountOffCents?: number;
  readonly minBasketCents?: number;
  readonly expiresAt: string;
}

export interface HandoffInfo {
  readonly status: 'queued' | 'assigned' | 'resolved';
  readonly team?: string;
  readonly queuePosition?: number;
  readonly reason: string;
  /** On a closed support chat: ask the shopper to rate the person who helped (feedback subject 'agent'). */
  readonly rate?: 'agent';
}

export interface CartLine {
  readonly productId: string;
  readonly title: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly currency: string;
}

export interface CartView {
  readonly lines: readonly CartLine[];
  readonly totalCents: number;
  readonly currency: string;
}

export interface OutboundMessage {
  readonly conversationId: string;
  readonly text: string;
  readonly lang: Lang;
  readonly products: readonly ProductCard[];
  readonly quickReplies: readonly QuickReply[];
  readonly cart?: CartView;
  readonly coupon?: CouponOffer;
  readonly handoff?: HandoffInfo;
  /** What the NLU understood; shown in the CLI and the evals, not to shoppers. */
  readonly intent?: string;
  readonly confidence?: number;
  /** Set when a human agent owns the conversation and the bot stayed silent. */
  readonly silent?: boolean;
}

/** One line of a conversation's history (REST and the widget's reconnect): bot lines carry the whole reply. */
export interface TranscriptEntry {
  readonly role: 'user' | 'bot' | 'agent' | 'system';
  readonly text: string;
  readonly ts: number;
  /** The full reply for bot turns, so cards and quick replies are restored on reconnect. */
  readonly reply?: OutboundMessage;
}
