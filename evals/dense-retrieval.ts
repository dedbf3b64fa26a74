/**
 * `shopbot eval dense-retrieval --queries FILE --judgments FILE [--catalog FILE] [--models DIR] [--fp32] [--json OUT]`
 *
 * The shipped embedding model as a retriever on its own (exact cosine search over every product
 * passage) beside BM25, on the ESCI query set and judgements in their original formats: NDCG@10,
 * Recall@100 and the rest of `evaluateSystem`'s metrics. Hybrid fusion is measured by
 * `shopbot eval retrieval`, which owns the production retriever.
 */
import { loadConfig } from '../src/config.js';
import { ShopbotError } from '../src/errors.js';
import { openTextEncoder, productPassage, type TextEncoder } from '../src/models/index.js';
import type { Product } from '../src/catalog/index.js';
import { printTable, requireFile, writeJson, type SideBySide } from './report.js';
import { bm25System, DEPTH, evaluateSystem, loadCatalog, loadJudgedQueries, type RetrievalSystem } from './retrieval.js';
import { parseFlags } from '../cli/args.js';

export const USAGE = `usage: shopbot eval dense-retrieval --queries FILE --judgments FILE [--catalog FILE] [--models DIR] [--fp32] [--json OUT]

The shipped embedding model as a retriever on its own (exact cosine search over every product
passage) beside BM25, on the ESCI query set and judgements in their original formats: NDCG@10,
Recall@100 and the rest of 'evaluateSystem''s metrics. Hybrid fusion is measured by 'shopbot
eval retrieval', which owns the production retriever.

options:
  --queries FILE
  --judgments FILE
  --catalog FILE   (default evals/data/esci/ubi_ecommerce_products.json.gz)
  --models DIR   (default models)
  --fp32
  --threads VALUE   (default 2)
  --json OUT`;

const log = { info: () => {}, warn: (o: unknown, m?: string) => console.error(m ?? '', o), error: (o: unknown, m?: string) => console.error(m ?? '', o) };

/** Top-k by dot product over unit vectors (cosine); pure, so it is unit-tested. */
export function topK(query: Float32Array, docs: readonly Float32Array[], k: number): number[] {
  const scores = docs.map((d, i) => {
    let s = 0;
    for (let j = 0; j < d.length; j++) s += d[j]! * query[j]!;
    return [s, i] as const;
  });
  scores.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return scores.slice(0, k).map(([, i]) => i);
}

export async function denseSystem(encoder: TextEncoder, products: readonly Product[]): Promise<RetrievalSystem> {
  const vectors = await encoder.embed(products.map((p) => productPassage(p)), { kind: 'passage' });
  return async (query) => {
    const [q] = await encoder.embed([query], { kind: 'query' });
    return topK(q!, vectors, DEPTH).map((i) => products[i]!.id);
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      queries: { type: 'string' },
      judgments: { type: 'string' },
      catalog: { type: 'string', default: 'evals/data/esci/ubi_ecommerce_products.json.gz' },
      models: { type: 'string', default: 'models' },
      fp32: { type: 'boolean', default: false },
      threads: { type: 'string', default: '2' },
      json: { type: 'string' },
    },
  });
  const { judged } = loadJudgedQueries(requireFile(values.queries, '--queries'), requireFile(values.judgments, '--judgments'));
  const { products } = await loadCatalog(requireFile(values.catalog, '--catalog'), 'esci');
  if (judged.length === 0 || products.length === 0) throw new ShopbotError('INPUT_MISSING', 'no judged queries or no products');
  const models = loadConfig({ overrides: { models: { dir: values.models, quantized: !values.fp32, threads: values.threads } } }).models;
  const encoder = await openTextEncoder(models, log);
  try {
    const started = Date.now();
    const dense = await denseSystem(encoder, products);
    console.log(`embedded ${products.length} product passages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const rows: SideBySide = {};
    const systems: Record<string, RetrievalSystem> = { bm25: bm25System(products), [`dense (${values.fp32 ? 'fp32' : 'int8'})`]: dense };
    for (const [name, system] of Object.entries(systems)) rows[name] = (await evaluateSystem(system, judged)).metrics;
    printTable(`dense vs BM25 on ${judged.length} ESCI queries, ${products.length} products`, rows);
    writeJson(values.json, rows);
  } finally {
    await encoder.close();
  }
  return 0;
}
