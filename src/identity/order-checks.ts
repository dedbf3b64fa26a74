/**
 * Proofs a guest gives about an order, throttled so neither an order's e-mail nor its code can be
 * guessed: the (order number, e-mail) pair, checked together, earns sight of that order's status;
 * a one-time code mailed to the order's address earns the right to change it. Attempts count per
 * conversation and per order (the second stops a guess spread over many conversations).
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Limits } from '../limits/index.js';
import type { MailTransport } from '../mail/index.js';
import { maskPersonalData } from '../privacy/index.js';
import type { Lang } from '../messages.js';
import { render, type Templates } from '../templates/index.js';
import type { StoreConnector } from '../store/index.js';

const CODE_TTL_MS = 10 * 60_000;
const CODE_DIGITS = 6;

export interface CodeSent {
  /** HMAC of the code (kept in the conversation state; the code itself is never stored). */
  readonly hash: string;
  readonly expiresAt: number;
  /** The address, masked ("d***@example.com"), for the reply. */
  readonly sentTo: string;
  /** True when the mail went to the demo outbox, not to a mail server. */
  readonly outbox: boolean;
}

export interface OrderChecks {
  /** True when `email` is the one the order was placed with. Throws RateLimitedError when over the limits. */
  checkPair(input: { conversationId: string; orderId: string; email: string }): Promise<boolean>;
  /** Mails a fresh code to the order's e-mail; undefined when the order has no e-mail. */
  sendCode(input: { conversationId: string; orderId: string; lang: Lang }): Promise<CodeSent | undefined>;
  checkCode(input: { conversationId: string; orderId: string; code: string; hash: string; expiresAt: number }): Promise<'ok' | 'wrong' | 'expired'>;
}

export function createOrderChecks(deps: { store: Pick<StoreConnector, 'verifyEmail' | 'contactOf'>; limits: Limits; mail: MailTransport; templates: Templates; key: Buffer; now: () => number }): OrderChecks {
  const { rules } = deps.limits;
  const digest = (conversationId: string, orderId: string, code: string) => createHmac('sha256', deps.key).update(`${conversationId}\n${orderId.toUpperCase()}\n${code}`).digest('base64url');
  const attempt = async (conversationId: string, orderId: string) => {
    await deps.limits.consume(rules.orderCheckPerConversation, conversationId);
    await deps.limits.consume(rules.orderCheckPerOrder, orderId.trim().toUpperCase().replace(/^#/, ''));
  };
  return {
    async checkPair({ conversationId, orderId, email }) {
      await attempt(conversationId, orderId);
      return deps.store.verifyEmail(orderId, email);
    },
    async sendCode({ conversationId, orderId, lang }) {
      const contact = await deps.store.contactOf(orderId);
      if (!contact) return undefined;
      await attempt(conversationId, contact.orderId);
      const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
      const minutes = CODE_TTL_MS / 60_000;
      await deps.mail.send({
        to: contact.email,
        subject: render(deps.templates, lang, 'mail_code_subject', { orderId: contact.orderId }),
        text: render(deps.templates, lang, 'mail_code_body', { orderId: contact.orderId, code, minutes }),
      });
      return { hash: digest(conversationId, contact.orderId, code), expiresAt: deps.now() + CODE_TTL_MS, sentTo: maskPersonalData(contact.email), outbox: deps.mail.kind === 'outbox' };
    },
    async checkCode({ conversationId, orderId, code, hash, expiresAt }) {
      await attempt(conversationId, orderId);
      if (deps.now() >= expiresAt) return 'expired';
      const given = Buffer.from(digest(conversationId, orderId, code.trim()));
      const expected = Buffer.from(hash);
      return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'wrong';
    },
  };
}
