/**
 * `shopbot ingest <file> --format esci|csv|gmc [--data-dir DIR] [--batch-size N]`: imports a catalog
 * file into the embedded SQLite catalog and prints what changed and which rows were refused.
 * Exits 1 when no row could be imported.
 */
import { SingleBar, Presets } from 'cli-progress';
import { z } from 'zod';
import { openCatalogImport } from '../src/app.js';
import { CATALOG_FORMATS, type IngestSummary } from '../src/catalog/index.js';
import { loadConfig } from '../src/config.js';
import { ShopbotError } from '../src/errors.js';
import { parseFlags, UsageError } from './args.js';

export const USAGE = `usage: shopbot ingest <file> --format esci|csv|gmc [--data-dir DIR] [--batch-size N]

imports a catalog file into the embedded SQLite catalog and prints what changed and which rows
were refused. Exits 1 when no row could be imported.

options:
  --format VALUE
  --data-dir DIR
  --config FILE
  --batch-size VALUE
  --no-embed`;

const ArgsSchema = z.object({
  file: z.string().min(1).max(4096),
  format: z.enum(CATALOG_FORMATS),
  dataDir: z.string().min(1).max(4096).optional(),
  config: z.string().min(1).max(4096).optional(),
  batchSize: z.coerce.number().int().min(1).max(10_000).default(500),
});

/** Files smaller than this import in well under a second: no progress bar. */
const PROGRESS_MIN_BYTES = 1024 * 1024;
const SHOWN_ERRORS = 20;

export function formatSummary(s: IngestSummary, elapsedMs: number): string {
  const lines = [
    `rows read: ${s.rows}  inserted: ${s.inserted}  updated: ${s.updated}  unchanged: ${s.unchanged}  bad rows: ${s.badRows}  (${(elapsedMs / 1000).toFixed(2)} s)`,
  ];
  if (s.badRows > 0) {
    lines.push(`bad rows (first ${Math.min(SHOWN_ERRORS, s.errors.length)} of ${s.badRows}):`);
    for (const e of s.errors.slice(0, SHOWN_ERRORS)) lines.push(`  row ${e.row}: ${e.error}`);
  }
  return lines.join('\n');
}

export async function run(argv: string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    usage: USAGE,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      'batch-size': { type: 'string' },
      'no-embed': { type: 'boolean', default: false },
    },
  });
  const parsed = ArgsSchema.safeParse({
    file: positionals[0],
    format: values.format,
    dataDir: values['data-dir'],
    config: values.config,
    batchSize: values['batch-size'],
  });
  if (!parsed.success || positionals.length !== 1) {
    const flagOf = (key: PropertyKey | undefined) => (key === 'file' ? '<file>' : `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    const why = parsed.success ? 'expected exactly one file' : parsed.error.issues.map((i) => `${flagOf(i.path[0])}: ${i.message}`).join('; ');
    throw new UsageError(why);
  }
  const args = parsed.data;
  const config = loadConfig({ env, file: args.config, overrides: args.dataDir ? { dataDir: args.dataDir } : {} });
  const log = { info() {}, warn: (o: object, m?: string) => console.error(m ?? '', o), error: (o: object, m?: string) => console.error(m ?? '', o) };
  const catalog = await openCatalogImport(config, log);
  const started = performance.now();
  let bar: SingleBar | undefined;
  try {
    const summary = await catalog.ingest(args.file, args.format, {
      batchSize: args.batchSize,
      onProgress: (p) => {
        if (!bar && p.totalBytes >= PROGRESS_MIN_BYTES && process.stderr.isTTY) {
          bar = new SingleBar({ stream: process.stderr, format: 'ingest [{bar}] {percentage}% | {rows} rows | {eta}s' }, Presets.shades_classic);
          bar.start(p.totalBytes, 0, { rows: 0 });
        }
        bar?.update(p.bytesRead, { rows: p.rows });
      },
    });
    bar?.stop();
    bar = undefined;
    console.log(`catalog ${args.file} (${args.format}) -> ${config.dataDir}`);
    console.log(formatSummary(summary, performance.now() - started));
    console.log(`products in catalog: ${await catalog.count()}`);
    if (!values['no-embed']) await embedCatalog(catalog);
    return summary.rows > 0 && summary.badRows === summary.rows ? 1 : 0;
  } finally {
    bar?.stop();
    await catalog.close();
  }
}

/**
 * Brings the vector index up to date (issue 4): embeds new and changed products in batches with a
 * progress bar; unchanged products cost nothing, and Ctrl-C stops at a checkpoint so a rerun resumes.
 */
async function embedCatalog(catalog: Awaited<ReturnType<typeof openCatalogImport>>): Promise<void> {
  const abort = new AbortController();
  const onSigint = () => abort.abort(new ShopbotError('INTERNAL', 'interrupted: run shopbot ingest again to resume embedding'));
  process.once('SIGINT', onSigint);
  let bar: SingleBar | undefined;
  try {
    const s = await catalog.index({
      signal: abort.signal,
      onProgress: (p) => {
        if (!bar && process.stderr.isTTY) {
          bar = new SingleBar({ stream: process.stderr, format: 'embed  [{bar}] {percentage}% | {value}/{total} | embedded {embedded} cached {cached} | {eta}s' }, Presets.shades_classic);
          bar.start(p.total, 0, { embedded: 0, cached: 0 });
        }
        bar?.update(p.done, { embedded: p.embedded, cached: p.cached });
      },
    });
    bar?.stop();
    bar = undefined;
    console.log(`vector index (${s.encoderKind} ${s.modelId}): embedded ${s.embedded}, reused ${s.cached} cached vectors, ${s.unchanged} unchanged, ${s.deleted} removed`);
  } finally {
    bar?.stop();
    process.off('SIGINT', onSigint);
  }
}
