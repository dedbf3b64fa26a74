import { describe, expect, it } from 'vitest';
import { logLoss, rocAuc } from '../../evals/metrics/auc.js';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
  });
  it('counts ties as half', () => {
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
    // pairs (pos,neg): (0.8>0.3)=1, (0.8 vs 0.8)=0.5, (0.4>0.3)=1, (0.4<0.8)=0 -> 2.5/4
    expect(rocAuc([1, 1, 0, 0], [0.8, 0.4, 0.3, 0.8])).toBeCloseTo(0.625, 12);
  });
  it('is NaN with one class', () => {
    expect(rocAuc([1, 1], [0.1, 0.2])).toBeNaN();
  });
});

describe('logLoss', () => {
  it('matches the hand computation', () => {
    expect(logLoss([1, 0], [0.8, 0.4])).toBeCloseTo((-Math.log(0.8) - Math.log(0.6)) / 2, 12);
  });
  it('clips 0 and 1 instead of returning Infinity', () => {
    expect(Number.isFinite(logLoss([1], [0]))).toBe(true);
  });
});
