/**
 * Coupon codes: CAMPAIGN-NONCESIGNATURE, short enough to read out and type ("DEMO-WELCOME10-" and
 * 16 characters). The signature is HMAC-SHA256(secret, CAMPAIGN.NONCE) truncated to 30 bits in
 * base32: a forged or mistyped code fails it before any database lookup, and a code is only ever
 * honoured when the store issued it (sqlite.ts), so the signature guards the lookup, not the
 * discount. The nonce (50 random bits from the injected RNG) makes each code unique.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no I, O, 0, 1: codes are read and typed by people
const NONCE_CHARS = 10;
const SIG_CHARS = 6;
const CODE_RE = /^([A-Za-z0-9_-]{1,40})-([A-Z2-9]{10})([A-Z2-9]{6})$/;

function base32(bytes: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

function sign(secret: string, campaignId: string, nonce: string): string {
  return base32(createHmac('sha256', secret).update(`${campaignId}.${nonce}`).digest(), SIG_CHARS);
}

export function newCode(secret: string, campaignId: string, rng: () => number): string {
  let nonce = '';
  for (let i = 0; i < NONCE_CHARS; i++) nonce += ALPHABET[Math.floor(rng() * ALPHABET.length)];
  return `${campaignId}-${nonce}${sign(secret, campaignId, nonce)}`;
}

/** The campaign id when the code is well-formed and its signature is ours; undefined otherwise. */
export function verifyCode(secret: string, code: string): string | undefined {
  const m = CODE_RE.exec(code.trim());
  if (!m) return undefined;
  const [, campaignId, nonce, sig] = m;
  const expected = Buffer.from(sign(secret, campaignId!, nonce!));
  const given = Buffer.from(sig!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? campaignId : undefined;
}
