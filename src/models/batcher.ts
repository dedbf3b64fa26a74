/**
 * Micro-batching for model calls: concurrent turns each submit a few texts; the queue runs them
 * together so the ONNX session sees one batched call instead of many batch-of-one calls.
 *
 * With `maxWaitMs` 0 (the default) batching is adaptive: an idle queue runs a request at once
 * (after the current event-loop turn, so requests submitted together still share a batch), and
 * whatever arrives while a batch is running forms the next batch. A lone turn pays no wait; under
 * load batches grow by themselves. A positive `maxWaitMs` holds the first request that long for
 * company (or until `maxBatchSize` items wait), trading latency for larger batches.
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
  /** Told the size of each batch run (the server's /metrics). */
  readonly onBatch?: (size: number) => void;
}

export type BatchRunner<I, O> = (items: readonly I[]) => Promise<O[]>;

export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private queued = 0;
  private timer: { cancel(): void } | undefined;
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
    this.timer?.cancel();
    const fire = () => {
      this.timer = undefined;
      this.running = this.running.then(() => this.flush());
    };
    // setTimeout(0) waits at least a millisecond; setImmediate runs right after this turn's I/O.
    if (delayMs > 0) {
      const t = setTimeout(fire, delayMs);
      this.timer = { cancel: () => clearTimeout(t) };
    } else {
      const t = setImmediate(fire);
      this.timer = { cancel: () => clearImmediate(t) };
    }
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
      this.options.onBatch?.(n);
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
      this.timer.cancel();
      this.timer = undefined;
      this.running = this.running.then(() => this.flush());
    }
    await this.running;
  }
}
