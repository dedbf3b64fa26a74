/**
 * Abuse limits: named rate limits (REST turns, sockets, logins, guest order checks) and caps on
 * open sockets. One process counts in memory; the workers of `serve --workers N` count in their
 * primary, over IPC; with Redis configured every process counts in the same keys, so a limit holds
 * however many servers share the load.
 *
 * Counting is rate-limiter-flexible's (atomic Lua in Redis, timers in memory); what is limited, and
 * how an excess is reported (RateLimitedError with retryAfterMs), is decided here once.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterCluster, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import { RateLimitedError } from '../errors.js';
import { ClusterConnectionCounter, type IpcPort } from './cluster.js';
import { MemoryConnectionCounter, RedisConnectionCounter, type ConnectionCounter } from './connections.js';

export type { ConnectionCounter } from './connections.js';
export { MemoryConnectionCounter, RedisConnectionCounter } from './connections.js';
export { TurnAdmission, type AdmissionOptions } from './admission.js';
export { ClusterConnectionCounter, ConnectionCountsPrimary, type IpcPort } from './cluster.js';

/** How long a worker waits for its primary to count a hit before refusing the request. */
const CLUSTER_TIMEOUT_MS = 3000;

/** A rate limit: at most `points` hits per `durationSec`; `blockSec` keeps the key refused for longer once over. */
export interface RateRule {
  readonly name: string;
  readonly points: number;
  readonly durationSec: number;
  readonly blockSec?: number;
  /** Said to the client, e.g. "messages per minute from this address". */
  readonly what: string;
}

/** The rules the server enforces, from `limits.*`. */
export function rateRules(limits: Config['limits']) {
  const perMinute = (name: string, points: number, what: string): RateRule => ({ name, points, durationSec: 60, what });
  const perHour = (name: string, points: number, what: string): RateRule => ({ name, points, durationSec: 3600, what });
  return {
    restTurnPerIp: perMinute('rest-ip', limits.restTurnsPerMinutePerIp, 'requests per minute from this address'),
    turnPerConversation: perMinute('turn-conv', limits.turnsPerMinutePerConversation, 'messages per minute in one conversation'),
    conversationPerIp: perHour('conv-ip', limits.conversationsPerHourPerIp, 'new conversations per hour from this address'),
    socketConnectPerIp: perMinute('sock-ip', limits.socketConnectionsPerMinutePerIp, 'connections per minute from this address'),
    socketMessagePerIp: perMinute('sockmsg-ip', limits.socketMessagesPerMinutePerIp, 'messages per minute from this address'),
    loginPerIp: perMinute('login-ip', limits.loginsPerMinutePerIp, 'login attempts per minute from this address'),
    loginFailure: {
      name: 'login-fail',
      points: limits.loginFailuresBeforeLockout,
      durationSec: limits.lockoutMinutes * 60,
      blockSec: limits.lockoutMinutes * 60,
      what: 'failed logins',
    } satisfies RateRule,
    orderCheckPerConversation: perHour('order-conv', limits.orderChecksPerHourPerConversation, 'order checks per hour in one conversation'),
    orderCheckPerOrder: perHour('order-id', limits.orderChecksPerHourPerOrder, 'checks of one order per hour'),
  } as const;
}
export type RateRules = ReturnType<typeof rateRules>;

export interface Limits {
  readonly rules: RateRules;
  /** Counts one hit; throws RateLimitedError when the key is over its rule. */
  consume(rule: RateRule, key: string): Promise<void>;
  /** Refuses (RateLimitedError) while the key is over its rule, without counting a hit (lock-outs). */
  check(rule: RateRule, key: string): Promise<void>;
  /** Forgets a key's hits (a successful login clears its failures). */
  reset(rule: RateRule, key: string): Promise<void>;
  /** Open sockets, per address and in total. */
  readonly connections: ConnectionCounter;
  close(): Promise<void>;
}

function retryAfter(res: unknown): number | undefined {
  return res instanceof RateLimiterRes ? Math.max(1, res.msBeforeNext) : undefined;
}

/**
 * `redis`: every server counts there. `primary`: this is a worker of `serve --workers N` and its
 * primary counts for all the workers (the primary runs RateLimiterClusterMaster and
 * ConnectionCountsPrimary). Neither: this process counts alone, in memory.
 */
export function createLimits(config: Config, deps: { redis?: Redis; processId?: string; primary?: IpcPort } = {}): Limits {
  const rules = rateRules(config.limits);
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterFor = (rule: RateRule): RateLimiterAbstract => {
    let l = limiters.get(rule.name);
    if (!l) {
      const options = { keyPrefix: `${config.state.redisKeyPrefix}:rl:${rule.name}`, points: rule.points, duration: rule.durationSec, ...(rule.blockSec ? { blockDuration: rule.blockSec } : {}) };
      l = deps.redis
        ? new RateLimiterRedis({ ...options, storeClient: deps.redis })
        : deps.primary
          ? new RateLimiterCluster({ ...options, timeoutMs: CLUSTER_TIMEOUT_MS })
          : new RateLimiterMemory(options);
      limiters.set(rule.name, l);
    }
    return l;
  };
  const refuse = (rule: RateRule, ms: number) =>
    new RateLimitedError(ms, `too many ${rule.what} (limit ${rule.points}); try again in ${Math.ceil(ms / 1000)} s`, rule.name === 'login-fail' ? 'ACCOUNT_LOCKED' : 'RATE_LIMITED');
  const connections = deps.redis
    ? new RedisConnectionCounter(deps.redis, { prefix: `${config.state.redisKeyPrefix}:conn`, processId: deps.processId ?? randomUUID(), maxPerKey: config.limits.maxSocketsPerIp, maxTotal: config.limits.maxSockets })
    : deps.primary
      ? new ClusterConnectionCounter(deps.primary)
      : new MemoryConnectionCounter({ maxPerKey: config.limits.maxSocketsPerIp, maxTotal: config.limits.maxSockets });

  // A worker whose primary did not answer in time (one of them is overloaded) refuses as busy, never as an internal error.
  const unanswered = (err: unknown): never => {
    if (!deps.primary || deps.redis) throw err;
    throw Object.assign(new RateLimitedError(CLUSTER_TIMEOUT_MS, `the server is busy (limits not counted in ${CLUSTER_TIMEOUT_MS} ms); try again in ${CLUSTER_TIMEOUT_MS / 1000} s`, 'BUSY'), { cause: err });
  };

  return {
    rules,
    connections,
    async consume(rule, key) {
      try {
        await limiterFor(rule).consume(key);
      } catch (err) {
        const ms = retryAfter(err);
        if (ms === undefined) unanswered(err);
        throw refuse(rule, ms!);
      }
    },
    async check(rule, key) {
      const res = await limiterFor(rule).get(key).catch(unanswered);
      if (res && res.consumedPoints >= rule.points) throw refuse(rule, Math.max(1, res.msBeforeNext));
    },
    async reset(rule, key) {
      await limiterFor(rule).delete(key);
    },
    async close() {
      await connections.close();
    },
  };
}
