/**
 * Gradient-boosted trees (Friedman 2001) in the histogram, leaf-wise style of LightGBM (Ke et al.,
 * NeurIPS 2017): features binned once, each round fits one tree to the loss's gradients and
 * hessians (second-order, as XGBoost), shrunk by the learning rate. Row and feature subsampling
 * draw from a seeded RNG, so a seed fixes the model bit for bit (in a worker thread too).
 * Early stopping watches the loss on a validation set and keeps the best round.
 *
 * Objectives: binary log-loss (scores are log-odds) and squared error (regression, for the
 * second stage of the X- and DR-learners). Row weights multiply gradients and hessians.
 */
import { z } from 'zod';
import { ShopbotError } from '../../errors.js';
import { createRng } from '../../maths/index.js';
import { binColumns, featureBins, FeatureSpecSchema, valueEncoders, type FeatureSpec, type TabularRow, type ValueEncoder } from './data.js';
import { TreeGrower } from './grow.js';
import { Tree, TreeSchema, type TreeJson } from './tree.js';

export const GbdtParamsSchema = z.object({
  objective: z.enum(['binary', 'regression']).default('binary'),
  rounds: z.number().int().min(1).max(20_000).default(500),
  learningRate: z.number().gt(0).max(1).default(0.05),
  numLeaves: z.number().int().min(2).max(4096).default(31),
  /** <= 0: unlimited (the leaf limit still bounds a tree). */
  maxDepth: z.number().int().max(64).default(-1),
  minDataInLeaf: z.number().int().min(1).default(20),
  minSumHessianInLeaf: z.number().min(0).default(1e-3),
  lambdaL2: z.number().min(0).default(1),
  minGainToSplit: z.number().min(0).default(0),
  /** Share of features each tree may use. */
  featureFraction: z.number().gt(0).max(1).default(1),
  /** Share of rows each tree learns from (drawn afresh per round). */
  baggingFraction: z.number().gt(0).max(1).default(1),
  maxBins: z.number().int().min(2).max(1024).default(255),
  /** Stop when the validation loss has not improved for this many rounds (needs a validation set). */
  earlyStoppingRounds: z.number().int().min(1).default(50),
  catL2: z.number().min(0).default(10),
  catSmooth: z.number().min(0).default(10),
  maxCatThreshold: z.number().int().min(1).default(32),
  maxCatToOnehot: z.number().int().min(1).default(4),
  minDataPerCategory: z.number().int().min(1).default(20),
  seed: z.number().int().default(0),
});
export type GbdtParams = z.infer<typeof GbdtParamsSchema>;
export type GbdtParamsInput = z.input<typeof GbdtParamsSchema>;

export const GBDT_FORMAT = 'shopbot-gbdt-1';

export const GbdtModelSchema = z.object({
  format: z.literal(GBDT_FORMAT),
  objective: z.enum(['binary', 'regression']),
  baseScore: z.number(),
  features: z.array(FeatureSpecSchema).min(1).max(10_000),
  trees: z.array(TreeSchema).max(20_000),
  /** Rounds kept (the best validation round when early stopping ran). */
  bestIteration: z.number().int().nonnegative(),
  /** Validation loss after each round trained (empty without a validation set). */
  validLoss: z.array(z.number()),
  params: GbdtParamsSchema,
});
export type GbdtModelJson = z.infer<typeof GbdtModelSchema>;

/** Columns as `toColumns` makes them, one label (0/1 or real) and optional weight per row. */
export interface TrainSet {
  readonly columns: readonly Float64Array[];
  readonly label: Float64Array;
  readonly weight?: Float64Array | undefined;
}

export interface GbdtTrainInput {
  readonly schema: readonly FeatureSpec[];
  readonly train: TrainSet;
  readonly valid?: TrainSet | undefined;
  readonly params: GbdtParamsInput;
}

const EPS = 1e-15;

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function loss(objective: 'binary' | 'regression', score: Float64Array, set: TrainSet): number {
  let s = 0;
  let wsum = 0;
  for (let i = 0; i < score.length; i++) {
    const w = set.weight ? set.weight[i]! : 1;
    const y = set.label[i]!;
    if (objective === 'binary') {
      const p = Math.min(1 - EPS, Math.max(EPS, sigmoid(score[i]!)));
      s -= w * (y > 0 ? Math.log(p) : Math.log(1 - p));
    } else {
      const d = score[i]! - y;
      s += w * d * d;
    }
    wsum += w;
  }
  return wsum > 0 ? s / wsum : Number.NaN;
}

function checkSet(schema: readonly FeatureSpec[], set: TrainSet, what: string): number {
  if (set.columns.length !== schema.length) throw new ShopbotError('BAD_REQUEST', `${what}: ${set.columns.length} columns for ${schema.length} features`);
  const n = set.label.length;
  for (const c of set.columns) if (c.length !== n) throw new ShopbotError('BAD_REQUEST', `${what}: a column's length differs from the labels'`);
  if (set.weight && set.weight.length !== n) throw new ShopbotError('BAD_REQUEST', `${what}: weights' length differs from the labels'`);
  return n;
}

export function trainGbdt(input: GbdtTrainInput): GbdtModel {
  const params = GbdtParamsSchema.parse(input.params);
  const { schema, train, valid } = input;
  const n = checkSet(schema, train, 'train');
  if (n === 0) throw new ShopbotError('BAD_REQUEST', 'no training rows');
  if (valid) checkSet(schema, valid, 'valid');
  const rng = createRng(params.seed);
  const fbins = featureBins(schema, train.columns, params.maxBins);
  const bins = binColumns(fbins, train.columns);
  const missingBin = Int32Array.from(fbins, (f) => f.valueBins);
  const vbins = valid ? binColumns(fbins, valid.columns) : undefined;

  let wy = 0, ws = 0;
  for (let i = 0; i < n; i++) {
    const w = train.weight ? train.weight[i]! : 1;
    wy += w * train.label[i]!;
    ws += w;
  }
  const mean = ws > 0 ? wy / ws : 0;
  const baseScore = params.objective === 'binary' ? Math.log(Math.max(EPS, mean) / Math.max(EPS, 1 - mean)) : mean;
  const score = new Float64Array(n).fill(baseScore);
  const vscore = valid ? new Float64Array(valid.label.length).fill(baseScore) : undefined;
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const grower = new TreeGrower(fbins, params);
  const allRows = Uint32Array.from({ length: n }, (_, i) => i);
  const allFeatures = schema.map((_, j) => j);
  const trees: TreeJson[] = [];
  const validLoss: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestIteration = 0;

  for (let it = 0; it < params.rounds; it++) {
    for (let i = 0; i < n; i++) {
      const w = train.weight ? train.weight[i]! : 1;
      if (params.objective === 'binary') {
        const p = sigmoid(score[i]!);
        grad[i] = (p - train.label[i]!) * w;
        hess[i] = Math.max(p * (1 - p), 1e-16) * w;
      } else {
        grad[i] = (score[i]! - train.label[i]!) * w;
        hess[i] = w;
      }
    }
    let rows = allRows;
    if (params.baggingFraction < 1) {
      const picked: number[] = [];
      for (let i = 0; i < n; i++) if (rng() < params.baggingFraction) picked.push(i);
      rows = Uint32Array.from(picked);
    }
    let features = allFeatures;
    if (params.featureFraction < 1) {
      const k = Math.max(1, Math.round(schema.length * params.featureFraction));
      const pool = [...allFeatures];
      for (let i = pool.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      features = pool.slice(0, k).sort((a, b) => a - b);
    }
    const json = grower.grow({ bins, featureBins: fbins, grad, hess, rows, features, shrinkage: params.learningRate });
    const tree = new Tree(json);
    trees.push(json);
    for (let i = 0; i < n; i++) score[i] = score[i]! + json.leafValue[tree.leafOfBinned(bins, missingBin, i)]!;
    if (valid && vbins && vscore) {
      for (let i = 0; i < vscore.length; i++) vscore[i] = vscore[i]! + json.leafValue[tree.leafOfBinned(vbins, missingBin, i)]!;
      const l = loss(params.objective, vscore, valid);
      validLoss.push(l);
      if (l < best - 1e-12) {
        best = l;
        bestIteration = it + 1;
      } else if (it + 1 - bestIteration >= params.earlyStoppingRounds) break;
    } else bestIteration = it + 1;
  }
  return new GbdtModel({ format: GBDT_FORMAT, objective: params.objective, baseScore, features: [...schema], trees: trees.slice(0, bestIteration), bestIteration, validLoss, params });
}

export class GbdtModel {
  readonly trees: readonly Tree[];
  private readonly encoders: ValueEncoder[];
  private readonly x: Float64Array;

  constructor(readonly json: GbdtModelJson) {
    this.trees = json.trees.map((t) => new Tree(t));
    this.encoders = valueEncoders(json.features);
    this.x = new Float64Array(json.features.length);
  }

  static fromJSON(value: unknown): GbdtModel {
    const parsed = GbdtModelSchema.safeParse(value);
    if (!parsed.success) throw new ShopbotError('MODEL_MISSING', `not a GBDT model: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return new GbdtModel(parsed.data);
  }

  toJSON(): GbdtModelJson {
    return this.json;
  }

  get features(): readonly FeatureSpec[] {
    return this.json.features;
  }

  private encode(row: TabularRow): Float64Array {
    const x = this.x;
    this.json.features.forEach((f, j) => (x[j] = this.encoders[j]!(row[f.name])));
    return x;
  }

  /** Raw score (log-odds for binary). */
  marginAt(columns: readonly Float64Array[], i: number): number {
    let s = this.json.baseScore;
    const value = (j: number) => columns[j]![i]!;
    for (const t of this.trees) s += t.json.leafValue[t.leafOf(value)]!;
    return s;
  }

  predictAt(columns: readonly Float64Array[], i: number): number {
    const m = this.marginAt(columns, i);
    return this.json.objective === 'binary' ? sigmoid(m) : m;
  }

  predictColumns(columns: readonly Float64Array[]): Float64Array {
    const n = columns[0]?.length ?? 0;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.predictAt(columns, i);
    return out;
  }

  margin(row: TabularRow): number {
    const x = this.encode(row);
    const value = (j: number) => x[j]!;
    let s = this.json.baseScore;
    for (const t of this.trees) s += t.json.leafValue[t.leafOf(value)]!;
    return s;
  }

  /** P(y = 1) for binary, the estimate for regression. */
  predict(row: TabularRow): number {
    const m = this.margin(row);
    return this.json.objective === 'binary' ? sigmoid(m) : m;
  }

  /** The leaf each tree sends the row to: the GBDT + LR feature transform (He et al., ADKDD 2014). */
  leafIndicesAt(columns: readonly Float64Array[], i: number): Int32Array {
    const value = (j: number) => columns[j]![i]!;
    return Int32Array.from(this.trees, (t) => t.leafOf(value));
  }

  leafIndices(row: TabularRow): Int32Array {
    const x = this.encode(row);
    return Int32Array.from(this.trees, (t) => t.leafOf((j) => x[j]!));
  }

  /** Total split gain per feature name. */
  importance(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.trees) t.json.feature.forEach((f, k) => {
      const name = this.json.features[f]!.name;
      out[name] = (out[name] ?? 0) + t.json.gain[k]!;
    });
    return out;
  }
}
