/**
 * Classification metrics as pure functions of (gold, predicted) label arrays. Used by the intent
 * eval and other classifiers' evals. F1 lives in src/nlu (the trainer's threshold search uses it)
 * and is re-exported here.
 */
import { checkLengths, macroF1, perClass, type ClassScores } from '../../src/nlu/index.js';

export { macroF1, perClass, type ClassScores };

export function accuracy(gold: readonly string[], pred: readonly string[]): number {
  checkLengths(gold, pred);
  if (gold.length === 0) return 0;
  let hit = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] === pred[i]) hit++;
  return hit / gold.length;
}

/** Recall of one label, e.g. out-of-scope recall; NaN when gold has none of it. */
export function recallOf(gold: readonly string[], pred: readonly string[], label: string): number {
  checkLengths(gold, pred);
  let n = 0;
  let hit = 0;
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] !== label) continue;
    n++;
    if (pred[i] === label) hit++;
  }
  return n ? hit / n : Number.NaN;
}

/** Accuracy over the rows whose gold label is not `outLabel` (in-scope accuracy); NaN if none. */
export function accuracyExcluding(gold: readonly string[], pred: readonly string[], outLabel: string): number {
  checkLengths(gold, pred);
  let n = 0;
  let hit = 0;
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] === outLabel) continue;
    n++;
    if (pred[i] === gold[i]) hit++;
  }
  return n ? hit / n : Number.NaN;
}

export interface ConfusedPair {
  readonly gold: string;
  readonly predicted: string;
  readonly count: number;
}

/** The `k` most frequent (gold, predicted) errors, most frequent first; ties by label order. */
export function worstConfusedPairs(gold: readonly string[], pred: readonly string[], k = 10): ConfusedPair[] {
  checkLengths(gold, pred);
  const counts = new Map<string, ConfusedPair>();
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i]!;
    const p = pred[i]!;
    if (g === p) continue;
    const key = JSON.stringify([g, p]);
    const prev = counts.get(key);
    counts.set(key, { gold: g, predicted: p, count: (prev?.count ?? 0) + 1 });
  }
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || a.gold.localeCompare(b.gold) || a.predicted.localeCompare(b.predicted))
    .slice(0, Math.max(0, k));
}

/** Expected calibration error over equal-width confidence bins. */
export function expectedCalibrationError(confidence: readonly number[], correct: readonly boolean[], bins = 10): number {
  if (confidence.length !== correct.length) throw new RangeError('confidence and correct differ in length');
  if (confidence.length === 0) return 0;
  const sumConf = new Float64Array(bins);
  const sumHit = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < confidence.length; i++) {
    const c = Math.min(1, Math.max(0, confidence[i]!));
    const b = Math.min(bins - 1, Math.floor(c * bins));
    sumConf[b]! += c;
    sumHit[b]! += correct[i] ? 1 : 0;
    count[b]! += 1;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]) ece += Math.abs(sumHit[b]! - sumConf[b]!) / confidence.length;
  return ece;
}

/** The intent eval's headline figures, shared by `shopbot eval intent` and the model card. */
export function intentMetrics(gold: readonly string[], pred: readonly string[], confidence: readonly number[], outLabel = 'out_of_scope'): Record<string, number> {
  return {
    n: gold.length,
    accuracy: accuracy(gold, pred),
    macro_f1: macroF1(gold, pred),
    macro_f1_gold_labels: macroF1(gold, pred, [...new Set(gold)]),
    oos_recall: recallOf(gold, pred, outLabel),
    in_scope_accuracy: accuracyExcluding(gold, pred, outLabel),
    ece: expectedCalibrationError(confidence, gold.map((g, i) => g === pred[i])),
  };
}
