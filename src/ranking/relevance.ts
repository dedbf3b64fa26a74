/**
 * The relevance policy: show the top retrieved candidates in retrieval order. Deterministic, so
 * each shown item's propensity is 1. It is the baseline the learned rankers are measured against.
 */
import type { SlateRanker } from '../turn.js';

export function createRelevanceRanker(): SlateRanker {
  return {
    rank({ candidates, k }) {
      return {
        items: candidates.slice(0, k).map((c, position) => ({ product: c.product, position, propensity: 1, sponsored: false })),
        policyId: 'relevance',
        policyVersion: '1',
      };
    },
  };
}
