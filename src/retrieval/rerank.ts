/**
 * The learned re-ranking stage over the fused candidates: LambdaMART (the tree learner's
 * lambdarank objective, src/learning/gbdt) on features of the query, the candidate and how each
 * retriever saw it. Trained by `shopbot train reranker` on the development split of the ESCI
 * judgements only (evals/retrieval-protocol.ts) and checkpointed as JSON; the hybrid retriever
 * re-orders its fused list with it when the checkpoint is there, was trained against the same
 * embedding model (dense scores from another model mean something else) and beat the fused order
 * in cross-validation over the development queries when it was trained (`ship`).
 *
 * Features, per (query, candidate):
 *   retrievers: fused score and rank; BM25F score, rank and share of the top BM25 score; cosine,
 *     rank and gap to the top cosine (missing when that retriever did not return it)
 *   lexical fields: share of the query's terms in the title, brand, bullets, description, anywhere;
 *     whether the query's last term (usually its head noun in English) is in the title
 *   attributes: the product's brand / colour / category-leaf terms named in the query (missing when
 *     the product has none), the title's length
 *   price and rating: log price and log price over the candidates' median (missing when the price
 *     was derived for the demo store: a made-up price teaches nothing), rating, log rating count
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Product } from '../catalog/index.js';
import { ShopbotError } from '../errors.js';
import { GbdtModel, GbdtModelSchema, type FeatureSpec } from '../learning/index.js';
import { createAnalyzer, type Analyzer } from '../text/index.js';
import { z } from 'zod';
import type { SearchHit } from './types.js';

/** A fused candidate and what each retriever said about it. */
export interface FusedCandidate {
  readonly id: string;
  readonly fusedScore: number;
  /** 1-based. */
  readonly fusedRank: number;
  readonly lexicalScore?: number;
  readonly lexicalRank?: number;
  readonly denseScore?: number;
  readonly denseRank?: number;
}

/** The one point where a re-ranker plugs into the hybrid retriever. */
export interface RerankStage {
  /** The candidates re-ordered, best first, each with the stage's score. */
  rerank(query: string, candidates: readonly FusedCandidate[]): SearchHit[];
}

export const RERANK_FEATURES = [
  'fused_score',
  'fused_rank',
  'lexical_score',
  'lexical_rank',
  'lexical_share_of_top',
  'dense_score',
  'dense_rank',
  'dense_gap_to_top',
  'title_coverage',
  'brand_coverage',
  'bullets_coverage',
  'description_coverage',
  'any_field_coverage',
  'head_term_in_title',
  'brand_in_query',
  'color_in_query',
  'category_in_query',
  'title_terms',
  'query_terms',
  'log_price',
  'log_price_over_median',
  'rating',
  'log_rating_count',
] as const;

export const RERANK_SCHEMA: readonly FeatureSpec[] = RERANK_FEATURES.map((name) => ({ name, kind: 'numeric' as const }));

interface ProductTerms {
  readonly title: ReadonlySet<string>;
  readonly titleLength: number;
  readonly brand: readonly string[];
  readonly bullets: ReadonlySet<string>;
  readonly description: ReadonlySet<string>;
  readonly color: readonly string[];
  readonly category: readonly string[];
}

/** Products' analysed fields are cached (bounded) since the same products come back query after query. */
const MAX_CACHED_PRODUCTS = 100_000;

export class RerankFeaturizer {
  readonly #analyzer: Analyzer;
  readonly #cache = new Map<string, ProductTerms>();

  constructor(
    private readonly product: (id: string) => Product | undefined,
    analyzer?: Analyzer,
  ) {
    this.#analyzer = analyzer ?? createAnalyzer();
  }

  #terms(p: Product): ProductTerms {
    const hit = this.#cache.get(p.id);
    if (hit) return hit;
    const a = (s: string) => this.#analyzer.analyze(s.toLowerCase());
    const title = a(p.title);
    const terms: ProductTerms = {
      title: new Set(title),
      titleLength: title.length,
      brand: p.brand ? a(p.brand) : [],
      bullets: new Set(a(p.bullets.join('\n'))),
      description: new Set(a(p.description.slice(0, 5000))),
      color: p.color ? a(p.color) : [],
      category: p.category.length ? a(p.category[p.category.length - 1]!) : [],
    };
    if (this.#cache.size >= MAX_CACHED_PRODUCTS) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(p.id, terms);
    return terms;
  }

  /** One row of RERANK_FEATURES per candidate (NaN = missing), as columns. */
  columns(query: string, candidates: readonly FusedCandidate[]): Float64Array[] {
    const q = [...new Set(this.#analyzer.analyze(query.toLowerCase()))];
    const qs = new Set(q);
    const head = q.at(-1);
    const n = candidates.length;
    const cols = RERANK_FEATURES.map(() => new Float64Array(n).fill(Number.NaN));
    const set = (name: (typeof RERANK_FEATURES)[number], i: number, v: number | undefined) => {
      if (v !== undefined && Number.isFinite(v)) cols[RERANK_FEATURES.indexOf(name)]![i] = v;
    };
    let topLexical = 0;
    let topDense = Number.NEGATIVE_INFINITY;
    for (const c of candidates) {
      if (c.lexicalScore !== undefined) topLexical = Math.max(topLexical, c.lexicalScore);
      if (c.denseScore !== undefined) topDense = Math.max(topDense, c.denseScore);
    }
    const products = candidates.map((c) => this.product(c.id));
    const realPrice = (p: Product | undefined) => (p && p.priceCents !== undefined && p.priceCents > 0 && !p.demo.includes('price') ? p.priceCents : undefined);
    const prices = products.map(realPrice).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
    const median = prices.length ? prices[Math.floor(prices.length / 2)]! : undefined;
    const coverage = (field: ReadonlySet<string>) => (q.length ? q.filter((t) => field.has(t)).length / q.length : undefined);
    const named = (terms: readonly string[]) => (terms.length ? (terms.every((t) => qs.has(t)) ? 1 : 0) : undefined);
    candidates.forEach((c, i) => {
      set('fused_score', i, c.fusedScore);
      set('fused_rank', i, c.fusedRank);
      set('lexical_score', i, c.lexicalScore);
      set('lexical_rank', i, c.lexicalRank);
      if (c.lexicalScore !== undefined && topLexical > 0) set('lexical_share_of_top', i, c.lexicalScore / topLexical);
      set('dense_score', i, c.denseScore);
      set('dense_rank', i, c.denseRank);
      if (c.denseScore !== undefined) set('dense_gap_to_top', i, topDense - c.denseScore);
      set('query_terms', i, q.length);
      const p = products[i];
      if (!p) return;
      const t = this.#terms(p);
      set('title_coverage', i, coverage(t.title));
      set('brand_coverage', i, coverage(new Set(t.brand)));
      set('bullets_coverage', i, coverage(t.bullets));
      set('description_coverage', i, coverage(t.description));
      set('any_field_coverage', i, q.length ? q.filter((w) => t.title.has(w) || t.brand.includes(w) || t.bullets.has(w) || t.description.has(w)).length / q.length : undefined);
      if (head !== undefined) set('head_term_in_title', i, t.title.has(head) ? 1 : 0);
      set('brand_in_query', i, named(t.brand));
      set('color_in_query', i, named(t.color));
      set('category_in_query', i, named(t.category));
      set('title_terms', i, t.titleLength);
      const price = realPrice(p);
      if (price !== undefined) {
        set('log_price', i, Math.log(price));
        if (median !== undefined) set('log_price_over_median', i, Math.log(price / median));
      }
      set('rating', i, p.rating);
      if (p.ratingCount !== undefined) set('log_rating_count', i, Math.log1p(p.ratingCount));
    });
    return cols;
  }
}

export const RERANKER_FORMAT = 'shopbot-reranker-1';

export const RerankerCheckpointSchema = z.object({
  format: z.literal(RERANKER_FORMAT),
  /** The embedding model whose cosines the dense features are (RetrievalEncoder.modelId). */
  encoderModelId: z.string().min(1).max(300),
  /** Score = offsetScale x fused score + the trees' margin (the trees learn corrections to the fused order). */
  offsetScale: z.number().min(0).max(1e6),
  features: z.array(z.string()).refine((f) => f.length === RERANK_FEATURES.length && f.every((x, i) => x === RERANK_FEATURES[i]), 'features differ from this version'),
  /** What it was trained and tuned on, so a test can check the report split is in neither. */
  trainedOn: z.object({
    source: z.string().max(500),
    trainQueries: z.array(z.string().max(2000)).max(100_000),
    validQueries: z.array(z.string().max(2000)).max(100_000),
  }),
  /** Cross-validated figures over the development queries when it was trained (NDCG@10 of the fused order and of the re-ranked one). */
  valid: z.record(z.string(), z.number()),
  /** Whether it beat the fused order out of fold on the development queries: the app re-ranks only then. */
  ship: z.boolean(),
  model: GbdtModelSchema,
});
export type RerankerCheckpoint = z.infer<typeof RerankerCheckpointSchema>;

/** The trained re-ranker: scores candidates with the model and sorts by it (ties by fused rank). */
export class LearnedReranker implements RerankStage {
  readonly model: GbdtModel;

  constructor(
    readonly checkpoint: RerankerCheckpoint,
    private readonly featurizer: RerankFeaturizer,
  ) {
    this.model = new GbdtModel(checkpoint.model);
  }

  rerank(query: string, candidates: readonly FusedCandidate[]): SearchHit[] {
    if (candidates.length === 0) return [];
    const cols = this.featurizer.columns(query, candidates);
    return candidates
      .map((c, i) => ({ id: c.id, score: this.checkpoint.offsetScale * c.fusedScore + this.model.marginAt(cols, i), rank: c.fusedRank }))
      .sort((a, b) => b.score - a.score || a.rank - b.rank)
      .map(({ id, score }) => ({ id, score }));
  }
}

/** Where `shopbot train reranker` writes the checkpoint and the app looks for it. */
export function rerankerPath(modelsDir: string): string {
  return path.join(modelsDir, 'reranker', 'model.json');
}

/**
 * The checkpoint at `file` as a re-rank stage for `encoderModelId`; undefined (and why, for the
 * log) when there is none or it was trained against another embedding model.
 */
export function loadReranker(
  file: string,
  encoderModelId: string,
  product: (id: string) => Product | undefined,
  options: { readonly analyzer?: Analyzer; readonly evenUnshipped?: boolean } = {},
): { reranker?: LearnedReranker; reason?: string } {
  if (!existsSync(file)) return { reason: `no re-ranker checkpoint at ${file} (shopbot train reranker)` };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ShopbotError('MODEL_MISSING', `re-ranker checkpoint ${file}: ${(err as Error).message}`);
  }
  const parsed = RerankerCheckpointSchema.safeParse(raw);
  if (!parsed.success) throw new ShopbotError('MODEL_MISSING', `re-ranker checkpoint ${file}: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  if (parsed.data.encoderModelId !== encoderModelId) return { reason: `re-ranker ${file} was trained with embedding ${parsed.data.encoderModelId}, not ${encoderModelId}: retrain it (shopbot train reranker)` };
  const reranker = new LearnedReranker(parsed.data, new RerankFeaturizer(product, options.analyzer));
  if (!parsed.data.ship && !options.evenUnshipped) return { reason: `re-ranker ${file} did not beat the fused order out of fold on the development queries (${JSON.stringify(parsed.data.valid)}): not shipped` };
  return { reranker };
}
