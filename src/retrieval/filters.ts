/**
 * What SearchFilters mean, defined once for every retrieval engine: the filterable fields of a
 * product, normalised once (`filterFields`, which the vector indexes store as their payload), and
 * the rules over them (`compileFilters`). BM25 and the embedded index call the compiled predicate
 * inside their scoring loops, so a filtered search still fills k results; Qdrant evaluates the
 * same rules on the same stored fields (`toQdrantFilter` in qdrant.ts).
 *
 * Semantics: price bounds use the price the shopper pays (sale price first) and exclude products
 * without a price; brands match the brand exactly (case-insensitive); a colour matches a whole
 * word, or a run of whole words, of the product colour ("black" and "matte black" match "Matte
 * Black Finish"); categories match any level of the path; `inStockOnly` keeps `in_stock` products
 * whose stock, when known, is positive; negated terms exclude by the affirmed words of the title
 * (negation.ts).
 */
import { effectivePriceCents, type Availability, type Product } from '../catalog/index.js';
import { compileExclusion, exclusionText } from '../text/index.js';
import type { SearchFilters } from './types.js';

/** The fields filters read, normalised (lower-cased) once at index time. */
export interface FilterFields {
  readonly priceCents?: number;
  readonly brand?: string;
  /** Every run of words of the colour ("matte black finish" -> "matte", "matte black", ..., "finish"). */
  readonly colors?: readonly string[];
  /** Every level of the category path. */
  readonly categories?: readonly string[];
  readonly rating?: number;
  readonly availability?: Availability;
  /** The affirmed words of the title, space-separated (`exclusionText`): what negated terms are matched against. */
  readonly text?: string;
}

/** Caps the per-product text kept for negations so a pathological title cannot bloat an index. */
export const MAX_FILTER_TEXT_CHARS = 4000;
/** Colours longer than this many words keep only their shorter phrases (feeds put sentences there). */
const MAX_COLOR_WORDS = 6;

/** A colour's words, lower-cased and joined by single spaces: how filter values and product colours meet. */
export function colorWords(color: string): string[] {
  return color.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function colorPhrases(color: string): string[] {
  const words = colorWords(color);
  const out = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    for (let j = i + 1; j <= Math.min(words.length, i + MAX_COLOR_WORDS); j++) out.add(words.slice(i, j).join(' '));
  }
  return [...out];
}

/** How a filter value is compared: trimmed and lower-cased. */
export function filterValue(v: string): string {
  return v.trim().toLowerCase();
}

/**
 * Every key is always present (undefined when the product lacks it): one hidden class for all
 * products keeps the filter loops' property reads monomorphic, where conditional spreads made a
 * shape per combination of fields. JSON (the stored payloads) drops the undefined keys as before.
 */
export function filterFields(p: Product): FilterFields {
  const text = exclusionText(p.title);
  return {
    priceCents: effectivePriceCents(p),
    brand: p.brand ? p.brand.toLowerCase() : undefined,
    colors: p.color ? colorPhrases(p.color) : undefined,
    categories: [...new Set(p.category.map((c) => c.toLowerCase()))],
    rating: p.rating,
    // Known zero stock counts as out of stock whatever the feed's availability says.
    availability: p.stock === 0 && p.availability === 'in_stock' ? 'out_of_stock' : p.availability,
    text: text.length > MAX_FILTER_TEXT_CHARS ? text.slice(0, text.lastIndexOf(' ', MAX_FILTER_TEXT_CHARS)) : text,
  } as FilterFields;
}

export function hasFilters(f: SearchFilters | undefined): f is SearchFilters {
  if (!f) return false;
  return Object.values(f).some((v) => v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0));
}

export type FieldsPredicate = (id: string, fields: FilterFields | undefined) => boolean;

export interface FilterStages {
  /** Field checks: cheap, worth running before scoring (pre-filter). */
  readonly fields?: FieldsPredicate;
  /** Negated terms: a scan of the title's words, cheaper to run only on would-be top-k hits. */
  readonly terms?: FieldsPredicate;
}

/** The filter values of a search as every engine compares them (lower-cased; colours as word runs). */
export function normalizedFilters(f: SearchFilters): SearchFilters {
  const lower = (values: readonly string[] | undefined) => (values?.length ? [...new Set(values.map(filterValue))] : undefined);
  const colors = f.colors?.length ? [...new Set(f.colors.map((c) => colorWords(c).join(' ')).filter(Boolean))] : undefined;
  const brands = lower(f.brands);
  const categories = lower(f.categories);
  const excludeBrands = lower(f.excludeBrands);
  const excludeColors = f.excludeColors?.length ? [...new Set(f.excludeColors.map((c) => colorWords(c).join(' ')).filter(Boolean))] : undefined;
  return { ...f, brands, colors, categories, excludeBrands, excludeColors };
}

/** Compiles filters once per query into predicates over a product's filter fields. */
export function compileFilterStages(filters: SearchFilters): FilterStages {
  const f = normalizedFilters(filters);
  const excludeIds = f.excludeIds?.length ? new Set(f.excludeIds) : undefined;
  const brands = f.brands ? new Set(f.brands) : undefined;
  const colors = f.colors ? new Set(f.colors) : undefined;
  const categories = f.categories ? new Set(f.categories) : undefined;
  const notBrands = f.excludeBrands ? new Set(f.excludeBrands) : undefined;
  const notColors = f.excludeColors ? new Set(f.excludeColors) : undefined;
  const excluded = compileExclusion(f.excludeTerms);
  const { priceMinCents: min, priceMaxCents: max, minRating, inStockOnly } = f;
  const hasFields = !!(excludeIds || brands || colors || categories || notBrands || notColors || min !== undefined || max !== undefined || minRating !== undefined || inStockOnly);
  const fields: FieldsPredicate = (id, p) => {
    if (!p) return false;
    if (excludeIds?.has(id)) return false;
    if (min !== undefined && (p.priceCents === undefined || p.priceCents < min)) return false;
    if (max !== undefined && (p.priceCents === undefined || p.priceCents > max)) return false;
    if (brands && (p.brand === undefined || !brands.has(p.brand))) return false;
    if (colors && !(p.colors ?? []).some((c) => colors.has(c))) return false;
    if (notBrands && p.brand !== undefined && notBrands.has(p.brand)) return false;
    if (notColors && (p.colors ?? []).some((c) => notColors.has(c))) return false;
    if (categories && !(p.categories ?? []).some((c) => categories.has(c))) return false;
    if (minRating !== undefined && (p.rating === undefined || p.rating < minRating)) return false;
    if (inStockOnly && p.availability !== 'in_stock') return false;
    return true;
  };
  const terms: FieldsPredicate = (_id, p) => !!p && !excluded!(p.text ?? '');
  return { ...(hasFields ? { fields } : {}), ...(excluded ? { terms } : {}) };
}

export function compileFilters(f: SearchFilters | undefined): FieldsPredicate {
  if (!hasFilters(f)) return (_id, p) => !!p;
  const { fields, terms } = compileFilterStages(f);
  return (id, p) => !!p && (!fields || fields(id, p)) && (!terms || terms(id, p));
}

/** One product against filters (tests, and callers outside an index). */
export function matchesFilters(product: Product, filters: SearchFilters | undefined): boolean {
  return compileFilters(filters)(product.id, filterFields(product));
}
