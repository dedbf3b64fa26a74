/**
 * The split protocol of the tabular evals (conversion, acceptance, uplift), frozen before any tuning:
 *
 *   report: a row whose line hashes (salt "report:<dataset>") into the lowest 30% of 1000 buckets.
 *           Figures are reported here and nothing is fitted or tuned on it.
 *   valid:  of the other rows, those hashing (salt "valid:<dataset>") into the lowest 20%: early
 *           stopping, hyperparameters, calibration and thresholds are fitted here.
 *   train:  the rest.
 *
 * The rule reads the row's text, not its position, so identical rows (the online shoppers file has
 * some) always land on the same side and cannot leak across. With `--test FILE` (the held-back
 * split), train and report rows of the development file train and the file is reported on.
 * evals/data/<dataset>/report-split.json records the count and a digest of the report rows, and a
 * test checks that the rule still reproduces it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fnv1a, mix } from '../../src/learning/encoder.js';

export type Role = 'train' | 'valid' | 'report';
export const REPORT_PERMILLE = 300;
export const VALID_PERMILLE = 200;

export function roleOf(dataset: string, line: string): Role {
  if (mix(fnv1a(`report:${dataset}`), fnv1a(line)) % 1000 < REPORT_PERMILLE) return 'report';
  return mix(fnv1a(`valid:${dataset}`), fnv1a(line)) % 1000 < VALID_PERMILLE ? 'valid' : 'train';
}

export interface Lined {
  /** The row's CSV line as in the source file (no line break). */
  readonly line: string;
}

export interface Split<T extends Lined> {
  readonly train: T[];
  readonly valid: T[];
  readonly report: T[];
  /** "tuned on X, reported on Y", for table titles. */
  readonly note: string;
  readonly reportName: string;
}

export function splitRows<T extends Lined>(dataset: string, file: string, rows: readonly T[], test?: { file: string; rows: readonly T[] }): Split<T> {
  const train: T[] = [];
  const valid: T[] = [];
  const report: T[] = [];
  for (const r of rows) ({ train, valid, report })[roleOf(dataset, r.line)].push(r);
  if (test) {
    return { train: [...train, ...report], valid, report: [...test.rows], note: `trained on ${path.basename(file)} less its valid rows; tuned on the valid rows; reported on ${test.file}`, reportName: test.file };
  }
  return {
    train,
    valid,
    report,
    note: `trained on the train split, tuned on the valid split, reported on the frozen report split (${REPORT_PERMILLE / 10}% of ${path.basename(file)} by row hash)`,
    reportName: 'report split',
  };
}

/** Digest of the report rows' line numbers (1 = first data row), as recorded in report-split.json. */
export function reportDigest(dataset: string, lines: readonly string[]): { rows: number; report: number; sha256: string } {
  const ids: number[] = [];
  lines.forEach((l, i) => {
    if (roleOf(dataset, l) === 'report') ids.push(i + 1);
  });
  return { rows: lines.length, report: ids.length, sha256: createHash('sha256').update(ids.join(',')).digest('hex') };
}

export interface SplitFiles {
  readonly train: string;
  readonly valid: string;
  readonly report: string;
}

/** Writes the three splits as CSVs with the source header (what the Python peers read). */
export function writeSplitFiles(dir: string, header: string, split: Split<Lined>): SplitFiles {
  mkdirSync(dir, { recursive: true });
  const files = { train: path.join(dir, 'train.csv'), valid: path.join(dir, 'valid.csv'), report: path.join(dir, 'report.csv') };
  for (const k of ['train', 'valid', 'report'] as const) writeFileSync(files[k], [header, ...split[k].map((r) => r.line)].join('\n') + '\n');
  return files;
}
