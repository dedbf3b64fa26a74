/**
 * The linear intent model: multinomial logistic regression over hashed features (features.ts),
 * with a fitted softmax temperature and an out-of-scope confidence threshold. Stored as a JSON
 * header plus int8 weights (one scale per class) so the committed model stays around 1 MB.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ShopbotError } from '../errors.js';
import { featurize, FeatureConfigSchema, type FeatureConfig } from './features.js';
import { INTENTS, IntentSchema, type Intent, type IntentScore } from './types.js';

export const HEADER_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.i8';

export interface LinearModel {
  readonly intents: readonly Intent[];
  readonly features: FeatureConfig;
  /** Feature-major: weight of feature f for class k at f * K + k. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  readonly temperature: number;
  /** Below this calibrated confidence an in-scope prediction falls back to out_of_scope. */
  readonly oosThreshold: number;
  readonly meta: Readonly<Record<string, string | number>>;
}

const HeaderSchema = z.object({
  format: z.literal('shopbot-intent-linear/1'),
  intents: z.array(IntentSchema).min(2).max(INTENTS.length),
  features: FeatureConfigSchema,
  bias: z.array(z.number()),
  scales: z.array(z.number().positive()),
  temperature: z.number().positive().max(100),
  oosThreshold: z.number().min(0).max(1),
  meta: z.record(z.string(), z.union([z.string(), z.number()])),
});

export interface Classification {
  readonly intent: Intent;
  readonly confidence: number;
  readonly ranking: readonly IntentScore[];
}

/** Calibrated class probabilities, in `model.intents` order. */
export function predictProba(model: LinearModel, text: string): Float64Array {
  const k = model.intents.length;
  const vec = featurize(text, model.features);
  const logits = new Float64Array(k);
  for (let c = 0; c < k; c++) logits[c] = model.bias[c]!;
  for (let j = 0; j < vec.indices.length; j++) {
    const base = vec.indices[j]! * k;
    const v = vec.values[j]!;
    for (let c = 0; c < k; c++) logits[c]! += v * model.weights[base + c]!;
  }
  return softmax(logits, model.temperature);
}

export function softmax(logits: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const l of logits) max = Math.max(max, l / temperature);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let c = 0; c < logits.length; c++) sum += out[c] = Math.exp(logits[c]! / temperature - max);
  for (let c = 0; c < logits.length; c++) out[c]! /= sum;
  return out;
}

/**
 * The decision rule: argmax, unless an in-scope winner is below the threshold, in which case the
 * answer is out_of_scope with out_of_scope's own probability as its confidence (still calibrated).
 */
export function decide(intents: readonly Intent[], probs: ArrayLike<number>, oosThreshold: number): Classification {
  const ranking = intents.map((intent, c) => ({ intent, confidence: probs[c]! })).sort((a, b) => b.confidence - a.confidence);
  const top = ranking[0]!;
  if (top.intent !== 'out_of_scope' && top.confidence < oosThreshold) {
    const oos = ranking.find((r) => r.intent === 'out_of_scope');
    return { intent: 'out_of_scope', confidence: oos?.confidence ?? 0, ranking };
  }
  return { intent: top.intent, confidence: top.confidence, ranking };
}

export function classify(model: LinearModel, text: string): Classification {
  return decide(model.intents, predictProba(model, text), model.oosThreshold);
}

/** Int8 per-class quantization; returns the dequantized weights too, so calibration sees what ships. */
export function quantize(weights: Float32Array, k: number): { q: Int8Array; scales: number[]; dequantized: Float32Array } {
  const scales = new Array<number>(k).fill(0);
  for (let i = 0; i < weights.length; i++) scales[i % k] = Math.max(scales[i % k]!, Math.abs(weights[i]!));
  for (let c = 0; c < k; c++) scales[c] = (scales[c]! || 1) / 127;
  const q = new Int8Array(weights.length);
  const dequantized = new Float32Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const s = scales[i % k]!;
    q[i] = Math.max(-127, Math.min(127, Math.round(weights[i]! / s)));
    dequantized[i] = q[i]! * s;
  }
  return { q, scales, dequantized };
}

export async function saveLinearModel(dir: string, model: LinearModel): Promise<void> {
  const k = model.intents.length;
  if (model.weights.length !== (1 << model.features.bits) * k || model.bias.length !== k) {
    throw new ShopbotError('INTERNAL', `model weights (${model.weights.length}) do not match ${k} classes x 2^${model.features.bits} features`);
  }
  const { q, scales } = quantize(model.weights, k);
  await mkdir(dir, { recursive: true });
  const header: z.infer<typeof HeaderSchema> = {
    format: 'shopbot-intent-linear/1',
    intents: [...model.intents],
    features: model.features,
    bias: [...model.bias],
    scales,
    temperature: model.temperature,
    oosThreshold: model.oosThreshold,
    meta: { ...model.meta },
  };
  await writeFile(path.join(dir, HEADER_FILE), JSON.stringify(header, null, 2) + '\n');
  await writeFile(path.join(dir, WEIGHTS_FILE), q);
}

export async function loadLinearModel(dir: string): Promise<LinearModel> {
  let headerText: string;
  let raw: Buffer;
  try {
    headerText = await readFile(path.join(dir, HEADER_FILE), 'utf8');
    raw = await readFile(path.join(dir, WEIGHTS_FILE));
  } catch (err) {
    throw new ShopbotError('MODEL_MISSING', `no linear intent model in ${dir} (run: shopbot train intent)`, { cause: err });
  }
  const parsed = HeaderSchema.safeParse(JSON.parse(headerText));
  if (!parsed.success) throw new ShopbotError('MODEL_MISSING', `${dir}/${HEADER_FILE}: invalid model header`, { cause: parsed.error });
  const h = parsed.data;
  const k = h.intents.length;
  const expected = (1 << h.features.bits) * k;
  if (raw.length !== expected || h.bias.length !== k || h.scales.length !== k) {
    throw new ShopbotError('MODEL_MISSING', `${dir}: weights do not match the header (${raw.length} bytes, expected ${expected})`);
  }
  const q = new Int8Array(raw.buffer, raw.byteOffset, raw.length);
  const weights = new Float32Array(expected);
  for (let i = 0; i < expected; i++) weights[i] = q[i]! * h.scales[i % k]!;
  return {
    intents: h.intents,
    features: h.features,
    weights,
    bias: Float32Array.from(h.bias),
    temperature: h.temperature,
    oosThreshold: h.oosThreshold,
    meta: h.meta,
  };
}
