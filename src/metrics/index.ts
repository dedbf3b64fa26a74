/**
 * Operational metrics in the Prometheus text format (prom-client). One registry per app, not
 * prom-client's global one, so several apps in one process (tests, benches) never share counters.
 * Counters and histograms are fed by the turn pipeline, the admission gate and the model batcher;
 * gauges (queue depths, sockets, retrieval health) are read from their owners when scraped.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The steps of a turn whose time is measured (src/turn.ts). */
export const TURN_STAGES = ['load', 'nlu', 'policy', 'actions', 'respond', 'commit'] as const;
export type TurnStage = (typeof TURN_STAGES)[number];

/** Seconds; from a sub-millisecond cached turn to a slow LLM reply. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Metrics {
  readonly contentType: string;
  /** One stage of one turn took `ms`. */
  turnStage(stage: TurnStage, ms: number): void;
  /** A turn ended: answered, or refused/failed with an error code. */
  turn(channel: string, ms: number, errorCode?: string): void;
  /** An HTTP request or socket event answered with this error code (outside turns too: BUSY, RATE_LIMITED...). */
  error(code: string, where: 'http' | 'socket' | 'turn'): void;
  /** A model ran one batch of this many inputs. */
  modelBatch(model: string, size: number): void;
  /**
   * A gauge read when scraped. `read` returns the value, or a map of label value -> value for a
   * gauge with one label (`label`).
   */
  gauge(name: string, help: string, read: () => number | Promise<number>): void;
  gaugeByLabel(name: string, help: string, label: string, read: () => Readonly<Record<string, number>> | Promise<Readonly<Record<string, number>>>): void;
  render(): Promise<string>;
}

/**
 * Process CPU, RSS, heap, event-loop lag: what a saturated server looks like from outside. They
 * belong to the process, so they are collected once per process and prefix: prom-client's default
 * collectors (GC observer, event-loop monitor) are never released, and one per app kept every
 * closed app alive (62 MB each in the conversation eval, which opens one app per conversation).
 */
const processRegistries = new Map<string, Registry>();
function processRegistry(prefix: string): Registry {
  let registry = processRegistries.get(prefix);
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix });
    processRegistries.set(prefix, registry);
  }
  return registry;
}

export function createMetrics(options: { prefix?: string; processMetrics?: boolean } = {}): Metrics {
  const prefix = options.prefix ?? 'shopbot_';
  const registry = new Registry();
  const processMetrics = options.processMetrics !== false ? processRegistry(prefix) : undefined;
  const stageSeconds = new Histogram({ name: `${prefix}turn_stage_seconds`, help: 'Time spent in each stage of a turn', labelNames: ['stage'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const turnSeconds = new Histogram({ name: `${prefix}turn_seconds`, help: 'Whole turn latency, admission wait included', labelNames: ['channel', 'outcome'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const turns = new Counter({ name: `${prefix}turns_total`, help: 'Turns handled, by channel and outcome (ok or error)', labelNames: ['channel', 'outcome'], registers: [registry] });
  const errors = new Counter({ name: `${prefix}errors_total`, help: 'Error replies by code and where they were answered', labelNames: ['code', 'where'], registers: [registry] });
  const batches = new Histogram({ name: `${prefix}model_batch_size`, help: 'Inputs per model batch (micro-batching across concurrent turns)', labelNames: ['model'], buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers: [registry] });
  return {
    contentType: registry.contentType,
    turnStage(stage, ms) {
      stageSeconds.observe({ stage }, ms / 1000);
    },
    turn(channel, ms, errorCode) {
      const outcome = errorCode === undefined ? 'ok' : 'error';
      turns.inc({ channel, outcome });
      turnSeconds.observe({ channel, outcome }, ms / 1000);
      if (errorCode !== undefined) errors.inc({ code: errorCode, where: 'turn' });
    },
    error(code, where) {
      errors.inc({ code, where });
    },
    modelBatch(model, size) {
      batches.observe({ model }, size);
    },
    gauge(name, help, read) {
      new Gauge({
        name: `${prefix}${name}`,
        help,
        registers: [registry],
        async collect() {
          this.set(await read());
        },
      });
    },
    gaugeByLabel(name, help, label, read) {
      new Gauge({
        name: `${prefix}${name}`,
        help,
        labelNames: [label],
        registers: [registry],
        async collect() {
          this.reset();
          for (const [k, v] of Object.entries(await read())) this.set({ [label]: k }, v);
        },
      });
    },
    render: async () => (processMetrics ? `${await registry.metrics()}\n${await processMetrics.metrics()}` : registry.metrics()),
  };
}
