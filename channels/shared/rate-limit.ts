/**
 * Outbound queue for chat platforms: messages to one key (a Slack channel, a Teams conversation)
 * go out one at a time, at least `minIntervalMs` apart; failures the platform calls temporary
 * (429, 5xx) are retried with exponential back-off and jitter, honouring Retry-After. Nothing is
 * dropped silently: after `maxAttempts` the failure is logged, counted and thrown to the caller.
 */
import { ShopbotError } from '../../src/errors.js';
import type { ChannelLogger, OutboundClock } from './types.js';

export type { OutboundClock } from './types.js';

export function realClock(): OutboundClock {
  return { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
}

export interface RetryDecision {
  readonly retry: boolean;
  /** The platform's Retry-After, in ms, when it sent one. */
  readonly retryAfterMs?: number;
}

export interface OutboundQueueOptions {
  /** 'slack' or 'teams', for logs. */
  readonly name: string;
  readonly minIntervalMs: number;
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly classify: (err: unknown) => RetryDecision;
  readonly clock: OutboundClock;
  /** Uniform [0, 1); injected so back-off is reproducible in tests. */
  readonly random: () => number;
  readonly logger: ChannelLogger;
}

export interface OutboundStats {
  sent: number;
  retried: number;
  failed: number;
}

/** Delay before retry `attempt` (1-based): equal jitter on a capped exponential, never below Retry-After. */
export function backoffMs(attempt: number, o: Pick<OutboundQueueOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number, retryAfterMs?: number): number {
  const exp = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  // Jitter on top of Retry-After too, so clients told the same instant don't return together.
  return retryAfterMs !== undefined ? retryAfterMs + random() * o.baseDelayMs : jittered;
}

/** Parses an HTTP Retry-After value (seconds or HTTP date) to ms; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.min(secs, 3600) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - nowMs), 3_600_000);
}

const MAX_TRACKED_KEYS = 10_000;

export class OutboundQueue {
  readonly stats: OutboundStats = { sent: 0, retried: 0, failed: 0 };
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly lastSentAt = new Map<string, number>();

  constructor(private readonly o: OutboundQueueOptions) {}

  /** Runs `fn` after everything queued for `key`; resolves with its result or rejects after bounded retries. */
  send<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const run = prev.then(() => this.attempt(key, fn));
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }

  /** Waits for every queued message to be sent or to fail. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  /** Keys whose last send is older than the interval need no spacing any more. */
  private forgetIdleKeys(): void {
    const idleBefore = this.o.clock.now() - this.o.minIntervalMs;
    for (const [key, at] of this.lastSentAt) if (at < idleBefore && !this.tails.has(key)) this.lastSentAt.delete(key);
  }

  private async attempt<T>(key: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const last = this.lastSentAt.get(key);
      if (last !== undefined && this.o.minIntervalMs > 0) {
        const wait = last + this.o.minIntervalMs - this.o.clock.now();
        if (wait > 0) await this.o.clock.sleep(wait);
      }
      this.lastSentAt.set(key, this.o.clock.now());
      if (this.lastSentAt.size > MAX_TRACKED_KEYS) this.forgetIdleKeys();
      try {
        const result = await fn();
        this.stats.sent += 1;
        return result;
      } catch (err) {
        const decision = this.o.classify(err);
        if (!decision.retry || attempt >= this.o.maxAttempts) {
          this.stats.failed += 1;
          this.o.logger.error({ channel: this.o.name, key, attempts: attempt, err: describeError(err) }, 'outbound message failed');
          throw new ShopbotError('CHANNEL_SEND_FAILED', `${this.o.name}: message to ${key} failed after ${attempt} attempt(s): ${describeError(err)}`, { cause: err });
        }
        this.stats.retried += 1;
        const delay = backoffMs(attempt, this.o, this.o.random, decision.retryAfterMs);
        this.o.logger.warn({ channel: this.o.name, key, attempt, delayMs: Math.round(delay) }, 'outbound message retried');
        await this.o.clock.sleep(delay);
      }
    }
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.slice(0, 300);
  return String(err).slice(0, 300);
}
