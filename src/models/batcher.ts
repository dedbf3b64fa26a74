/**
 * Micro-batching for model calls: concurrent turns each submit a few texts; the queue runs them
 * together once `maxBatchSize` items are waiting or `maxWaitMs` has passed since the first, so
 * the ONNX session sees one batched call instead of many batch-of-one calls.
 */
import { ShopbotError } from '../errors.js';

interface Pending<I, O> {
  readonly items: readonly I[];
  readonly resolve: (out: O[]) => void;
  readonly reject: (err: unknown) => void;
  readonly signal?: AbortSignal;
  readonly onAbort?: () => void;
}

export interface MicroBatcherOptions {
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
}

export type BatchRunner<I, O> = (items: readonly I[]) => Promise<O[]>;

export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private isClosed = false;

  constructor(
    private readonly runner: BatchRunner<I, O>,
    private readonly options: MicroBatcherOptions,
  ) {}

  /** Resolves with one output per item, in order. A request larger than the batch size is split. */
  submit(items: readonly I[], signal?: AbortSignal): Promise<O[]> {
    if (this.isClosed) return Promise.reject(new ShopbotError('INTERNAL', 'model queue used after close()'));
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    if (items.length === 0) return Promise.resolve([]);
    if (items.length > this.options.maxBatchSize) {
      const parts: Promise<O[]>[] = [];
      for (let i = 0; i < items.length; i += this.options.maxBatchSize) {
        parts.push(this.submit(items.slice(i, i + this.options.maxBatchSize), signal));
      }
      return Promise.all(parts).then((p) => p.flat());
    }
    return new Promise<O[]>((resolve, reject) => {
      const entry: Pending<I, O> = {
        items,
        resolve,
        reject,
        ...(signal ? { signal, onAbort: () => this.cancel(entry) } : {}),
      };
      signal?.addEventListener('abort', entry.onAbort!, { once: true });
      this.queue.push(entry);
      this.queued += items.length;
      if (this.queued >= this.options.maxBatchSize) this.flushSoon(0);
      else this.flushSoon(this.options.maxWaitMs);
    });
  }

  private cancel(entry: Pending<I, O>): void {
    const i = this.queue.indexOf(entry);
    if (i < 0) return; // already running: the batch finishes, the caller just stops waiting
    this.queue.splice(i, 1);
    this.queued -= entry.items.length;
    entry.reject(entry.signal?.reason ?? new Error('aborted'));
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.flush());
    }, delayMs);
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: Pending<I, O>[] = [];
      let n = 0;
      while (this.queue.length > 0 && n + this.queue[0]!.items.length <= this.options.maxBatchSize) {
        const e = this.queue.shift()!;
        n += e.items.length;
        batch.push(e);
      }
      this.queued -= n;
      for (const e of batch) if (e.onAbort) e.signal?.removeEventListener('abort', e.onAbort);
      try {
        const out = await this.runner(batch.flatMap((e) => e.items));
        if (out.length !== n) throw new ShopbotError('INTERNAL', `model returned ${out.length} outputs for ${n} inputs`);
        let at = 0;
        for (const e of batch) {
          e.resolve(out.slice(at, at + e.items.length));
          at += e.items.length;
        }
      } catch (err) {
        for (const e of batch) e.reject(err);
      }
    }
  }

  /** Waits for queued work to finish, then refuses new work. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.running = this.running.then(() => this.flush());
    }
    await this.running;
  }
}
