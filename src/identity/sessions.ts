/**
 * Conversation sessions for the widget and REST: the server creates the conversation, mints its
 * user id (a guest, or the store customer a signed identity names) and hands out a token; every
 * later request must carry that token. Ids a client sends are never trusted on their own.
 */
import { randomUUID } from 'node:crypto';
import { newState, type ConversationState, type StateStore } from '../dialogue/index.js';
import { ShopbotError } from '../errors.js';
import type { Channel, Lang } from '../messages.js';
import { customerUserId, verifyIdentity, type Customer, type SignedIdentity } from './shopper.js';
import type { ConversationTokens } from './tokens.js';

export interface ConversationSession {
  readonly conversationId: string;
  readonly userId: string;
  readonly token: string;
  readonly expiresAt: number;
  readonly customer?: Customer;
}

export interface AuthorizedConversation {
  readonly conversationId: string;
  readonly userId: string;
  readonly state: ConversationState;
}

export interface Sessions {
  /** Creates a conversation for a guest, or for the customer a verified identity names. */
  start(input: { channel: Extract<Channel, 'web' | 'rest'>; locale?: string; identity?: SignedIdentity }): Promise<ConversationSession>;
  /**
   * Reopens a conversation with its token and a fresh expiry. One started for a logged-in customer
   * reopens only with that customer's signed identity (a shared computer after sign-out), and a
   * guest's conversation never turns into a customer's: both are FORBIDDEN (start a new one).
   */
  resume(conversationId: string, token: string | undefined, identity?: SignedIdentity): Promise<ConversationSession>;
  /** The conversation a token may act on: signature, expiry, conversation and revocation checked. */
  authorize(conversationId: string, token: string | undefined): Promise<AuthorizedConversation>;
  /** For a caller an API key already authorized: the conversation as it is (UNKNOWN_CONVERSATION when absent). */
  load(conversationId: string): Promise<AuthorizedConversation>;
  /** A fresh token for an authorized conversation (a resumed widget gets a new expiry). */
  renew(conversation: AuthorizedConversation): { token: string; expiresAt: number };
  /** Revokes every token issued so far for the conversation (sign-out, a leaked token). */
  revoke(conversationId: string): Promise<void>;
  /** Verifies a store-signed identity (IDENTITY_INVALID when it does not). */
  verifyIdentity(identity: SignedIdentity): Promise<Customer>;
}

/** Conversation ids of other channels: predictable, and owned by the platform that signs their requests. */
export function isPlatformConversation(conversationId: string): boolean {
  return /^(slack|teams):/i.test(conversationId);
}

function langOf(locale: string | undefined): Lang {
  return locale && /^zh\b/i.test(locale) ? 'zh' : 'en';
}

export function createSessions(deps: { tokens: ConversationTokens; states: StateStore; identitySecret?: string; now: () => number }): Sessions {
  return {
    async verifyIdentity(identity) {
      return verifyIdentity(identity, deps.identitySecret, deps.now());
    },
    async start({ channel, locale, identity }) {
      const customer = identity ? await verifyIdentity(identity, deps.identitySecret, deps.now()) : undefined;
      const conversationId = `c-${randomUUID()}`;
      const userId = customer ? customerUserId(customer.id) : `u-${randomUUID()}`;
      const state: ConversationState = { ...newState(conversationId, userId, channel), lang: langOf(locale), ...(customer ? { customer } : {}) };
      await deps.states.save(state, deps.now());
      const { token, expiresAt } = deps.tokens.mint({ conversationId, userId, epoch: state.sessionEpoch });
      return { conversationId, userId, token, expiresAt, ...(customer ? { customer } : {}) };
    },
    async resume(conversationId, token, identity) {
      const conversation = await this.authorize(conversationId, token);
      const customer = identity ? await verifyIdentity(identity, deps.identitySecret, deps.now()) : undefined;
      if ((conversation.state.customer?.id ?? null) !== (customer?.id ?? null)) throw new ShopbotError('FORBIDDEN', 'this conversation belongs to another shopper: start a new one');
      return { conversationId, userId: conversation.userId, ...this.renew(conversation), ...(customer ? { customer } : {}) };
    },
    async authorize(conversationId, token) {
      if (!token) throw new ShopbotError('TOKEN_MISSING', 'this conversation needs its token (Authorization: Bearer <token>)');
      const claims = deps.tokens.verify(token);
      if (claims.conversationId !== conversationId) throw new ShopbotError('FORBIDDEN', 'this token belongs to another conversation');
      const state = await deps.states.load(conversationId);
      if (!state) throw new ShopbotError('TOKEN_INVALID', 'the conversation no longer exists: start a new one');
      if (state.userId !== claims.userId) throw new ShopbotError('FORBIDDEN', 'this token belongs to another user');
      if (state.sessionEpoch !== claims.epoch) throw new ShopbotError('TOKEN_INVALID', 'this token was revoked');
      return { conversationId, userId: state.userId, state };
    },
    async load(conversationId) {
      const state = await deps.states.load(conversationId);
      if (!state) throw new ShopbotError('UNKNOWN_CONVERSATION', `no conversation ${conversationId}`);
      return { conversationId, userId: state.userId, state };
    },
    renew(conversation) {
      return deps.tokens.mint({ conversationId: conversation.conversationId, userId: conversation.userId, epoch: conversation.state.sessionEpoch });
    },
    async revoke(conversationId) {
      const state = await deps.states.load(conversationId);
      if (!state) return;
      await deps.states.save({ ...state, sessionEpoch: state.sessionEpoch + 1 }, deps.now());
    },
  };
}
