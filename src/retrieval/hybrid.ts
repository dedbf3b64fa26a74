/**
 * The retriever a turn calls: dense candidates (query embedding -> ProductIndex) and BM25
 * candidates (LexicalIndex), each filtered inside its own search, fused into one ranking.
 *
 * Degradation: when the dense side fails (Qdrant unreachable, encoder error) the turn still
 * answers from the lexical index; the failure is logged, counted and visible in `health()`, and
 * the dense side is re-probed with exponential back-off (in the background and on later turns)
 * until it answers again.
 */
import type { Product } from '../catalog/index.js';
import { normalizeInPlace } from '../maths/index.js';
import type { Lang } from '../messages.js';
import type { TextEncoder } from './hashing-encoder.js';
import { silentLog, type ProductIndex, type RetrievalLog } from './product-index.js';
import { hasFilters } from './filters.js';
import type { LexicalIndex, SearchFilters, SearchHit } from './types.js';
import type { FusedCandidate, RerankStage } from './rerank.js';

/**
 * Pseudo-relevance feedback for the dense side (Rocchio on vectors): the query vector plus
 * `weight` times the mean vector of the top `docs` lexical hits, renormalized. The dense side then
 * looks for products like the ones the words found, as well as like the words.
 */
export interface DenseFeedback {
  readonly docs: number;
  readonly weight: number;
}

export type Fusion = ({ readonly kind: 'rrf'; readonly k: number } | { readonly kind: 'linear'; readonly denseWeight: number }) & {
  readonly feedback?: DenseFeedback;
};

/**
 * Chosen on the 60 ESCI development queries (tuned on development data: re-tune with a new model).
 * `shopbot eval retrieval` prints the shipped fusion beside the alternatives: with the trained
 * 128-d embedding model (6 contrastive epochs) and BM25 with compound splitting (NDCG@10 0.590),
 * the plain min-max blend at dense weight 0.2 scores 0.580 and RRF 0.546, both below BM25: the
 * dense model is weaker than BM25 here. With feedback from the top 3 lexical hits at weight 4 the
 * blend scores 0.598 and recall@100 0.905 against BM25's 0.876, so the dense side adds products
 * the words miss without pushing exact lexical matches down.
 */
export const DEFAULT_FUSION: Fusion = { kind: 'linear', denseWeight: 0.2, feedback: { docs: 3, weight: 4 } };

export interface RetrievalQuery {
  readonly text: string;
  readonly k: number;
  readonly filters?: SearchFilters;
  readonly lang?: Lang;
  /**
   * Soft filters: products that also match these come first; when fewer than `min` do, the best
   * other matches of `filters` follow them. A brand the shopper names is one: "tissa bottle
   * brush" shows Tissa's one brush, then other bottle brushes, not a page with one product.
   */
  readonly preferred?: { readonly filters: SearchFilters; readonly min: number };
}

export interface RetrievedHit extends SearchHit {
  /** 1-based rank in each retriever's candidate list, when it found the product. */
  readonly lexicalRank?: number;
  readonly denseRank?: number;
}

export interface RetrievalResult {
  readonly hits: readonly RetrievedHit[];
  /** True when the dense side was wanted but could not answer this turn. */
  readonly degraded: boolean;
}

export interface RetrievalHealth {
  readonly dense: 'ok' | 'degraded' | 'off';
  /** When the current degradation started (ms since epoch). */
  readonly since?: number;
  /** Degradations since start (each ok -> degraded transition counts once). */
  readonly degradedCount: number;
  /** Turns answered without the dense side while it was wanted. */
  readonly degradedTurns: number;
  readonly lastError?: string;
}

export interface Retriever {
  search(query: RetrievalQuery, options?: { signal?: AbortSignal }): Promise<RetrievalResult>;
  health(): RetrievalHealth;
  /** Stops the background re-probe. Does not close the indexes (the composition root owns them). */
  close(): Promise<void>;
}

export interface HybridRetrieverDeps {
  readonly lexical: LexicalIndex;
  /** Absent: lexical only (e.g. no embedding model at all). */
  readonly dense?: { readonly index: ProductIndex; readonly encoder: TextEncoder };
  readonly mode?: 'hybrid' | 'lexical' | 'dense';
  readonly fusion?: Fusion;
  /** Re-orders the fused candidates (hybrid mode, dense side answering): the learned re-ranker (rerank.ts). */
  readonly rerank?: RerankStage;
  /** Candidates taken from each retriever before fusion. */
  readonly candidates?: number;
  readonly log?: RetrievalLog;
  readonly now?: () => number;
  /** Schedules the background re-probe; returns a cancel function. Default: an unref'd setTimeout. */
  readonly schedule?: (fn: () => void, ms: number) => () => void;
  readonly probeInitialMs?: number;
  readonly probeMaxMs?: number;
}

/** Reciprocal rank fusion: sum of 1 / (k + rank) over the lists that contain a product. */
export function rrfFuse(lists: readonly (readonly SearchHit[])[], k = 60): SearchHit[] {
  const scores = new Map<string, number>();
  for (const list of lists) list.forEach((h, i) => scores.set(h.id, (scores.get(h.id) ?? 0) + 1 / (k + i + 1)));
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

/**
 * Linear blend of min-max normalized scores: BM25 is unbounded and cosine is not, so each list is
 * put on [0, 1] first; a product missing from a list gets 0 from it.
 */
export function linearFuse(lexical: readonly SearchHit[], dense: readonly SearchHit[], denseWeight: number): SearchHit[] {
  const norm = (list: readonly SearchHit[]) => {
    if (!list.length) return new Map<string, number>();
    const max = list[0]!.score;
    const min = list[list.length - 1]!.score;
    const span = max - min;
    return new Map(list.map((h) => [h.id, span > 0 ? (h.score - min) / span : 1]));
  };
  const l = norm(lexical);
  const d = norm(dense);
  const ids = new Set([...l.keys(), ...d.keys()]);
  return [...ids]
    .map((id) => ({ id, score: (1 - denseWeight) * (l.get(id) ?? 0) + denseWeight * (d.get(id) ?? 0) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

export function fuse(lexical: readonly SearchHit[], dense: readonly SearchHit[], fusion: Fusion): SearchHit[] {
  return fusion.kind === 'rrf' ? rrfFuse([lexical, dense], fusion.k) : linearFuse(lexical, dense, fusion.denseWeight);
}

/**
 * `first`, then the best of `others` not in it, scaled below the lowest score in `first` so that
 * a ranking by score keeps the preferred products ahead.
 */
export function preferredFirst(first: readonly RetrievedHit[], others: readonly RetrievedHit[], k: number): RetrievedHit[] {
  const seen = new Set(first.map((h) => h.id));
  const floor = first.length ? Math.min(...first.map((h) => h.score)) : 1;
  const rest = others.filter((h) => !seen.has(h.id)).slice(0, Math.max(0, k - first.length));
  const top = rest.length ? Math.max(...rest.map((h) => h.score)) : 0;
  const scale = top > 0 ? (0.99 * floor) / top : 0;
  return [...first, ...rest.map((h) => ({ ...h, score: h.score * scale }))];
}

/** normalize(query + weight * mean(docs)); the query itself when no doc vector came back. */
export function withFeedback(query: Float32Array, docs: ReadonlyMap<string, Float32Array>, weight: number): Float32Array {
  if (docs.size === 0) return query;
  const out = Float32Array.from(query);
  const w = weight / docs.size;
  for (const v of docs.values()) for (let i = 0; i < out.length; i++) out[i]! += w * v[i]!;
  return normalizeInPlace(out);
}

/** What the re-rank stage sees of each fused candidate. */
export function fusedCandidates(fused: readonly SearchHit[], lexical: readonly SearchHit[], dense: readonly SearchHit[]): FusedCandidate[] {
  const lex = new Map(lexical.map((h, i) => [h.id, { score: h.score, rank: i + 1 }]));
  const den = new Map(dense.map((h, i) => [h.id, { score: h.score, rank: i + 1 }]));
  return fused.map((h, i) => {
    const l = lex.get(h.id);
    const d = den.get(h.id);
    return { id: h.id, fusedScore: h.score, fusedRank: i + 1, ...(l ? { lexicalScore: l.score, lexicalRank: l.rank } : {}), ...(d ? { denseScore: d.score, denseRank: d.rank } : {}) };
  });
}

const defaultSchedule = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

export function createHybridRetriever(deps: HybridRetrieverDeps): Retriever {
  const log = deps.log ?? silentLog;
  const now = deps.now ?? Date.now;
  const schedule = deps.schedule ?? defaultSchedule;
  const mode = deps.dense ? (deps.mode ?? 'hybrid') : 'lexical';
  const fusion = deps.fusion ?? DEFAULT_FUSION;
  const candidates = deps.candidates ?? 100;
  const probeInitialMs = deps.probeInitialMs ?? 1000;
  const probeMaxMs = deps.probeMaxMs ?? 60_000;

  let degradedSince: number | undefined;
  let degradedCount = 0;
  let degradedTurns = 0;
  let lastError: string | undefined;
  let backoffMs = probeInitialMs;
  let nextProbeAt = 0;
  let cancelProbe: (() => void) | undefined;
  let closed = false;

  function recovered(): void {
    if (degradedSince === undefined) return;
    log.info({ event: 'retrieval_recovered', degradedMs: now() - degradedSince }, 'dense retrieval recovered');
    degradedSince = undefined;
    backoffMs = probeInitialMs;
    cancelProbe?.();
    cancelProbe = undefined;
  }

  function failed(err: unknown): void {
    lastError = err instanceof Error ? err.message : String(err);
    if (degradedSince === undefined) {
      degradedSince = now();
      degradedCount++;
      log.warn({ event: 'retrieval_degraded', err: lastError, degradedCount }, 'dense retrieval unavailable; answering from the lexical index');
    } else {
      backoffMs = Math.min(backoffMs * 2, probeMaxMs);
    }
    nextProbeAt = now() + backoffMs;
    scheduleProbe();
  }

  function scheduleProbe(): void {
    cancelProbe?.();
    if (closed || !deps.dense) return;
    const index = deps.dense.index;
    cancelProbe = schedule(() => {
      cancelProbe = undefined;
      index.count().then(recovered, (err: unknown) => {
        if (degradedSince !== undefined) failed(err);
      });
    }, backoffMs);
  }

  async function denseSearch(q: RetrievalQuery, lexical: readonly SearchHit[], signal?: AbortSignal): Promise<SearchHit[]> {
    const { index, encoder } = deps.dense!;
    const [embedded] = await encoder.embed([q.text], { kind: 'query', ...(signal ? { signal } : {}) });
    const feedback = mode === 'hybrid' ? fusion.feedback : undefined;
    const vector = feedback && lexical.length ? withFeedback(embedded!, await index.vectors(lexical.slice(0, feedback.docs).map((h) => h.id)), feedback.weight) : embedded!;
    return index.search({ vector, k: candidates, ...(q.filters ? { filters: q.filters } : {}) });
  }

  const lexicalSearch = (q: RetrievalQuery) => deps.lexical.search(q.text, { k: candidates, ...(q.lang ? { lang: q.lang } : {}), ...(q.filters ? { filters: q.filters } : {}) });

  async function searchOnce(q: RetrievalQuery, options?: { signal?: AbortSignal }): Promise<RetrievalResult> {
    const lex = mode === 'dense' ? [] : lexicalSearch(q);
    let dense: SearchHit[] | undefined;
    let degraded = false;
    if (mode !== 'lexical') {
      if (degradedSince !== undefined && now() < nextProbeAt) {
        degraded = true;
      } else {
        try {
          dense = await denseSearch(q, lex, options?.signal);
          recovered();
        } catch (err) {
          if (options?.signal?.aborted) throw err;
          failed(err);
          degraded = true;
        }
      }
    }
    // Lexical only when the mode asks for it or the dense side is down (even in 'dense' mode).
    if (!dense) {
      const lexical = mode === 'dense' ? lexicalSearch(q) : lex;
      return { hits: lexical.slice(0, q.k).map((h, i) => ({ ...h, lexicalRank: i + 1 })), degraded };
    }
    if (mode === 'dense') return { hits: dense.slice(0, q.k).map((h, i) => ({ ...h, denseRank: i + 1 })), degraded };
    const lexRank = new Map(lex.map((h, i) => [h.id, i + 1]));
    const denseRank = new Map(dense.map((h, i) => [h.id, i + 1]));
    const fused = fuse(lex, dense, fusion);
    const hits = (deps.rerank ? deps.rerank.rerank(q.text, fusedCandidates(fused, lex, dense)) : fused)
      .slice(0, q.k)
      .map((h) => ({
        ...h,
        ...(lexRank.has(h.id) ? { lexicalRank: lexRank.get(h.id)! } : {}),
        ...(denseRank.has(h.id) ? { denseRank: denseRank.get(h.id)! } : {}),
      }));
    return { hits, degraded };
  }

  return {
    async search(q, options) {
      let result: RetrievalResult;
      if (!q.preferred || !hasFilters(q.preferred.filters)) result = await searchOnce(q, options);
      else {
        const { preferred, ...rest } = q;
        result = await searchOnce({ ...rest, filters: { ...q.filters, ...preferred.filters } }, options);
        if (result.hits.length < Math.min(preferred.min, q.k)) {
          const others = await searchOnce(rest, options);
          result = { hits: preferredFirst(result.hits, others.hits, q.k), degraded: result.degraded || others.degraded };
        }
      }
      if (result.degraded) degradedTurns++;
      return result;
    },
    health() {
      return {
        dense: mode === 'lexical' ? 'off' : degradedSince === undefined ? 'ok' : 'degraded',
        ...(degradedSince !== undefined ? { since: degradedSince } : {}),
        degradedCount,
        degradedTurns,
        ...(lastError ? { lastError } : {}),
      };
    },
    async close() {
      closed = true;
      cancelProbe?.();
      cancelProbe = undefined;
    },
  };
}

/** What a turn adds to the words of a query: hard and soft filters. */
export type QueryConstraints = Pick<RetrievalQuery, 'filters' | 'preferred'>;

/** Ranked ids for a query (and the constraints a turn would derive from it): the shape evals/retrieval.ts compares side by side. */
export type RankedIdsSystem = (query: string, constraints?: QueryConstraints) => Promise<readonly string[]>;

/**
 * Dense and hybrid systems over an in-memory embedded index (exact search) of `products`, for
 * the retrieval eval. `embedText` is the passage text the indexer embeds.
 */
export async function buildDenseAndHybridSystems(
  products: readonly Product[],
  lexical: LexicalIndex,
  encoder: TextEncoder,
  embedText: (p: Product) => string,
  options: {
    depth: number;
    fusions: Readonly<Record<string, Fusion>>;
    /** Hybrid systems with a re-rank stage after their fusion. */
    reranked?: Readonly<Record<string, { readonly fusion: Fusion; readonly rerank: RerankStage }>>;
    batchSize?: number;
  },
): Promise<Record<string, RankedIdsSystem>> {
  const { EmbeddedProductIndex } = await import('./embedded.js');
  const { filterFields } = await import('./filters.js');
  const index = await EmbeddedProductIndex.open({ dim: encoder.dim, annThreshold: Number.MAX_SAFE_INTEGER });
  const batch = options.batchSize ?? 64;
  for (let i = 0; i < products.length; i += batch) {
    const slice = products.slice(i, i + batch);
    const vectors = await encoder.embed(slice.map(embedText), { kind: 'passage' });
    await index.upsert(slice.map((p, j) => ({ id: p.id, vector: vectors[j]!, payload: filterFields(p) })));
  }
  const make = (mode: 'dense' | 'hybrid', fusion: Fusion, rerank?: RerankStage): RankedIdsSystem => {
    const r = createHybridRetriever({ lexical, dense: { index, encoder }, mode, fusion, candidates: options.depth, ...(rerank ? { rerank } : {}) });
    return async (query, constraints) => (await r.search({ text: query, k: options.depth, ...constraints })).hits.map((h) => h.id);
  };
  const systems: Record<string, RankedIdsSystem> = { dense: make('dense', DEFAULT_FUSION) };
  for (const [name, fusion] of Object.entries(options.fusions)) systems[name] = make('hybrid', fusion);
  for (const [name, r] of Object.entries(options.reranked ?? {})) systems[name] = make('hybrid', r.fusion, r.rerank);
  return systems;
}
