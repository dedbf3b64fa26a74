/** `shopbot funnel`: stage counts and stage-to-stage conversion per channel and day. */
import { printTable, writeJson, type SideBySide } from '../evals/report.js';
import { openFunnelReport } from '../src/app.js';
import { FUNNEL_STAGES, type StageRow } from '../src/funnel/index.js';
import { configFromCli } from './common.js';
import { z } from 'zod';
import { flag, parseFlags } from './args.js';

export const USAGE = `usage: shopbot funnel [--days N] [--json OUT] [--config FILE] [--data-dir DIR]

Funnel stage counts and stage-to-stage conversion per channel and day, from the funnel log the
config names.

options:
  --days VALUE   (default 30)
  --json OUT
  --config FILE
  --data-dir DIR`;

const DAY_MS = 86_400_000;

export function funnelRows(rows: readonly StageRow[]): SideBySide {
  const out: SideBySide = {};
  for (const r of rows) {
    const m: Record<string, number> = {};
    for (const s of FUNNEL_STAGES) m[s] = r.counts[s] ?? 0;
    for (let i = 1; i < FUNNEL_STAGES.length; i++) {
      const from = m[FUNNEL_STAGES[i - 1]!]!;
      m[`${FUNNEL_STAGES[i - 1]}->${FUNNEL_STAGES[i]}`] = from > 0 ? m[FUNNEL_STAGES[i]!]! / from : 0;
    }
    m.revenue = r.revenueCents / 100;
    out[`${r.day} ${r.channel}`] = m;
  }
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: { days: { type: 'string', default: '30' }, json: { type: 'string' }, config: { type: 'string' }, 'data-dir': { type: 'string' } } });
  const days = flag('days', z.coerce.number().int().min(1).max(3650), values.days);
  const config = configFromCli(values);
  // The log the config names: the server's SQLite file, or PostgreSQL when the funnel lives there.
  const report = await openFunnelReport(config);
  try {
    const rows = await report.funnel.stages({ fromTs: Date.now() - days * DAY_MS });
    const table = funnelRows(rows);
    if (Object.keys(table).length === 0) console.log(`no funnel events in the last ${days} days (${config.storage.backend === 'postgres' ? 'PostgreSQL funnel log' : `data dir ${config.dataDir}`})`);
    else printTable(`Funnel, last ${days} days`, table, undefined, 'day channel');
    writeJson(values.json, table);
  } finally {
    await report.close();
  }
  return 0;
}
