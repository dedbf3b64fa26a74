/** Shopper feedback in the chat channels: when a reply closes the conversation, the shopper is asked to rate it. */
import type { OutboundMessage } from '../../src/messages.js';

export function endsConversation(msg: Pick<OutboundMessage, 'intent' | 'handoff'>): boolean {
  return msg.intent === 'goodbye' || msg.intent === 'thanks' || msg.handoff?.status === 'resolved';
}

/** Characters of the rated reply carried in a thumbs button (Slack allows 2000 per value). */
export const FEEDBACK_REPLY_CHARS = 500;

/** What the end-of-conversation rating asks about: the person who just helped (a closed support chat), or the assistant. */
export function ratingSubject(msg: Pick<OutboundMessage, 'handoff'>): 'bot' | 'agent' {
  return msg.handoff?.rate === 'agent' ? 'agent' : 'bot';
}

export const RATING_PROMPT = { bot: 'How was this conversation?', agent: 'How was the help from our support team?' } as const;
