/**
 * Open-socket caps shared by the workers of one `serve --workers N`: the primary keeps the counts
 * and every worker asks it over the cluster's IPC channel. (The rate limits go the same way through
 * rate-limiter-flexible's RateLimiterCluster; see createLimits.) The primary also knows which
 * worker holds which slot, so a worker that dies gives its slots back at once.
 */
import { z } from 'zod';
import { RateLimitedError } from '../errors.js';
import type { AcquireResult, ConnectionCounter } from './connections.js';

/** One end of an IPC channel: `process` in a worker (its `send` and `message` events; a message may carry a handle). */
export interface IpcPort {
  send(message: unknown): unknown;
  on(event: 'message', listener: (message: unknown, handle?: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown, handle?: unknown) => void): unknown;
}

const CHANNEL = 'shopbot:connections';
/** A primary busy with routing still answers in milliseconds; this long means it is gone. */
const REQUEST_TIMEOUT_MS = 5000;
/** Late answers remembered at most (a primary that never answers would otherwise grow the map). */
const MAX_ABANDONED = 10_000;

const RequestSchema = z.object({
  channel: z.literal(CHANNEL),
  id: z.number().int(),
  op: z.enum(['acquire', 'release', 'count']),
  key: z.string().max(200).optional(),
});
type Request = z.infer<typeof RequestSchema>;
const ReplySchema = z.object({ channel: z.literal(CHANNEL), id: z.number().int(), result: z.union([z.enum(['ok', 'per_key', 'total']), z.number(), z.null()]) });

/** A worker's view of the counts the primary keeps. */
export class ClusterConnectionCounter implements ConnectionCounter {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: AcquireResult | number | null) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly listener = (message: unknown) => {
    const r = ReplySchema.safeParse(message);
    if (!r.success) return;
    const w = this.waiting.get(r.data.id);
    if (!w) {
      // A slot granted after this worker gave up waiting is given back, so it does not count forever.
      const key = this.abandoned.get(r.data.id);
      this.abandoned.delete(r.data.id);
      if (key !== undefined && r.data.result === 'ok') this.port.send({ channel: CHANNEL, id: this.nextId++, op: 'release', key } satisfies Request);
      return;
    }
    this.waiting.delete(r.data.id);
    clearTimeout(w.timer);
    w.resolve(r.data.result);
  };

  constructor(private readonly port: IpcPort) {
    port.on('message', this.listener);
  }

  private readonly pending = new Set<Promise<unknown>>();
  /** Acquires that timed out, by request id: their late answers are undone. */
  private readonly abandoned = new Map<number, string>();

  private ask(op: Request['op'], key?: string): Promise<AcquireResult | number | null> {
    const id = this.nextId++;
    const asked = new Promise<AcquireResult | number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        if (op === 'acquire' && key !== undefined && this.abandoned.size < MAX_ABANDONED) this.abandoned.set(id, key);
        // The primary, or this worker's own event loop, is overloaded: refused as busy, for the client to retry.
        reject(new RateLimitedError(REQUEST_TIMEOUT_MS, `the server is busy (the primary process did not answer a connection ${op} within ${REQUEST_TIMEOUT_MS} ms)`, 'BUSY'));
      }, REQUEST_TIMEOUT_MS);
      this.waiting.set(id, { resolve, reject, timer });
      this.port.send({ channel: CHANNEL, id, op, ...(key !== undefined ? { key } : {}) } satisfies Request);
    });
    this.pending.add(asked);
    const forget = () => void this.pending.delete(asked);
    asked.then(forget, forget);
    return asked;
  }

  async acquire(key: string): Promise<AcquireResult> {
    return (await this.ask('acquire', key)) as AcquireResult;
  }
  async release(key: string): Promise<void> {
    await this.ask('release', key);
  }
  async count(key?: string): Promise<number> {
    return (await this.ask('count', key)) as number;
  }
  /** Waits for the requests still out (a socket's release as it closes), each bounded by its timeout. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    this.port.off('message', this.listener);
  }
}

/** The primary's side: the counts, per client address and in total, and which worker holds each slot. */
export class ConnectionCountsPrimary {
  private readonly perKey = new Map<string, number>();
  private readonly byWorker = new Map<number, Map<string, number>>();
  private total = 0;

  constructor(private readonly caps: { readonly maxPerKey: number; readonly maxTotal: number }) {}

  /** Answers a worker's request; false when the message is not one. */
  handle(workerId: number, message: unknown, reply: (message: unknown) => void): boolean {
    const r = RequestSchema.safeParse(message);
    if (!r.success) return false;
    const { id, op, key } = r.data;
    let result: AcquireResult | number | null = null;
    if (op === 'count') result = key === undefined ? this.total : (this.perKey.get(key) ?? 0);
    else if (key !== undefined && op === 'acquire') result = this.acquire(workerId, key);
    else if (key !== undefined) this.release(workerId, key);
    reply({ channel: CHANNEL, id, result });
    return true;
  }

  private acquire(workerId: number, key: string): AcquireResult {
    const n = this.perKey.get(key) ?? 0;
    if (n >= this.caps.maxPerKey) return 'per_key';
    if (this.total >= this.caps.maxTotal) return 'total';
    this.perKey.set(key, n + 1);
    this.total++;
    const held = this.byWorker.get(workerId) ?? new Map<string, number>();
    held.set(key, (held.get(key) ?? 0) + 1);
    this.byWorker.set(workerId, held);
    return 'ok';
  }

  private release(workerId: number, key: string, count = 1): void {
    const held = this.byWorker.get(workerId);
    const mine = held?.get(key) ?? 0;
    const n = Math.min(count, mine);
    if (n === 0) return;
    // Entries leave the maps at zero, so they never hold more keys than there are open sockets.
    if (mine - n === 0) held!.delete(key);
    else held!.set(key, mine - n);
    const left = (this.perKey.get(key) ?? 0) - n;
    if (left <= 0) this.perKey.delete(key);
    else this.perKey.set(key, left);
    this.total = Math.max(0, this.total - n);
  }

  /** A worker exited: its sockets closed with it. */
  dropWorker(workerId: number): void {
    const held = this.byWorker.get(workerId);
    if (!held) return;
    for (const [key, n] of [...held]) this.release(workerId, key, n);
    this.byWorker.delete(workerId);
  }

  count(key?: string): number {
    return key === undefined ? this.total : (this.perKey.get(key) ?? 0);
  }
}
