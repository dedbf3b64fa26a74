/**
 * Slack request signatures (v0 HMAC-SHA256 of "v0:<timestamp>:<raw body>" with the signing
 * secret). Written here rather than using Bolt's verifySlackRequest because that one only refuses
 * old timestamps, not ones from the future, and reads the real clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ShopbotError } from '../../src/errors.js';
import type { FunnelStore } from '../../src/funnel/index.js';

export const SLACK_TOLERANCE_SEC = 300;
/** Slack retries an unacknowledged event three times within about five minutes; an hour is ample. */
const EVENT_RETRY_WINDOW_MS = 60 * 60_000;

/**
 * Where accepted requests are remembered: the funnel store's nonce table (the store webhook's
 * replay guard), so a copy sent to another server process is refused too.
 */
export type SlackNonces = Pick<FunnelStore, 'rememberNonce'>;

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

async function remember(nonces: SlackNonces, key: string, nowMs: number, toleranceMs: number): Promise<boolean> {
  try {
    return await nonces.rememberNonce(key, nowMs, toleranceMs);
  } catch (cause) {
    throw new ShopbotError('STORE_UNAVAILABLE', 'cannot check Slack requests for replays', { cause });
  }
}

/**
 * Anyone who saw a signed request (a proxy log, a leaked capture) can send it again while its
 * timestamp is inside the window; the second copy is refused on every process. Call after
 * verifySlackRequest, so unsigned noise is never stored. Slack's own retries are signed again with
 * a new timestamp, so they pass here and are de-duplicated by event id (isFirstDelivery).
 */
export async function refuseReplayedRequest(nonces: SlackNonces, o: { timestamp: string; signature: string; nowMs: number }): Promise<void> {
  if (!(await remember(nonces, `slack:${o.timestamp}:${o.signature}`, o.nowMs, SLACK_TOLERANCE_SEC * 1000))) {
    throw new ShopbotError('SIGNATURE_REPLAYED', 'this signed Slack request was already accepted');
  }
}

/** False when this Events API event id was already accepted, on this process or another. */
export function isFirstDelivery(nonces: SlackNonces, eventId: string, nowMs: number): Promise<boolean> {
  return remember(nonces, `slack-event:${eventId}`, nowMs, EVENT_RETRY_WINDOW_MS);
}
