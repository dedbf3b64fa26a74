/**
 * Merchant commands, the same in Teams and Slack: `report [period]`, `no results [period]`,
 * `escalations`, `commands`. Parsing and computing live here; each channel renders the result.
 */
import { randomUUID } from 'node:crypto';
import { renderBarChart } from '../../src/charts/index.js';
import type { FunnelReader } from '../../src/funnel/index.js';
import {
  computeFunnelReport,
  computeNoResultQueries,
  computeOpenEscalations,
  parsePeriod,
  type FunnelReport,
  type NoResultQuery,
  type OpenEscalation,
  type Period,
} from '../../src/reports/index.js';

export type MerchantCommand =
  | { readonly kind: 'report'; readonly period?: string }
  | { readonly kind: 'no_results'; readonly period?: string }
  | { readonly kind: 'escalations' }
  | { readonly kind: 'help' };

const PATTERNS: readonly [RegExp, (m: RegExpExecArray) => MerchantCommand][] = [
  [/^(?:funnel\s+)?report(?:\s+(\S+))?$/, (m) => ({ kind: 'report', period: m[1] })],
  [/^funnel(?:\s+(\S+))?$/, (m) => ({ kind: 'report', period: m[1] })],
  [/^(?:no[\s-]?results?|zero[\s-]results?|missing)(?:\s+(\S+))?$/, (m) => ({ kind: 'no_results', period: m[1] })],
  [/^(?:open\s+)?escalations?$/, () => ({ kind: 'escalations' })],
  [/^(?:commands|merchant\s+help)$/, () => ({ kind: 'help' })],
];

/** Returns the command, or undefined when the text is an ordinary message for the assistant. */
export function parseMerchantCommand(text: string): MerchantCommand | undefined {
  const t = text.trim().replace(/^[/!]/, '').replace(/^shopbot\s+/i, '').replace(/\s+/g, ' ').toLowerCase();
  if (t.length > 60) return undefined;
  for (const [re, build] of PATTERNS) {
    const m = re.exec(t);
    if (m) return build(m);
  }
  return undefined;
}

export const MERCHANT_HELP: readonly [string, string][] = [
  ['report [today|week|month|14d]', 'funnel stages, conversion, revenue, recommendation CTR, coupon cost and uplift'],
  ['no results [period]', 'top searches that found nothing'],
  ['escalations', 'conversations waiting for or with a human agent'],
];

export type MerchantResult =
  | { readonly kind: 'report'; readonly report: FunnelReport; readonly chartPng: Buffer }
  | { readonly kind: 'no_results'; readonly period: Period; readonly queries: readonly NoResultQuery[] }
  | { readonly kind: 'escalations'; readonly items: readonly OpenEscalation[] }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

const STAGE_LABELS: Readonly<Record<string, string>> = {
  impression: 'Shown',
  click: 'Clicked',
  add_to_cart: 'Added to cart',
  checkout_started: 'Checkout',
  purchase: 'Purchased',
};

export function stageLabel(stage: string): string {
  return STAGE_LABELS[stage] ?? stage;
}

export async function runMerchantCommand(cmd: MerchantCommand, deps: { funnel: FunnelReader; nowMs: number; signal?: AbortSignal }): Promise<MerchantResult> {
  try {
    switch (cmd.kind) {
      case 'report': {
        const report = await computeFunnelReport(deps.funnel, parsePeriod(cmd.period, deps.nowMs), deps.signal);
        const chartPng = renderBarChart({
          title: `Funnel, ${report.period.label}`,
          bars: report.stages.map((s) => ({ label: stageLabel(s.stage), value: s.count })),
        });
        return { kind: 'report', report, chartPng };
      }
      case 'no_results': {
        const period = parsePeriod(cmd.period, deps.nowMs);
        return { kind: 'no_results', period, queries: await computeNoResultQueries(deps.funnel, period, 10) };
      }
      case 'escalations':
        return { kind: 'escalations', items: (await computeOpenEscalations(deps.funnel, deps.nowMs)).slice(0, 25) };
      case 'help':
        return { kind: 'help' };
    }
  } catch (err) {
    // A bad period is the merchant's typo, shown back to them; anything else propagates.
    if (err instanceof Error && 'code' in err && err.code === 'BAD_REQUEST') return { kind: 'error', message: err.message };
    throw err;
  }
}

/** Whether `userId` may run merchant commands: listed in config, or speaking in the support channel. */
export function isMerchant(userId: string, allowList: string | undefined, inSupportChannel: boolean): boolean {
  if (inSupportChannel) return true;
  if (!allowList) return false;
  return allowList.split(',').map((s) => s.trim()).filter(Boolean).includes(userId);
}

/**
 * Chart images for Slack image blocks, served at GET /charts/:id.png. Ids are random UUIDs
 * (charts show revenue, so URLs must not be guessable) and entries expire.
 */
export class ChartStore {
  private readonly charts = new Map<string, { png: Buffer; expiresAt: number }>();
  constructor(private readonly now: () => number, private readonly ttlMs = 24 * 3_600_000, private readonly maxEntries = 500) {}

  put(png: Buffer): string {
    const id = randomUUID();
    this.charts.set(id, { png, expiresAt: this.now() + this.ttlMs });
    while (this.charts.size > this.maxEntries) this.charts.delete(this.charts.keys().next().value as string);
    return id;
  }

  get(id: string): Buffer | undefined {
    const entry = this.charts.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.charts.delete(id);
      return undefined;
    }
    return entry.png;
  }
}
