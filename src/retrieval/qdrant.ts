/**
 * The scale-out engine: a Qdrant collection through @qdrant/js-client-rest. One unnamed vector per
 * point (cosine), payload indexes on every filter field, batched upserts retried with exponential
 * back-off. Product ids are strings; Qdrant wants unsigned ints or UUIDs, so each id maps to a
 * deterministic UUID (v5-style, SHA-1) and the original id travels in the payload.
 */
import { createHash } from 'node:crypto';
import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import { RetrievalUnavailableError, ShopbotError } from '../errors.js';
import { hasFilters, normalizedFilters } from './filters.js';
import { negationTokens } from '../text/index.js';
import {
  checkItems,
  checkQuery,
  silentLog,
  type IndexItem,
  type ProductIndex,
  type RetrievalLog,
  type VectorQuery,
} from './product-index.js';
import type { SearchFilters, SearchHit } from './types.js';

export interface QdrantIndexOptions {
  readonly url: string;
  readonly apiKey?: string;
  readonly collection: string;
  readonly dim: number;
  readonly log?: RetrievalLog;
  /** Points per upsert request. */
  readonly batchSize?: number;
  /** Attempts for writes and collection setup (searches fail fast: the turn degrades instead). */
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  /** Client-side timeout of each HTTP request. */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Payload keys in Qdrant (snake_case, as Qdrant's own docs and dashboards show them). */
export const PAYLOAD_INDEXES: readonly { readonly field: string; readonly schema: Schemas['PayloadFieldSchema'] }[] = [
  { field: 'product_id', schema: 'keyword' },
  { field: 'price_cents', schema: 'integer' },
  { field: 'brand', schema: 'keyword' },
  { field: 'colors', schema: 'keyword' },
  { field: 'categories', schema: 'keyword' },
  { field: 'availability', schema: 'keyword' },
  { field: 'rating', schema: 'float' },
  // Whitespace: the text is stored pre-tokenized by negationTokens, the same tokens the query side sends.
  { field: 'text', schema: { type: 'text', tokenizer: 'whitespace', lowercase: true } },
];

// A fixed namespace so every process maps a product id to the same point id.
const NAMESPACE = Buffer.from('6f1c3b2a9d4e4f7a8b5c0d1e2f3a4b5c', 'hex');

export function pointId(productId: string): string {
  const h = createHash('sha1').update(NAMESPACE).update(productId, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

type Condition = Record<string, unknown>;
export interface QdrantFilter {
  must?: Condition[];
  must_not?: Condition[];
}

/** SearchFilters -> Qdrant filter: the rules of `compileFilters` (filters.ts) on the same stored fields. */
export function toQdrantFilter(filters: SearchFilters | undefined): QdrantFilter | undefined {
  if (!hasFilters(filters)) return undefined;
  const f = normalizedFilters(filters);
  const must: Condition[] = [];
  const mustNot: Condition[] = [];
  if (f.priceMinCents !== undefined || f.priceMaxCents !== undefined) {
    must.push({ key: 'price_cents', range: { ...(f.priceMinCents !== undefined ? { gte: f.priceMinCents } : {}), ...(f.priceMaxCents !== undefined ? { lte: f.priceMaxCents } : {}) } });
  }
  const anyOf = (key: string, values: readonly string[] | undefined) => {
    if (values?.length) must.push({ key, match: { any: [...values] } });
  };
  anyOf('brand', f.brands);
  anyOf('colors', f.colors);
  anyOf('categories', f.categories);
  if (f.minRating !== undefined) must.push({ key: 'rating', range: { gte: f.minRating } });
  if (f.inStockOnly) must.push({ key: 'availability', match: { value: 'in_stock' } });
  for (const term of f.excludeTerms ?? []) {
    const tokens = negationTokens(term);
    // Full-text match requires every token, which is the embedded engine's rule too.
    if (tokens.length) mustNot.push({ key: 'text', match: { text: tokens.join(' ') } });
  }
  if (f.excludeIds?.length) mustNot.push({ has_id: f.excludeIds.map(pointId) });
  if (f.excludeBrands?.length) mustNot.push({ key: 'brand', match: { any: [...f.excludeBrands] } });
  if (f.excludeColors?.length) mustNot.push({ key: 'colors', match: { any: [...f.excludeColors] } });
  return { ...(must.length ? { must } : {}), ...(mustNot.length ? { must_not: mustNot } : {}) };
}

function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  if (typeof s === 'number') return s;
  const m = /Unexpected Response: (\d{3})/.exec(String((err as Error | null)?.message ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** Network errors, timeouts, 429 and 5xx are worth retrying; other 4xx are our bug or bad config. */
export function isRetryable(err: unknown): boolean {
  const status = statusOf(err);
  return status === undefined || status === 429 || status >= 500;
}

function describeError(err: unknown): string {
  const data = (err as { data?: { status?: { error?: string } } } | null)?.data;
  return data?.status?.error ?? (err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err));
}

export class QdrantProductIndex implements ProductIndex {
  private readonly client: QdrantClient;
  private readonly log: RetrievalLog;
  private readonly batchSize: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  private constructor(private readonly opts: QdrantIndexOptions) {
    this.client = new QdrantClient({
      url: opts.url,
      ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
      timeout: opts.timeoutMs ?? 5000,
      // The version probe is fire-and-forget and only warns; readiness comes from ensureCollection.
      checkCompatibility: false,
    });
    this.log = opts.log ?? silentLog;
    this.batchSize = opts.batchSize ?? 256;
    this.attempts = opts.attempts ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 200;
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  static async open(opts: QdrantIndexOptions): Promise<QdrantProductIndex> {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(opts.collection)) throw new ShopbotError('CONFIG_INVALID', `invalid Qdrant collection name ${JSON.stringify(opts.collection)}`);
    const index = new QdrantProductIndex(opts);
    await index.ensureCollection();
    return index;
  }

  get collection(): string {
    return this.opts.collection;
  }

  /** Creates the collection and payload indexes if missing; refuses a collection of another size. */
  private async ensureCollection(): Promise<void> {
    const name = this.opts.collection;
    const { exists } = await this.withRetry('collection exists', () => this.client.collectionExists(name));
    if (exists) {
      const info = await this.withRetry('get collection', () => this.client.getCollection(name));
      const vectors = info.config.params.vectors as { size?: number; distance?: string } | undefined;
      if (vectors?.size !== this.opts.dim || vectors.distance !== 'Cosine') {
        throw new ShopbotError('CONFIG_INVALID', `Qdrant collection ${name} has vectors ${JSON.stringify(vectors)}, expected size ${this.opts.dim} with Cosine distance; use another SHOPBOT_QDRANT_COLLECTION or delete it`);
      }
    } else {
      try {
        await this.withRetry('create collection', () => this.client.createCollection(name, { vectors: { size: this.opts.dim, distance: 'Cosine' } }));
        this.log.info({ collection: name, dim: this.opts.dim }, 'qdrant collection created');
      } catch (err) {
        // Another server process created it first: fine.
        if (statusOf((err as Error).cause) !== 409) throw err;
      }
    }
    // Creating an index that exists is a no-op in Qdrant, so this is safe on every start.
    for (const { field, schema } of PAYLOAD_INDEXES) {
      await this.withRetry(`payload index ${field}`, () =>
        this.client.createPayloadIndex(name, { field_name: field, field_schema: schema, wait: true }),
      );
    }
  }

  async upsert(items: readonly IndexItem[]): Promise<void> {
    checkItems(items, this.opts.dim);
    for (let i = 0; i < items.length; i += this.batchSize) {
      const points = items.slice(i, i + this.batchSize).map((item) => ({
        id: pointId(item.id),
        vector: Array.from(item.vector),
        payload: {
          product_id: item.id,
          ...(item.payload.priceCents !== undefined ? { price_cents: item.payload.priceCents } : {}),
          ...(item.payload.brand !== undefined ? { brand: item.payload.brand } : {}),
          colors: [...(item.payload.colors ?? [])],
          categories: [...(item.payload.categories ?? [])],
          ...(item.payload.rating !== undefined ? { rating: item.payload.rating } : {}),
          ...(item.payload.availability !== undefined ? { availability: item.payload.availability } : {}),
          text: item.payload.text ?? '',
        },
      }));
      await this.withRetry('upsert', () => this.client.upsert(this.opts.collection, { wait: true, points }));
    }
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += this.batchSize) {
      const points = ids.slice(i, i + this.batchSize).map(pointId);
      await this.withRetry('delete', () => this.client.delete(this.opts.collection, { wait: true, points }));
    }
  }

  async search(query: VectorQuery): Promise<SearchHit[]> {
    checkQuery(query, this.opts.dim);
    const filter = toQdrantFilter(query.filters);
    // One attempt: a turn cannot wait out a back-off; the hybrid retriever degrades to lexical instead.
    const res = await this.withRetry(
      'search',
      () =>
        this.client.query(this.opts.collection, {
          query: Array.from(query.vector),
          limit: query.k,
          with_payload: ['product_id'],
          ...(filter ? { filter } : {}),
        }),
      1,
    );
    return res.points.map((p) => {
      const id = (p.payload as { product_id?: unknown } | null | undefined)?.product_id;
      if (typeof id !== 'string') throw new ShopbotError('INTERNAL', `Qdrant point ${String(p.id)} has no product_id payload`);
      return { id, score: p.score };
    });
  }

  async vectors(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    if (ids.length === 0) return out;
    // One attempt, like search: it runs inside a turn.
    const points = await this.withRetry(
      'retrieve',
      () => this.client.retrieve(this.opts.collection, { ids: ids.map(pointId), with_payload: ['product_id'], with_vector: true }),
      1,
    );
    for (const p of points) {
      const id = (p.payload as { product_id?: unknown } | null | undefined)?.product_id;
      if (typeof id === 'string' && Array.isArray(p.vector) && typeof p.vector[0] === 'number') out.set(id, Float32Array.from(p.vector as number[]));
    }
    return out;
  }

  async count(): Promise<number> {
    const res = await this.withRetry('count', () => this.client.count(this.opts.collection, { exact: true }), 1);
    return res.count;
  }

  /**
   * Writes are sent with `wait: true`, so an acknowledged upsert is already in Qdrant's WAL:
   * there is nothing left to flush. Backups are Qdrant's own snapshot API, run by the operator.
   */
  async snapshot(): Promise<void> {}

  async close(): Promise<void> {}

  private async withRetry<T>(op: string, fn: () => Promise<T>, attempts = this.attempts): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isRetryable(err)) {
          throw new ShopbotError('INTERNAL', `Qdrant ${op} on ${this.opts.collection} failed: ${describeError(err)}`, { cause: err });
        }
        if (attempt >= attempts) {
          throw new RetrievalUnavailableError(`Qdrant ${op} failed after ${attempt} attempt(s): ${describeError(err)}`, { cause: err });
        }
        const delayMs = this.baseDelayMs * 2 ** (attempt - 1);
        this.log.warn({ op, attempt, delayMs, err: describeError(err) }, 'qdrant request failed; retrying');
        await this.sleep(delayMs);
      }
    }
  }
}
