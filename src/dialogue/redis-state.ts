/**
 * Conversation state in Redis, so several server processes (behind a load balancer, sharing
 * sockets through the socket.io Redis adapter) see the same conversations. State is one JSON
 * string per conversation; the transcript is a capped list.
 */
import type { Redis } from 'ioredis';
import { ConversationStateSchema, type ConversationState, type StateStore, type TranscriptRow } from './state.js';

const MAX_TRANSCRIPT = 500;

export class RedisStateStore implements StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix?: string; ttlSec?: number } = {},
  ) {}

  private key(kind: 'state' | 'msgs', id: string): string {
    return `${this.options.prefix ?? 'shopbot'}:${kind}:${id}`;
  }

  async load(conversationId: string): Promise<ConversationState | undefined> {
    const raw = await this.redis.get(this.key('state', conversationId));
    return raw ? ConversationStateSchema.parse(JSON.parse(raw)) : undefined;
  }

  async save(state: ConversationState, _nowMs: number): Promise<void> {
    const key = this.key('state', state.conversationId);
    if (this.options.ttlSec) await this.redis.set(key, JSON.stringify(state), 'EX', this.options.ttlSec);
    else await this.redis.set(key, JSON.stringify(state));
  }

  async appendTranscript(conversationId: string, rows: readonly TranscriptRow[]): Promise<void> {
    if (rows.length === 0) return;
    const key = this.key('msgs', conversationId);
    const multi = this.redis.multi().rpush(key, ...rows.map((r) => JSON.stringify(r))).ltrim(key, -MAX_TRANSCRIPT, -1);
    if (this.options.ttlSec) multi.expire(key, this.options.ttlSec);
    await multi.exec();
  }

  async transcript(conversationId: string, limit = 200): Promise<TranscriptRow[]> {
    const raw = await this.redis.lrange(this.key('msgs', conversationId), -limit, -1);
    return raw.map((r) => JSON.parse(r) as TranscriptRow);
  }

  async close(): Promise<void> {
    // The client is owned by the app, which quits it after every store using it is closed.
  }
}
