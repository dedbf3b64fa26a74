import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/errors.js';
import { TurnAdmission } from '../../src/limits/index.js';

/** A task that finishes when the test says so. */
function gate(): { task: () => Promise<string>; open: (v: string) => void } {
  let open!: (v: string) => void;
  const p = new Promise<string>((r) => (open = r));
  return { task: () => p, open };
}

describe('TurnAdmission', () => {
  it('runs up to the cap, queues up to the cap, refuses the rest at once with BUSY', async () => {
    const a = new TurnAdmission({ maxConcurrent: 2, maxQueued: 1, maxWaitMs: 60_000, retryAfterMs: 1500 });
    const [g1, g2, g3] = [gate(), gate(), gate()];
    const r1 = a.run(g1.task);
    const r2 = a.run(g2.task);
    const r3 = a.run(g3.task);
    expect([a.running, a.queued]).toEqual([2, 1]);
    const refused = await a.run(async () => 'never').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).code).toBe('BUSY');
    expect((refused as RateLimitedError).retryAfterMs).toBe(1500);
    g1.open('one');
    expect(await r1).toBe('one');
    // The queued turn starts on a later macrotask, not in the same run of microtasks.
    expect(a.queued).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect([a.running, a.queued]).toEqual([2, 0]);
    g2.open('two');
    g3.open('three');
    expect(await Promise.all([r2, r3])).toEqual(['two', 'three']);
    expect(a.refused).toBe(1);
  });

  it('refuses a turn that waited longer than maxWaitMs when its slot comes', async () => {
    let now = 0;
    const a = new TurnAdmission({ maxConcurrent: 1, maxQueued: 10, maxWaitMs: 100, retryAfterMs: 1000, now: () => now });
    const g = gate();
    const first = a.run(g.task);
    const stale = a.run(async () => 'stale');
    now = 50;
    const fresh = a.run(async () => 'fresh');
    now = 160; // the first waiter is 160 ms old, the second 110 ms... both over
    const late = a.run(async () => 'late');
    g.open('done');
    await first;
    expect(((await stale.catch((e: unknown) => e)) as RateLimitedError).code).toBe('BUSY');
    expect(((await fresh.catch((e: unknown) => e)) as RateLimitedError).code).toBe('BUSY');
    expect(await late).toBe('late');
  });

  it('frees the slot when a task throws', async () => {
    const a = new TurnAdmission({ maxConcurrent: 1, maxQueued: 0, maxWaitMs: 1000, retryAfterMs: 1000 });
    await expect(a.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(a.running).toBe(0);
    expect(await a.run(async () => 'ok')).toBe('ok');
  });

  it('drains on shutdown: refuses new turns, waits for running and queued ones', async () => {
    const a = new TurnAdmission({ maxConcurrent: 1, maxQueued: 5, maxWaitMs: 60_000, retryAfterMs: 1000 });
    const g = gate();
    const running = a.run(g.task);
    const queued = a.run(async () => 'queued');
    let drained = false;
    const drain = a.drain(60_000).then(() => (drained = true));
    expect(((await a.run(async () => 'late').catch((e: unknown) => e)) as RateLimitedError).code).toBe('BUSY');
    await new Promise((r) => setImmediate(r));
    expect(drained).toBe(false);
    g.open('running');
    expect(await Promise.all([running, queued])).toEqual(['running', 'queued']);
    await drain;
    expect(drained).toBe(true);
  });
});
