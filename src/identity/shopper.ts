/**
 * Verified shopper identity, the way Intercom and Zendesk do it: the store's page, where the
 * customer is logged in, signs who they are with a secret shared with us (SHOPBOT_IDENTITY_SECRET),
 * and passes the signed identity to the widget. Only a signature that verifies makes the shopper
 * that store customer (their orders, their cart across devices); anything else is a guest.
 *
 * Two forms: an HMAC-SHA256 over "customerId\nemail\nexpiresAt" (hex), or an HS256 JWT with
 * `sub` (customer id), `email` and `exp`. Either must expire within MAX_LIFETIME_SEC.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { ShopbotError } from '../errors.js';

/** A signed identity may not be valid for longer than this (a leaked page cannot be replayed forever). */
export const MAX_LIFETIME_SEC = 7 * 24 * 3600;

export const SignedIdentitySchema = z.union([
  z.object({ jwt: z.string().min(10).max(4096) }).strict(),
  z
    .object({
      customerId: z.string().min(1).max(200),
      email: z.email().max(320),
      /** Unix seconds. */
      expiresAt: z.number().int().positive(),
      signature: z.string().regex(/^[0-9a-f]{64}$/i),
    })
    .strict(),
]);
export type SignedIdentity = z.infer<typeof SignedIdentitySchema>;

/** A store customer whose identity the store signed. */
export interface Customer {
  readonly id: string;
  readonly email: string;
}

function payload(customerId: string, email: string, expiresAt: number): string {
  return `${customerId}\n${email.trim().toLowerCase()}\n${expiresAt}`;
}

/** What the store's backend computes (shown in the README; the demo page uses it for its demo customer). */
export function signIdentity(secret: string, customer: Customer, expiresAt: number): SignedIdentity {
  const signature = createHmac('sha256', secret).update(payload(customer.id, customer.email, expiresAt)).digest('hex');
  return { customerId: customer.id, email: customer.email, expiresAt, signature };
}

export async function verifyIdentity(identity: SignedIdentity, secret: string | undefined, nowMs: number): Promise<Customer> {
  if (!secret) throw new ShopbotError('IDENTITY_INVALID', 'this store does not sign shopper identities (security.identitySecret is unset)');
  const nowSec = Math.floor(nowMs / 1000);
  let customer: Customer;
  let expiresAt: number;
  if ('jwt' in identity) {
    try {
      const { payload: claims } = await jwtVerify(identity.jwt, new TextEncoder().encode(secret), { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'], currentDate: new Date(nowMs) });
      const email = z.email().max(320).safeParse(claims.email);
      if (!email.success || !claims.sub || claims.sub.length > 200) throw new ShopbotError('IDENTITY_INVALID', 'the identity token needs `sub` (customer id) and `email`');
      customer = { id: claims.sub, email: email.data.toLowerCase() };
      expiresAt = claims.exp!;
    } catch (err) {
      if (err instanceof ShopbotError) throw err;
      const why = err instanceof joseErrors.JWTExpired ? 'has expired' : 'does not verify';
      throw new ShopbotError('IDENTITY_INVALID', `the identity token ${why}`, { cause: err });
    }
  } else {
    const expected = Buffer.from(createHmac('sha256', secret).update(payload(identity.customerId, identity.email, identity.expiresAt)).digest('hex'));
    const given = Buffer.from(identity.signature.toLowerCase());
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new ShopbotError('IDENTITY_INVALID', 'the identity signature does not verify');
    if (identity.expiresAt <= nowSec) throw new ShopbotError('IDENTITY_INVALID', 'the signed identity has expired');
    customer = { id: identity.customerId, email: identity.email.trim().toLowerCase() };
    expiresAt = identity.expiresAt;
  }
  if (expiresAt - nowSec > MAX_LIFETIME_SEC) throw new ShopbotError('IDENTITY_INVALID', `a signed identity may be valid for at most ${MAX_LIFETIME_SEC / 86_400} days`);
  return customer;
}

/** The user id of a store customer: stable across devices and conversations, and no customer id in clear. */
export function customerUserId(customerId: string): string {
  return `cust-${createHash('sha256').update(`customer:${customerId}`).digest('base64url').slice(0, 24)}`;
}
