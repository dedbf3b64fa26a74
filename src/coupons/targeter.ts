/**
 * The shipped coupon targeter: a meta-learner over gradient-boosted trees (src/learning/gbdt)
 * estimating tau(x) = P(buy | offer, x) - P(buy | no offer, x) from the shop's own logged
 * decisions, each with the propensity the policy logged (holdout, exploration and model-driven
 * offers give very unequal treatment shares). Its outcome model for the offered arm prices the
 * offer (expected discount paid).
 *
 * Trees are batch models: labelled decisions collect in a bounded buffer (filled live from the
 * funnel, or from the whole log by `shopbot train uplift`), and every `retrainEvery` new outcomes
 * the model is retrained in a worker thread, off the reply path, then swapped in and checkpointed.
 * Until a first model exists the estimate is 0, so only exploration offers are made.
 */
import { ShopbotError } from '../errors.js';
import type { FeatureRecord } from '../learning/index.js';
import { buildSchema, startTreeJob, toColumns, UpliftModel, type FeatureSpec, type GbdtParamsInput, type MetaLearnerKind, type UpliftSet, type UpliftTrainInput, type WorkerHandle, type UpliftModelJson } from '../learning/index.js';
import type { UpliftExample } from './uplift.js';

/**
 * Chosen by 4-fold CV Qini over Hillstrom's train + valid rows (`shopbot eval uplift --tune`): the
 * T-learner over stumps 0.0105, the DR-learner over 7-leaf trees (shipped before) 0.0074, the
 * two-model FTRL baseline 0.0077. Additive outcome models (one split per tree) suit an effect
 * this weak: deeper trees fit the outcome and their difference is mostly noise.
 */
export const SHIPPED_META_LEARNER: MetaLearnerKind = 't';

/** Outcome models before the stumps (7 leaves); `--tune` keeps them as a variant. */
export const SEVEN_LEAF_OUTCOMES: GbdtParamsInput = { rounds: 2000, learningRate: 0.03, numLeaves: 7, minDataInLeaf: 100, lambdaL2: 10, featureFraction: 0.8, baggingFraction: 0.8, earlyStoppingRounds: 100 };

/** Tree parameters of the targeter, chosen by that cross-validation (uplift signals are weak: small, regularised trees). */
export const TARGETER_PARAMS: { readonly outcomeParams: GbdtParamsInput; readonly effectParams: GbdtParamsInput } = {
  outcomeParams: { ...SEVEN_LEAF_OUTCOMES, numLeaves: 2, minDataInLeaf: 200 },
  effectParams: { rounds: 1000, learningRate: 0.02, numLeaves: 7, minDataInLeaf: 300, lambdaL2: 50, featureFraction: 0.8, baggingFraction: 0.8, earlyStoppingRounds: 100 },
};

/**
 * TARGETER_PARAMS with leaf sizes no larger than a twentieth of the smaller arm's rows. The
 * counts above were chosen on Hillstrom's tens of thousands of rows; a shop's first thousand
 * decisions with a 20% holdout leave ~160 control rows, where a 200-row leaf forbids every split
 * and the model's uplift is one constant. On Hillstrom-sized data the cap does not bind.
 */
export function targeterParamsFor(treatedRows: number, controlRows: number): typeof TARGETER_PARAMS {
  const smaller = Math.min(treatedRows, controlRows);
  const cap = (leaf: number | undefined) => Math.max(10, Math.min(leaf ?? 20, Math.floor(smaller / 20)));
  return {
    outcomeParams: { ...TARGETER_PARAMS.outcomeParams, minDataInLeaf: cap(TARGETER_PARAMS.outcomeParams.minDataInLeaf) },
    effectParams: { ...TARGETER_PARAMS.effectParams, minDataInLeaf: cap(TARGETER_PARAMS.effectParams.minDataInLeaf) },
  };
}

/** The shopper and basket signals `upliftFeatures` records (src/coupons/offers.ts). */
export const TARGETER_FEATURES: readonly { name: string; kind: 'numeric' | 'categorical' }[] = [
  { name: 'basket', kind: 'numeric' },
  { name: 'items', kind: 'numeric' },
  { name: 'messages', kind: 'numeric' },
  { name: 'views', kind: 'numeric' },
  { name: 'carts', kind: 'numeric' },
  { name: 'channel', kind: 'categorical' },
  { name: 'segment', kind: 'categorical' },
  { name: 'lang', kind: 'categorical' },
  { name: 'cat', kind: 'categorical' },
];

const MAX_EXAMPLES = 200_000;
/** Below these counts a tree model of the effect is noise: keep the old model (or none). */
const MIN_ROWS_PER_ARM = 50;
const MIN_POSITIVES_PER_ARM = 5;

/** What the coupon policy needs from an uplift model. */
export interface UpliftEstimator {
  uplift(f: FeatureRecord): number;
  /** P(buy | x, offer or not). */
  responseRate(f: FeatureRecord, treated: boolean): number;
}

export interface TargeterOptions {
  readonly kind?: MetaLearnerKind;
  /** Retrain after this many new labelled decisions. */
  readonly retrainEvery: number;
  readonly seed: number;
}

/** Builds the training job from labelled decisions: a seeded fifth of them is the validation set for early stopping. */
export function upliftJob(examples: readonly UpliftExample[], kind: MetaLearnerKind, seed: number): UpliftTrainInput {
  const schema: FeatureSpec[] = buildSchema(TARGETER_FEATURES, examples.map((e) => e.features), { minCategoryCount: 5 });
  const toSet = (rows: readonly UpliftExample[]): UpliftSet => ({
    columns: toColumns(schema, rows.map((e) => e.features)),
    treated: Uint8Array.from(rows, (e) => (e.treated ? 1 : 0)),
    outcome: Float64Array.from(rows, (e) => e.outcome),
    propensity: Float64Array.from(rows, (e) => e.propensity),
  });
  const train: UpliftExample[] = [];
  const valid: UpliftExample[] = [];
  // Golden-ratio stride: a deterministic, well-spread fifth that does not depend on an RNG's state.
  examples.forEach((e, i) => (((i * 0.6180339887 + seed * 0.1) % 1) < 0.2 ? valid : train).push(e));
  const treatedRows = train.filter((e) => e.treated).length;
  return { kind, schema, train: toSet(train), valid: valid.length > 0 ? toSet(valid) : undefined, ...targeterParamsFor(treatedRows, train.length - treatedRows), seed };
}

export function hasEnoughForTrees(examples: readonly UpliftExample[]): boolean {
  const n = [0, 0], pos = [0, 0];
  for (const e of examples) {
    n[e.treated ? 1 : 0]!++;
    pos[e.treated ? 1 : 0]! += e.outcome;
  }
  return n.every((c) => c >= MIN_ROWS_PER_ARM) && pos.every((c) => c >= MIN_POSITIVES_PER_ARM);
}

export class UpliftTargeter implements UpliftEstimator {
  private examples: UpliftExample[] = [];
  private sinceRetrain = 0;
  private running: WorkerHandle<UpliftModelJson> | undefined;
  /** Retrains completed by this process (tests and logs read it). */
  retrains = 0;

  constructor(private readonly options: TargeterOptions, public model: UpliftModel | undefined = undefined) {}

  get kind(): MetaLearnerKind {
    return this.options.kind ?? SHIPPED_META_LEARNER;
  }

  /** Labelled decisions learned from so far (in the current model). */
  get trained(): number {
    return this.model?.json.trainedRows ?? 0;
  }

  get buffered(): number {
    return this.examples.length;
  }

  uplift(f: FeatureRecord): number {
    return this.model ? this.model.uplift(f) : 0;
  }

  responseRate(f: FeatureRecord, treated: boolean): number {
    return this.model ? this.model.response(f, treated) : 0;
  }

  /** Adds a labelled decision; true when a retrain is due. */
  add(ex: UpliftExample): boolean {
    this.examples.push(ex);
    if (this.examples.length > MAX_EXAMPLES) this.examples = this.examples.slice(-MAX_EXAMPLES);
    this.sinceRetrain++;
    return this.sinceRetrain >= this.options.retrainEvery && !this.running && hasEnoughForTrees(this.examples);
  }

  /**
   * Refills the buffer after a restart with decisions labelled before it (the log's), without
   * counting them as new: the next retrain, due after `retrainEvery` new outcomes, trains on the
   * whole history again instead of only what came after the restart.
   */
  refill(examples: readonly UpliftExample[]): void {
    this.examples = examples.slice(-MAX_EXAMPLES).concat(this.examples).slice(-MAX_EXAMPLES);
  }

  /** Retrains on the buffer in a worker thread; resolves with the new model installed (undefined when skipped). */
  async retrain(): Promise<UpliftModel | undefined> {
    if (this.running || !hasEnoughForTrees(this.examples)) return undefined;
    this.sinceRetrain = 0;
    const job = startTreeJob({ type: 'uplift', input: upliftJob(this.examples, this.kind, this.options.seed) });
    this.running = job;
    try {
      this.model = new UpliftModel(await job.result);
      this.retrains++;
      return this.model;
    } finally {
      this.running = undefined;
    }
  }

  async close(): Promise<void> {
    await this.running?.cancel();
  }

  toBuffer(): Buffer {
    return Buffer.from(JSON.stringify({ format: 'coupon-targeter-1', kind: this.kind, model: this.model?.toJSON() ?? null }));
  }

  static fromBuffer(buf: Buffer, options: TargeterOptions): UpliftTargeter {
    let parsed: { format?: unknown; model?: unknown };
    try {
      parsed = JSON.parse(buf.toString('utf8')) as { format?: unknown; model?: unknown };
    } catch (cause) {
      throw new ShopbotError('MODEL_MISSING', 'coupon targeter checkpoint unreadable', { cause });
    }
    if (parsed.format !== 'coupon-targeter-1') throw new ShopbotError('MODEL_MISSING', 'not a coupon targeter checkpoint');
    return new UpliftTargeter(options, parsed.model ? UpliftModel.fromJSON(parsed.model) : undefined);
  }
}
