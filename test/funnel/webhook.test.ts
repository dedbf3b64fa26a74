import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../src/funnel/webhook.js';

function nonces() {
  const seen = new Set<string>();
  return { rememberNonce: (s: string) => (seen.has(s) ? false : (seen.add(s), true)) };
}

describe('webhook signatures', () => {
  const secret = 'test-secret';
  const body = '{"events":[]}';
  const now = 1_800_000_000_000;

  it('accepts a correctly signed request once, then refuses the replay', async () => {
    const header = signWebhook(secret, body, now / 1000);
    const n = nonces();
    await expect(verifyWebhook({ secret, header, rawBody: body, nowMs: now, toleranceSec: 300, nonces: n })).resolves.toBeUndefined();
    await expect(verifyWebhook({ secret, header, rawBody: body, nowMs: now, toleranceSec: 300, nonces: n })).rejects.toThrow(/already accepted/);
  });

  it('refuses missing, malformed, forged and stale signatures', async () => {
    const n = nonces();
    const base = { secret, rawBody: body, nowMs: now, toleranceSec: 300, nonces: n };
    await expect(verifyWebhook({ ...base, header: undefined })).rejects.toThrow(/missing/);
    await expect(verifyWebhook({ ...base, header: 'garbage' })).rejects.toThrow(/malformed/);
    await expect(verifyWebhook({ ...base, header: signWebhook('other', body, now / 1000) })).rejects.toThrow(/does not match/);
    await expect(verifyWebhook({ ...base, header: signWebhook(secret, body + ' ', now / 1000) })).rejects.toThrow(/does not match/);
    await expect(verifyWebhook({ ...base, header: signWebhook(secret, body, now / 1000 - 301) })).rejects.toThrow(/window/);
  });
});
