/**
 * The dense product index: one narrow interface, two engines chosen by config
 * (`retrieval.backend: embedded | qdrant`). Filters are evaluated inside `search` by every engine,
 * on the same small payload, so a filtered search returns k hits whenever k products match.
 */
import { effectivePriceCents, type Product, type Availability } from '../catalog/index.js';
import { ShopbotError } from '../errors.js';
import { compileExclusion, exclusionText } from './negation.js';
import type { SearchFilters, SearchHit } from './types.js';

/** The fields filters read, normalized (lower-cased) once at index time. */
export interface IndexPayload {
  readonly priceCents?: number;
  readonly brand?: string;
  /** The whole color and each of its words ("matte black", "matte", "black"), so "black" matches "Matte Black". */
  readonly colors?: readonly string[];
  /** Every level of the category path. */
  readonly categories?: readonly string[];
  readonly rating?: number;
  readonly availability?: Availability;
  /** The affirmed words of the title, space-separated (`exclusionText`): what negated terms are matched against. */
  readonly text?: string;
}

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
/** Caps the per-product text kept for negations so a pathological title cannot bloat the index. */
export const MAX_PAYLOAD_TEXT_CHARS = 4000;

export { negationTokens } from './negation.js';

function colorTerms(color: string): string[] {
  const whole = color.trim().toLowerCase();
  return [...new Set([whole, ...(whole.match(/[\p{L}\p{N}]+/gu) ?? [])])];
}

export function payloadFromProduct(p: Product): IndexPayload {
  const text = exclusionText(p.title);
  const price = effectivePriceCents(p);
  return {
    ...(price !== undefined ? { priceCents: price } : {}),
    ...(p.brand ? { brand: p.brand.toLowerCase() } : {}),
    ...(p.color ? { colors: colorTerms(p.color) } : {}),
    categories: [...new Set(p.category.map((c) => c.toLowerCase()))],
    ...(p.rating !== undefined ? { rating: p.rating } : {}),
    // Known zero stock counts as out of stock whatever the feed's availability says (as in filters.ts).
    availability: p.stock === 0 && p.availability === 'in_stock' ? 'out_of_stock' : p.availability,
    text: text.length > MAX_PAYLOAD_TEXT_CHARS ? text.slice(0, text.lastIndexOf(' ', MAX_PAYLOAD_TEXT_CHARS)) : text,
  };
}

export type PayloadPredicate = (id: string, payload: IndexPayload | undefined) => boolean;

export interface FilterStages {
  /** Field checks: cheap, worth running before scoring (pre-filter). */
  readonly fields?: PayloadPredicate;
  /** Negated terms: a scan of the payload's title words, cheaper to run only on would-be top-k hits. */
  readonly terms?: PayloadPredicate;
}

/**
 * Compiles filters once per query into predicates over payloads (the embedded engine calls them
 * per candidate). Qdrant evaluates the same rules from `toQdrantFilter`. A negated term excludes
 * a product when all of its tokens are affirmed words of the title (negation.ts; Qdrant's
 * full-text `match.text` over the same stored words).
 */
export function compileFilterStages(f: SearchFilters): FilterStages {
  const excludeIds = f.excludeIds?.length ? new Set(f.excludeIds) : undefined;
  const brands = f.brands?.length ? new Set(f.brands.map((b) => b.toLowerCase())) : undefined;
  const colors = f.colors?.length ? new Set(f.colors.map((c) => c.toLowerCase())) : undefined;
  const categories = f.categories?.length ? new Set(f.categories.map((c) => c.toLowerCase())) : undefined;
  const excluded = compileExclusion(f.excludeTerms);
  const { priceMinCents: min, priceMaxCents: max, minRating, inStockOnly } = f;
  const hasFields = !!(excludeIds || brands || colors || categories || min !== undefined || max !== undefined || minRating !== undefined || inStockOnly);
  const fields: PayloadPredicate = (id, p) => {
    if (!p) return false;
    if (excludeIds?.has(id)) return false;
    if (min !== undefined && (p.priceCents === undefined || p.priceCents < min)) return false;
    if (max !== undefined && (p.priceCents === undefined || p.priceCents > max)) return false;
    if (brands && (p.brand === undefined || !brands.has(p.brand))) return false;
    if (colors && !(p.colors ?? []).some((c) => colors.has(c))) return false;
    if (categories && !(p.categories ?? []).some((c) => categories.has(c))) return false;
    if (minRating !== undefined && (p.rating === undefined || p.rating < minRating)) return false;
    if (inStockOnly && p.availability !== 'in_stock') return false;
    return true;
  };
  const text: PayloadPredicate = (_id, p) => !!p && !excluded!(p.text ?? '');
  return { ...(hasFields ? { fields } : {}), ...(excluded ? { terms: text } : {}) };
}

export function compileFilters(f: SearchFilters): PayloadPredicate {
  const { fields, terms } = compileFilterStages(f);
  return (id, p) => !!p && (!fields || fields(id, p)) && (!terms || terms(id, p));
}

export function matchesPayload(id: string, p: IndexPayload | undefined, f: SearchFilters): boolean {
  return compileFilters(f)(id, p);
}

export function hasFilters(f: SearchFilters | undefined): f is SearchFilters {
  if (!f) return false;
  return Object.values(f).some((v) => v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0));
}

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
