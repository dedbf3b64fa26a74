/**
 * Retrieval's public types. Filters are applied inside every retriever (lexical and dense),
 * never after, so a filtered search still returns k results when k exist.
 */
import type { Product } from '../catalog/index.js';
import type { Lang } from '../messages.js';

export interface SearchFilters {
  readonly priceMinCents?: number;
  readonly priceMaxCents?: number;
  /** Lower-cased brand names; a product matches any. */
  readonly brands?: readonly string[];
  /** Lower-cased colors; a product matches any. */
  readonly colors?: readonly string[];
  /** Brands excluded ("nothing from Sony"): a product of any of them never matches. */
  readonly excludeBrands?: readonly string[];
  /** Colours excluded ("not red"): a product whose colour has one of them (as words) never matches. */
  readonly excludeColors?: readonly string[];
  /** Lower-cased category names; a product matches if any level of its path equals one. */
  readonly categories?: readonly string[];
  readonly minRating?: number;
  readonly inStockOnly?: boolean;
  /** Negated terms: a product whose title affirms every word of one of them is excluded (negation.ts). */
  readonly excludeTerms?: readonly string[];
  readonly excludeIds?: readonly string[];
}

export interface SearchHit {
  readonly id: string;
  readonly score: number;
}

export interface LexicalSearchOptions {
  readonly k: number;
  readonly filters?: SearchFilters;
  readonly lang?: Lang;
}

/** BM25 over title, brand, bullets and description. */
export interface LexicalIndex {
  upsert(products: readonly Product[]): void;
  delete(ids: readonly string[]): void;
  search(query: string, options: LexicalSearchOptions): SearchHit[];
  readonly size: number;
}
