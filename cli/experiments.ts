/**
 * `shopbot experiments list | start FILE.json | stop ID | results ID`: A/B tests of ranking,
 * coupon and reply policies in the data dir (the same table /admin starts and stops them in).
 */
import { readFileSync } from 'node:fs';
import { printTable } from '../evals/report.js';
import { openExperiments, openFunnelReport } from '../src/app.js';
import { isShopbotError } from '../src/errors.js';
import type { FunnelEvent } from '../src/funnel/index.js';
import { EXPERIMENT_EVENT_TYPES, experimentResults } from '../src/insights/index.js';
import { configFromCli } from './common.js';
import { parseFlags } from './args.js';

export const USAGE = `usage: shopbot experiments list | start FILE.json | stop ID | results ID [--config FILE] [--data-dir DIR]

A/B tests of the ranking, coupon or reply policy. FILE.json is {"id", "kind", "description",
"variants": [{"name", "weight", "policy"}]}; the first variant is the control. Policies by kind:
  ranking  {"explorationRate", "maxPerBrand", "relevanceOnly"}
  coupon   {"mode": "targeter" | "always" | "never", "campaigns": [campaign ids]}
  reply    {"chooser": "model" | "rotation" | "first", "generator": true | false}
Shoppers are assigned by a hash of their user id; results compare each variant with the
control with 95% intervals and guardrails. One experiment per kind runs at a time.

options:
  --config FILE
  --data-dir DIR`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { usage: USAGE, allowPositionals: true, options: { config: { type: 'string' }, 'data-dir': { type: 'string' } } });
  const [what, arg] = positionals;
  const config = configFromCli(values, { logLevel: 'warn' });
  const { experiments, close } = openExperiments(config);
  try {
    if (what === 'list') {
      for (const e of experiments.list()) console.log(`${e.id}\t${e.kind}\t${e.status}\t${new Date(e.startedAt).toISOString()}\t${e.variants.map((v) => v.name).join(' vs ')}\t${e.description}`);
      return 0;
    }
    if (what === 'start' && arg) {
      const e = experiments.start(JSON.parse(readFileSync(arg, 'utf8')), Date.now());
      console.log(`started ${e.id}: ${e.variants.map((v) => `${v.name} (weight ${v.weight})`).join(' vs ')}`);
      return 0;
    }
    if (what === 'stop' && arg) {
      console.log(`stopped ${experiments.stop(arg, Date.now()).id}`);
      return 0;
    }
    if (what === 'results' && arg) {
      const e = experiments.get(arg);
      if (!e) throw new Error(`no experiment ${arg}`);
      const { funnel, close: closeFunnel } = await openFunnelReport(config);
      try {
        const events: FunnelEvent[] = [];
        for await (const ev of funnel.query({ types: EXPERIMENT_EVENT_TYPES, fromTs: e.startedAt, ...(e.stoppedAt ? { toTs: e.stoppedAt } : {}) })) events.push(ev);
        const r = experimentResults(e, events);
        const t = r.tables[0]!;
        printTable(t.title, Object.fromEntries(t.rows.map((row) => [String(row[0]), Object.fromEntries(t.columns.slice(1).map((c, i) => [c, Number(row[i + 1] ?? Number.NaN)]))])));
        for (const m of r.metrics) console.log(`${m.label}: ${m.value === null ? '-' : m.value.toFixed(4)}${m.ci95 ? ` (95% CI ${m.ci95[0].toFixed(4)} to ${m.ci95[1].toFixed(4)})` : ''}`);
      } finally {
        await closeFunnel();
      }
      return 0;
    }
    console.error(USAGE);
    return 2;
  } catch (err) {
    console.error(`shopbot experiments: ${isShopbotError(err) || err instanceof Error ? (err as Error).message : String(err)}`);
    return 1;
  } finally {
    close();
  }
}
