/**
 * Import a catalog file into the store in batches. The batch loop is the extension point: after
 * each batch is stored, `onBatch` receives the ids whose content changed (for re-embedding and
 * index updates). Duplicate ids within one file are row errors (the first row wins).
 */
import { ShopbotError } from '../errors.js';
import { importCsv } from './csv.js';
import { importEsci } from './esci.js';
import { importGmc } from './gmc.js';
import type { CatalogFormat, ImportRow } from './import-row.js';
import type { Product } from './product.js';
import { openCatalogSource } from './source.js';
import type { CatalogStore } from './types.js';
import type { Readable } from 'node:stream';

export const IMPORTERS: Readonly<Record<CatalogFormat, (input: Readable) => AsyncIterable<ImportRow>>> = {
  esci: importEsci,
  csv: importCsv,
  gmc: importGmc,
};

export interface IngestProgress {
  readonly rows: number;
  readonly bytesRead: number;
  readonly totalBytes: number;
}

export interface RowError {
  readonly row: number;
  readonly error: string;
}

export interface IngestOptions {
  readonly batchSize?: number;
  readonly onProgress?: (progress: IngestProgress) => void;
  readonly onBatch?: (changedIds: readonly string[], products: readonly Product[]) => Promise<void> | void;
  /** How many row errors to keep in the summary (all are counted). */
  readonly maxErrors?: number;
  readonly signal?: AbortSignal;
}

export interface IngestSummary {
  readonly rows: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly badRows: number;
  readonly errors: readonly RowError[];
  readonly changedIds: number;
}

export async function ingestFile(file: string, format: CatalogFormat, store: CatalogStore, options: IngestOptions = {}): Promise<IngestSummary> {
  const importer = IMPORTERS[format];
  if (!importer) throw new ShopbotError('BAD_REQUEST', `unknown catalog format "${String(format)}"`);
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 500, 10_000));
  const maxErrors = options.maxErrors ?? 1000;
  const source = await openCatalogSource(file);
  const seen = new Map<string, number>();
  const errors: RowError[] = [];
  let rows = 0;
  let badRows = 0;
  let inserted = 0;
  let updated = 0;
  let unchanged = 0;
  let changedIds = 0;
  let batch: Product[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const products = batch;
    batch = [];
    const r = await store.upsert(products);
    inserted += r.inserted;
    updated += r.updated;
    unchanged += r.unchanged;
    changedIds += r.changedIds.length;
    await options.onBatch?.(r.changedIds, products);
  };
  const fail = (e: RowError) => {
    badRows++;
    if (errors.length < maxErrors) errors.push(e);
  };

  try {
    for await (const item of importer(source.stream)) {
      options.signal?.throwIfAborted();
      rows++;
      if ('error' in item) {
        fail(item);
      } else {
        const first = seen.get(item.product.id);
        if (first !== undefined) {
          fail({ row: item.row, error: `duplicate id "${item.product.id}" (first at row ${first})` });
        } else {
          seen.set(item.product.id, item.row);
          batch.push(item.product);
          if (batch.length >= batchSize) await flush();
        }
      }
      if (rows % 256 === 0) options.onProgress?.({ rows, bytesRead: source.bytesRead(), totalBytes: source.totalBytes });
    }
    await flush();
  } finally {
    source.stream.destroy();
  }
  options.onProgress?.({ rows, bytesRead: source.totalBytes, totalBytes: source.totalBytes });
  return { rows, inserted, updated, unchanged, badRows, errors, changedIds };
}
