/**
 * The catalog of record on the embedded SQLite database (table `products`, migration 001).
 * A product's content hash (canonical JSON, sha256) tells an unchanged re-import from a change, so
 * only changed ids are re-embedded. Deletes are soft (`deleted = 1`, `updated_at` bumped) so an
 * index that syncs by `updated_at` sees them too.
 *
 * The database handle belongs to the caller (the composition root shares it between stores);
 * `close()` ends this store's use of it and does not close it.
 */
import { createHash } from 'node:crypto';
import { ShopbotError } from '../errors.js';
import { LruCache } from '../maths/index.js';
import type { SqliteDb } from '../storage/index.js';
import { ProductSchema, type Product } from './product.js';
import type { CatalogStore, UpsertResult } from './types.js';

/** Upsert and getMany take at most this many products/ids per call. */
export const MAX_BATCH = 10_000;
const PAGE_SIZE = 500;

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort()
        .map((k) => [k, canonical(obj[k])]),
    );
  }
  return value;
}

export function productContentHash(product: Product): string {
  return createHash('sha256').update(JSON.stringify(canonical(product))).digest('hex');
}

export interface SqliteCatalogStoreOptions {
  /** Clock for `updated_at` (ms since epoch). */
  readonly now?: () => number;
  /** Parsed products kept for `get`/`getMany` (0: none). */
  readonly cacheSize?: number;
}

/** Enough for the demo catalog (6.7k products, ~0.6 kB of JSON each) and a busy store's hot set. */
export const DEFAULT_PRODUCT_CACHE = 10_000;

/** Cached products are shared between turns, so nobody may change one in place. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** SQLite's BINARY order for the ids we store (ASCII): what `id IN (...)` returned rows in. */
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class SqliteCatalogStore implements CatalogStore {
  readonly #db: SqliteDb;
  readonly #now: () => number;
  #closed = false;
  readonly #stmts;
  /**
   * A turn reads the same hundred candidates the last one did; parsing their JSON was most of a
   * search's catalog cost. Kept fresh by this store's own writes (which evict) and by SQLite's
   * `data_version`, which moves when another connection (an ingest in another process) commits:
   * then the whole cache is dropped.
   */
  readonly #cache: LruCache<string, Product>;
  #dataVersion = -1;

  constructor(db: SqliteDb, options: SqliteCatalogStoreOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#cache = new LruCache(options.cacheSize ?? DEFAULT_PRODUCT_CACHE);
    this.#stmts = {
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      state: db.prepare<[string], { content_hash: string; deleted: number }>('SELECT content_hash, deleted FROM products WHERE id = ?'),
      insert: db.prepare('INSERT INTO products (id, data, content_hash, source, updated_at, deleted) VALUES (?, ?, ?, ?, ?, 0)'),
      update: db.prepare('UPDATE products SET data = ?, content_hash = ?, source = ?, updated_at = ?, deleted = 0 WHERE id = ?'),
      get: db.prepare<[string], { data: string }>('SELECT data FROM products WHERE id = ? AND deleted = 0'),
      getMany: db.prepare<[string], { id: string; data: string }>(
        'SELECT id, data FROM products WHERE deleted = 0 AND id IN (SELECT value FROM json_each(?))',
      ),
      softDelete: db.prepare('UPDATE products SET deleted = 1, updated_at = ? WHERE id = ? AND deleted = 0'),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM products WHERE deleted = 0'),
      page: db.prepare<[string, number], { id: string; data: string }>(
        'SELECT id, data FROM products WHERE deleted = 0 AND id > ? ORDER BY id LIMIT ?',
      ),
    };
  }

  #open(): void {
    if (this.#closed) throw new ShopbotError('INTERNAL', 'catalog store is closed');
  }

  #checkBatch(n: number): void {
    if (n > MAX_BATCH) throw new ShopbotError('BAD_REQUEST', `catalog batch of ${n} exceeds ${MAX_BATCH}`);
  }

  async upsert(products: readonly Product[]): Promise<UpsertResult> {
    this.#open();
    this.#checkBatch(products.length);
    // Validate at the write boundary: whatever is stored must read back as a Product.
    const valid = products.map((p) => {
      const parsed = ProductSchema.safeParse(p);
      if (!parsed.success) throw new ShopbotError('CATALOG_ROW_INVALID', `product ${String(p.id)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return parsed.data;
    });
    const now = this.#now();
    let inserted = 0;
    let updated = 0;
    let unchanged = 0;
    const changed = new Set<string>();
    this.#db.transaction(() => {
      for (const p of valid) {
        const hash = productContentHash(p);
        const prev = this.#stmts.state.get(p.id);
        if (!prev) {
          this.#stmts.insert.run(p.id, JSON.stringify(p), hash, p.source, now);
          inserted++;
        } else if (prev.content_hash === hash && prev.deleted === 0) {
          unchanged++;
          continue;
        } else {
          this.#stmts.update.run(JSON.stringify(p), hash, p.source, now, p.id);
          // A deleted product coming back is new to every index.
          if (prev.deleted) inserted++;
          else updated++;
        }
        changed.add(p.id);
      }
    })();
    for (const id of changed) this.#cache.delete(id);
    return { inserted, updated, unchanged, changedIds: [...changed] };
  }

  /** Drops the cache when another connection has written to the database since the last read. */
  #freshCache(): LruCache<string, Product> {
    if (this.#cache.capacity > 0) {
      const version = this.#stmts.dataVersion.get()!;
      if (version !== this.#dataVersion) {
        this.#cache.clear();
        this.#dataVersion = version;
      }
    }
    return this.#cache;
  }

  #remember(cache: LruCache<string, Product>, id: string, data: string): Product {
    const product = deepFreeze(JSON.parse(data) as Product);
    cache.set(id, product);
    return product;
  }

  async get(id: string): Promise<Product | undefined> {
    this.#open();
    const cache = this.#freshCache();
    const hit = cache.get(id);
    if (hit) return hit;
    const row = this.#stmts.get.get(id);
    return row ? this.#remember(cache, id, row.data) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Product>> {
    this.#open();
    this.#checkBatch(ids.length);
    const out = new Map<string, Product>();
    if (ids.length === 0) return out;
    const cache = this.#freshCache();
    const found = new Map<string, Product>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const hit = cache.get(id);
      if (hit) found.set(id, hit);
      else missing.push(id);
    }
    if (missing.length) for (const row of this.#stmts.getMany.all(JSON.stringify(missing))) found.set(row.id, this.#remember(cache, row.id, row.data));
    for (const id of [...found.keys()].sort(byId)) out.set(id, found.get(id)!);
    return out;
  }

  async delete(ids: readonly string[]): Promise<number> {
    this.#open();
    this.#checkBatch(ids.length);
    const now = this.#now();
    let n = 0;
    this.#db.transaction(() => {
      for (const id of ids) n += this.#stmts.softDelete.run(now, id).changes;
    })();
    for (const id of ids) this.#cache.delete(id);
    return n;
  }

  async count(): Promise<number> {
    this.#open();
    return this.#stmts.count.get()!.n;
  }

  /** Pages by id rather than holding a cursor, so callers may write to the database meanwhile. */
  async *all(): AsyncIterable<Product> {
    this.#open();
    let after = '';
    for (;;) {
      const rows = this.#stmts.page.all(after, PAGE_SIZE);
      for (const row of rows) yield JSON.parse(row.data) as Product;
      if (rows.length < PAGE_SIZE) return;
      after = rows[rows.length - 1]!.id;
      this.#open();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

export function openCatalogStore(db: SqliteDb, options: SqliteCatalogStoreOptions = {}): CatalogStore {
  return new SqliteCatalogStore(db, options);
}
