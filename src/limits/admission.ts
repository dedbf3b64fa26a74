/**
 * Admission control for turns: at most `maxConcurrent` run at once, at most `maxQueued` wait, and
 * a turn that waited longer than `maxWaitMs` is refused when its slot comes (its shopper's widget
 * has likely given up). Refusals are immediate and coded BUSY with a Retry-After, so a saturated
 * server answers "busy" in microseconds instead of letting sockets time out.
 *
 * Queued turns start one per macrotask (setImmediate), never in a run of microtasks, so the event
 * loop polls sockets between turns: handshakes, health checks and pings are served while the
 * queue drains, however long it is.
 */
import { RateLimitedError } from '../errors.js';

export interface AdmissionOptions {
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  readonly maxWaitMs: number;
  /** Said to refused clients as Retry-After. */
  readonly retryAfterMs: number;
  readonly now?: () => number;
}

interface Waiting {
  readonly since: number;
  readonly start: () => void;
  readonly refuse: (err: unknown) => void;
}

export class TurnAdmission {
  private active = 0;
  private readonly waiting: Waiting[] = [];
  private scheduled = false;
  private refusedCount = 0;
  private readonly now: () => number;
  private draining = false;
  private idle: (() => void)[] = [];

  constructor(private readonly options: AdmissionOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Turns refused since start (queue full or waited too long). */
  get refused(): number {
    return this.refusedCount;
  }

  private busy(why: string): RateLimitedError {
    this.refusedCount++;
    return new RateLimitedError(this.options.retryAfterMs, `the assistant is busy (${why}); try again in ${Math.ceil(this.options.retryAfterMs / 1000)} s`, 'BUSY');
  }

  /** Runs `task` when a slot is free; throws BUSY at once when the queue is full. */
  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.draining) return Promise.reject(this.busy('shutting down'));
    if (this.active < this.options.maxConcurrent && this.waiting.length === 0) return this.start(task);
    if (this.waiting.length >= this.options.maxQueued) return Promise.reject(this.busy(`${this.waiting.length} turns are waiting`));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ since: this.now(), start: () => this.start(task).then(resolve, reject), refuse: reject });
    });
  }

  private start<T>(task: () => Promise<T>): Promise<T> {
    this.active++;
    let p: Promise<T>;
    try {
      p = task();
    } catch (err) {
      p = Promise.reject(err);
    }
    return p.finally(() => {
      this.active--;
      this.schedule();
      if (this.active === 0 && this.waiting.length === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  /**
   * Graceful shutdown: refuses new turns (BUSY), and resolves once the running and queued ones are
   * answered, or after `timeoutMs` (a stuck turn does not hold the process forever).
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (this.active === 0 && this.waiting.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => this.idle.push(resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drainOne();
    });
  }

  /** Starts the oldest waiting turn still worth answering, dropping the stale ones in front of it. */
  private drainOne(): void {
    const t = this.now();
    while (this.waiting.length > 0 && t - this.waiting[0]!.since > this.options.maxWaitMs) {
      const stale = this.waiting.shift()!;
      stale.refuse(this.busy(`waited over ${this.options.maxWaitMs} ms`));
    }
    if (this.active < this.options.maxConcurrent && this.waiting.length > 0) this.waiting.shift()!.start();
    // Another free slot starts its turn on the next macrotask, after the loop has polled I/O again.
    if (this.active < this.options.maxConcurrent) this.schedule();
  }
}
