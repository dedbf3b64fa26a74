/**
 * The dense product index: one narrow interface, two engines chosen by config
 * (`retrieval.backend: embedded | qdrant`). Filters are evaluated inside `search` by every engine,
 * on the same small payload, so a filtered search returns k hits whenever k products match.
 */
import { ShopbotError } from '../errors.js';
import type { FilterFields } from './filters.js';
import type { SearchFilters, SearchHit } from './types.js';

/** What a vector index stores beside each vector: the product's filter fields (filters.ts). */
export type IndexPayload = FilterFields;

export interface IndexItem {
  readonly id: string;
  readonly vector: Float32Array;
  readonly payload: IndexPayload;
}

export interface VectorQuery {
  readonly vector: Float32Array;
  readonly k: number;
  readonly filters?: SearchFilters;
}

export interface ProductIndex {
  /** Inserts or replaces by id. Vectors are compared by cosine similarity. */
  upsert(items: readonly IndexItem[]): Promise<void>;
  delete(ids: readonly string[]): Promise<void>;
  /** Best first; `score` is the cosine similarity. */
  search(query: VectorQuery): Promise<SearchHit[]>;
  count(): Promise<number>;
  /**
   * The stored (unit) vectors of these products; ids not in the index are left out. The hybrid
   * retriever reads a few per turn for pseudo-relevance feedback.
   */
  vectors(ids: readonly string[]): Promise<Map<string, Float32Array>>;
  /** Makes everything upserted so far durable (embedded: files in the data dir; Qdrant: a snapshot). */
  snapshot(): Promise<void>;
  close(): Promise<void>;
}

/** pino-compatible subset, so stages log through whatever logger the app hands them. */
export interface RetrievalLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const silentLog: RetrievalLog = { info() {}, warn() {} };

export const MAX_K = 1000;
export const MAX_UPSERT_BATCH = 10_000;
export function checkQuery(q: VectorQuery, dim: number): void {
  if (q.vector.length !== dim) throw new ShopbotError('BAD_REQUEST', `query vector has ${q.vector.length} dimensions, index has ${dim}`);
  if (!Number.isInteger(q.k) || q.k < 1 || q.k > MAX_K) throw new ShopbotError('BAD_REQUEST', `k must be an integer in 1..${MAX_K}, got ${q.k}`);
}

export function checkItems(items: readonly IndexItem[], dim: number): void {
  if (items.length > MAX_UPSERT_BATCH) throw new ShopbotError('BAD_REQUEST', `upsert batch of ${items.length} exceeds ${MAX_UPSERT_BATCH}`);
  for (const item of items) {
    if (typeof item.id !== 'string' || item.id.length === 0 || item.id.length > 200) throw new ShopbotError('BAD_REQUEST', `invalid product id ${JSON.stringify(item.id)}`);
    if (item.vector.length !== dim) throw new ShopbotError('BAD_REQUEST', `vector for ${item.id} has ${item.vector.length} dimensions, index has ${dim}`);
  }
}

export interface ProductIndexDeps {
  /** Dimension of the embedding model's vectors. */
  readonly dim: number;
  /** Names the embedded index directory (one per embedding model, so a model change starts afresh). */
  readonly modelId?: string;
  readonly log?: RetrievalLog;
  /** Injected for retries and degradation timing; default Date.now / setTimeout. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}
