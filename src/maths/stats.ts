/** Interval estimates the reports and experiments share (normal approximations, 95% by default). */

export const Z95 = 1.959964;

export interface ProportionDifference {
  readonly rateA: number;
  readonly rateB: number;
  /** rateA - rateB. */
  readonly difference: number;
  /** Wald interval for the difference (unpooled standard error). */
  readonly ci95: readonly [number, number];
}

/** Difference of two independent proportions; undefined when either group is empty. */
export function differenceOfProportions(successesA: number, nA: number, successesB: number, nB: number): ProportionDifference | undefined {
  if (nA <= 0 || nB <= 0) return undefined;
  const rateA = successesA / nA;
  const rateB = successesB / nB;
  const se = Math.sqrt((rateA * (1 - rateA)) / nA + (rateB * (1 - rateB)) / nB);
  const difference = rateA - rateB;
  return { rateA, rateB, difference, ci95: [difference - Z95 * se, difference + Z95 * se] };
}

/** Mean and its normal-approximation interval; undefined for no values. */
export function meanWithInterval(values: readonly number[]): { mean: number; ci95: readonly [number, number] } | undefined {
  if (values.length === 0) return undefined;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  const half = Z95 * Math.sqrt(variance / values.length);
  return { mean, ci95: [mean - half, mean + half] };
}

/** Difference of two independent means (a - b) with a Welch normal-approximation interval; undefined when either is empty. */
export function differenceOfMeans(a: readonly number[], b: readonly number[]): { difference: number; ci95: readonly [number, number] } | undefined {
  if (a.length === 0 || b.length === 0) return undefined;
  const stats = (xs: readonly number[]) => {
    const m = xs.reduce((s, v) => s + v, 0) / xs.length;
    return { m, v: xs.length > 1 ? xs.reduce((s, v) => s + (v - m) ** 2, 0) / (xs.length - 1) : 0 };
  };
  const sa = stats(a);
  const sb = stats(b);
  const difference = sa.m - sb.m;
  const half = Z95 * Math.sqrt(sa.v / a.length + sb.v / b.length);
  return { difference, ci95: [difference - half, difference + half] };
}

/** The q-quantile (0..1) by linear interpolation between order statistics; undefined for no values. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}
