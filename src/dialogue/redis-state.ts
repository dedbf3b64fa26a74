/**
 * Conversation state in Redis, so several server processes (behind a load balancer, sharing
 * sockets through the socket.io Redis adapter) see the same conversations. State is one JSON
 * string per conversation; the transcript is a capped list. With a TTL (the retention period) both
 * expire on their own; two indexes serve the sweep and forget requests: a sorted set of
 * conversations by last activity and a set of conversations per user.
 */
import type { Redis } from 'ioredis';
import { ConversationStateSchema, type ConversationState, type ConversationsDeleted, type StateStore, type TranscriptRow } from './state.js';

const MAX_TRANSCRIPT = 500;
/** Conversations deleted per round trip by a sweep. */
const SWEEP_BATCH = 500;

/**
 * Deletes one conversation atomically unless it was active at or after the cutoff (ARGV[2]; empty:
 * delete regardless). A turn racing the sweep either lands first and keeps its conversation, or
 * lands after and starts a new one. Returns { state JSON or '', transcript length }, or nil.
 * KEYS: activity index, state, transcript. ARGV: conversation id, cutoff.
 */
const DELETE_CONVERSATION = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if ARGV[2] ~= '' and score and tonumber(score) >= tonumber(ARGV[2]) then return false end
local state = redis.call('GET', KEYS[2])
local messages = redis.call('LLEN', KEYS[3])
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[1], ARGV[1])
return { state or '', messages }
`;

export class RedisStateStore implements StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix?: string; ttlSec?: number } = {},
  ) {}

  private key(kind: 'state' | 'msgs' | 'user', id: string): string {
    return `${this.options.prefix ?? 'shopbot'}:${kind}:${id}`;
  }

  private get activityKey(): string {
    return `${this.options.prefix ?? 'shopbot'}:active`;
  }

  async load(conversationId: string): Promise<ConversationState | undefined> {
    const raw = await this.redis.get(this.key('state', conversationId));
    return raw ? ConversationStateSchema.parse(JSON.parse(raw)) : undefined;
  }

  async save(state: ConversationState, nowMs: number): Promise<void> {
    const key = this.key('state', state.conversationId);
    const user = this.key('user', state.userId);
    const multi = this.redis.multi();
    if (this.options.ttlSec) multi.set(key, JSON.stringify(state), 'EX', this.options.ttlSec);
    else multi.set(key, JSON.stringify(state));
    multi.zadd(this.activityKey, 'GT', nowMs, state.conversationId).sadd(user, state.conversationId);
    if (this.options.ttlSec) multi.expire(user, this.options.ttlSec);
    await multi.exec();
  }

  async appendTranscript(conversationId: string, rows: readonly TranscriptRow[]): Promise<void> {
    if (rows.length === 0) return;
    const key = this.key('msgs', conversationId);
    const lastTs = Math.max(...rows.map((r) => r.ts));
    const multi = this.redis.multi().rpush(key, ...rows.map((r) => JSON.stringify(r))).ltrim(key, -MAX_TRANSCRIPT, -1).zadd(this.activityKey, 'GT', lastTs, conversationId);
    if (this.options.ttlSec) multi.expire(key, this.options.ttlSec);
    await multi.exec();
  }

  async transcript(conversationId: string, limit = 200): Promise<TranscriptRow[]> {
    const raw = await this.redis.lrange(this.key('msgs', conversationId), -limit, -1);
    return raw.map((r) => JSON.parse(r) as TranscriptRow);
  }

  async deleteInactive(cutoffMs: number): Promise<ConversationsDeleted> {
    const total = { conversations: 0, messages: 0 };
    // Every id in the range is removed from the index (deleted, or already expired by its TTL), so the loop ends.
    for (;;) {
      const ids = await this.redis.zrangebyscore(this.activityKey, '-inf', `(${cutoffMs}`, 'LIMIT', 0, SWEEP_BATCH);
      if (ids.length === 0) return total;
      const deleted = await this.deleteConversations(ids, String(cutoffMs));
      total.conversations += deleted.conversations;
      total.messages += deleted.messages;
    }
  }

  async deleteUser(userId: string): Promise<ConversationsDeleted> {
    const user = this.key('user', userId);
    const deleted = await this.deleteConversations(await this.redis.smembers(user), '');
    await this.redis.del(user);
    return deleted;
  }

  private async deleteConversations(ids: readonly string[], cutoff: string): Promise<ConversationsDeleted> {
    if (ids.length === 0) return { conversations: 0, messages: 0 };
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.eval(DELETE_CONVERSATION, 3, this.activityKey, this.key('state', id), this.key('msgs', id), id, cutoff);
    const results = (await pipeline.exec()) ?? [];
    let conversations = 0;
    let messages = 0;
    const unindex = this.redis.pipeline();
    results.forEach(([err, result], i) => {
      if (err) throw err;
      if (!Array.isArray(result)) return;
      const [state, count] = result as [string, number];
      if (state || count > 0) conversations++;
      messages += count;
      const userId = state ? (JSON.parse(state) as { userId?: unknown }).userId : undefined;
      if (typeof userId === 'string') unindex.srem(this.key('user', userId), ids[i]!);
    });
    await unindex.exec();
    return { conversations, messages };
  }

  async close(): Promise<void> {
    // The client is owned by the app, which quits it after every store using it is closed.
  }
}
