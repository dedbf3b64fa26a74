/**
 * The abuse limits in memory and on the machine's real Redis (127.0.0.1:6379): the same rules,
 * and in Redis two "processes" (two Limits objects) share one count.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RateLimitedError } from '../../src/errors.js';
import { createLimits, RedisConnectionCounter, type Limits } from '../../src/limits/index.js';

const config = loadConfig({ env: {}, overrides: { limits: { restTurnsPerMinutePerIp: 3, loginFailuresBeforeLockout: 2, maxSocketsPerIp: 2, maxSockets: 3 } } });

async function refused(p: Promise<unknown>): Promise<RateLimitedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RateLimitedError);
  return err as RateLimitedError;
}

function limitsContract(name: string, open: () => Promise<Limits[]>) {
  describe(name, () => {
    it('refuses the hit over the limit with a retry delay, per key', async () => {
      const [limits] = await open();
      const rule = limits!.rules.restTurnPerIp;
      const key = `ip-${randomUUID()}`;
      for (let i = 0; i < 3; i++) await limits!.consume(rule, key);
      const err = await refused(limits!.consume(rule, key));
      expect(err.code).toBe('RATE_LIMITED');
      expect(err.retryAfterMs).toBeGreaterThan(0);
      expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
      await limits!.consume(rule, `other-${key}`);
    });

    it('locks an account after repeated failures until reset', async () => {
      const [limits] = await open();
      const rule = limits!.rules.loginFailure;
      const key = `agent-${randomUUID()}`;
      await limits!.check(rule, key);
      await limits!.consume(rule, key);
      await limits!.consume(rule, key);
      const err = await refused(limits!.check(rule, key));
      expect(err.code).toBe('ACCOUNT_LOCKED');
      await limits!.reset(rule, key);
      await limits!.check(rule, key);
    });

    it('caps open sockets per address and in total, and gives slots back', async () => {
      const [limits] = await open();
      const c = limits!.connections;
      const a = `a-${randomUUID()}`;
      expect(await c.acquire(a)).toBe('ok');
      expect(await c.acquire(a)).toBe('ok');
      expect(await c.acquire(a)).toBe('per_key');
      await c.release(a);
      expect(await c.acquire(a)).toBe('ok');
      await c.release(a);
      await c.release(a);
      expect(await c.count(a)).toBe(0);
    });
  });
}

limitsContract('memory', async () => [createLimits(config)]);

describe('redis', () => {
  let redis: Redis;
  const opened: Limits[] = [];
  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
  });
  afterAll(async () => {
    for (const l of opened) await l.close();
    await redis.quit();
  });

  limitsContract('redis engine', async () => {
    const l = createLimits(config, { redis });
    opened.push(l);
    return [l];
  });

  it('two processes share one rate count', async () => {
    const a = createLimits(config, { redis, processId: 'proc-a' });
    const b = createLimits(config, { redis, processId: 'proc-b' });
    opened.push(a, b);
    const key = `shared-${randomUUID()}`;
    await a.consume(a.rules.restTurnPerIp, key);
    await b.consume(b.rules.restTurnPerIp, key);
    await a.consume(a.rules.restTurnPerIp, key);
    await refused(b.consume(b.rules.restTurnPerIp, key));
  });

  it('counts sockets across processes and forgets a dead one', async () => {
    const prefix = `shopbot-test-${randomUUID().slice(0, 8)}`;
    let now = 1_000_000;
    const caps = { maxPerKey: 2, maxTotal: 10, prefix, now: () => now };
    const p1 = new RedisConnectionCounter(redis, { ...caps, processId: 'p1' });
    const p2 = new RedisConnectionCounter(redis, { ...caps, processId: 'p2' });
    expect(await p1.acquire('1.2.3.4')).toBe('ok');
    expect(await p2.acquire('1.2.3.4')).toBe('ok');
    expect(await p2.acquire('1.2.3.4')).toBe('per_key');
    expect(await p1.count()).toBe(2);
    // p1 dies without releasing: once its heartbeat is stale, its socket no longer counts.
    now += 60_000;
    expect(await p2.acquire('1.2.3.4')).toBe('ok');
    expect(await p2.count('1.2.3.4')).toBe(2);
    await p2.close();
    await p1.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
});
