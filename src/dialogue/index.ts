/**
 * The dialogue stage's public surface: the conversation state and its stores (SQLite, Redis), and
 * the policy, a pure function from (state, the message's understanding) to actions.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { SqliteDb } from '../storage/index.js';
import { RedisStateStore } from './redis-state.js';
import { SqliteStateStore } from './sqlite-state.js';
import type { StateStore } from './state.js';

export * from './state.js';
export { decide, awaitOrderId, newSearch, searchConstraints, searchFilters, type Action, type Decision, type PolicyInput, type PolicyTopic } from './policy.js';
export { isReturnReason, type TaskAction } from './tasks.js';
export { SqliteStateStore } from './sqlite-state.js';
export { RedisStateStore } from './redis-state.js';

/**
 * The engine named by `state.backend`: Redis (the client the app opened for it) or SQLite. With
 * retention on, Redis expires idle conversations itself; the sweep then only clears its index.
 */
export function openStateStore(config: Pick<Config, 'privacy' | 'state'>, deps: { readonly db: SqliteDb; readonly redis?: Redis }): StateStore {
  const retentionDays = config.privacy.retentionDays;
  if (!deps.redis) return new SqliteStateStore(deps.db);
  return new RedisStateStore(deps.redis, { prefix: config.state.redisKeyPrefix, ...(retentionDays > 0 ? { ttlSec: retentionDays * 86_400 } : {}) });
}
