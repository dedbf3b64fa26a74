/**
 * The fine-tuned intent classifier: softmax over the exported logits, labels from config.json's
 * id2label, and the out-of-scope threshold the recipe chose on development data.
 */
import { ShopbotError } from '../errors.js';
import { IntentSchema, type Intent, type IntentScore } from '../nlu/index.js';
import { MicroBatcher } from './batcher.js';
import { labelsInOrder, loadOnnxModel, type ModelLogger, type ModelsConfig } from './runtime.js';
import { inLengthOrder, padBatch, softmax } from './tensors.js';

export interface IntentProbabilities {
  readonly labels: readonly string[];
  readonly probs: Float32Array;
}

export interface IntentClassifier {
  readonly labels: readonly string[];
  readonly oosLabel: string | undefined;
  readonly oosThreshold: number;
  /** Where it runs after any CUDA -> CPU fallback. */
  readonly device: 'cpu' | 'cuda';
  /** Probabilities over `labels`, one array per text, before the out-of-scope threshold. */
  classify(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
  close(): Promise<void>;
}

const MAX_CHARS = 4000;

export async function openIntentClassifier(cfg: ModelsConfig, log: ModelLogger): Promise<IntentClassifier> {
  const model = await loadOnnxModel(cfg, cfg.intent, log);
  const extra = model.config.shopbot;
  const id2label = model.config.id2label;
  if (extra.task !== 'intent' || !id2label) {
    throw new ShopbotError('MODEL_MISSING', `${cfg.intent} is not an intent model (config.json lacks id2label)`);
  }
  const labels = labelsInOrder(id2label);
  const maxLen = Math.min(extra.maxLength ?? 64, model.config.max_position_embeddings);
  const batcher = new MicroBatcher<readonly number[], Float32Array>(
    async (items) => {
      const batch = padBatch(items);
      const logits = (await model.run(batch)).logits;
      if (!logits) throw new ShopbotError('INTERNAL', `${cfg.intent}: no logits output`);
      const n = labels.length;
      return items.map((_, b) => softmax(logits.data.subarray(b * n, (b + 1) * n)));
    },
    { maxBatchSize: cfg.maxBatchSize, maxWaitMs: cfg.maxBatchWaitMs },
  );
  const classifier: IntentClassifier = {
    labels,
    oosLabel: extra.oosLabel,
    oosThreshold: extra.oosThreshold ?? 0,
    device: model.device,
    async classify(texts, options) {
      options?.signal?.throwIfAborted();
      const ids = model.tokenize(texts.map((t) => t.slice(0, MAX_CHARS)), maxLen);
      return inLengthOrder(ids, (sorted) => batcher.submit(sorted, options?.signal));
    },
    async close() {
      await batcher.close();
      await model.close();
    },
  };
  await classifier.classify(['warm up']);
  return classifier;
}

/** Ranking and decision from one probability row; pure, so the threshold logic is unit-tested. */
export function decideIntent(
  labels: readonly string[],
  probs: ArrayLike<number>,
  oosLabel: string | undefined,
  oosThreshold: number,
): { intent: Intent; confidence: number; ranking: IntentScore[] } {
  const ranking: IntentScore[] = [];
  labels.forEach((label, i) => {
    const parsed = IntentSchema.safeParse(label);
    if (parsed.success) ranking.push({ intent: parsed.data, confidence: probs[i]! });
  });
  ranking.sort((a, b) => b.confidence - a.confidence);
  const top = ranking[0];
  if (!top) throw new ShopbotError('MODEL_MISSING', 'intent model has no labels of the store taxonomy');
  const oos = IntentSchema.safeParse(oosLabel ?? 'out_of_scope');
  if (top.confidence < oosThreshold && oos.success) {
    const oosScore = ranking.find((r) => r.intent === oos.data)?.confidence ?? 0;
    // The threshold fires: out_of_scope, with the model's own OOS probability as its confidence.
    return { intent: oos.data, confidence: oosScore, ranking };
  }
  return { intent: top.intent, confidence: top.confidence, ranking };
}
