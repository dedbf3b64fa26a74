/**
 * Meta-learners for the conditional average treatment effect tau(x) = E[y | x, treated] -
 * E[y | x, control], each built from gradient-boosted trees (Kunzel et al., PNAS 2019; Kennedy 2020):
 *
 *   T-learner:  mu1 on treated rows, mu0 on control rows; tau = mu1 - mu0.
 *   X-learner:  imputed effects D1 = y - mu0(x) (treated), D0 = mu1(x) - y (control), one
 *               regression tree model per arm, blended by the propensity: tau = e tau0 + (1 - e) tau1.
 *   DR-learner: doubly robust pseudo-outcome
 *                 psi = mu1 - mu0 + t (y - mu1) / e - (1 - t)(y - mu0) / (1 - e)
 *               regressed on x, with mu0/mu1 cross-fitted (each row's psi uses outcome models that
 *               never saw it) so the correction term is not fitted away.
 *
 * Unequal treatment shares (Hillstrom e-mails two thirds; a coupon policy offers where it expects
 * gain, explores elsewhere and holds out 10%) enter through e, each row's logged P(treated | x).
 * Every stage early-stops on a validation set given separately from the training rows.
 */
import { z } from 'zod';
import { ShopbotError } from '../../errors.js';
import { createRng } from '../../maths/index.js';
import { GbdtModel, GbdtModelSchema, trainGbdt, type GbdtModelJson, type GbdtParamsInput, type TrainSet } from './booster.js';
import { toColumns, type FeatureSpec, type TabularRow } from './data.js';

export const META_LEARNERS = ['t', 'x', 'dr'] as const;
export type MetaLearnerKind = (typeof META_LEARNERS)[number];

/** Rows of an experiment or of logged decisions, as columns. */
export interface UpliftSet {
  readonly columns: readonly Float64Array[];
  readonly treated: Uint8Array;
  readonly outcome: Float64Array;
  /** P(treated | x) under the policy that assigned treatment. */
  readonly propensity: Float64Array;
}

export interface UpliftTrainInput {
  readonly kind: MetaLearnerKind;
  readonly schema: readonly FeatureSpec[];
  readonly train: UpliftSet;
  readonly valid?: UpliftSet | undefined;
  /** Outcome models (binary log-loss). */
  readonly outcomeParams: GbdtParamsInput;
  /** Effect models of the X- and DR-learners (squared error). */
  readonly effectParams: GbdtParamsInput;
  readonly seed: number;
}

export const UPLIFT_FORMAT = 'shopbot-uplift-1';

export const UpliftModelSchema = z.object({
  format: z.literal(UPLIFT_FORMAT),
  kind: z.enum(META_LEARNERS),
  /** Outcome models per arm (one per cross-fitting fold for DR; their mean is used). */
  mu0: z.array(GbdtModelSchema).min(1),
  mu1: z.array(GbdtModelSchema).min(1),
  /** X: [tau0, tau1]; DR: [tau]; T: none. */
  tau: z.array(GbdtModelSchema),
  /** Mean propensity of the training rows: the X-learner's blend weight. */
  treatedShare: z.number().min(0).max(1),
  trainedRows: z.number().int().nonnegative(),
});
export type UpliftModelJson = z.infer<typeof UpliftModelSchema>;

/** Propensities this close to 0 or 1 would let single rows dominate the DR pseudo-outcome. */
const MIN_PROPENSITY = 0.02;
const clip = (e: number) => Math.min(1 - MIN_PROPENSITY, Math.max(MIN_PROPENSITY, e));

function subset(set: UpliftSet, rows: readonly number[]): UpliftSet {
  const pick = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
    const out = make(rows.length);
    rows.forEach((r, k) => (out[k] = a[r]!));
    return out;
  };
  return {
    columns: set.columns.map((c) => pick(c, (n) => new Float64Array(n))),
    treated: pick(set.treated, (n) => new Uint8Array(n)),
    outcome: pick(set.outcome, (n) => new Float64Array(n)),
    propensity: pick(set.propensity, (n) => new Float64Array(n)),
  };
}

function arm(set: UpliftSet, treated: 0 | 1): UpliftSet {
  const rows: number[] = [];
  for (let i = 0; i < set.treated.length; i++) if (set.treated[i] === treated) rows.push(i);
  return subset(set, rows);
}

const asTrainSet = (s: UpliftSet, label?: Float64Array): TrainSet => ({ columns: s.columns, label: label ?? s.outcome });

function mean(models: readonly GbdtModel[], columns: readonly Float64Array[], i: number): number {
  let s = 0;
  for (const m of models) s += m.predictAt(columns, i);
  return s / models.length;
}

function fitArms(input: UpliftTrainInput, train: UpliftSet, seedOffset: number): { mu0: GbdtModel; mu1: GbdtModel } {
  const fit = (t: 0 | 1) => {
    const tr = arm(train, t);
    if (tr.outcome.length === 0) throw new ShopbotError('BAD_REQUEST', `no ${t ? 'treated' : 'control'} rows to learn from`);
    const va = input.valid ? arm(input.valid, t) : undefined;
    return trainGbdt({ schema: input.schema, train: asTrainSet(tr), valid: va && va.outcome.length > 0 ? asTrainSet(va) : undefined, params: { ...input.outcomeParams, objective: 'binary', seed: input.seed + seedOffset + t } });
  };
  return { mu0: fit(0), mu1: fit(1) };
}

function fitEffect(input: UpliftTrainInput, set: UpliftSet, target: Float64Array, valid: { set: UpliftSet; target: Float64Array } | undefined, seed: number): GbdtModel {
  return trainGbdt({
    schema: input.schema,
    train: asTrainSet(set, target),
    valid: valid && valid.target.length > 0 ? asTrainSet(valid.set, valid.target) : undefined,
    params: { ...input.effectParams, objective: 'regression', seed },
  });
}

export function trainUplift(input: UpliftTrainInput): UpliftModel {
  const { train, valid } = input;
  const n = train.outcome.length;
  let share = 0;
  for (let i = 0; i < n; i++) share += train.propensity[i]!;
  share = n > 0 ? share / n : 0.5;
  const base = { format: UPLIFT_FORMAT, kind: input.kind, treatedShare: share, trainedRows: n } as const;

  if (input.kind === 't') {
    const { mu0, mu1 } = fitArms(input, train, 0);
    return new UpliftModel({ ...base, mu0: [mu0.json], mu1: [mu1.json], tau: [] });
  }

  if (input.kind === 'x') {
    const { mu0, mu1 } = fitArms(input, train, 0);
    const imputed = (s: UpliftSet, t: 0 | 1) => {
      const a = arm(s, t);
      const d = new Float64Array(a.outcome.length);
      // Each arm's effect is imputed with the other arm's model, which never saw these rows.
      for (let i = 0; i < d.length; i++) d[i] = t ? a.outcome[i]! - mu0.predictAt(a.columns, i) : mu1.predictAt(a.columns, i) - a.outcome[i]!;
      return { set: a, target: d };
    };
    const taus = ([0, 1] as const).map((t) => {
      const tr = imputed(train, t);
      return fitEffect(input, tr.set, tr.target, valid ? imputed(valid, t) : undefined, input.seed + 10 + t);
    });
    return new UpliftModel({ ...base, mu0: [mu0.json], mu1: [mu1.json], tau: taus.map((m) => m.json) });
  }

  // DR-learner, 2-fold cross-fitting: fold k's pseudo-outcomes come from outcome models trained on the other fold.
  const rng = createRng(input.seed + 20);
  const fold = Uint8Array.from({ length: n }, () => (rng() < 0.5 ? 0 : 1));
  const folds = ([0, 1] as const).map((k) => {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (fold[i] !== k) rows.push(i);
    return fitArms(input, subset(train, rows), 30 + 2 * k);
  });
  const psi = (s: UpliftSet, mu0: (i: number) => number, mu1: (i: number) => number) => {
    const out = new Float64Array(s.outcome.length);
    for (let i = 0; i < out.length; i++) {
      const e = clip(s.propensity[i]!);
      const m0 = mu0(i), m1 = mu1(i), y = s.outcome[i]!;
      out[i] = m1 - m0 + (s.treated[i] ? (y - m1) / e : -(y - m0) / (1 - e));
    }
    return out;
  };
  const target = psi(train, (i) => folds[fold[i]!]!.mu0.predictAt(train.columns, i), (i) => folds[fold[i]!]!.mu1.predictAt(train.columns, i));
  const mu0s = folds.map((f) => f.mu0);
  const mu1s = folds.map((f) => f.mu1);
  const validTarget = valid ? { set: valid, target: psi(valid, (i) => mean(mu0s, valid.columns, i), (i) => mean(mu1s, valid.columns, i)) } : undefined;
  const tau = fitEffect(input, train, target, validTarget, input.seed + 40);
  return new UpliftModel({ ...base, mu0: mu0s.map((m) => m.json), mu1: mu1s.map((m) => m.json), tau: [tau.json] });
}

export class UpliftModel {
  private readonly mu0: GbdtModel[];
  private readonly mu1: GbdtModel[];
  private readonly tau: GbdtModel[];

  constructor(readonly json: UpliftModelJson) {
    this.mu0 = json.mu0.map((m) => new GbdtModel(m));
    this.mu1 = json.mu1.map((m) => new GbdtModel(m));
    this.tau = json.tau.map((m) => new GbdtModel(m));
    const need = json.kind === 'x' ? 2 : json.kind === 'dr' ? 1 : 0;
    if (this.tau.length !== need) throw new ShopbotError('MODEL_MISSING', `a ${json.kind}-learner needs ${need} effect models, got ${this.tau.length}`);
  }

  static fromJSON(value: unknown): UpliftModel {
    const parsed = UpliftModelSchema.safeParse(value);
    if (!parsed.success) throw new ShopbotError('MODEL_MISSING', `not an uplift model: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return new UpliftModel(parsed.data);
  }

  get kind(): MetaLearnerKind {
    return this.json.kind;
  }

  get schema(): readonly FeatureSpec[] {
    return this.json.mu0[0]!.features;
  }

  /** tau(x) for row i of columns laid out by `schema`. */
  upliftAt(columns: readonly Float64Array[], i: number): number {
    switch (this.json.kind) {
      case 't':
        return mean(this.mu1, columns, i) - mean(this.mu0, columns, i);
      case 'x': {
        const e = this.json.treatedShare;
        return e * this.tau[0]!.predictAt(columns, i) + (1 - e) * this.tau[1]!.predictAt(columns, i);
      }
      case 'dr':
        return this.tau[0]!.predictAt(columns, i);
    }
  }

  /** P(y = 1 | x, arm). */
  responseAt(columns: readonly Float64Array[], i: number, treated: boolean): number {
    return mean(treated ? this.mu1 : this.mu0, columns, i);
  }

  uplift(row: TabularRow): number {
    return this.upliftAt(toColumns(this.schema, [row]), 0);
  }

  response(row: TabularRow, treated: boolean): number {
    return this.responseAt(toColumns(this.schema, [row]), 0, treated);
  }

  toJSON(): UpliftModelJson {
    return this.json;
  }
}
