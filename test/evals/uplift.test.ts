import { describe, expect, it } from 'vitest';
import { auuc, qiniCoefficient, qiniCurve, upliftAtK } from '../../evals/metrics/uplift.js';

// Treated buyers and control non-buyers are the persuadables; control buyers buy anyway.
const y = [1, 1, 0, 0, 1, 0, 0, 1];
const t = [1, 1, 1, 1, 0, 0, 0, 0];

describe('uplift metrics', () => {
  it('qini curve ends at Y_t - Y_c * N_t / N_c', () => {
    const c = qiniCurve(y, t, [8, 7, 6, 5, 4, 3, 2, 1]);
    expect(c.x.at(-1)).toBe(8);
    expect(c.y.at(-1)).toBeCloseTo(2 - 2 * (4 / 4), 12);
  });
  it('the ideal ordering scores 1 and its reverse scores below 0', () => {
    const ideal = y.map((yi, i) => yi * t[i]! - yi * (1 - t[i]!));
    expect(qiniCoefficient(y, t, ideal)).toBeCloseTo(1, 12);
    expect(qiniCoefficient(y, t, ideal.map((v) => -v))).toBeLessThan(0);
  });
  it('AUUC is 1 for the ideal ordering', () => {
    const crPos = 2, trPos = 2;
    const ideal = y.map((yi, i) => 2 * (yi === t[i] ? 1 : 0) + (crPos > trPos ? yi : t[i]!));
    expect(auuc(y, t, ideal)).toBeCloseTo(1, 12);
  });
  it('uplift@k compares treated and control rates in the top k', () => {
    // top 50% by score: rows 0 (t,y=1), 4 (c,y=1), 1 (t,y=1), 5 (c,y=0)
    const u = [10, 9, 1, 1, 9.5, 8, 0, 0];
    expect(upliftAtK(y, t, u, 0.5)).toBeCloseTo(1 - 0.5, 12);
  });
});
