import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { openSqlite } from '../../src/storage/sqlite.js';
import { SqliteStateStore } from '../../src/dialogue/sqlite-state.js';
import { RedisStateStore } from '../../src/dialogue/redis-state.js';
import { newState } from '../../src/dialogue/state.js';
import { stateStoreContract } from './state-contract.js';

stateStoreContract('sqlite', async () => {
  const db = openSqlite(':memory:');
  return { store: new SqliteStateStore(db), cleanup: async () => void db.close() };
});

// The real Redis on this machine and CI (127.0.0.1:6379), under a key prefix of its own.
stateStoreContract('redis', async () => {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 2 });
  const prefix = `shopbot-test-${randomUUID().slice(0, 8)}`;
  return {
    store: new RedisStateStore(redis, { prefix }),
    cleanup: async () => {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    },
  };
});

describe('RedisStateStore with a retention TTL', () => {
  const clients: Redis[] = [];
  afterEach(async () => {
    for (const redis of clients.splice(0)) await redis.quit();
  });

  it('sets the TTL on the state, the transcript and the per-user index', async () => {
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
    clients.push(redis);
    const prefix = `shopbot-test-${randomUUID().slice(0, 8)}`;
    const store = new RedisStateStore(redis, { prefix, ttlSec: 90 * 86_400 });
    try {
      await store.save(newState('c1', 'u1', 'web'), 1000);
      await store.appendTranscript('c1', [{ role: 'user', text: 'hi', ts: 1000 }]);
      for (const key of [`${prefix}:state:c1`, `${prefix}:msgs:c1`, `${prefix}:user:u1`]) {
        const ttl = await redis.ttl(key);
        expect(ttl, key).toBeGreaterThan(89 * 86_400);
        expect(ttl, key).toBeLessThanOrEqual(90 * 86_400);
      }
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
    }
  });
});
