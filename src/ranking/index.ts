/** Ranking: pure scoring, exploration with logged propensities, sponsored slots. No I/O. */
export { rank, choose, scoreCandidates, type RankCandidate, type RankOptions, type RankPolicy, type RankResult, type RankedItem, type ScoredCandidate, type ScoringModels, type SlateEvent } from './rank.js';
export { loadBids } from './bids.js';
export { runAuction, type AuctionResult, type Bidder } from './auction.js';
export { candidateFeatures, type Features, type ShopperContext } from './features.js';
export { createRanker, policyFromConfig, LEARNED_POLICY_ID, type RankerDeps, type SlateExplanation, type SlateItem, type SlateRanker } from './ranker.js';
export { topContributions, type FeatureContribution } from './explain.js';
