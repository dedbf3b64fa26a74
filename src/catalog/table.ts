/**
 * Delimited text (CSV, Merchant Center TSV) as header-keyed rows. Malformed records (a broken
 * quote, a wrong number of cells) become row errors and parsing continues with the next record.
 */
import { parse, type CsvError } from 'csv-parse';
import type { Readable } from 'node:stream';
import { MAX_ROW_CHARS } from './import-row.js';

export type TableRow =
  | { readonly row: number; readonly cells: ReadonlyMap<string, string> }
  | { readonly row: number; readonly error: string };

export interface TableOptions {
  readonly delimiter: string;
  /** Lower-cases header names and strips this prefix (Merchant Center's "g:"). */
  readonly stripPrefix?: string;
}

export async function* readTable(input: Readable, options: TableOptions): AsyncIterable<TableRow | { readonly header: readonly string[] }> {
  const skipped: TableRow[] = [];
  const parser = input.pipe(
    parse({
      delimiter: options.delimiter,
      bom: true,
      info: true,
      relax_quotes: options.delimiter === '\t',
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: MAX_ROW_CHARS,
      on_skip: (err: CsvError | undefined) => {
        skipped.push({ row: Number((err as { lines?: unknown } | undefined)?.lines ?? 0), error: `malformed record: ${err?.message.slice(0, 160) ?? 'unknown'}` });
        return undefined;
      },
    }),
  );
  input.on('error', (err) => parser.destroy(err));
  let header: string[] | undefined;
  for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield* skipped.splice(0);
    const row = rec.info.lines;
    if (!header) {
      header = rec.record.map((h) => {
        const name = h.trim().toLowerCase();
        return options.stripPrefix && name.startsWith(options.stripPrefix) ? name.slice(options.stripPrefix.length) : name;
      });
      yield { header };
      continue;
    }
    if (rec.record.length !== header.length) {
      yield { row, error: `expected ${header.length} cells, found ${rec.record.length}` };
      continue;
    }
    const cells = new Map<string, string>();
    header.forEach((name, i) => cells.set(name, rec.record[i]!));
    yield { row, cells };
  }
  yield* skipped.splice(0);
}
