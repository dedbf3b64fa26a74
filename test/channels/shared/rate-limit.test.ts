import { describe, expect, it } from 'vitest';
import { backoffMs, OutboundQueue, parseRetryAfter, type RetryDecision } from '../../../channels/shared/rate-limit.js';
import { FakeClock, FakeLogger, seededRandom } from './fakes.js';

class Retryable extends Error {
  constructor(readonly retryAfterMs?: number) {
    super('temporarily unavailable');
  }
}
const classify = (err: unknown): RetryDecision => (err instanceof Retryable ? { retry: true, retryAfterMs: err.retryAfterMs } : { retry: false });

function queue(clock: FakeClock, logger = new FakeLogger(), minIntervalMs = 1000) {
  return new OutboundQueue({ name: 'test', minIntervalMs, maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 4000, classify, clock, random: seededRandom(42), logger });
}

describe('backoffMs', () => {
  it('grows exponentially with equal jitter, capped, never below Retry-After', () => {
    const o = { baseDelayMs: 500, maxDelayMs: 4000 };
    for (let attempt = 1; attempt <= 6; attempt++) {
      const exp = Math.min(4000, 500 * 2 ** (attempt - 1));
      for (const r of [0, 0.5, 0.999]) {
        const d = backoffMs(attempt, o, () => r);
        expect(d).toBeGreaterThanOrEqual(exp / 2);
        expect(d).toBeLessThanOrEqual(exp);
      }
    }
    expect(backoffMs(1, o, () => 0, 7000)).toBe(7000);
    expect(backoffMs(1, o, () => 0.5, 7000)).toBe(7250);
  });

  it('parses Retry-After seconds and dates', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('OutboundQueue', () => {
  it('sends to one key in order and at least minIntervalMs apart; other keys do not wait', async () => {
    const clock = new FakeClock(0);
    const q = queue(clock);
    const sentAt: [string, number][] = [];
    const send = (key: string, label: string) => q.send(key, async () => void sentAt.push([label, clock.now()]));
    await Promise.all([send('C1', 'a'), send('C1', 'b'), send('C2', 'x'), send('C1', 'c')]);
    const c1 = sentAt.filter(([l]) => l !== 'x');
    expect(c1.map(([l]) => l)).toEqual(['a', 'b', 'c']);
    expect(c1[1]![1] - c1[0]![1]).toBeGreaterThanOrEqual(1000);
    expect(c1[2]![1] - c1[1]![1]).toBeGreaterThanOrEqual(1000);
    expect(q.stats).toEqual({ sent: 4, retried: 0, failed: 0 });
  });

  it('retries temporary failures, honouring Retry-After, and returns the result', async () => {
    const clock = new FakeClock(0);
    const q = queue(clock, new FakeLogger(), 0);
    let calls = 0;
    const result = await q.send('C1', async () => {
      calls += 1;
      if (calls === 1) throw new Retryable(2000);
      if (calls === 2) throw new Retryable();
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(2000);
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(500); // attempt 2: between 500 and 1000
    expect(clock.sleeps[1]).toBeLessThanOrEqual(1000);
    expect(q.stats).toEqual({ sent: 1, retried: 2, failed: 0 });
  });

  it('stops after maxAttempts with a logged, counted CHANNEL_SEND_FAILED; later messages still go', async () => {
    const clock = new FakeClock(0);
    const logger = new FakeLogger();
    const q = queue(clock, logger, 0);
    await expect(q.send('C1', async () => { throw new Retryable(); })).rejects.toMatchObject({ code: 'CHANNEL_SEND_FAILED' });
    expect(q.stats).toEqual({ sent: 0, retried: 3, failed: 1 });
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(await q.send('C1', async () => 'next')).toBe('next');
  });

  it('does not retry permanent errors', async () => {
    const clock = new FakeClock(0);
    const q = queue(clock, new FakeLogger(), 0);
    let calls = 0;
    await expect(q.send('C1', async () => { calls += 1; throw new Error('channel_not_found'); })).rejects.toMatchObject({ code: 'CHANNEL_SEND_FAILED' });
    expect(calls).toBe(1);
    await q.drain();
  });
});
