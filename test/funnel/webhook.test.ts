import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../src/funnel/webhook.js';

function nonces() {
  const seen = new Set<string>();
  return { remember: (s: string) => (seen.has(s) ? false : (seen.add(s), true)) };
}

describe('webhook signatures', () => {
  const secret = 'test-secret';
  const body = '{"events":[]}';
  const now = 1_800_000_000_000;

  it('accepts a correctly signed request once, then refuses the replay', () => {
    const header = signWebhook(secret, body, now / 1000);
    const n = nonces();
    expect(() => verifyWebhook({ secret, header, rawBody: body, nowMs: now, toleranceSec: 300, nonces: n })).not.toThrow();
    expect(() => verifyWebhook({ secret, header, rawBody: body, nowMs: now, toleranceSec: 300, nonces: n })).toThrow(/already accepted/);
  });

  it('refuses missing, malformed, forged and stale signatures', () => {
    const n = nonces();
    const base = { secret, rawBody: body, nowMs: now, toleranceSec: 300, nonces: n };
    expect(() => verifyWebhook({ ...base, header: undefined })).toThrow(/missing/);
    expect(() => verifyWebhook({ ...base, header: 'garbage' })).toThrow(/malformed/);
    expect(() => verifyWebhook({ ...base, header: signWebhook('other', body, now / 1000) })).toThrow(/does not match/);
    expect(() => verifyWebhook({ ...base, header: signWebhook(secret, body + ' ', now / 1000) })).toThrow(/does not match/);
    expect(() => verifyWebhook({ ...base, header: signWebhook(secret, body, now / 1000 - 301) })).toThrow(/window/);
  });
});
