/**
 * Funnel writes in batches. `commit()` is for a turn's events (with, on the embedded engine, the
 * turn's other writes: its state and transcript, run inside the same SQLite transaction): they are stored before its promise
 * resolves, so a turn is acknowledged only once its events are on disk (a group commit: every turn
 * that commits during one event-loop pass shares one transaction, written on the next pass).
 * `log()` is for events nobody waits on: it only queues, and a timer (or a full batch) flushes. A
 * failed flush keeps the batch and retries on the next tick (waiting turns are told it failed), so
 * nothing is lost while the store is briefly unavailable; `close()` flushes what is left.
 */
import { ShopbotError } from '../errors.js';
import { FunnelEventSchema, type FunnelEvent, type FunnelEventInput } from './events.js';
import type { FunnelLog, FunnelStore } from './types.js';

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/**
 * Events held while the store is down. Beyond it `commit()` refuses (the turn fails, unanswered,
 * instead of being acknowledged without its events) and `log()` drops, counted in `dropped`.
 */
export const MAX_QUEUED_EVENTS = 100_000;

/** Gets the events as stored: validated once by the writer, so listeners need not parse them again. */
export type FunnelListener = (events: readonly FunnelEvent[]) => void;

/** A synchronous write into the funnel store's own SQLite database, committed in the batch's transaction. */
export type AlongsideWrite = () => void;

export class FunnelWriter {
  private queue: FunnelEvent[] = [];
  private alongside: AlongsideWrite[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly listeners: FunnelListener[] = [];
  private failures = 0;
  private droppedEvents = 0;
  private invalidEvents = 0;
  /** Turns waiting for the queued events to be stored. */
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    private readonly store: FunnelStore,
    private readonly options: { flushIntervalMs: number; flushBatchSize: number; log: Logger },
  ) {}

  /** Called after each successful flush with the events written (learners subscribe here). */
  onFlushed(listener: FunnelListener): void {
    this.listeners.push(listener);
  }

  log(...inputs: FunnelEventInput[]): void {
    // Validated here, at the writer's door: one bad event is refused alone instead of failing
    // (and retrying forever) the whole batch it would have been flushed with.
    const events: FunnelEvent[] = [];
    for (const input of inputs) {
      const parsed = FunnelEventSchema.safeParse(input);
      if (parsed.success) events.push(parsed.data);
      else {
        this.invalidEvents++;
        this.options.log.error({ type: (input as { type?: unknown }).type, issues: parsed.error.issues.slice(0, 3) }, 'invalid funnel event refused');
      }
    }
    if (this.queue.length + events.length > MAX_QUEUED_EVENTS) {
      this.droppedEvents += events.length;
      return;
    }
    this.queue.push(...events);
    if (this.queue.length >= this.options.flushBatchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Queues a turn's events and resolves once they are stored (with whatever else was queued). */
  commit(...events: FunnelEventInput[]): Promise<void> {
    return this.commitWith(events);
  }

  /**
   * The same, with writes of the turn's that must commit in the same transaction as its events
   * (the embedded engine's state and transcript). Only a store that shares its SQLite database
   * (`appendWith`) takes them; the composition root decides that.
   */
  commitWith(inputs: readonly FunnelEventInput[], alongside?: AlongsideWrite): Promise<void> {
    if (inputs.length === 0 && !alongside) return Promise.resolve();
    let events: FunnelEvent[];
    try {
      events = inputs.map((e) => FunnelEventSchema.parse(e));
    } catch (err) {
      this.invalidEvents++;
      return Promise.reject(err);
    }
    if (alongside && !this.store.appendWith) return Promise.reject(new ShopbotError('CONFIG_INVALID', 'this funnel store cannot commit other writes in its transaction'));
    if (this.queue.length + events.length > MAX_QUEUED_EVENTS) return Promise.reject(new ShopbotError('STORE_UNAVAILABLE', `the funnel store is behind by ${this.queue.length} events`));
    return new Promise<void>((resolve, reject) => {
      this.queue.push(...events);
      if (alongside) this.alongside.push(alongside);
      this.waiters.push({ resolve, reject });
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        void this.flush();
      });
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Events `log()` dropped because the queue was full (the store down for long). */
  get dropped(): number {
    return this.droppedEvents;
  }

  /** Events refused at the door because they failed validation (a bug in their producer). */
  get invalid(): number {
    return this.invalidEvents;
  }

  get failedFlushes(): number {
    return this.failures;
  }

  async flush(): Promise<void> {
    if (this.timer) (clearTimeout(this.timer), (this.timer = undefined));
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0 && this.alongside.length === 0) return;
    const batch = this.queue;
    const alongside = this.alongside;
    const waiters = this.waiters;
    this.queue = [];
    this.alongside = [];
    this.waiters = [];
    this.flushing = (async () => {
      try {
        if (alongside.length) await this.store.appendWith!(batch, alongside);
        // Validated once, at the writer's door (log, commitWith): the store does not parse them again.
        else await this.store.appendValidated(batch);
        for (const w of waiters) w.resolve();
        for (const l of this.listeners) l(batch);
      } catch (err) {
        this.failures++;
        for (const w of waiters) w.reject(err);
        // Rolled back together, retried together: the turn's writes stay with its events.
        this.queue = batch.concat(this.queue);
        this.alongside = alongside.concat(this.alongside);
        this.options.log.error({ err, events: batch.length }, 'funnel flush failed; will retry');
        if (!this.timer) {
          this.timer = setTimeout(() => void this.flush(), Math.min(5000, this.options.flushIntervalMs * 2 ** this.failures));
          this.timer.unref();
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    await this.flushing;
  }

  async close(): Promise<void> {
    if (this.immediate) (clearImmediate(this.immediate), (this.immediate = undefined));
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
  }
}

/** The store as the app's callers see it (not its `close`: the app owns that), with the writer's flush. */
export function createFunnelLog(store: FunnelStore, writer: Pick<FunnelWriter, 'flush'>): FunnelLog {
  return {
    append: (events) => store.append(events),
    query: (q) => store.query(q),
    count: (q) => store.count(q),
    stages: (q) => store.stages(q),
    rememberNonce: (signature, nowMs, toleranceMs) => store.rememberNonce(signature, nowMs, toleranceMs),
    deleteBefore: (cutoffMs, types) => store.deleteBefore(cutoffMs, types),
    deleteUser: (userId) => store.deleteUser(userId),
    flush: () => writer.flush(),
  };
}
