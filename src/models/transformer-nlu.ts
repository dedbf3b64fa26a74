/**
 * The transformer intent engine as an `Nlu`: the ONNX intent classifier for the intent, and the
 * baseline's language detection and rule-based entities (they measured better than tagging with
 * this small model would on the data we have).
 */
import { ShopbotError } from '../errors.js';
import type { Lang } from '../messages.js';
import { detectLang, extractEntities, IntentSchema, type Intent, type IntentScore, type Nlu, type NluResult } from '../nlu/index.js';
import type { IntentClassifier } from './intent.js';

export const TRANSFORMER_ENGINE = 'transformer';
const MAX_TEXT = 4000;

export interface TransformerNluOptions {
  readonly defaultCurrency?: string;
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

export function createTransformerNlu(classifier: IntentClassifier, options: TransformerNluOptions = {}): Nlu {
  let isClosed = false;
  return {
    async parse(text: string, opts?: { signal?: AbortSignal; langHint?: Lang }): Promise<NluResult> {
      if (isClosed) throw new ShopbotError('INTERNAL', 'transformer NLU used after close()');
      opts?.signal?.throwIfAborted();
      const input = text.slice(0, MAX_TEXT);
      const lang = /[\p{L}]/u.test(input) ? detectLang(input) : (opts?.langHint ?? detectLang(input));
      const [probs] = await classifier.classify([input], opts?.signal ? { signal: opts.signal } : {});
      const decided = decideIntent(classifier.labels, probs!, classifier.oosLabel, classifier.oosThreshold);
      const entities = extractEntities(input, { lang, ...(options.defaultCurrency ? { defaultCurrency: options.defaultCurrency } : {}) });
      return { lang, ...decided, entities, engine: TRANSFORMER_ENGINE };
    },
    async close(): Promise<void> {
      if (isClosed) return;
      isClosed = true;
      await classifier.close();
    },
  };
}
