/**
 * The frozen report splits, written down: `npx tsx evals/tabular/manifest.ts` writes
 * evals/data/<dataset>/report-split.json (the rule, the row count, the report rows' count and a
 * digest of their row numbers). test/evals/tabular-protocol.test.ts checks the rule still gives them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { reportDigest, REPORT_PERMILLE, VALID_PERMILLE } from './protocol.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SPLIT_DATASETS = {
  shoppers: 'evals/data/online-shoppers/online_shoppers_intention_train.csv',
  coupon: 'evals/data/in-vehicle-coupon/in-vehicle-coupon-recommendation_train.csv',
  hillstrom: 'evals/data/hillstrom/hillstrom_train.csv',
} as const;

export function dataLines(file: string): string[] {
  const recs = parse(readFileSync(file), { columns: true, raw: true, skip_empty_lines: true }) as { raw: string }[];
  return recs.map((r) => r.raw.replace(/\r?\n$/, ''));
}

export function manifest(dataset: keyof typeof SPLIT_DATASETS): Record<string, string | number> {
  const rel = SPLIT_DATASETS[dataset];
  const d = reportDigest(dataset, dataLines(path.join(ROOT, rel)));
  return {
    dataset,
    file: path.basename(rel),
    rule: `a data row is in the report split when mix(fnv1a("report:${dataset}"), fnv1a(line)) % 1000 < ${REPORT_PERMILLE}; of the rest, valid when mix(fnv1a("valid:${dataset}"), fnv1a(line)) % 1000 < ${VALID_PERMILLE}; else train (evals/tabular/protocol.ts)`,
    rows: d.rows,
    reportRows: d.report,
    reportRowNumbersSha256: d.sha256,
  };
}

export function manifestPath(dataset: keyof typeof SPLIT_DATASETS): string {
  return path.join(ROOT, path.dirname(SPLIT_DATASETS[dataset]), 'report-split.json');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const ds of Object.keys(SPLIT_DATASETS) as (keyof typeof SPLIT_DATASETS)[]) {
    writeFileSync(manifestPath(ds), JSON.stringify(manifest(ds), null, 2) + '\n');
    console.log(`wrote ${manifestPath(ds)}`);
  }
}
