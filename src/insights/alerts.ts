/**
 * The scheduled low-stock check: on an interval, the demand report of the last quarter, and an
 * alert to the merchant's channels naming the products that fell under the days-of-cover line
 * since the last alert (a product already reported is not repeated until it recovers and falls
 * again). The timer is unref'd, and stop() waits for a check in flight, so the app closes cleanly.
 */
import type { DemandReport } from './demand.js';
import { lowStockAlertText } from './demand.js';

export interface LowStockCheckDeps {
  /** The demand report to check (the period and days-of-cover line are the caller's). */
  readonly report: () => Promise<DemandReport>;
  /** Sends the alert to the merchant's channels; resolves with how many took it. */
  readonly send: (text: string) => Promise<number>;
}

/** One check: alerts on products newly under the line; resolves with the products alerted. */
export function createLowStockCheck(deps: LowStockCheckDeps): () => Promise<string[]> {
  let alerted = new Set<string>();
  return async () => {
    const report = await deps.report();
    const low = new Set(report.lowStock.map((p) => p.productId));
    const fresh = report.lowStock.filter((p) => !alerted.has(p.productId));
    const text = fresh.length ? lowStockAlertText({ ...report, lowStock: fresh }) : undefined;
    // Nothing reached a channel: the products stay unreported, for the next check.
    if (text && (await deps.send(text)) === 0) return [];
    // Products that recovered drop out, so a later fall alerts again.
    alerted = low;
    return fresh.map((p) => p.productId);
  };
}

export function scheduleLowStockChecks(check: () => Promise<unknown>, options: { intervalMs: number; log: { error(obj: unknown, msg?: string): void } }): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = check()
      .then(
        () => undefined,
        (err: unknown) => options.log.error({ err }, 'low-stock check failed; will retry on the next tick'),
      )
      .finally(() => {
        running = undefined;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
