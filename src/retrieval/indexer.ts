/**
 * Keeps the vector index in step with the catalog. Embeds changed products in batches (with a
 * progress callback), reuses cached vectors for text that has not changed (embedding_cache), and
 * records what the index holds (vector_index_state) only after the index has made a batch durable,
 * so an interrupted sync resumes where it stopped and never duplicates a product (upserts are by id).
 */
import { createHash } from 'node:crypto';
import type { CatalogStore, Product } from '../catalog/index.js';
import { ShopbotError } from '../errors.js';
import type { SqliteDb } from '../storage/index.js';
import type { TextEncoder } from './hashing-encoder.js';
import { filterFields } from './filters.js';
import { silentLog, type IndexItem, type ProductIndex, type RetrievalLog } from './product-index.js';

export interface IndexerDeps {
  readonly db: SqliteDb;
  readonly catalog: CatalogStore;
  readonly index: ProductIndex;
  readonly encoder: TextEncoder;
  /** Identifies the encoder's vectors in the cache (a new model never reuses old vectors). */
  readonly modelId: string;
  /** Identifies the index in the state table (`indexKey(config, modelId)`). */
  readonly indexKey: string;
  /** The product text the encoder embeds (the trained model: `productPassage`). Default `embeddingText`. */
  readonly passageText?: (p: Product) => string;
  readonly log?: RetrievalLog;
  readonly now?: () => number;
}

export interface SyncProgress {
  readonly done: number;
  readonly total: number;
  readonly embedded: number;
  readonly cached: number;
  readonly unchanged: number;
}

export interface SyncOptions {
  /** Only these products (e.g. `UpsertResult.changedIds`); ids no longer in the catalog are removed. Default: the whole catalog. */
  readonly ids?: readonly string[];
  /** Texts per encoder call. */
  readonly batchSize?: number;
  /** Batches between checkpoints (index snapshot, then state rows). */
  readonly checkpointEvery?: number;
  readonly onProgress?: (p: SyncProgress) => void;
  readonly signal?: AbortSignal;
}

export interface SyncSummary extends SyncProgress {
  readonly deleted: number;
  /** True when the index had lost entries the state table recorded, so everything was re-checked. */
  readonly rebuilt: boolean;
}

export interface Indexer {
  sync(options?: SyncOptions): Promise<SyncSummary>;
}

/** The text the embedding model sees: what a shopper's words are most likely to match. */
export const MAX_EMBED_CHARS = 2000;
export function embeddingText(p: Product): string {
  return [p.title, p.brand ?? '', p.color ?? '', p.category.join(' > '), ...p.bullets, p.description].filter(Boolean).join('\n').slice(0, MAX_EMBED_CHARS);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function toBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function fromBlob(b: Buffer): Float32Array {
  // Copy: the Buffer may be a view into a pooled allocation with an unaligned offset.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function createIndexer(deps: IndexerDeps): Indexer {
  const { db, catalog, index, encoder, modelId, indexKey } = deps;
  const passageText = deps.passageText ?? embeddingText;
  const log = deps.log ?? silentLog;
  const now = deps.now ?? Date.now;
  const stmts = {
    cacheGet: db.prepare<[string, string], { product_id: string; text_hash: string; vector: Buffer }>(
      'SELECT product_id, text_hash, vector FROM embedding_cache WHERE model_id = ? AND product_id IN (SELECT value FROM json_each(?))',
    ),
    cachePut: db.prepare('INSERT OR REPLACE INTO embedding_cache (product_id, model_id, text_hash, vector, updated_at) VALUES (?, ?, ?, ?, ?)'),
    stateGet: db.prepare<[string, string], { product_id: string; item_hash: string }>(
      'SELECT product_id, item_hash FROM vector_index_state WHERE index_key = ? AND product_id IN (SELECT value FROM json_each(?))',
    ),
    statePut: db.prepare('INSERT OR REPLACE INTO vector_index_state (index_key, product_id, item_hash) VALUES (?, ?, ?)'),
    stateDelete: db.prepare('DELETE FROM vector_index_state WHERE index_key = ? AND product_id = ?'),
    stateCount: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM vector_index_state WHERE index_key = ?'),
    stateClear: db.prepare('DELETE FROM vector_index_state WHERE index_key = ?'),
    stateIds: db.prepare<[string], { product_id: string }>('SELECT product_id FROM vector_index_state WHERE index_key = ?'),
  };
  const putCache = db.transaction((rows: { id: string; hash: string; vector: Float32Array }[]) => {
    const t = now();
    for (const r of rows) stmts.cachePut.run(r.id, modelId, r.hash, toBlob(r.vector), t);
  });
  const putState = db.transaction((rows: { id: string; hash: string }[], deletedIds: string[]) => {
    for (const r of rows) stmts.statePut.run(indexKey, r.id, r.hash);
    for (const id of deletedIds) stmts.stateDelete.run(indexKey, id);
  });

  async function sync(options: SyncOptions = {}): Promise<SyncSummary> {
    const batchSize = options.batchSize ?? 64;
    const checkpointEvery = options.checkpointEvery ?? 16;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 4096) throw new ShopbotError('BAD_REQUEST', `batchSize must be in 1..4096, got ${batchSize}`);

    // The state table says what a durable index holds. If the index has fewer entries (its files
    // were removed, or a fresh Qdrant collection), the state is stale: check everything again.
    // More entries than recorded is the normal trace of an interrupted run: those products have no
    // state row, so they are upserted again (by id, no duplicates).
    const recorded = stmts.stateCount.get(indexKey)?.n ?? 0;
    const held = await index.count();
    const rebuilt = held < recorded;
    if (rebuilt) {
      log.warn({ indexKey, recorded, held }, 'vector index does not match its recorded state; re-checking every product');
      stmts.stateClear.run(indexKey);
    }

    const total = options.ids ? options.ids.length : await catalog.count();
    let done = 0;
    let embedded = 0;
    let cached = 0;
    let unchanged = 0;
    let deleted = 0;
    let batchesSinceCheckpoint = 0;
    let pendingState: { id: string; hash: string }[] = [];
    let pendingDeletes: string[] = [];
    const seen = options.ids ? undefined : new Set<string>();

    const checkpoint = async () => {
      if (!pendingState.length && !pendingDeletes.length) return;
      await index.snapshot();
      putState(pendingState, pendingDeletes);
      pendingState = [];
      pendingDeletes = [];
      batchesSinceCheckpoint = 0;
    };

    const processBatch = async (products: Product[]) => {
      const ids = products.map((p) => p.id);
      const state = new Map(stmts.stateGet.all(indexKey, JSON.stringify(ids)).map((r) => [r.product_id, r.item_hash]));
      const work: { p: Product; text: string; textHash: string; itemHash: string; payload: ReturnType<typeof filterFields> }[] = [];
      for (const p of products) {
        const text = passageText(p);
        const textHash = sha256(text);
        const payload = filterFields(p);
        const itemHash = sha256(`${textHash}\n${JSON.stringify(payload)}`);
        if (state.get(p.id) === itemHash) unchanged++;
        else work.push({ p, text, textHash, itemHash, payload });
      }
      if (work.length) {
        const cache = new Map(stmts.cacheGet.all(modelId, JSON.stringify(work.map((w) => w.p.id))).map((r) => [r.product_id, r]));
        const vectors = new Map<string, Float32Array>();
        const toEmbed = work.filter((w) => {
          const hit = cache.get(w.p.id);
          if (hit && hit.text_hash === w.textHash) {
            vectors.set(w.p.id, fromBlob(hit.vector));
            cached++;
            return false;
          }
          return true;
        });
        if (toEmbed.length) {
          const fresh = await encoder.embed(toEmbed.map((w) => w.text), { kind: 'passage', ...(options.signal ? { signal: options.signal } : {}) });
          if (fresh.length !== toEmbed.length) throw new ShopbotError('INTERNAL', `encoder returned ${fresh.length} vectors for ${toEmbed.length} texts`);
          toEmbed.forEach((w, i) => vectors.set(w.p.id, fresh[i]!));
          putCache(toEmbed.map((w, i) => ({ id: w.p.id, hash: w.textHash, vector: fresh[i]! })));
          embedded += toEmbed.length;
        }
        const items: IndexItem[] = work.map((w) => ({ id: w.p.id, vector: vectors.get(w.p.id)!, payload: w.payload }));
        await index.upsert(items);
        pendingState.push(...work.map((w) => ({ id: w.p.id, hash: w.itemHash })));
        batchesSinceCheckpoint++;
      }
      done += products.length;
      options.onProgress?.({ done, total, embedded, cached, unchanged });
      if (batchesSinceCheckpoint >= checkpointEvery) await checkpoint();
    };

    try {
      let batch: Product[] = [];
      const flush = async () => {
        options.signal?.throwIfAborted();
        const b = batch;
        batch = [];
        if (b.length) await processBatch(b);
      };
      if (options.ids) {
        for (let i = 0; i < options.ids.length; i += 1000) {
          const chunk = options.ids.slice(i, i + 1000);
          const found = await catalog.getMany(chunk);
          const gone = chunk.filter((id) => !found.has(id));
          if (gone.length) {
            await index.delete(gone);
            pendingDeletes.push(...gone);
            deleted += gone.length;
            done += gone.length;
          }
          for (const p of found.values()) {
            batch.push(p);
            if (batch.length >= batchSize) await flush();
          }
        }
      } else {
        for await (const p of catalog.all()) {
          seen!.add(p.id);
          batch.push(p);
          if (batch.length >= batchSize) await flush();
        }
      }
      await flush();
      if (seen) {
        const gone = stmts.stateIds.all(indexKey).map((r) => r.product_id).filter((id) => !seen.has(id));
        for (let i = 0; i < gone.length; i += 1000) await index.delete(gone.slice(i, i + 1000));
        pendingDeletes.push(...gone);
        deleted += gone.length;
      }
    } finally {
      // Interrupted or not, what reached the index is made durable and recorded, so a rerun resumes.
      await checkpoint();
    }
    const summary = { done, total, embedded, cached, unchanged, deleted, rebuilt };
    log.info({ indexKey, ...summary }, 'vector index synced');
    return summary;
  }

  return { sync };
}
