/**
 * The learned ranker behind the SlateRanker interface the search action calls: closes over the models, the
 * ranking config and an injected RNG, and hands the turn the features it logs per candidate.
 */
import type { Product } from '../catalog/index.js';
import type { Config } from '../config.js';
import type { Channel, Lang } from '../messages.js';
import { topContributions, type FeatureContribution } from './explain.js';
import { candidateFeatures } from './features.js';
import { rank, type RankPolicy, type ScoringModels } from './rank.js';

export const LEARNED_POLICY_ID = 'ev-esmm';

/** Why a shown product got its place, kept with the slate for the merchant's explanation view. */
export interface SlateExplanation {
  /** Retrieval relevance as a share of the best candidate's (1 = the most relevant). */
  readonly relevance: number;
  /** Predicted click and purchase-after-click probabilities; absent while the models are cold (relevance order). */
  readonly ctr?: number;
  readonly cvr?: number;
  /** Chosen by exploration rather than as the best remaining option. */
  readonly explored: boolean;
  readonly why: readonly FeatureContribution[];
}

/** One shown product of a slate: where it is, the probability it was chosen with, whether it is an ad. */
export interface SlateItem {
  readonly product: Product;
  readonly position: number;
  readonly propensity: number;
  readonly sponsored: boolean;
  readonly explanation?: SlateExplanation;
}

/** Orders retrieved candidates into the slate the shopper sees, and says how (for logging). */
export interface SlateRanker {
  rank(input: { candidates: readonly { product: Product; relevance: number }[]; k: number; query: string; userId: string; lang: Lang }): {
    items: SlateItem[];
    policyId: string;
    policyVersion: string;
    candidateFeatures?: (productId: string) => Record<string, number | string> | undefined;
  };
}

export interface RankerDeps {
  readonly models: ScoringModels;
  readonly ranking: Config['ranking'];
  readonly rng: () => number;
  readonly now: () => number;
  /** Max cost-per-click bids for sponsored products, by product id (empty: no ads). */
  readonly bids?: (productId: string) => number | undefined;
  readonly channel?: Channel;
  /**
   * False while the models have learned too little to beat relevance: slates are then ordered by
   * relevance (still explored and logged), because an untrained model's expected value is just price.
   */
  readonly isWarm?: () => boolean;
}

export function policyFromConfig(ranking: Config['ranking']): RankPolicy {
  return {
    slateSize: ranking.slateSize,
    explorationRate: ranking.explorationRate,
    explorationMode: ranking.explorationMode,
    explorationPool: ranking.explorationPool,
    relevanceFloor: ranking.relevanceFloor,
    maxPerBrand: ranking.maxPerBrand,
    maxPerCategory: ranking.maxPerCategory,
    sponsoredSlots: ranking.sponsoredSlots,
    sponsoredReserveCpm: ranking.sponsoredReserveCpm,
  };
}

export function createRanker(deps: RankerDeps): SlateRanker {
  const policy = policyFromConfig(deps.ranking);
  let seq = 0;
  return {
    rank({ candidates, k, query, userId, lang }) {
      const context = { query, userId, lang, ...(deps.channel ? { channel: deps.channel } : {}) };
      const withBids = candidates.map((c) => {
        const bid = deps.bids?.(c.product.id);
        return bid ? { ...c, bidCpcCents: bid } : c;
      });
      const models = deps.isWarm && !deps.isWarm() ? undefined : deps.models;
      const result = rank(withBids, models, deps.rng, { ...policy, slateSize: k, slateId: `rank-${++seq}`, policyId: LEARNED_POLICY_ID, ts: deps.now(), channel: deps.channel ?? 'web', context });
      const byId = new Map(result.scored.map((s) => [s.product.id, s.features]));
      // Slots the floor left empty are filled with the next most relevant candidates, in relevance order and
      // never explored (propensity 1): expected value never lifts them over anything more relevant.
      const items = [...result.items];
      if (items.length < k) {
        const taken = new Set(items.map((i) => i.product.id));
        const rest = candidates.filter((c) => !taken.has(c.product.id)).sort((a, b) => b.relevance - a.relevance);
        for (const c of rest.slice(0, k - items.length)) items.push({ product: c.product, position: items.length, propensity: 1, sponsored: false, explored: false, score: Number.NaN, ctr: Number.NaN, cvr: Number.NaN });
      }
      const maxRel = Math.max(0, ...candidates.map((c) => c.relevance));
      const relevanceOf = new Map(candidates.map((c) => [c.product.id, maxRel > 0 ? c.relevance / maxRel : 1]));
      const explained: SlateItem[] = items.map((it) => {
        const features = byId.get(it.product.id);
        const warm = models && features && Number.isFinite(it.ctr);
        return {
          product: it.product,
          position: it.position,
          propensity: it.propensity,
          sponsored: it.sponsored,
          explanation: { relevance: relevanceOf.get(it.product.id) ?? 0, ...(warm ? { ctr: it.ctr, cvr: it.cvr } : {}), explored: it.explored, why: warm ? topContributions(models, features) : [] },
        };
      });
      return {
        items: explained,
        policyId: LEARNED_POLICY_ID,
        policyVersion: result.event.policyVersion,
        // Candidates under the relevance floor were not scored; log their features too so offline policies can use them.
        candidateFeatures: (id) => byId.get(id) ?? featuresFor(id),
      };
      function featuresFor(id: string) {
        const c = candidates.find((x) => x.product.id === id);
        return c ? candidateFeatures(c.product, context) : undefined;
      }
    },
  };
}
