/**
 * Shared output for every eval and bench: a table on stdout and, with --json OUT, an object whose
 * keys are metric names and values numbers ({ system: { metric: number } } for side-by-side runs).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ShopbotError } from '../src/errors.js';

export type Metrics = Record<string, number>;
export type SideBySide = Record<string, Metrics>;

function fmt(v: number | string | undefined): string {
  if (v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4);
}

/** Prints rows (systems) by columns (metrics). */
/** The model logger an eval opens models with: info dropped, warnings and errors to stderr (stdout is the table). */
export const quietModelLog = { info: () => {}, warn: (o: unknown, m?: string) => console.error(m ?? '', o), error: (o: unknown, m?: string) => console.error(m ?? '', o) };

export function printTable(title: string, rows: SideBySide, columns?: string[], rowLabel = 'system'): void {
  const cols = columns ?? [...new Set(Object.values(rows).flatMap((m) => Object.keys(m)))];
  const header = [rowLabel, ...cols];
  const body = Object.entries(rows).map(([name, m]) => [name, ...cols.map((c) => fmt(m[c]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of body) console.log(line(r));
}

export function writeJson(file: string | undefined, value: Metrics | SideBySide): void {
  if (!file) return;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
  console.log(`wrote ${file}`);
}

/** Evals exit non-zero on a missing input: a broken eval must never look like a passing one. */
export function requireFile(file: string | undefined, flag: string): string {
  if (!file) throw new ShopbotError('INPUT_MISSING', `missing ${flag} FILE`);
  if (!existsSync(file)) throw new ShopbotError('INPUT_MISSING', `${flag}: no such file: ${file}`);
  return file;
}
