/**
 * Readers for labelled intent data in the datasets' original formats, and the mapping of their
 * labels onto the store taxonomy (evals/data/intent/label-map.json). Used by the data build, the
 * trainer and `shopbot eval intent`.
 */
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { ShopbotError } from '../errors.js';
import { IntentSchema, type Intent } from './types.js';

/** Longest utterance we accept from a data file; longer rows are a format error, not data. */
const MAX_TEXT = 2000;
const MAX_ROWS = 200_000;

export const IntentExampleSchema = z.object({
  text: z.string().min(1).max(MAX_TEXT),
  intent: IntentSchema,
  lang: z.enum(['en', 'zh']),
  source: z.string().min(1).max(40),
});
export type IntentExample = z.infer<typeof IntentExampleSchema>;

/** A row before mapping: the dataset's own label. */
export interface RawLabelled {
  readonly text: string;
  readonly label: string;
}

export const DATASET_FORMATS = ['bitext', 'clinc150', 'banking77'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

const DatasetMapSchema = z.object({
  default: IntentSchema.nullable(),
  labels: z.record(z.string().max(100), IntentSchema.nullable()),
});
export const LabelMapSchema = z.object({
  bitext: DatasetMapSchema,
  clinc150: DatasetMapSchema,
  banking77: DatasetMapSchema,
});
export type LabelMap = z.infer<typeof LabelMapSchema>;

export function loadLabelMap(file: string): LabelMap {
  return LabelMapSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** The store intent for a dataset label; null = excluded from training and scoring. */
export function mapLabel(map: LabelMap, format: DatasetFormat, label: string): Intent | null {
  const m = map[format];
  return Object.hasOwn(m.labels, label) ? (m.labels[label] ?? null) : m.default;
}

function csvRecords(file: string): Record<string, string>[] {
  const rows: unknown = parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, relax_column_count: true, bom: true });
  const parsed = z.array(z.record(z.string(), z.string())).max(MAX_ROWS).safeParse(rows);
  if (!parsed.success) throw new ShopbotError('BAD_REQUEST', `${file}: not a CSV with a header row`, { cause: parsed.error });
  return parsed.data;
}

function column(rows: Record<string, string>[], file: string, text: string, label: string): RawLabelled[] {
  if (rows.length > 0 && (!(text in rows[0]!) || !(label in rows[0]!))) {
    throw new ShopbotError('BAD_REQUEST', `${file}: expected columns "${text}" and "${label}"`);
  }
  return rows
    .map((r) => ({ text: (r[text] ?? '').trim().slice(0, MAX_TEXT), label: (r[label] ?? '').trim() }))
    .filter((r) => r.text.length > 0 && r.label.length > 0);
}

/** Bitext CSV: `utterance,intent,...`. */
export function readBitextCsv(file: string): RawLabelled[] {
  return column(csvRecords(file), file, 'utterance', 'intent');
}

/** BANKING77 CSV: `text,category`. */
export function readBanking77Csv(file: string): RawLabelled[] {
  return column(csvRecords(file), file, 'text', 'category');
}

/** Generic CSV `text,intent`, labels already in the store taxonomy. */
export function readGenericCsv(file: string): RawLabelled[] {
  return column(csvRecords(file), file, 'text', 'intent');
}

const ClincSchema = z.record(z.string(), z.array(z.tuple([z.string().max(MAX_TEXT), z.string().max(100)])).max(MAX_ROWS));

/** CLINC150 data_full.json format: `{ split: [[text, intent], ...] }`; `oos_*` splits carry label `oos`. */
export function readClincJson(file: string, splits: readonly string[]): RawLabelled[] {
  const data = ClincSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const out: RawLabelled[] = [];
  for (const split of splits) {
    const rows = data[split];
    if (!rows) throw new ShopbotError('BAD_REQUEST', `${file}: no split "${split}" (has ${Object.keys(data).join(', ')})`);
    for (const [text, label] of rows) out.push({ text, label });
  }
  return out;
}

/** Our own train/dev files: one IntentExample per line. */
export function readJsonl(file: string): IntentExample[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim().length > 0);
  if (lines.length > MAX_ROWS) throw new ShopbotError('BAD_REQUEST', `${file}: more than ${MAX_ROWS} rows`);
  return lines.map((line, i) => {
    const parsed = IntentExampleSchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new ShopbotError('BAD_REQUEST', `${file}:${i + 1}: invalid example`, { cause: parsed.error });
    return parsed.data;
  });
}
