import { describe, expect, it } from 'vitest';
import {
  accuracy, accuracyExcluding, expectedCalibrationError, intentMetrics, macroF1, perClass, recallOf, worstConfusedPairs,
} from '../../evals/metrics/classification.js';

const gold = ['a', 'a', 'b', 'b', 'oos', 'oos'];
const pred = ['a', 'b', 'b', 'b', 'oos', 'a'];

describe('classification metrics', () => {
  it('accuracy counts exact matches', () => {
    expect(accuracy(gold, pred)).toBeCloseTo(4 / 6);
    expect(accuracy([], [])).toBe(0);
  });

  it('per-class precision, recall and F1 over gold and predicted labels', () => {
    const s = perClass(gold, pred);
    expect(s.a).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(s.b!.precision).toBeCloseTo(2 / 3);
    expect(s.b!.recall).toBe(1);
    expect(s.b!.f1).toBeCloseTo(0.8);
    expect(s.oos).toEqual({ precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
  });

  it('macro-F1 is the unweighted mean, and a label only predicted counts as 0', () => {
    expect(macroF1(gold, pred)).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3);
    expect(macroF1(['a', 'a'], ['a', 'z'])).toBeCloseTo((2 / 3 + 0) / 2);
    expect(macroF1(['a', 'a'], ['a', 'z'], ['a'])).toBeCloseTo(2 / 3);
    expect(macroF1(['a'], ['a'], ['a', 'never'])).toBeCloseTo(0.5);
  });

  it('out-of-scope recall and in-scope accuracy', () => {
    expect(recallOf(gold, pred, 'oos')).toBe(0.5);
    expect(recallOf(['a'], ['a'], 'oos')).toBeNaN();
    expect(accuracyExcluding(gold, pred, 'oos')).toBe(0.75);
  });

  it('worst confused pairs: most frequent errors first, ties by label', () => {
    const g = ['a', 'a', 'a', 'b', 'b', 'c'];
    const p = ['b', 'b', 'a', 'a', 'c', 'a'];
    expect(worstConfusedPairs(g, p)).toEqual([
      { gold: 'a', predicted: 'b', count: 2 },
      { gold: 'b', predicted: 'a', count: 1 },
      { gold: 'b', predicted: 'c', count: 1 },
      { gold: 'c', predicted: 'a', count: 1 },
    ]);
    expect(worstConfusedPairs(g, p, 1)).toHaveLength(1);
    expect(worstConfusedPairs(['x'], ['x'])).toEqual([]);
  });

  it('expected calibration error', () => {
    expect(expectedCalibrationError([1, 1], [true, true])).toBe(0);
    expect(expectedCalibrationError([0.9, 0.9], [false, false])).toBeCloseTo(0.9);
    expect(expectedCalibrationError([0.55, 0.55, 0.55, 0.55], [true, true, false, false])).toBeCloseTo(0.05);
  });

  it('rejects mismatched lengths', () => {
    expect(() => accuracy(['a'], [])).toThrow(RangeError);
    expect(() => worstConfusedPairs(['a'], [])).toThrow(RangeError);
  });

  it('intentMetrics bundles the headline figures', () => {
    const m = intentMetrics(gold, pred, [1, 1, 1, 1, 1, 1], 'oos');
    expect(m).toMatchObject({ n: 6, oos_recall: 0.5, in_scope_accuracy: 0.75 });
    expect(m.accuracy).toBeCloseTo(4 / 6);
  });
});
