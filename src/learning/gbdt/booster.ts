/**
 * Gradient-boosted trees (Friedman 2001) in the histogram, leaf-wise style of LightGBM (Ke et al.,
 * NeurIPS 2017): features binned once, each round fits one tree to the loss's gradients and
 * hessians (second-order, as XGBoost), shrunk by the learning rate. Row and feature subsampling
 * draw from a seeded RNG, so a seed fixes the model bit for bit (in a worker thread too).
 * Early stopping watches the loss on a validation set and keeps the best round.
 *
 * Objectives: binary log-loss (scores are log-odds), squared error (regression, for the
 * second stage of the X- and DR-learners) and LambdaMART (lambdarank: Burges, "From RankNet to
 * LambdaRank to LambdaMART", MSR-TR-2010-82), where rows belong to queries and each pair of a
 * query's rows with different labels pushes the better one up by the change in NDCG that swapping
 * them would make. Its labels are the gains (linear, as evals/metrics/ranking.ts scores them).
 * Row weights multiply gradients and hessians.
 */
import { z } from 'zod';
import { ShopbotError } from '../../errors.js';
import { createRng } from '../../maths/index.js';
import { binColumns, featureBins, FeatureSpecSchema, valueEncoders, type FeatureSpec, type TabularRow, type ValueEncoder } from './data.js';
import { TreeGrower } from './grow.js';
import { Tree, TreeSchema, type TreeJson } from './tree.js';

export const OBJECTIVES = ['binary', 'regression', 'lambdarank'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export const GbdtParamsSchema = z.object({
  objective: z.enum(OBJECTIVES).default('binary'),
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
  /** lambdarank: only pairs with one row in the current top `ndcgAt` push (LightGBM's truncation level); validation loss is 1 - NDCG at it. */
  ndcgAt: z.number().int().min(1).max(10_000).default(10),
});
export type GbdtParams = z.infer<typeof GbdtParamsSchema>;
export type GbdtParamsInput = z.input<typeof GbdtParamsSchema>;

export const GBDT_FORMAT = 'shopbot-gbdt-1';

export const GbdtModelSchema = z.object({
  format: z.literal(GBDT_FORMAT),
  objective: z.enum(OBJECTIVES),
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

/** Columns as `toColumns` makes them, one label (0/1, real, or a gain for lambdarank) and optional weight per row. */
export interface TrainSet {
  readonly columns: readonly Float64Array[];
  readonly label: Float64Array;
  readonly weight?: Float64Array | undefined;
  /** lambdarank only: the query each row belongs to (any integer id; rows need not be contiguous). */
  readonly query?: Int32Array | undefined;
  /**
   * A score each row starts from (LightGBM's init_score), so the trees learn a correction to a
   * prior model; predictions then add the same offset (the model does not store it).
   */
  readonly offset?: Float64Array | undefined;
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

function loss(params: GbdtParams, score: Float64Array, set: TrainSet, groups: readonly Uint32Array[] | undefined): number {
  if (params.objective === 'lambdarank') return 1 - meanNdcg(score, set.label, groups!, params.ndcgAt);
  let s = 0;
  let wsum = 0;
  for (let i = 0; i < score.length; i++) {
    const w = set.weight ? set.weight[i]! : 1;
    const y = set.label[i]!;
    if (params.objective === 'binary') {
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

/** The rows of each query, in first-seen order of the query ids. */
export function queryGroups(query: Int32Array): Uint32Array[] {
  const byId = new Map<number, number[]>();
  for (let i = 0; i < query.length; i++) {
    const q = query[i]!;
    let rows = byId.get(q);
    if (!rows) byId.set(q, (rows = []));
    rows.push(i);
  }
  return [...byId.values()].map((r) => Uint32Array.from(r));
}

const discount = (position: number) => 1 / Math.log2(position + 2);

/** DCG@k of the ideal order of these labels (gains), 0 when none is positive. */
function idealDcg(label: Float64Array, rows: Uint32Array, k: number): number {
  const gains = Array.from(rows, (r) => label[r]!).sort((a, b) => b - a);
  let s = 0;
  for (let i = 0; i < Math.min(k, gains.length); i++) s += gains[i]! * discount(i);
  return s;
}

/** Rows of one query by descending score (ties by row, so the order is deterministic). */
function byScore(score: Float64Array, rows: Uint32Array): number[] {
  return Array.from(rows).sort((a, b) => score[b]! - score[a]! || a - b);
}

/** Mean NDCG@k over queries with a positive label (others have nothing to rank). */
function meanNdcg(score: Float64Array, label: Float64Array, groups: readonly Uint32Array[], k: number): number {
  let sum = 0;
  let n = 0;
  for (const rows of groups) {
    const ideal = idealDcg(label, rows, k);
    if (ideal <= 0) continue;
    const order = byScore(score, rows);
    let dcg = 0;
    for (let i = 0; i < Math.min(k, order.length); i++) dcg += label[order[i]!]! * discount(i);
    sum += dcg / ideal;
    n++;
  }
  return n > 0 ? sum / n : 0;
}

/**
 * LambdaMART's gradients for one query: for each pair (i above j in label), with the logistic
 * RankNet loss on s_i - s_j weighted by |delta NDCG| of swapping their current positions, counted
 * only when one of the two sits in the top `truncation` (the lower pairs barely move NDCG@k).
 */
function lambdaGradients(score: Float64Array, label: Float64Array, weight: Float64Array | undefined, rows: Uint32Array, truncation: number, grad: Float64Array, hess: Float64Array): void {
  for (const r of rows) {
    grad[r] = 0;
    hess[r] = 0;
  }
  const ideal = idealDcg(label, rows, rows.length);
  if (ideal <= 0) return;
  const order = byScore(score, rows);
  const limit = Math.min(truncation, order.length);
  for (let a = 0; a < limit; a++) {
    const ra = order[a]!;
    for (let b = a + 1; b < order.length; b++) {
      const rb = order[b]!;
      const la = label[ra]!, lb = label[rb]!;
      if (la === lb) continue;
      const [hi, lo] = la > lb ? [ra, rb] : [rb, ra];
      const delta = (Math.abs(la - lb) * Math.abs(discount(a) - discount(b))) / ideal;
      const rho = 1 / (1 + Math.exp(score[hi]! - score[lo]!));
      const w = weight ? weight[hi]! : 1;
      const lambda = rho * delta * w;
      const h = Math.max(rho * (1 - rho) * delta * w, 1e-16);
      grad[hi] = grad[hi]! - lambda;
      grad[lo] = grad[lo]! + lambda;
      hess[hi] = hess[hi]! + h;
      hess[lo] = hess[lo]! + h;
    }
  }
}

function checkSet(schema: readonly FeatureSpec[], set: TrainSet, what: string): number {
  if (set.columns.length !== schema.length) throw new ShopbotError('BAD_REQUEST', `${what}: ${set.columns.length} columns for ${schema.length} features`);
  const n = set.label.length;
  for (const c of set.columns) if (c.length !== n) throw new ShopbotError('BAD_REQUEST', `${what}: a column's length differs from the labels'`);
  if (set.weight && set.weight.length !== n) throw new ShopbotError('BAD_REQUEST', `${what}: weights' length differs from the labels'`);
  if (set.offset && set.offset.length !== n) throw new ShopbotError('BAD_REQUEST', `${what}: offsets' length differs from the labels'`);
  if (set.query && set.query.length !== n) throw new ShopbotError('BAD_REQUEST', `${what}: query ids' length differs from the labels'`);
  return n;
}

export function trainGbdt(input: GbdtTrainInput): GbdtModel {
  const params = GbdtParamsSchema.parse(input.params);
  const { schema, train, valid } = input;
  const n = checkSet(schema, train, 'train');
  if (n === 0) throw new ShopbotError('BAD_REQUEST', 'no training rows');
  if (valid) checkSet(schema, valid, 'valid');
  const ranking = params.objective === 'lambdarank';
  if (ranking && (!train.query || (valid && !valid.query))) throw new ShopbotError('BAD_REQUEST', 'lambdarank needs the query of every row (TrainSet.query)');
  const groups = ranking ? queryGroups(train.query!) : undefined;
  const vgroups = ranking && valid ? queryGroups(valid.query!) : undefined;
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
  // A ranking is unchanged by a constant, so lambdarank starts at 0.
  const baseScore = ranking ? 0 : params.objective === 'binary' ? Math.log(Math.max(EPS, mean) / Math.max(EPS, 1 - mean)) : mean;
  const score = new Float64Array(n).fill(baseScore);
  if (train.offset) for (let i = 0; i < n; i++) score[i] = score[i]! + train.offset[i]!;
  const vscore = valid ? new Float64Array(valid.label.length).fill(baseScore) : undefined;
  if (valid?.offset && vscore) for (let i = 0; i < vscore.length; i++) vscore[i] = vscore[i]! + valid.offset[i]!;
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
    if (ranking) for (const rows of groups!) lambdaGradients(score, train.label, train.weight, rows, params.ndcgAt, grad, hess);
    else for (let i = 0; i < n; i++) {
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
      const l = loss(params, vscore, valid, vgroups);
      validLoss.push(l);
      if (l < best - 1e-12) {
        best = l;
        bestIteration = it + 1;
      } else if (it + 1 - bestIteration >= params.earlyStoppingRounds) break;
    } else bestIteration = it + 1;
  }
  return new GbdtModel({ format: GBDT_FORMAT, objective: params.objective, baseScore, features: [...schema], trees: trees.slice(0, bestIteration), bestIteration, validLoss, params });
}

/** Rows of a after rows of b (columns, labels, weights and offsets; query ids are not joined). */
function concatSets(a: TrainSet, b: TrainSet): TrainSet {
  const cat = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(x.length + y.length);
    out.set(x, 0);
    out.set(y, x.length);
    return out;
  };
  const ones = (n: number) => new Float64Array(n).fill(1);
  return {
    columns: a.columns.map((c, j) => cat(c, b.columns[j]!)),
    label: cat(a.label, b.label),
    weight: a.weight || b.weight ? cat(a.weight ?? ones(a.label.length), b.weight ?? ones(b.label.length)) : undefined,
    offset: a.offset || b.offset ? cat(a.offset ?? new Float64Array(a.label.length), b.offset ?? new Float64Array(b.label.length)) : undefined,
  };
}

/**
 * Early stopping on the validation rows picks the number of rounds; then the trees are grown
 * again on train + validation rows with that number scaled by the rows added (more rows take
 * more rounds at the same learning rate). On small data the validation fifth is worth learning
 * from: in 5-fold cross-validation over the coupon development rows the refit gained about
 * 0.01 AUC. The returned model keeps the first run's validation curve for the record.
 */
export function trainGbdtRefit(input: GbdtTrainInput, earlyStopped?: GbdtModel): GbdtModel {
  if (!input.valid) return earlyStopped ?? trainGbdt(input);
  const params = GbdtParamsSchema.parse(input.params);
  if (params.objective === 'lambdarank') throw new ShopbotError('BAD_REQUEST', 'refit on validation rows is for the pointwise objectives');
  // The caller may pass the early-stopped model of this very input (it is not retrained then).
  const first = earlyStopped ?? trainGbdt(input);
  const n = input.train.label.length;
  const rounds = Math.max(1, Math.round((first.json.bestIteration * (n + input.valid.label.length)) / n));
  const refit = trainGbdt({ schema: input.schema, train: concatSets(input.train, input.valid), params: { ...params, rounds } });
  return new GbdtModel({ ...refit.json, validLoss: first.json.validLoss });
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

  /** Raw score (log-odds for binary; for lambdarank only the order within a query means anything). */
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
