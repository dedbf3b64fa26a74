/**
 * Slack request signatures (v0 HMAC-SHA256 of "v0:<timestamp>:<raw body>" with the signing
 * secret). Written here rather than using Bolt's verifySlackRequest because that one only refuses
 * old timestamps, not ones from the future, and reads the real clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ShopbotError } from '../../src/errors.js';

export const SLACK_TOLERANCE_SEC = 300;

export function signSlackRequest(signingSecret: string, timestampSec: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`;
}

export function verifySlackRequest(o: {
  signingSecret: string;
  rawBody: string;
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs: number;
  toleranceSec?: number;
}): void {
  if (!o.timestamp || !o.signature) throw new ShopbotError('SIGNATURE_INVALID', 'missing Slack signature headers');
  if (!/^\d{1,12}$/.test(o.timestamp)) throw new ShopbotError('SIGNATURE_INVALID', 'malformed Slack timestamp');
  const ts = Number(o.timestamp);
  if (Math.abs(o.nowMs / 1000 - ts) > (o.toleranceSec ?? SLACK_TOLERANCE_SEC)) {
    throw new ShopbotError('SIGNATURE_REPLAYED', 'Slack request timestamp outside the 5-minute window');
  }
  const expected = Buffer.from(signSlackRequest(o.signingSecret, ts, o.rawBody));
  const given = Buffer.from(o.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ShopbotError('SIGNATURE_INVALID', 'Slack signature mismatch');
  }
}
