/**
 * The frozen split of the ESCI development queries, the same rule as the tabular evals
 * (evals/tabular/protocol.ts) applied to each query's text, frozen before the re-ranker existed:
 *
 *   report: 30% of the 60 development queries. `shopbot eval retrieval` reports here; nothing is
 *           trained or tuned on them (the test in test/evals/retrieval-protocol.test.ts checks the
 *           re-ranker checkpoint and the embedding recipe's inputs).
 *   valid:  20% of the rest: the re-ranker's early stopping and any other choice.
 *   train:  the rest: the re-ranker's training queries.
 *
 * evals/data/esci/report-split.json writes the three lists down. A query that is in none of them
 * (a held-back query set) counts as report, so the eval runs unchanged on the held-back queries.
 * Run `npx tsx evals/retrieval-protocol.ts` to rewrite the file (only ever for a new dev file).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { REPORT_PERMILLE, roleOf, VALID_PERMILLE, type Role } from './tabular/protocol.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ESCI_DEV_QUERIES = 'evals/data/esci/esci_us_queryset_dev.json';
export const ESCI_DEV_JUDGMENTS = 'evals/data/esci/esci_us_judgments_dev.json';
export const ESCI_SPLIT_FILE = path.join(ROOT, 'evals/data/esci/report-split.json');

export const EsciSplitSchema = z.object({
  dataset: z.literal('esci'),
  file: z.string(),
  rule: z.string(),
  train: z.array(z.string()),
  valid: z.array(z.string()),
  report: z.array(z.string()),
});
export type EsciSplit = z.infer<typeof EsciSplitSchema>;

export function devQueryTexts(file = path.join(ROOT, ESCI_DEV_QUERIES)): string[] {
  const parsed = z.object({ querySetQueries: z.array(z.object({ queryText: z.string() })) }).parse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.querySetQueries.map((q) => q.queryText);
}

/** The split the rule gives for the development queries. */
export function esciSplit(queries: readonly string[] = devQueryTexts()): EsciSplit {
  const split: Record<Role, string[]> = { train: [], valid: [], report: [] };
  for (const q of queries) split[roleOf('esci', q)].push(q);
  return {
    dataset: 'esci',
    file: path.basename(ESCI_DEV_QUERIES),
    rule: `a query is in the report split when mix(fnv1a("report:esci"), fnv1a(queryText)) % 1000 < ${REPORT_PERMILLE}; of the rest, valid when mix(fnv1a("valid:esci"), fnv1a(queryText)) % 1000 < ${VALID_PERMILLE}; else train (evals/tabular/protocol.ts). Queries outside this file count as report.`,
    ...split,
  };
}

export function readEsciSplit(file = ESCI_SPLIT_FILE): EsciSplit {
  return EsciSplitSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export const SPLITS = ['report', 'dev', 'train', 'valid', 'all'] as const;
export type SplitName = (typeof SPLITS)[number];

/** The role of a query under the frozen split: train or valid when listed so, report otherwise. */
export function queryRole(split: EsciSplit, query: string): Role {
  if (split.train.includes(query)) return 'train';
  if (split.valid.includes(query)) return 'valid';
  return 'report';
}

export function inSplit(split: EsciSplit, name: SplitName, query: string): boolean {
  const role = queryRole(split, query);
  return name === 'all' || role === name || (name === 'dev' && role !== 'report');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(ESCI_SPLIT_FILE, JSON.stringify(esciSplit(), null, 2) + '\n');
  console.log(`wrote ${ESCI_SPLIT_FILE}`);
}
