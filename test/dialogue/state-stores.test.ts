import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { openSqlite } from '../../src/storage/sqlite.js';
import { SqliteStateStore } from '../../src/dialogue/sqlite-state.js';
import { RedisStateStore } from '../../src/dialogue/redis-state.js';
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
