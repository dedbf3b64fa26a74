/**
 * Training data for the re-ranker, cut from the production retriever itself: a recording re-rank
 * stage captures the fused candidates (and what each retriever said about them) exactly as a turn
 * would hand them to the learned stage, the judgements label them, and LambdaMART learns the order.
 */
import { trainGbdt, type GbdtModel, type GbdtParamsInput, type TrainSet } from '../learning/index.js';
import { RERANK_SCHEMA, type FusedCandidate, type RerankFeaturizer, type RerankStage } from './rerank.js';
import type { SearchHit } from './types.js';

/** Keeps the fused order and remembers what it was given (one query at a time). */
export class CandidateRecorder implements RerankStage {
  last: { readonly query: string; readonly candidates: readonly FusedCandidate[] } | undefined;

  rerank(query: string, candidates: readonly FusedCandidate[]): SearchHit[] {
    this.last = { query, candidates: [...candidates] };
    return candidates.map((c) => ({ id: c.id, score: c.fusedScore }));
  }

  take(): { readonly query: string; readonly candidates: readonly FusedCandidate[] } {
    const last = this.last;
    this.last = undefined;
    if (!last) throw new Error('the retriever did not reach its re-rank stage (dense side down, or not hybrid)');
    return last;
  }
}

/** One query's candidates with their gains (unjudged candidates gain 0, as the NDCG metric scores them). */
export interface RerankGroup {
  /** The judged query this group comes from (the same for its raw and understood forms). */
  readonly source: string;
  /** The words the retriever searched for (the judged query, or what query understanding left of it). */
  readonly query: string;
  readonly candidates: readonly FusedCandidate[];
  readonly gains: ReadonlyMap<string, number>;
}

export function rerankTrainSet(featurizer: RerankFeaturizer, groups: readonly RerankGroup[], offsetScale: number): TrainSet {
  const n = groups.reduce((s, g) => s + g.candidates.length, 0);
  const columns = RERANK_SCHEMA.map(() => new Float64Array(n));
  const label = new Float64Array(n);
  const query = new Int32Array(n);
  const offset = new Float64Array(n);
  let row = 0;
  groups.forEach((g, qi) => {
    const cols = featurizer.columns(g.query, g.candidates);
    g.candidates.forEach((c, i) => {
      cols.forEach((col, j) => (columns[j]![row] = col[i]!));
      label[row] = g.gains.get(c.id) ?? 0;
      offset[row] = offsetScale * c.fusedScore;
      query[row] = qi;
      row++;
    });
  });
  return { columns, label, query, offset };
}

/**
 * Chosen by 6-fold cross-validation over the development queries (train + valid of the frozen
 * split; `shopbot train reranker --cv 6` prints it): with ~40 training queries anything bigger
 * than stumps overfits (7-leaf trees lost 0.03-0.06 NDCG@10 to the fused order out of fold), and
 * a fixed number of rounds beat early stopping on 7 valid queries.
 */
export const RERANK_PARAMS: GbdtParamsInput = {
  objective: 'lambdarank',
  ndcgAt: 10,
  rounds: 100,
  learningRate: 0.1,
  numLeaves: 2,
  minDataInLeaf: 100,
  lambdaL2: 0,
  featureFraction: 0.8,
  baggingFraction: 0.8,
  seed: 11,
};

/** The fused score's weight in the re-ranker's score (fused scores are in [0, 1]); chosen with RERANK_PARAMS. */
export const RERANK_OFFSET_SCALE = 10;

/**
 * The trees start from the fused order (offset = `offsetScale` x fused score, as the re-ranker
 * scores them too) and learn corrections to it: with a few dozen training queries, learning the
 * whole order from nothing loses to the fusion it was meant to improve.
 */
export function trainRerankModel(featurizer: RerankFeaturizer, train: readonly RerankGroup[], valid: readonly RerankGroup[], offsetScale: number, params: GbdtParamsInput = RERANK_PARAMS): GbdtModel {
  return trainGbdt({
    schema: RERANK_SCHEMA,
    train: rerankTrainSet(featurizer, train, offsetScale),
    ...(valid.length ? { valid: rerankTrainSet(featurizer, valid, offsetScale) } : {}),
    params: { ...RERANK_PARAMS, ...params, objective: 'lambdarank' },
  });
}
