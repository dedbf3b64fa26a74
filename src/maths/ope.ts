/**
 * Off-policy value estimators for logged bandit feedback (one row per logged action):
 *   reward r, logging propensity p = pi_b(a|x), target probability w = pi_e(a|x) of the logged
 *   action, and for DR the model's reward estimate qLogged = q(x,a) and the target policy's expected
 *   model reward qTarget = sum_a' pi_e(a'|x) q(x,a').
 * Each estimator returns per-row terms whose mean is the estimate, so a bootstrap can resample them.
 */

export interface LoggedRow {
  readonly reward: number;
  readonly propensity: number;
  readonly targetProb: number;
  readonly qLogged?: number;
  readonly qTarget?: number;
}

/** Inverse propensity scoring. */
export function ipsTerms(rows: readonly LoggedRow[]): number[] {
  return rows.map((r) => (r.targetProb / r.propensity) * r.reward);
}

export function ips(rows: readonly LoggedRow[]): number {
  return mean(ipsTerms(rows));
}

/** Self-normalised IPS: divides by the mean importance weight instead of 1 (lower variance, slight bias). */
export function snips(rows: readonly LoggedRow[]): number {
  let num = 0;
  let den = 0;
  for (const r of rows) {
    const w = r.targetProb / r.propensity;
    num += w * r.reward;
    den += w;
  }
  return den > 0 ? num / den : Number.NaN;
}

/** Doubly robust: model estimate plus an importance-weighted correction of its error. */
export function drTerms(rows: readonly LoggedRow[]): number[] {
  return rows.map((r) => {
    if (r.qLogged === undefined || r.qTarget === undefined) throw new RangeError('DR needs qLogged and qTarget');
    return r.qTarget + (r.targetProb / r.propensity) * (r.reward - r.qLogged);
  });
}

export function dr(rows: readonly LoggedRow[]): number {
  return mean(drTerms(rows));
}

export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/**
 * Percentile bootstrap interval of `stat` over resampled rows. `rng` is injected so intervals
 * repeat exactly for a seed.
 */
export function bootstrapCi<T>(rows: readonly T[], stat: (sample: readonly T[]) => number, rng: () => number, options: { samples?: number; level?: number } = {}): { low: number; high: number } {
  const B = options.samples ?? 500;
  const level = options.level ?? 0.95;
  const n = rows.length;
  if (n === 0) return { low: Number.NaN, high: Number.NaN };
  const values: number[] = [];
  const sample: T[] = new Array<T>(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) sample[i] = rows[Math.floor(rng() * n)]!;
    const v = stat(sample);
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  if (values.length === 0) return { low: Number.NaN, high: Number.NaN };
  const lo = values[Math.floor(((1 - level) / 2) * (values.length - 1))]!;
  const hi = values[Math.ceil((1 - (1 - level) / 2) * (values.length - 1))]!;
  return { low: lo, high: hi };
}
