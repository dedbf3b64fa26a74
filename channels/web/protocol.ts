/**
 * The widget's socket.io protocol, typed once for server and tests.
 * Every client->server event is acknowledged; errors come back as `{ error: { code, message } }`.
 */
import { z } from 'zod';
import { SignedIdentitySchema } from '../../src/identity/index.js';
import { UiActionSchema, type OutboundMessage, type TranscriptEntry } from '../../src/messages.js';

/**
 * No conversation id: the server starts a new conversation. A conversation id must come with the
 * token its hello returned. A `userId` is not accepted: the server mints user ids. `identity` is
 * the store-signed customer (see the README's security model), on every hello of a logged-in page.
 */
export const HelloSchema = z
  .object({
    conversationId: z.string().min(8).max(100).regex(/^[A-Za-z0-9_-]+$/).optional(),
    token: z.string().min(10).max(2000).optional(),
    locale: z.string().max(20).optional(),
    identity: SignedIdentitySchema.optional(),
  })
  .strict();
export type Hello = z.infer<typeof HelloSchema>;

/** Text is capped again by config (server.maxMessageChars); this is the hard wire limit. */
export const ClientMessageSchema = z.union([
  z.object({ text: z.string().max(100_000), action: z.undefined().optional() }),
  z.object({ text: z.string().max(100_000).default(''), action: UiActionSchema }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

/** One line of a conversation's history, as the widget restores it and REST returns it. */
export type { TranscriptEntry };

export type Ack<T> = (response: T | { error: { code: string; message: string } }) => void;

/** What `hello` acknowledges. `limits` lets the widget cap its input at the server's configured size. */
export interface HelloAck {
  conversationId: string;
  /** Send it with the next hello for this conversation (after a reload or reconnect). */
  token: string;
  expiresAt: number;
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
