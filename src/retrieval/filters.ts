/**
 * SearchFilters as a predicate over products. Retrievers compile the filters once per query and
 * call the predicate inside their scoring loop, so a filtered search still fills k results.
 */
import { effectivePriceCents, type Product } from '../catalog/index.js';
import { compileExclusion, exclusionText } from './negation.js';
import type { SearchFilters } from './types.js';

export type ProductPredicate = (product: Product) => boolean;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whole-word, case-insensitive alternation ("red" matches "Dark Red" but not "Redwood"). */
function wordsPattern(words: readonly string[]): RegExp | undefined {
  const clean = words.map((w) => w.trim().toLowerCase()).filter((w) => w.length > 0);
  if (clean.length === 0) return undefined;
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${clean.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'iu');
}

function lowerSet(values: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (!values || values.length === 0) return undefined;
  return new Set(values.map((v) => v.trim().toLowerCase()));
}

export function hasFilters(filters: SearchFilters | undefined): boolean {
  if (!filters) return false;
  return Object.values(filters).some((v) => v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0));
}

/**
 * Semantics: price bounds use the price the shopper pays (sale price first) and exclude products
 * without a price; brands match the brand exactly (case-insensitive); colors match a whole word of
 * the product color ("black" matches "Matte Black"); categories match any level of the path;
 * `inStockOnly` keeps `in_stock` products whose stock, when known, is positive; negated terms
 * exclude by the affirmed words of the title (negation.ts, the rule every engine shares).
 */
export function compileFilters(filters: SearchFilters | undefined): ProductPredicate {
  if (!hasFilters(filters)) return () => true;
  const f = filters!;
  const brands = lowerSet(f.brands);
  const categories = lowerSet(f.categories);
  const excludeIds = f.excludeIds && f.excludeIds.length > 0 ? new Set(f.excludeIds) : undefined;
  const colors = f.colors && f.colors.length > 0 ? wordsPattern(f.colors) : undefined;
  const excluded = compileExclusion(f.excludeTerms);
  // Brand and color values repeat across a catalog: decide each distinct value once per query.
  const brandOk = memo((brand: string) => brands!.has(brand.toLowerCase()));
  const colorOk = memo((color: string) => colors!.test(color));
  const categoryOk = memo((c: string) => categories!.has(c.toLowerCase()));
  return (p) => {
    if (excludeIds?.has(p.id)) return false;
    if (f.priceMinCents !== undefined || f.priceMaxCents !== undefined) {
      const price = effectivePriceCents(p);
      if (price === undefined) return false;
      if (f.priceMinCents !== undefined && price < f.priceMinCents) return false;
      if (f.priceMaxCents !== undefined && price > f.priceMaxCents) return false;
    }
    if (f.minRating !== undefined && (p.rating === undefined || p.rating < f.minRating)) return false;
    if (f.inStockOnly && (p.availability !== 'in_stock' || p.stock === 0)) return false;
    if (brands && (p.brand === undefined || !brandOk(p.brand))) return false;
    if (colors && (p.color === undefined || !colorOk(p.color))) return false;
    if (categories && !p.category.some(categoryOk)) return false;
    if (excluded && excluded(titleWords(p))) return false;
    return true;
  };
}

/** exclusionText per product, computed once per product object (catalog products are immutable). */
const titleWordsCache = new WeakMap<Product, string>();
function titleWords(p: Product): string {
  let words = titleWordsCache.get(p);
  if (words === undefined) titleWordsCache.set(p, (words = exclusionText(p.title)));
  return words;
}

function memo(fn: (value: string) => boolean): (value: string) => boolean {
  const seen = new Map<string, boolean>();
  return (value) => {
    let ok = seen.get(value);
    if (ok === undefined) seen.set(value, (ok = fn(value)));
    return ok;
  };
}

export function matchesFilters(product: Product, filters: SearchFilters | undefined): boolean {
  return compileFilters(filters)(product);
}
