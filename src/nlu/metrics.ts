/**
 * Per-class F1 and macro-F1 as pure functions of (gold, predicted) labels: the trainer fits its
 * out-of-scope threshold with them, and the intent evals (evals/metrics) report them.
 */

export function checkLengths(gold: readonly string[], pred: readonly string[]): void {
  if (gold.length !== pred.length) throw new RangeError(`gold has ${gold.length} labels, predicted ${pred.length}`);
}

export interface ClassScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Gold count. */
  readonly support: number;
}

/** Precision, recall and F1 for every label seen in gold or predicted (0 where undefined). */
export function perClass(gold: readonly string[], pred: readonly string[]): Record<string, ClassScores> {
  checkLengths(gold, pred);
  const tp = new Map<string, number>();
  const goldCount = new Map<string, number>();
  const predCount = new Map<string, number>();
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i]!;
    const p = pred[i]!;
    goldCount.set(g, (goldCount.get(g) ?? 0) + 1);
    predCount.set(p, (predCount.get(p) ?? 0) + 1);
    if (g === p) tp.set(g, (tp.get(g) ?? 0) + 1);
  }
  const out: Record<string, ClassScores> = {};
  for (const label of [...new Set([...goldCount.keys(), ...predCount.keys()])].sort()) {
    const t = tp.get(label) ?? 0;
    const nGold = goldCount.get(label) ?? 0;
    const nPred = predCount.get(label) ?? 0;
    const precision = nPred ? t / nPred : 0;
    const recall = nGold ? t / nGold : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    out[label] = { precision, recall, f1, support: nGold };
  }
  return out;
}

/**
 * Unweighted mean F1 over the labels in gold and predicted (scikit-learn's default label set), or
 * over `labels` when given. On a mapped benchmark where gold holds a few store intents, the default
 * also averages in the labels that were only predicted (F1 0); `labels = gold's labels` leaves them out.
 */
export function macroF1(gold: readonly string[], pred: readonly string[], labels?: readonly string[]): number {
  const all = perClass(gold, pred);
  const scores = (labels ?? Object.keys(all)).map((l) => all[l]?.f1 ?? 0);
  return scores.length ? scores.reduce((s, f) => s + f, 0) / scores.length : 0;
}

