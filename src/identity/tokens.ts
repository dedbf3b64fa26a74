/**
 * Conversation tokens: `sbt1.<claims>.<mac>`, the claims base64url JSON and the MAC an HMAC-SHA256
 * over them with the conversation-token key. They bind a conversation, the user the server minted
 * for it and an expiry; `epoch` lets a conversation revoke every token issued before (the state
 * keeps the current epoch, so revocation holds on every process that shares the state store).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ShopbotError } from '../errors.js';

const PREFIX = 'sbt1';

const ClaimsSchema = z.object({
  /** Conversation id. */
  c: z.string().min(1).max(200),
  /** User id (server-minted). */
  u: z.string().min(1).max(200),
  /** Expiry, epoch ms. */
  exp: z.number().int(),
  /** Revocation epoch of the conversation when issued. */
  ep: z.number().int().min(0),
});
export type TokenClaims = Readonly<{ conversationId: string; userId: string; expiresAt: number; epoch: number }>;

export interface ConversationTokens {
  mint(claims: Omit<TokenClaims, 'expiresAt'>): { token: string; expiresAt: number };
  /** The claims of a well-formed, correctly signed, unexpired token; TOKEN_INVALID / TOKEN_EXPIRED otherwise. */
  verify(token: string): TokenClaims;
}

export function isConversationToken(value: string): boolean {
  return value.startsWith(`${PREFIX}.`);
}

export function createConversationTokens(options: { key: Buffer; ttlMs: number; now: () => number }): ConversationTokens {
  const mac = (body: string) => createHmac('sha256', options.key).update(`${PREFIX}.${body}`).digest('base64url');
  return {
    mint({ conversationId, userId, epoch }) {
      const expiresAt = options.now() + options.ttlMs;
      const body = Buffer.from(JSON.stringify({ c: conversationId, u: userId, exp: expiresAt, ep: epoch })).toString('base64url');
      return { token: `${PREFIX}.${body}.${mac(body)}`, expiresAt };
    },
    verify(token) {
      const parts = token.split('.');
      if (parts.length !== 3 || parts[0] !== PREFIX || !parts[1] || !parts[2] || token.length > 2000) throw new ShopbotError('TOKEN_INVALID', 'malformed conversation token');
      const expected = Buffer.from(mac(parts[1]));
      const given = Buffer.from(parts[2]);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new ShopbotError('TOKEN_INVALID', 'conversation token signature does not verify');
      let raw: unknown;
      try {
        raw = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      } catch {
        throw new ShopbotError('TOKEN_INVALID', 'malformed conversation token');
      }
      const claims = ClaimsSchema.safeParse(raw);
      if (!claims.success) throw new ShopbotError('TOKEN_INVALID', 'malformed conversation token');
      if (claims.data.exp <= options.now()) throw new ShopbotError('TOKEN_EXPIRED', 'the conversation token has expired: start a new conversation');
      return { conversationId: claims.data.c, userId: claims.data.u, expiresAt: claims.data.exp, epoch: claims.data.ep };
    },
  };
}
