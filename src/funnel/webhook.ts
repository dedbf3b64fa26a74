/**
 * Signed events from a real store (POST /v1/events). Stripe-style header:
 *   X-Shopbot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * A request is refused when the signature does not match, when t is outside the tolerance window,
 * or when the same signature was already accepted (a replay inside the window).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ShopbotError } from '../errors.js';

export function signWebhook(secret: string, rawBody: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export interface NonceStore {
  /** Records the signature; resolves false when it was already there. */
  rememberNonce(signature: string, nowMs: number, toleranceMs: number): Promise<boolean> | boolean;
}

export async function verifyWebhook(options: {
  secret: string;
  header: string | undefined;
  rawBody: string;
  nowMs: number;
  toleranceSec: number;
  nonces: NonceStore;
}): Promise<void> {
  const { header, secret, rawBody, nowMs, toleranceSec } = options;
  if (!header) throw new ShopbotError('SIGNATURE_INVALID', 'missing X-Shopbot-Signature header');
  const parts = new Map(header.split(',').map((kv) => kv.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1)) {
    throw new ShopbotError('SIGNATURE_INVALID', 'malformed X-Shopbot-Signature header');
  }
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(v1, 'hex'))) {
    throw new ShopbotError('SIGNATURE_INVALID', 'signature does not match');
  }
  if (Math.abs(nowMs / 1000 - t) > toleranceSec) {
    throw new ShopbotError('SIGNATURE_REPLAYED', `signature timestamp outside the ${toleranceSec}s window`);
  }
  if (!(await options.nonces.rememberNonce(v1, nowMs, toleranceSec * 1000))) {
    throw new ShopbotError('SIGNATURE_REPLAYED', 'this signed request was already accepted');
  }
}
