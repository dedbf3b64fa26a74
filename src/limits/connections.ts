/**
 * Open-socket caps (per client address and in total). A count must come back down when a socket
 * closes, and must not stay up forever when a process dies holding sockets; so in Redis each
 * process keeps its own count in a hash field and a heartbeat, and only live processes' fields
 * are summed (a dead process's fields are dropped the next time they are read).
 */
import type { Redis } from 'ioredis';

export type AcquireResult = 'ok' | 'per_key' | 'total';

export interface ConnectionCounter {
  /** Takes a slot for `key` (a client address); says which cap refused it otherwise. */
  acquire(key: string): Promise<AcquireResult>;
  release(key: string): Promise<void>;
  /** Open sockets for `key`, or in total. */
  count(key?: string): Promise<number>;
  close(): Promise<void>;
}

interface Caps {
  readonly maxPerKey: number;
  readonly maxTotal: number;
}

export class MemoryConnectionCounter implements ConnectionCounter {
  private readonly perKey = new Map<string, number>();
  private total = 0;
  constructor(private readonly caps: Caps) {}

  async acquire(key: string): Promise<AcquireResult> {
    const n = this.perKey.get(key) ?? 0;
    if (n >= this.caps.maxPerKey) return 'per_key';
    if (this.total >= this.caps.maxTotal) return 'total';
    this.perKey.set(key, n + 1);
    this.total++;
    return 'ok';
  }
  async release(key: string): Promise<void> {
    const n = this.perKey.get(key);
    if (n === undefined) return;
    // Entries leave the map at zero, so it never holds more keys than there are open sockets.
    if (n <= 1) this.perKey.delete(key);
    else this.perKey.set(key, n - 1);
    this.total = Math.max(0, this.total - 1);
  }
  async count(key?: string): Promise<number> {
    return key === undefined ? this.total : (this.perKey.get(key) ?? 0);
  }
  async close(): Promise<void> {}
}

const HEARTBEAT_MS = 10_000;
/** A process silent for this long is dead: its sockets no longer count. */
const STALE_MS = 35_000;

// Sums the live processes' fields of hash `h`, deleting dead ones. KEYS[3] is the heartbeat zset.
const LIVE_SUM = `
local function live(h, now, stale)
  local sum = 0
  local all = redis.call('HGETALL', h)
  for i = 1, #all, 2 do
    local beat = redis.call('ZSCORE', KEYS[3], all[i])
    if beat and tonumber(beat) >= now - stale then sum = sum + tonumber(all[i + 1])
    else redis.call('HDEL', h, all[i]) end
  end
  return sum
end
`;
const ACQUIRE = `${LIVE_SUM}
local now, stale = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZADD', KEYS[3], now, ARGV[1])
if live(KEYS[1], now, stale) >= tonumber(ARGV[4]) then return 0 end
if live(KEYS[2], now, stale) >= tonumber(ARGV[5]) then return -1 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return 1
`;
const RELEASE = `
for i = 1, 2 do
  local n = redis.call('HINCRBY', KEYS[i], ARGV[1], -1)
  if n <= 0 then redis.call('HDEL', KEYS[i], ARGV[1]) end
end
return 1
`;
const COUNT = `${LIVE_SUM}
return live(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
`;

export class RedisConnectionCounter implements ConnectionCounter {
  private readonly held = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    private readonly options: Caps & { processId: string; prefix?: string; now?: () => number },
  ) {
    this.prefix = options.prefix ?? 'shopbot:conn';
    this.timer = setInterval(() => {
      void this.redis.zadd(this.key('procs'), this.now(), this.options.processId).catch(() => undefined);
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
  private key(part: string): string {
    return `${this.prefix}:${part}`;
  }

  async acquire(key: string): Promise<AcquireResult> {
    const r = (await this.redis.eval(ACQUIRE, 3, this.key(`k:${key}`), this.key('total'), this.key('procs'), this.options.processId, this.now(), STALE_MS, this.options.maxPerKey, this.options.maxTotal)) as number;
    if (r === 1) this.held.set(key, (this.held.get(key) ?? 0) + 1);
    return r === 1 ? 'ok' : r === 0 ? 'per_key' : 'total';
  }

  async release(key: string): Promise<void> {
    const n = this.held.get(key);
    if (n === undefined) return;
    if (n <= 1) this.held.delete(key);
    else this.held.set(key, n - 1);
    await this.redis.eval(RELEASE, 2, this.key(`k:${key}`), this.key('total'), this.options.processId);
  }

  async count(key?: string): Promise<number> {
    return (await this.redis.eval(COUNT, 3, this.key(key === undefined ? 'total' : `k:${key}`), '', this.key('procs'), this.now(), STALE_MS)) as number;
  }

  /** Gives back every slot this process holds (a clean shutdown; a crash is covered by the heartbeat). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const keys = [...this.held.keys()];
    this.held.clear();
    if (this.redis.status !== 'ready') return;
    const pipeline = this.redis.pipeline();
    for (const k of keys) pipeline.hdel(this.key(`k:${k}`), this.options.processId);
    pipeline.hdel(this.key('total'), this.options.processId);
    pipeline.zrem(this.key('procs'), this.options.processId);
    await pipeline.exec();
  }
}
