/**
 * The retrieval stage's public surface: types, the lexical and dense indexes, filters, the
 * catalog vocabulary, the indexer and the hybrid retriever, and `openRetrieval`, the one factory
 * the composition root calls.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CatalogStore, Product } from '../catalog/index.js';
import type { Config } from '../config.js';
import { isShopbotError, ShopbotError } from '../errors.js';
import { openTextEncoder, productPassage } from '../models/index.js';
import type { SqliteDb } from '../storage/index.js';
import { HashingTextEncoder, type TextEncoder } from './hashing-encoder.js';
import { buildDenseAndHybridSystems, createHybridRetriever, DEFAULT_FUSION, type Fusion, type RankedIdsSystem, type RetrievalHealth, type Retriever } from './hybrid.js';
import { createLexicalIndex as createLexicalIndexImpl } from './lexical.js';
import { createIndexer, embeddingText, type Indexer, type SyncOptions, type SyncSummary } from './indexer.js';
import type { ProductIndex, ProductIndexDeps, RetrievalLog } from './product-index.js';
import type { LexicalIndex } from './types.js';
import { createProductRetriever, type ProductRetriever } from './product-retriever.js';
import { createShopperVocabulary } from './vocabulary.js';
import { loadReranker, rerankerPath, type RerankStage } from './rerank.js';
import { createAnalyzer, type Analyzer, type Stemmer } from '../text/index.js';

export type { SearchFilters, SearchHit, LexicalIndex, LexicalSearchOptions } from './types.js';
export { createLexicalIndex, Bm25LexicalIndex, DEFAULT_BM25, type Bm25Params, type LexicalIndexOptions } from './lexical.js';
export { compileFilters, filterFields, matchesFilters, hasFilters, normalizedFilters, type FieldsPredicate, type FilterFields } from './filters.js';
export { createProductRetriever, type CatalogMentions, type ProductRetriever } from './product-retriever.js';
export { translateQuery } from './glossary.js';
export { createCatalogVocabulary, createShopperVocabulary, type CatalogVocabulary, type VocabularyMatch, type VocabularyExtraction, type VocabularyKind } from './vocabulary.js';
export {
  type ProductIndex,
  type ProductIndexDeps,
  type IndexItem,
  type IndexPayload,
  type VectorQuery,
  type RetrievalLog,
} from './product-index.js';
export { EmbeddedProductIndex, type EmbeddedIndexOptions } from './embedded.js';
export { LearnedReranker, loadReranker, RerankFeaturizer, RERANK_FEATURES, RERANK_SCHEMA, RERANKER_FORMAT, RerankerCheckpointSchema, rerankerPath, type FusedCandidate, type RerankerCheckpoint, type RerankStage } from './rerank.js';
export { CandidateRecorder, RERANK_OFFSET_SCALE, RERANK_PARAMS, rerankTrainSet, trainRerankModel, type RerankGroup } from './rerank-train.js';
export { QdrantProductIndex, toQdrantFilter, pointId, type QdrantIndexOptions } from './qdrant.js';
export { HashingTextEncoder, type TextEncoder } from './hashing-encoder.js';
export { createIndexer, embeddingText, type Indexer, type IndexerDeps, type SyncOptions, type SyncProgress, type SyncSummary } from './indexer.js';
export {
  createHybridRetriever,
  fusedCandidates,
  rrfFuse,
  linearFuse,
  DEFAULT_FUSION,
  type Fusion,
  type Retriever,
  type RetrievalQuery,
  type RetrievalResult,
  type RetrievedHit,
  type RetrievalHealth,
  type HybridRetrieverDeps,
} from './hybrid.js';

export interface RetrievalEncoder {
  readonly encoder: TextEncoder;
  /** Names the vectors (cache and index directory): changes whenever the model's weights change. */
  readonly modelId: string;
  /** The product text this encoder embeds. */
  readonly passageText: (p: Product) => string;
  readonly kind: 'transformer' | 'hashing';
}

type Log = RetrievalLog & { error(obj: object, msg?: string): void };

/**
 * The trained embedding model from models/ when it is there; otherwise the hashing encoder, so
 * a fresh clone without trained weights still has a (weaker) dense side.
 */
export async function openRetrievalEncoder(config: Config, log: Log): Promise<RetrievalEncoder> {
  try {
    return transformerRetrievalEncoder(await openTextEncoder(config.models, log), config.models);
  } catch (err) {
    if (!isShopbotError(err) || err.code !== 'MODEL_MISSING') throw err;
    const encoder = new HashingTextEncoder();
    log.warn({ err: err.message, fallback: encoder.modelId }, 'no embedding model; dense retrieval uses the hashing encoder');
    return { encoder, modelId: encoder.modelId, passageText: embeddingText, kind: 'hashing' };
  }
}

/**
 * Wraps a trained encoder the app already opened (shared with other stages). The model id is a
 * fingerprint of the model files, so retraining invalidates cached vectors and starts a new index.
 */
export function transformerRetrievalEncoder(encoder: TextEncoder, models: Config['models']): RetrievalEncoder {
  const dir = path.resolve(models.dir, models.embedding);
  const onnx = path.join(dir, 'onnx', models.quantized ? 'model_quantized.onnx' : 'model.onnx');
  const h = createHash('sha256');
  for (const f of [path.join(dir, 'config.json'), path.join(dir, 'tokenizer.json'), onnx]) if (existsSync(f)) h.update(readFileSync(f));
  return { encoder, modelId: `${models.embedding}-${h.digest('hex').slice(0, 16)}`, passageText: (p) => productPassage(p), kind: 'transformer' };
}

export interface RetrievalDeps {
  readonly db: SqliteDb;
  readonly catalog: CatalogStore;
  /** The BM25 index the app already built over the catalog. */
  readonly lexical: LexicalIndex;
  readonly log: Log;
  /** Inject to share one encoder with other stages (or in tests); default `openRetrievalEncoder`. */
  readonly encoder?: RetrievalEncoder;
  readonly now?: () => number;
  /** The re-rank stage after fusion, for this encoder (see `openReranker`). */
  readonly rerank?: (encoder: RetrievalEncoder) => RerankStage | undefined;
}

export interface Retrieval {
  readonly retriever: Retriever;
  readonly index: ProductIndex;
  readonly encoder: RetrievalEncoder;
  readonly indexer: Indexer;
  /** Brings the vector index up to date with the catalog (the whole catalog, or `options.ids`). */
  sync(options?: SyncOptions): Promise<SyncSummary>;
  /** Stops the retriever's re-probe, closes (persists) the index and the encoder. */
  close(): Promise<void>;
}

/** The indexer that keeps `index` in sync with the catalog for this encoder. */
function indexerFor(
  config: Config,
  deps: { readonly db: SqliteDb; readonly catalog: CatalogStore; readonly log: Log; readonly now?: () => number },
  encoder: RetrievalEncoder,
  index: ProductIndex,
): Indexer {
  return createIndexer({
    db: deps.db,
    catalog: deps.catalog,
    index,
    encoder: encoder.encoder,
    modelId: encoder.modelId,
    indexKey: indexKey(config, encoder.modelId),
    passageText: encoder.passageText,
    log: deps.log,
    ...(deps.now ? { now: deps.now } : {}),
  });
}

/** Opens the dense side and wires it with the lexical index into the hybrid retriever. */
export async function openRetrieval(config: Config, deps: RetrievalDeps): Promise<Retrieval> {
  const encoder = deps.encoder ?? (await openRetrievalEncoder(config, deps.log));
  const index = await openProductIndex(config, { dim: encoder.encoder.dim, modelId: encoder.modelId, log: deps.log, ...(deps.now ? { now: deps.now } : {}) });
  const indexer = indexerFor(config, deps, encoder, index);
  const rerank = deps.rerank?.(encoder);
  const retriever = createHybridRetriever({
    lexical: deps.lexical,
    dense: { index, encoder: encoder.encoder },
    mode: config.retrieval.mode,
    candidates: config.retrieval.candidates,
    ...(rerank ? { rerank } : {}),
    log: deps.log,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return {
    retriever,
    index,
    encoder,
    indexer,
    sync: (options) => indexer.sync(options),
    async close() {
      await retriever.close();
      await index.close();
      if (!deps.encoder) await encoder.encoder.close();
    },
  };
}

/**
 * For `shopbot ingest`: brings the vector index up to date with the catalog in batches (progress
 * callback, resumable: rerun after an interruption and it continues; unchanged products cost no
 * embedding), then closes what it opened.
 */
export async function indexCatalog(
  config: Config,
  deps: { readonly db: SqliteDb; readonly catalog: CatalogStore; readonly log: Log; readonly encoder?: RetrievalEncoder },
  options: SyncOptions = {},
): Promise<SyncSummary & { readonly modelId: string; readonly encoderKind: RetrievalEncoder['kind'] }> {
  const encoder = deps.encoder ?? (await openRetrievalEncoder(config, deps.log));
  try {
    const index = await openProductIndex(config, { dim: encoder.encoder.dim, modelId: encoder.modelId, log: deps.log });
    try {
      const summary = await indexerFor(config, deps, encoder, index).sync(options);
      return { ...summary, modelId: encoder.modelId, encoderKind: encoder.kind };
    } finally {
      await index.close();
    }
  } finally {
    if (!deps.encoder) await encoder.encoder.close();
  }
}

/**
 * The dense and hybrid systems of `shopbot eval retrieval`, on the same catalog as its BM25:
 * 'dense', 'hybrid' (the shipped fusion, DEFAULT_FUSION), the alternatives it was chosen over and,
 * given a re-rank stage, 'hybrid+rerank' (the shipped fusion followed by it).
 */
export async function retrievalEvalSystems(
  products: readonly Product[],
  depth: number,
  encoder: RetrievalEncoder,
  options: { readonly rerank?: RerankStage } = {},
): Promise<{ systems: Record<string, RankedIdsSystem>; description: string }> {
  const lexical = createLexicalIndexForEval(products);
  // The shipped fusion, and the alternatives it was chosen over.
  const { feedback, ...withoutFeedback } = DEFAULT_FUSION;
  const fusions: Record<string, Fusion> = {
    hybrid: DEFAULT_FUSION,
    ...(feedback ? { 'hybrid-no-feedback': withoutFeedback } : {}),
    ...(DEFAULT_FUSION.kind === 'rrf' ? { 'hybrid-linear': { kind: 'linear', denseWeight: 0.2 } } : { 'hybrid-rrf': { kind: 'rrf', k: 60 } }),
  };
  const reranked: Record<string, { fusion: Fusion; rerank: RerankStage }> = options.rerank ? { 'hybrid+rerank': { fusion: DEFAULT_FUSION, rerank: options.rerank } } : {};
  const systems = await buildDenseAndHybridSystems(products, lexical, encoder.encoder, encoder.passageText, { depth, fusions, reranked });
  const fusion =
    (DEFAULT_FUSION.kind === 'rrf' ? `RRF k=${DEFAULT_FUSION.k}` : `linear, dense weight ${DEFAULT_FUSION.denseWeight}`) +
    (feedback ? `, dense feedback from the top ${feedback.docs} lexical hits at weight ${feedback.weight}` : '');
  return { systems, description: `dense encoder: ${encoder.kind} ${encoder.modelId} (${encoder.encoder.dim}-d); hybrid fusion: ${fusion}` };
}

function createLexicalIndexForEval(products: readonly Product[]): LexicalIndex {
  const lexical = createLexicalIndexImpl();
  lexical.upsert(products);
  return lexical;
}

/**
 * The learned re-ranker from models/reranker when it was trained for this encoder; otherwise none
 * (the fused order ships), said once in the log.
 */
export function openReranker(config: Config, encoder: RetrievalEncoder, product: (id: string) => Product | undefined, log: Log, analyzer?: Analyzer): RerankStage | undefined {
  const file = rerankerPath(config.models.dir);
  const { reranker, reason } = loadReranker(file, encoder.modelId, product, analyzer ? { analyzer } : {});
  if (reranker) log.info({ file, trees: reranker.model.trees.length }, 'retrieval re-ranks the fused candidates with the learned re-ranker');
  else log.warn({ reason }, 'no learned re-ranker: retrieval ships the fused order');
  return reranker;
}

/** Names one index (engine + location + model) in the indexer's state table. */
export function indexKey(config: Config, modelId: string): string {
  const r = config.retrieval;
  return r.backend === 'qdrant' ? `qdrant:${r.qdrantUrl}/${r.qdrantCollection}:${modelId}` : `embedded:${path.resolve(embeddedIndexDir(config.dataDir, modelId) ?? ':memory:')}`;
}

export function embeddedIndexDir(dataDir: string, modelId = 'default'): string | undefined {
  if (dataDir === ':memory:') return undefined;
  return path.join(dataDir, 'vectors', modelId.replace(/[^a-zA-Z0-9._-]/g, '_'));
}

/** Composition-root factory: the engine named by `config.retrieval.backend`. */
export async function openProductIndex(config: Config, deps: ProductIndexDeps): Promise<ProductIndex> {
  const r = config.retrieval;
  if (r.backend === 'qdrant') {
    if (!r.qdrantUrl) throw new ShopbotError('CONFIG_INVALID', 'retrieval.qdrantUrl (QDRANT_URL) is required for the qdrant backend');
    const { QdrantProductIndex } = await import('./qdrant.js');
    return QdrantProductIndex.open({
      url: r.qdrantUrl,
      ...(r.qdrantApiKey ? { apiKey: r.qdrantApiKey } : {}),
      collection: r.qdrantCollection,
      dim: deps.dim,
      ...(deps.log ? { log: deps.log } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    });
  }
  const { EmbeddedProductIndex } = await import('./embedded.js');
  const dir = embeddedIndexDir(config.dataDir, deps.modelId);
  return EmbeddedProductIndex.open({
    dim: deps.dim,
    annThreshold: r.annThreshold,
    ...(r.hnswEfSearch !== undefined ? { hnsw: { efSearch: r.hnswEfSearch } } : {}),
    ...(dir ? { dir } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  });
}

/** Search over the catalog the way a turn asks for it: products for a query, and the catalog terms a message mentions. */
export interface ProductSearch {
  readonly retriever: ProductRetriever;
  /** The dense side: 'off' when retrieval is lexical-only, 'degraded' while its index cannot answer. */
  denseHealth(): RetrievalHealth['dense'];
  close(): Promise<void>;
}

/**
 * BM25 over the products always, vectors too unless `retrieval.mode` is lexical. The vector index
 * is brought up to date with the catalog before serving (unchanged products are cached by content
 * hash, so this is quick after the first start).
 */
export async function openProductSearch(
  config: Config,
  deps: {
    readonly db: SqliteDb;
    readonly catalog: CatalogStore;
    readonly products: readonly Product[];
    readonly log: Log;
    readonly now?: () => number;
    readonly encoder?: RetrievalEncoder;
    /** The app's shared stemmer, for BM25 and the shopper vocabulary. */
    readonly stemmer?: Stemmer;
  },
): Promise<ProductSearch> {
  const lexical = createLexicalIndexImpl(deps.stemmer ? { analyzer: createAnalyzer({ stemmer: deps.stemmer }) } : {});
  lexical.upsert(deps.products);
  const vocabulary = createShopperVocabulary(deps.products, deps.stemmer ? { stemmer: deps.stemmer } : {});
  const { products: _products, stemmer: _stemmer, ...retrievalDeps } = deps;
  const byId = new Map(deps.products.map((p) => [p.id, p]));
  const analyzer = deps.stemmer ? createAnalyzer({ stemmer: deps.stemmer }) : undefined;
  const rerank = (encoder: RetrievalEncoder) => openReranker(config, encoder, (id) => byId.get(id), deps.log, analyzer);
  const retrieval = config.retrieval.mode === 'lexical' ? undefined : await openRetrieval(config, { ...retrievalDeps, lexical, rerank });
  try {
    if (retrieval) {
      const synced = await retrieval.sync();
      deps.log.info({ ...synced, encoder: retrieval.encoder.modelId }, 'vector index up to date');
    }
  } catch (err) {
    await retrieval?.close();
    throw err;
  }
  // Lexical-only apps search through the same retriever (its soft filters, its result shape).
  const search = retrieval?.retriever ?? createHybridRetriever({ lexical, mode: 'lexical' });
  return {
    retriever: createProductRetriever({ retriever: search, vocabulary }),
    denseHealth: () => (retrieval ? retrieval.retriever.health().dense : 'off'),
    close: async () => retrieval?.close(),
  };
}
