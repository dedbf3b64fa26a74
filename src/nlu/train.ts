/**
 * Trains the linear intent model: seeded AdaGrad on class-weighted softmax cross-entropy with L2,
 * then int8 quantization, then temperature scaling and the out-of-scope threshold fitted on dev
 * against the quantized weights (what ships is what was calibrated).
 */
import type { IntentExample } from './datasets.js';
import { featurize, DEFAULT_FEATURES, type FeatureConfig, type SparseVector } from './features.js';
import { decide, quantize, softmax, type LinearModel } from './linear.js';
import { macroF1 } from './metrics.js';
import { createRng, shuffle } from '../maths/index.js';
import { INTENTS, type Intent } from './types.js';

export interface TrainOptions {
  readonly seed: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly features: FeatureConfig;
  /**
   * Examples are weighted by (mean cell size / size of their (intent, lang) cell) ^ power, so
   * a big source (Bitext's account intents, CLINC's out-of-scope) cannot swamp small ones, and
   * the few Chinese rows of an intent count about as much as its English rows.
   */
  readonly balancePower: number;
  readonly onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export const DEFAULT_TRAIN: TrainOptions = { seed: 13, epochs: 12, learningRate: 0.5, l2: 1e-6, features: DEFAULT_FEATURES, balancePower: 0.5 };

export interface TrainReport {
  readonly trainRows: number;
  readonly devRows: number;
  readonly finalLoss: number;
  readonly temperature: number;
  readonly oosThreshold: number;
  readonly devMacroF1: number;
}

interface Row {
  readonly x: SparseVector;
  readonly y: number;
  readonly w: number;
}

export function trainLinear(train: readonly IntentExample[], dev: readonly IntentExample[], options: TrainOptions = DEFAULT_TRAIN): { model: LinearModel; report: TrainReport } {
  const intents = [...INTENTS];
  const k = intents.length;
  const index = new Map<Intent, number>(intents.map((intent, c) => [intent, c]));
  const cells = new Map<string, number>();
  for (const e of train) cells.set(e.intent + '/' + e.lang, (cells.get(e.intent + '/' + e.lang) ?? 0) + 1);
  const meanCell = train.length / Math.max(1, cells.size);
  const rows: Row[] = train.map((e) => ({
    x: featurize(e.text, options.features),
    y: index.get(e.intent)!,
    w: (meanCell / cells.get(e.intent + '/' + e.lang)!) ** options.balancePower,
  }));

  const dim = 1 << options.features.bits;
  const weights = new Float32Array(dim * k);
  const gradSq = new Float32Array(dim * k);
  const bias = new Float32Array(k);
  const biasGradSq = new Float32Array(k);
  const rng = createRng(options.seed);
  const order = rows.map((_, i) => i);
  const logits = new Float64Array(k);
  const eps = 1e-8;
  let finalLoss = 0;

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, rng);
    let loss = 0;
    let weightSum = 0;
    for (const i of order) {
      const { x, y, w } = rows[i]!;
      for (let c = 0; c < k; c++) logits[c] = bias[c]!;
      for (let j = 0; j < x.indices.length; j++) {
        const base = x.indices[j]! * k;
        const v = x.values[j]!;
        for (let c = 0; c < k; c++) logits[c]! += v * weights[base + c]!;
      }
      const p = softmax(logits);
      loss -= w * Math.log(Math.max(p[y]!, 1e-12));
      weightSum += w;
      for (let c = 0; c < k; c++) {
        const g = w * (p[c]! - (c === y ? 1 : 0));
        biasGradSq[c]! += g * g;
        bias[c]! -= (options.learningRate * g) / Math.sqrt(biasGradSq[c]! + eps);
        for (let j = 0; j < x.indices.length; j++) {
          const at = x.indices[j]! * k + c;
          // L2 is applied lazily, to the weights this example touches.
          const gw = g * x.values[j]! + options.l2 * weights[at]!;
          gradSq[at]! += gw * gw;
          weights[at]! -= (options.learningRate * gw) / Math.sqrt(gradSq[at]! + eps);
        }
      }
    }
    finalLoss = loss / Math.max(weightSum, 1e-12);
    options.onEpoch?.(epoch + 1, options.epochs, finalLoss);
  }

  const { dequantized } = quantize(weights, k);
  const raw: LinearModel = {
    intents,
    features: options.features,
    weights: dequantized,
    bias,
    temperature: 1,
    oosThreshold: 0,
    meta: { seed: options.seed, epochs: options.epochs, learningRate: options.learningRate, l2: options.l2, balancePower: options.balancePower, trainRows: train.length, devRows: dev.length },
  };
  const devLogits = dev.map((e) => rawLogits(raw, e.text));
  const devGold = dev.map((e) => index.get(e.intent)!);
  const temperature = dev.length ? fitTemperature(devLogits, devGold) : 1;
  const devProbs = devLogits.map((l) => softmax(l, temperature));
  const { threshold, f1 } = dev.length ? fitThreshold(intents, devProbs, dev.map((e) => e.intent)) : { threshold: 0, f1: Number.NaN };
  const model: LinearModel = { ...raw, temperature, oosThreshold: threshold };
  return { model, report: { trainRows: train.length, devRows: dev.length, finalLoss, temperature, oosThreshold: threshold, devMacroF1: f1 } };
}

function rawLogits(model: LinearModel, text: string): Float64Array {
  const k = model.intents.length;
  const x = featurize(text, model.features);
  const out = Float64Array.from(model.bias);
  for (let j = 0; j < x.indices.length; j++) {
    const base = x.indices[j]! * k;
    for (let c = 0; c < k; c++) out[c]! += x.values[j]! * model.weights[base + c]!;
  }
  return out;
}

/** Temperature minimizing dev negative log-likelihood (log-spaced grid, then a finer one). */
export function fitTemperature(logits: readonly Float64Array[], gold: readonly number[]): number {
  const nll = (t: number) => logits.reduce((s, l, i) => s - Math.log(Math.max(softmax(l, t)[gold[i]!]!, 1e-12)), 0);
  let best = 1;
  let bestLoss = nll(1);
  for (let step = -20; step <= 30; step++) {
    const t = 2 ** (step / 10);
    const loss = nll(t);
    if (loss < bestLoss) [best, bestLoss] = [t, loss];
  }
  for (let step = -10; step <= 10; step++) {
    const t = best * 2 ** (step / 100);
    const loss = nll(t);
    if (loss < bestLoss) [best, bestLoss] = [t, loss];
  }
  return best;
}

/** The out-of-scope confidence threshold maximizing dev macro-F1; ties go to the lower threshold. */
export function fitThreshold(intents: readonly Intent[], probs: readonly Float64Array[], gold: readonly Intent[]): { threshold: number; f1: number } {
  let best = { threshold: 0, f1: -1 };
  for (let step = 0; step <= 95; step++) {
    const threshold = step / 100;
    const pred = probs.map((p) => decide(intents, p, threshold).intent);
    const f1 = macroF1(gold, pred);
    if (f1 > best.f1 + 1e-12) best = { threshold, f1 };
  }
  return best;
}
