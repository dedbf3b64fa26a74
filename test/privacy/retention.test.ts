import { afterEach, describe, expect, it, vi } from 'vitest';
import { scheduleSweeps, SWEEP_INTERVAL_MS, type ForgetResult, type Privacy, type SweepResult } from '../../src/privacy/index.js';

/** A Privacy whose sweeps the test settles by hand. */
class FakePrivacy implements Privacy {
  readonly pending: { resolve(r: SweepResult): void; reject(e: Error): void }[] = [];
  sweep(): Promise<SweepResult> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  async forget(userId: string): Promise<ForgetResult> {
    return { userId, conversations: 0, messages: 0, cartItems: 0, ordersAnonymised: 0, funnelEvents: 0, couponCodesDeleted: 0, couponRedemptionsAnonymised: 0, tickets: 0 };
  }
}

const done: SweepResult = { cutoffMs: 0, conversations: 0, messages: 0, tickets: 0, slates: 0 };

describe('scheduleSweeps', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sweeps every interval, one sweep at a time, logs and counts failures, and stop() waits for the sweep in flight', async () => {
    vi.useFakeTimers();
    const privacy = new FakePrivacy();
    const errors: unknown[] = [];
    const schedule = scheduleSweeps(privacy, { intervalMs: SWEEP_INTERVAL_MS, log: { error: (obj) => void errors.push(obj) } });
    expect(privacy.pending).toHaveLength(0);
    vi.advanceTimersByTime(SWEEP_INTERVAL_MS);
    expect(privacy.pending).toHaveLength(1);
    // A slow sweep is not stacked on.
    vi.advanceTimersByTime(SWEEP_INTERVAL_MS);
    expect(privacy.pending).toHaveLength(1);
    privacy.pending[0]!.reject(new Error('database is locked'));
    await vi.waitFor(() => expect(schedule.failedSweeps).toBe(1));
    expect(errors).toHaveLength(1);

    vi.advanceTimersByTime(SWEEP_INTERVAL_MS);
    expect(privacy.pending).toHaveLength(2);
    let stopped = false;
    const stopping = schedule.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    privacy.pending[1]!.resolve(done);
    await stopping;
    expect(stopped).toBe(true);
    vi.advanceTimersByTime(10 * SWEEP_INTERVAL_MS);
    expect(privacy.pending).toHaveLength(2);
  });
});
