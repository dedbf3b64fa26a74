/**
 * The widget's socket.io protocol, typed once for server and tests.
 * Every client->server event is acknowledged; errors come back as `{ error: { code, message } }`.
 */
import { z } from 'zod';
import { UiActionSchema, type OutboundMessage } from '../../src/messages.js';

export const HelloSchema = z.object({
  conversationId: z.string().min(8).max(100).regex(/^[A-Za-z0-9_-]+$/).optional(),
  userId: z.string().min(8).max(100).regex(/^[A-Za-z0-9_-]+$/).optional(),
  locale: z.string().max(20).optional(),
});
export type Hello = z.infer<typeof HelloSchema>;

/** Text is capped again by config (server.maxMessageChars); this is the hard wire limit. */
export const ClientMessageSchema = z.union([
  z.object({ text: z.string().max(100_000), action: z.undefined().optional() }),
  z.object({ text: z.string().max(100_000).default(''), action: UiActionSchema }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export interface TranscriptEntry {
  readonly role: 'user' | 'bot' | 'agent' | 'system';
  readonly text: string;
  readonly ts: number;
  /** The full reply for bot turns, so cards and quick replies are restored on reconnect. */
  readonly reply?: OutboundMessage;
}

export type Ack<T> = (response: T | { error: { code: string; message: string } }) => void;

/** What `hello` acknowledges. `limits` lets the widget cap its input at the server's configured size. */
export interface HelloAck {
  conversationId: string;
  userId: string;
  history: TranscriptEntry[];
  limits?: { maxMessageChars: number };
}

export interface ClientToServerEvents {
  hello: (hello: Hello, ack: Ack<HelloAck>) => void;
  message: (message: ClientMessage, ack: Ack<OutboundMessage>) => void;
}

export interface ServerToClientEvents {
  /** The bot is working on a reply. */
  typing: (state: { on: boolean }) => void;
  /** A message not answering a client event: a human agent's reply, a handoff status change. */
  push: (message: OutboundMessage & { from: 'bot' | 'agent' }) => void;
}
