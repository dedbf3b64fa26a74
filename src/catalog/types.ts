import type { Product } from './product.js';

export interface UpsertResult {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Ids whose content changed (inserted or updated): these need re-embedding. */
  readonly changedIds: readonly string[];
}

/** The catalog of record. Embedded engine: SQLite (`SqliteCatalogStore`). */
export interface CatalogStore {
  upsert(products: readonly Product[]): Promise<UpsertResult>;
  get(id: string): Promise<Product | undefined>;
  getMany(ids: readonly string[]): Promise<Map<string, Product>>;
  delete(ids: readonly string[]): Promise<number>;
  count(): Promise<number>;
  /** Every live product, in id order. */
  all(): AsyncIterable<Product>;
  close(): Promise<void>;
}
