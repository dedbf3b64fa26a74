/**
 * `shopbot eval retrieval --queries FILE --judgments FILE [--catalog FILE --format esci] [--json OUT]`
 *
 * Search quality on a query set with graded judgements, in the ESCI/OpenSearch formats as shipped
 * (`querySetQueries[].queryText`; `judgmentRatings[].ratings[] { docId, rating: "100.000" }`).
 * Metrics per system, mean over queries: NDCG@10 (gains = the rating values), Recall@10 and
 * Recall@100 and MRR (relevant = Exact, rating 100), plus a seeded bootstrap 95% CI of NDCG@10.
 * The catalog is imported and indexed in memory. Systems are named functions from a query to
 * ranked ids, so other retrievers (dense, hybrid) run side by side on the same data.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CATALOG_FORMATS, IMPORTERS, openCatalogSource, type CatalogFormat, type Product } from '../src/catalog/index.js';
import { ShopbotError } from '../src/errors.js';
import { newSearch, searchConstraints } from '../src/dialogue/policy.js';
import { detectLang, extractEntities, understand } from '../src/nlu/index.js';
import { createLexicalIndex } from '../src/retrieval/lexical.js';
import { createHybridRetriever, type QueryConstraints } from '../src/retrieval/hybrid.js';
import { createShopperVocabulary } from '../src/retrieval/vocabulary.js';
import { loadConfig } from '../src/config.js';
import { openRetrievalEncoder, retrievalEvalSystems } from '../src/retrieval/index.js';
import { bootstrapMeanCi, mean, ndcgAtK, recallAtK, reciprocalRank, seededRng } from './metrics/ranking.js';
import { printTable, requireFile, writeJson, type SideBySide } from './report.js';
import { flag, parseFlags } from '../cli/args.js';

export const USAGE = `usage: shopbot eval retrieval --queries FILE --judgments FILE [--catalog FILE --format esci] [--json OUT]

Search quality on a query set with graded judgements, in the ESCI/OpenSearch formats as shipped
('querySetQueries[].queryText'; 'judgmentRatings[].ratings[] { docId, rating: "100.000" }').
Metrics per system, mean over queries: NDCG@10 (gains = the rating values), Recall@10 and
Recall@100 and MRR (relevant = Exact, rating 100), plus a seeded bootstrap 95% CI of NDCG@10.
The catalog is imported and indexed in memory. Systems are named functions from a query to
ranked ids, so other retrievers (dense, hybrid) run side by side on the same data.

options:
  --queries FILE
  --judgments FILE
  --catalog FILE   (default evals/data/esci/ubi_ecommerce_products.json.gz)
  --format VALUE   (default esci)
  --seed VALUE   (default 42)
  --json OUT`;

/** Maps a query (and the constraints a turn derives from it) to product ids, best first (at least `DEPTH` of them when available). */
export type RetrievalSystem = (query: string, constraints?: QueryConstraints) => readonly string[] | Promise<readonly string[]>;

export interface UnderstoodQuery extends QueryConstraints {
  readonly text: string;
}

/**
 * What a turn searches for when a shopper sends `query` as a first message: the same entity
 * extraction, catalog vocabulary and search-building code (`newSearch`, `searchConstraints`), so
 * negations ("without buckles") and prices ("under $30") become filters, a named brand a soft
 * filter, and they leave the search words. `page` is the result page the brand must fill.
 */
export function shopperQueryUnderstanding(products: readonly Product[], page = 10): (query: string) => UnderstoodQuery {
  const vocabulary = createShopperVocabulary(products);
  return (query) => {
    const lang = detectLang(query);
    const parsed = understand({ lang, intent: 'product_search', confidence: 1, ranking: [], entities: extractEntities(query, { lang }), engine: 'rules' }, query, vocabulary);
    const search = newSearch(parsed);
    return { text: search.query, ...searchConstraints(search, page) };
  };
}

/** `system` behind the query understanding of a turn. */
export function withQueryUnderstanding(system: RetrievalSystem, understand: (query: string) => UnderstoodQuery): RetrievalSystem {
  return (query) => {
    const { text, ...constraints } = understand(query);
    return system(text, constraints);
  };
}

export const DEPTH = 100;
/** The rating that marks an Exact match in the ESCI judgements. */
export const EXACT_RATING = 100;

const QuerySetSchema = z.object({
  querySetQueries: z.array(z.object({ queryText: z.string().min(1).max(2000) })).min(1).max(100_000),
});
const JudgmentsSchema = z.object({
  judgmentRatings: z
    .array(
      z.object({
        query: z.string().min(1).max(2000),
        ratings: z.array(z.object({ docId: z.string().min(1).max(200), rating: z.coerce.number().finite() })).max(100_000),
      }),
    )
    .max(100_000),
});

export interface JudgedQuery {
  readonly query: string;
  /** docId -> gain (the rating value). */
  readonly gains: ReadonlyMap<string, number>;
}

function readJson<T>(file: string, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ShopbotError('BAD_REQUEST', `${what} ${file}: ${(cause as Error).message}`, { cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ShopbotError('BAD_REQUEST', `${what} ${file}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The queries of the query set that have judgements, in query-set order. */
export function loadJudgedQueries(queriesFile: string, judgmentsFile: string): { judged: JudgedQuery[]; unjudged: string[] } {
  const queries = readJson(queriesFile, QuerySetSchema, 'query set');
  const judgments = readJson(judgmentsFile, JudgmentsSchema, 'judgments');
  const byQuery = new Map(judgments.judgmentRatings.map((j) => [j.query, new Map(j.ratings.map((r) => [r.docId, r.rating]))]));
  const judged: JudgedQuery[] = [];
  const unjudged: string[] = [];
  for (const { queryText } of queries.querySetQueries) {
    const gains = byQuery.get(queryText);
    if (gains) judged.push({ query: queryText, gains });
    else unjudged.push(queryText);
  }
  return { judged, unjudged };
}

export async function loadCatalog(file: string, format: CatalogFormat): Promise<{ products: Product[]; badRows: number }> {
  const source = await openCatalogSource(file);
  const products: Product[] = [];
  let badRows = 0;
  for await (const item of IMPORTERS[format](source.stream)) {
    if ('product' in item) products.push(item.product);
    else badRows++;
  }
  return { products, badRows };
}

/** BM25 alone, through the retriever a turn uses (lexical mode), so constraints mean the same. */
export function bm25System(products: readonly Product[]): RetrievalSystem {
  const index = createLexicalIndex();
  index.upsert(products);
  const retriever = createHybridRetriever({ lexical: index, mode: 'lexical' });
  return async (query, constraints) => (await retriever.search({ text: query, k: DEPTH, ...constraints })).hits.map((h) => h.id);
}

export interface SystemReport {
  readonly metrics: Record<string, number>;
  readonly perQueryNdcg10: readonly number[];
  /** Median wall time of one query (single pass, so the first queries include warm-up). */
  readonly medianMsPerQuery: number;
}

export async function evaluateSystem(system: RetrievalSystem, queries: readonly JudgedQuery[], seed = 42): Promise<SystemReport> {
  const ndcg10: number[] = [];
  const recall10: number[] = [];
  const recall100: number[] = [];
  const rr: number[] = [];
  const ms: number[] = [];
  for (const q of queries) {
    const started = performance.now();
    const ranked = await system(q.query);
    ms.push(performance.now() - started);
    const exact = new Set([...q.gains].filter(([, g]) => g >= EXACT_RATING).map(([id]) => id));
    ndcg10.push(ndcgAtK(q.gains, ranked, 10));
    recall10.push(recallAtK(exact, ranked, 10));
    recall100.push(recallAtK(exact, ranked, 100));
    rr.push(reciprocalRank(exact, ranked));
  }
  const ci = bootstrapMeanCi(ndcg10, seededRng(seed), { iterations: 2000 });
  return {
    metrics: {
      'ndcg@10': mean(ndcg10),
      'ndcg@10_ci_low': ci.low,
      'ndcg@10_ci_high': ci.high,
      'recall@10': mean(recall10),
      'recall@100': mean(recall100),
      mrr: mean(rr),
      queries: queries.length,
    },
    perQueryNdcg10: ndcg10,
    medianMsPerQuery: ms.length > 0 ? ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]! : 0,
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      queries: { type: 'string' },
      judgments: { type: 'string' },
      catalog: { type: 'string', default: 'evals/data/esci/ubi_ecommerce_products.json.gz' },
      format: { type: 'string', default: 'esci' },
      seed: { type: 'string', default: '42' },
      json: { type: 'string' },
    },
  });
  const queriesFile = requireFile(values.queries, '--queries');
  const judgmentsFile = requireFile(values.judgments, '--judgments');
  const catalogFile = requireFile(values.catalog, '--catalog');
  const format = flag('format', z.enum(CATALOG_FORMATS), values.format);
  const seed = flag('seed', z.coerce.number().int(), values.seed);

  const { judged, unjudged } = loadJudgedQueries(queriesFile, judgmentsFile);
  if (judged.length === 0) throw new ShopbotError('INPUT_MISSING', 'no query of the query set has judgements');
  if (unjudged.length > 0) console.error(`warning: ${unjudged.length} queries have no judgements and are skipped`);
  const loadStarted = performance.now();
  const { products, badRows } = await loadCatalog(catalogFile, format);
  if (products.length === 0) throw new ShopbotError('INPUT_MISSING', `catalog ${catalogFile}: no product could be read`);
  const indexStarted = performance.now();
  const systems: Record<string, RetrievalSystem> = { bm25: bm25System(products) };
  // Dense and hybrid on the same catalog (issue 4): the trained embedding model, or the hashing fallback without one.
  const encoder = await openRetrievalEncoder(loadConfig({ env: process.env }), { info() {}, warn: (o, m) => console.error(m, o), error: (o, m) => console.error(m, o) });
  const dense = await retrievalEvalSystems(products, DEPTH, encoder);
  Object.assign(systems, dense.systems);
  // The same retrievers behind a turn's query understanding (negations, prices, brands, colors as filters).
  const understand = shopperQueryUnderstanding(products);
  for (const name of ['bm25', 'hybrid']) systems[`${name}+understanding`] = withQueryUnderstanding(systems[name]!, understand);
  console.log(dense.description);
  console.log(
    `catalog: ${products.length} products (${badRows} bad rows), read in ${(indexStarted - loadStarted).toFixed(0)} ms, ` +
      `indexed in ${(performance.now() - indexStarted).toFixed(0)} ms; ${judged.length} judged queries`,
  );

  const rows: SideBySide = {};
  for (const [name, system] of Object.entries(systems)) {
    const report = await evaluateSystem(system, judged, seed);
    rows[name] = report.metrics;
    console.log(`${name}: median ${report.medianMsPerQuery.toFixed(3)} ms per query (top ${DEPTH}, one pass)`);
  }
  printTable(`retrieval on ${judged.length} queries (NDCG@10 with bootstrap 95% CI, seed ${seed})`, rows);
  writeJson(values.json, rows);
  await encoder.encoder.close();
  return 0;
}
