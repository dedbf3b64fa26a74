/** Numeric primitives the stages share: a seeded random source, a bounded top-k and LRU, vector maths. */
export { createRng, shuffle, type Rng } from './rng.js';
export { TopK } from './top-k.js';
export { LruCache } from './lru.js';
export { dot, dotAt, normalized, normalizeInPlace } from './vectors.js';
export { differenceOfMeans, differenceOfProportions, meanWithInterval, quantile, Z95, type ProportionDifference } from './stats.js';
export { bootstrapCi, dr, drTerms, ips, ipsTerms, mean, snips, type LoggedRow } from './ope.js';
