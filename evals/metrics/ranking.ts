/**
 * Ranking metrics as pure functions of (judgements, ranked ids). Gains are the judgement values
 * as given (ESCI: Exact 100, Substitute 10, Complement 1, Irrelevant 0); unjudged ids gain 0.
 */

/** Discounted cumulative gain of the first k gains, linear gain, log2(rank + 1) discount. */
export function dcg(gains: readonly number[], k: number): number {
  let sum = 0;
  const n = Math.min(k, gains.length);
  for (let i = 0; i < n; i++) sum += gains[i]! / Math.log2(i + 2);
  return sum;
}

/**
 * NDCG@k; the ideal ranking is the judged list sorted by gain. A query with no positive judgement
 * scores 0 (nothing to find).
 */
export function ndcgAtK(judgements: ReadonlyMap<string, number>, ranked: readonly string[], k: number): number {
  const ideal = dcg([...judgements.values()].sort((a, b) => b - a), k);
  if (ideal <= 0) return 0;
  return dcg(ranked.slice(0, k).map((id) => judgements.get(id) ?? 0), k) / ideal;
}

/** Share of the relevant ids found in the first k; 0 when nothing is relevant. */
export function recallAtK(relevant: ReadonlySet<string>, ranked: readonly string[], k: number): number {
  if (relevant.size === 0) return 0;
  let hits = 0;
  for (const id of new Set(ranked.slice(0, k))) if (relevant.has(id)) hits++;
  return hits / relevant.size;
}

/** 1 / rank of the first relevant id, 0 if none is ranked. */
export function reciprocalRank(relevant: ReadonlySet<string>, ranked: readonly string[]): number {
  const i = ranked.findIndex((id) => relevant.has(id));
  return i < 0 ? 0 : 1 / (i + 1);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Percentile bootstrap confidence interval of the mean: resample the per-query values with
 * replacement `iterations` times using the injected RNG (uniform in [0, 1)).
 */
export function bootstrapMeanCi(
  values: readonly number[],
  rng: () => number,
  options: { iterations?: number; level?: number } = {},
): { low: number; high: number } {
  const iterations = options.iterations ?? 1000;
  const level = options.level ?? 0.95;
  if (values.length === 0) return { low: Number.NaN, high: Number.NaN };
  const means = new Float64Array(iterations);
  for (let it = 0; it < iterations; it++) {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[Math.floor(rng() * values.length)]!;
    means[it] = sum / values.length;
  }
  means.sort();
  const alpha = (1 - level) / 2;
  const at = (q: number) => means[Math.min(iterations - 1, Math.max(0, Math.round(q * (iterations - 1))))]!;
  return { low: at(alpha), high: at(1 - alpha) };
}

/** The project's seeded generator (mulberry32), so a bootstrap interval is reproducible from its seed. */
export { createRng as seededRng } from '../../src/maths/index.js';
