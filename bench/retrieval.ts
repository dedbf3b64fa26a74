/**
 * `shopbot bench retrieval [--sizes 10000,50000] [--ef 96,200,400] [--dim D] [--queries N] [--noise S] [--skip-python] [--json OUT]`
 *
 * Vector search at scale, side by side on the same vectors in one run: the embedded engine's exact
 * scan and its HNSW graph (hnswlib-node), and Debian's python3-hnswlib and python3-faiss (HNSW and
 * flat) in a child process reading the same float32 files. The vectors are SYNTHETIC: unit vectors
 * drawn around random cluster centres (seeded), of the embedding model's dimension. Recall@10 is
 * measured against the embedded exact scan. Then the retrieval step of a turn (query embedding +
 * dense + BM25 + fusion) on the demo catalog.
 *
 * Queries run one at a time on one thread (a turn's shape); builds are single-threaded on both sides.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ShopbotError } from '../src/errors.js';
import { EmbeddedProductIndex } from '../src/retrieval/embedded.js';
import type { TextEncoder } from '../src/retrieval/hashing-encoder.js';
import { openRetrievalEncoder } from '../src/retrieval/index.js';
import { loadConfig } from '../src/config.js';
import { DEFAULT_HNSW } from '../src/retrieval/hnsw.js';
import { createHybridRetriever } from '../src/retrieval/hybrid.js';
import type { Product } from '../src/catalog/product.js';
import { createLexicalIndex } from '../src/retrieval/lexical.js';
import { filterFields } from '../src/retrieval/index.js';
import { loadCatalog } from '../evals/retrieval.js';
import { printTable, requireFile, writeJson, type Metrics, type SideBySide } from '../evals/report.js';

const ArgsSchema = z.object({
  sizes: z.string().regex(/^\d+(,\d+)*$/).transform((s) => s.split(',').map(Number)),
  ef: z.string().regex(/^\d+(,\d+)*$/).transform((s) => s.split(',').map(Number)),
  dim: z.coerce.number().int().min(8).max(4096).optional(),
  queries: z.coerce.number().int().min(10).max(100_000),
  clusters: z.coerce.number().int().min(1).max(1_000_000),
  noise: z.coerce.number().min(0).max(10),
  faissHnswMax: z.coerce.number().int().min(0),
  seed: z.coerce.number().int(),
  python: z.string().min(1),
  catalog: z.string().min(1),
  queryFile: z.string().min(1),
  json: z.string().optional(),
  skipPython: z.boolean(),
});

/** The project's seeded generator (mulberry32), so the same flags give the same vectors. */
export { createRng as seededRandom } from '../src/maths/index.js';
import { createRng as seededRandom } from '../src/maths/index.js';

/** Box-Muller normal deviates. */
function gaussian(rng: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/**
 * n unit vectors around `clusters` random centres (standard normal per dimension) plus normal
 * noise of standard deviation `sigma` per dimension: sigma 1 makes the noise as long as the
 * centre (heavily overlapping clusters, close to uniform random, the hardest case for HNSW).
 */
export function clusteredVectors(n: number, dim: number, clusters: number, seed: number, sigma: number): Float32Array {
  const rng = seededRandom(seed);
  const g = gaussian(rng);
  const centres = new Float32Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = g();
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng() * clusters) * dim;
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = centres[c + j]! + sigma * g();
      out[i * dim + j] = v;
      norm += v * v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[i * dim + j] = out[i * dim + j]! * inv;
  }
  return out;
}

export { percentile } from './stats.js';
import { percentile } from './stats.js';
import { parseFlags, UsageError } from '../cli/args.js';
import { pythonModules, requirePrerequisites } from '../evals/prerequisites.js';
import { defaultPython } from '../src/models/index.js';

export const USAGE = `usage: shopbot bench retrieval [--sizes 10000,50000] [--ef 96,200,400] [--dim D] [--queries N] [--noise S] [--skip-python] [--json OUT]

Vector search at scale, side by side on the same vectors in one run: the embedded engine's exact
scan and its HNSW graph (hnswlib-node), and Debian's python3-hnswlib and python3-faiss (HNSW and
flat) in a child process reading the same float32 files. The vectors are SYNTHETIC: unit vectors
drawn around random cluster centres (seeded), of the embedding model's dimension. Recall@10 is
measured against the embedded exact scan. Then the retrieval step of a turn (query embedding +
dense + BM25 + fusion) on the demo catalog. Queries run one at a time on one thread (a turn's
shape); builds are single-threaded on both sides.

options:
  --sizes VALUE   (default 10000,50000)
  --dim VALUE
  --ef VALUE   (default 100,200,400)
  --queries N   (default 200)
  --clusters VALUE   (default 256)
  --noise VALUE   (default 0.75)
  --faiss-hnsw-max VALUE   (default 10000)
  --seed VALUE   (default 42)
  --python BIN   (default ${defaultPython()})
  --catalog FILE   (default evals/data/esci/ubi_ecommerce_products.json.gz)
  --query-file FILE   (default evals/data/esci/esci_us_queryset_dev.json)
  --json OUT
  --skip-python`;

export function recallAt(found: readonly (readonly string[])[], truth: readonly (readonly string[])[], k: number): number {
  let hits = 0;
  found.forEach((f, i) => {
    const t = new Set(truth[i]!.slice(0, k));
    hits += f.slice(0, k).filter((id) => t.has(id)).length;
  });
  return hits / (k * truth.length);
}

const memMb = () => {
  const m = process.memoryUsage();
  return m.rss / 2 ** 20;
};

/** Wall-clock latency per query, plus CPU time per query (this process), which a shared, loaded machine inflates far less. */
async function timedSearches(index: EmbeddedProductIndex, queries: Float32Array, dim: number, k: number): Promise<{ lat: number[]; cpuMs: number; found: string[][] }> {
  const lat: number[] = [];
  const found: string[][] = [];
  const nq = queries.length / dim;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < nq; i++) {
    const q = queries.subarray(i * dim, (i + 1) * dim);
    const t = performance.now();
    const hits = await index.search({ vector: q, k });
    lat.push(performance.now() - t);
    found.push(hits.map((h) => h.id));
  }
  const cpu = process.cpuUsage(cpu0);
  return { lat, cpuMs: (cpu.user + cpu.system) / 1000 / nq, found };
}

async function buildIndex(base: Float32Array, dim: number, annThreshold: number): Promise<{ index: EmbeddedProductIndex; buildS: number; buildCpuS: number; memoryMb: number }> {
  const before = memMb();
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const index = await EmbeddedProductIndex.open({ dim, annThreshold });
  const n = base.length / dim;
  for (let i = 0; i < n; i += 10_000) {
    const items = [];
    for (let j = i; j < Math.min(n, i + 10_000); j++) items.push({ id: String(j), vector: base.subarray(j * dim, (j + 1) * dim), payload: {} });
    await index.upsert(items);
  }
  const cpu = process.cpuUsage(cpu0);
  return { index, buildS: (performance.now() - t) / 1000, buildCpuS: (cpu.user + cpu.system) / 1e6, memoryMb: memMb() - before };
}

async function scaleRun(n: number, args: z.infer<typeof ArgsSchema>, dim: number, rows: SideBySide): Promise<void> {
  const k = 10;
  const t0 = performance.now();
  // Same seed for the centres' stream start: queries are drawn around the same centres as the base.
  const base = clusteredVectors(n, dim, Math.min(args.clusters, n), args.seed, args.noise);
  const queries = clusteredVectors(n + args.queries, dim, Math.min(args.clusters, n), args.seed, args.noise).subarray(n * dim);
  console.error(`[${n}] generated ${n} x ${dim} vectors in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const exact = await buildIndex(base, dim, Number.MAX_SAFE_INTEGER);
  const ex = await timedSearches(exact.index, queries, dim, k);
  rows[`embedded-exact@${n}`] = { build_s: exact.buildS, build_cpu_s: exact.buildCpuS, memory_mb: exact.memoryMb, p50_ms: percentile(ex.lat, 50), p99_ms: percentile(ex.lat, 99), cpu_ms: ex.cpuMs, 'recall@10': 1 };
  await exact.index.close();
  console.error(`[${n}] embedded exact done`);

  // Threshold = n: the graph is built once from all vectors, the way a large catalog crosses it.
  const ann = await buildIndex(base, dim, n);
  if (ann.index.mode !== 'hnsw') throw new ShopbotError('INTERNAL', 'bench: the embedded index did not switch to HNSW');
  // One graph, several query-time candidate list sizes: the recall/latency trade-off without a rebuild.
  for (const ef of args.ef) {
    ann.index.setEfSearch(ef);
    const hn = await timedSearches(ann.index, queries, dim, k);
    rows[`embedded-hnsw-ef${ef}@${n}`] = { build_s: ann.buildS, build_cpu_s: ann.buildCpuS, memory_mb: ann.memoryMb, p50_ms: percentile(hn.lat, 50), p99_ms: percentile(hn.lat, 99), cpu_ms: hn.cpuMs, 'recall@10': recallAt(hn.found, ex.found, k) };
  }
  await ann.index.close();
  console.error(`[${n}] embedded hnsw done`);

  if (args.skipPython) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-bench-'));
  try {
    const f = (name: string, a: Float32Array | Int32Array) => {
      const file = path.join(dir, name);
      writeFileSync(file, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      return file;
    };
    const truth = Int32Array.from(ex.found.flatMap((ids) => ids.map(Number)));
    const py = spawnSync(
      args.python,
      [
        path.join(import.meta.dirname, 'retrieval-ann.py'),
        '--base', f('base.f32', base),
        '--queries', f('queries.f32', queries),
        '--truth', f('truth.i32', truth),
        '--dim', String(dim),
        '--k', String(k),
        '--m', String(DEFAULT_HNSW.m),
        '--ef-construction', String(DEFAULT_HNSW.efConstruction),
        '--ef', args.ef.join(','),
        '--systems', n <= args.faissHnswMax ? 'hnswlib,faiss-hnsw,faiss-flat' : 'hnswlib,faiss-flat',
      ],
      { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 },
    );
    if (py.status !== 0) throw new ShopbotError('INTERNAL', `bench: ${args.python} bench/retrieval-ann.py failed: ${py.stderr || py.error?.message}`);
    const result = z.record(z.string(), z.record(z.string(), z.number())).parse(JSON.parse(py.stdout));
    for (const [system, metrics] of Object.entries(result)) rows[`${system}@${n}`] = metrics;
    console.error(`[${n}] python done`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The retrieval step of a turn on the demo catalog: query embedding + dense + BM25 + fusion. */
async function turnStep(args: z.infer<typeof ArgsSchema>, encoder: TextEncoder, passageText: (p: Product) => string, annThreshold: number): Promise<Metrics> {
  const { products } = await loadCatalog(args.catalog, 'esci');
  const queryTexts = (JSON.parse((await import('node:fs')).readFileSync(args.queryFile, 'utf8')) as { querySetQueries: { queryText: string }[] }).querySetQueries.map((q) => q.queryText);
  const lexical = createLexicalIndex();
  lexical.upsert(products);
  const index = await EmbeddedProductIndex.open({ dim: encoder.dim, annThreshold });
  for (let i = 0; i < products.length; i += 256) {
    const slice = products.slice(i, i + 256);
    const vectors = await encoder.embed(slice.map(passageText), { kind: 'passage' });
    await index.upsert(slice.map((p, j) => ({ id: p.id, vector: vectors[j]!, payload: filterFields(p) })));
  }
  const retriever = createHybridRetriever({ lexical, dense: { index, encoder } });
  const lat: number[] = [];
  const filtered: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let rep = 0; rep < 5; rep++) {
    for (const text of queryTexts) {
      let t = performance.now();
      await retriever.search({ text, k: 10 });
      lat.push(performance.now() - t);
      t = performance.now();
      await retriever.search({ text, k: 10, filters: FILTERS });
      filtered.push(performance.now() - t);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  // Where the time goes, one stage at a time (same queries, plain and filtered).
  const stage: Record<string, number[]> = { embed: [], dense: [], dense_filtered: [], lexical: [], lexical_filtered: [] };
  for (const text of queryTexts) {
    let t = performance.now();
    const [v] = await encoder.embed([text], { kind: 'query' });
    stage.embed!.push(performance.now() - t);
    for (const filters of [undefined, FILTERS]) {
      const suffix = filters ? '_filtered' : '';
      t = performance.now();
      await index.search({ vector: v!, k: 100, ...(filters ? { filters } : {}) });
      stage[`dense${suffix}`]!.push(performance.now() - t);
      t = performance.now();
      lexical.search(text, { k: 100, ...(filters ? { filters } : {}) });
      stage[`lexical${suffix}`]!.push(performance.now() - t);
    }
  }
  await retriever.close();
  await index.close();
  return {
    cpu_ms: (cpu.user + cpu.system) / 1000 / (lat.length + filtered.length),
    products: products.length,
    queries: lat.length,
    p50_ms: percentile(lat, 50),
    p99_ms: percentile(lat, 99),
    filtered_p50_ms: percentile(filtered, 50),
    filtered_p99_ms: percentile(filtered, 99),
    ...Object.fromEntries(Object.entries(stage).map(([name, ms]) => [`${name}_p50_ms`, percentile(ms, 50)])),
  };
}

const FILTERS = { priceMaxCents: 5000, inStockOnly: true, excludeTerms: ['used'] } as const;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      // 100k takes ~10 min of HNSW builds on 2 loaded shared cores: pass --sizes 10000,100000[,1000000] for the large runs.
      sizes: { type: 'string', default: '10000,50000' },
      dim: { type: 'string' },
      // HNSW query-time candidate list sizes to measure on each graph (200 is the shipped default).
      ef: { type: 'string', default: '100,200,400' },
      queries: { type: 'string', default: '200' },
      clusters: { type: 'string', default: '256' },
      noise: { type: 'string', default: '0.75' },
      // faiss 1.7.3's HNSW builds several times slower than hnswlib single-threaded: only up to here by default.
      'faiss-hnsw-max': { type: 'string', default: '10000' },
      seed: { type: 'string', default: '42' },
      python: { type: 'string', default: defaultPython() },
      catalog: { type: 'string', default: 'evals/data/esci/ubi_ecommerce_products.json.gz' },
      'query-file': { type: 'string', default: 'evals/data/esci/esci_us_queryset_dev.json' },
      json: { type: 'string' },
      'skip-python': { type: 'boolean', default: false },
    },
  });
  const parsed = ArgsSchema.safeParse({ ...values, queryFile: values['query-file'], skipPython: values['skip-python'], faissHnswMax: values['faiss-hnsw-max'] });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  const args = parsed.data;
  if (!args.skipPython) {
    requirePrerequisites('shopbot bench retrieval', [pythonModules(args.python, ['numpy', 'hnswlib', 'faiss'], 'apt-get install -y python3-numpy python3-hnswlib python3-faiss (or --skip-python)')]);
  }
  requireFile(args.catalog, '--catalog');
  requireFile(args.queryFile, '--query-file');

  // The trained embedding model when models/ has one (its dimension sizes the synthetic vectors), else the hashing encoder.
  const quiet = { info() {}, warn() {}, error() {} };
  const opened = await openRetrievalEncoder(loadConfig({ env: process.env }), quiet);
  const encoder: TextEncoder = opened.encoder;
  const dim = args.dim ?? encoder.dim;
  console.log(
    `machine: ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n` +
      `encoder: ${opened.kind} ${opened.modelId}\n` +
      `vectors: SYNTHETIC clustered unit vectors (${args.clusters} clusters, noise sigma ${args.noise}, seed ${args.seed}), dim ${dim} (the embedding model's), ` +
      `${args.queries} queries, k=10, HNSW M=${DEFAULT_HNSW.m} efConstruction=${DEFAULT_HNSW.efConstruction} efSearch ${args.ef.join('/')} (shipped default ${DEFAULT_HNSW.efSearch}), one query at a time on one thread; ` +
      `python3-faiss HNSW up to ${args.faissHnswMax} vectors\n` +
      `load average now: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (wall-clock latencies on a shared machine; cpu_ms = CPU time per query)`,
  );
  const rows: SideBySide = {};
  for (const n of args.sizes) await scaleRun(n, args, dim, rows);
  printTable('vector search (recall@10 against the embedded exact scan; memory = RSS growth while building)', rows, ['build_s', 'build_cpu_s', 'memory_mb', 'p50_ms', 'p99_ms', 'cpu_ms', 'recall@10']);

  // Exact at the default threshold (the demo catalog is below it), and HNSW as a lower threshold would give.
  const steps: SideBySide = {
    'turn-retrieval-exact': await turnStep(args, encoder, opened.passageText, 20_000),
    'turn-retrieval-hnsw': await turnStep(args, encoder, opened.passageText, 1),
  };
  printTable(`retrieval step of a turn on the demo catalog (hybrid: query embedding + dense + BM25 + fusion, ${encoder.dim}-d ${opened.kind} encoder ${opened.modelId}; plain and with price/stock/negation filters)`, steps);
  writeJson(args.json, { ...rows, ...steps });
  await encoder.close();
  return 0;
}
