/**
 * The sentence encoder behind `TextEncoder`: mean pooling over real tokens, L2-normalized, the
 * same pooling the contrastive recipe trained with. Queries and passages share the weights and
 * differ only in their maximum length.
 */
import { ShopbotError } from '../errors.js';
import { MicroBatcher } from './batcher.js';
import { ModelCache } from './cache.js';
import { loadOnnxModel, type ModelLogger, type ModelsConfig } from './runtime.js';
import { inLengthOrder, meanPoolNormalize, padBatch } from './tensors.js';

export type EmbedKind = 'query' | 'passage';

export interface TextEncoder {
  readonly dim: number;
  embed(texts: readonly string[], options?: { signal?: AbortSignal; kind?: EmbedKind }): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** Texts longer than this are cut before tokenizing; the model sees at most maxLength tokens anyway. */
const MAX_CHARS = 4000;
const MAX_TEXTS = 10_000;

interface Item {
  readonly ids: readonly number[];
}

export async function openTextEncoder(cfg: ModelsConfig, log: ModelLogger, observe: { onBatch?: (size: number) => void } = {}): Promise<TextEncoder> {
  const model = await loadOnnxModel(cfg, cfg.embedding, log);
  const extra = model.config.shopbot;
  if (extra.task !== 'embedding') {
    throw new ShopbotError('MODEL_MISSING', `${cfg.embedding} is a ${extra.task} model, not an embedding model`);
  }
  const dim = model.config.hidden_size;
  const maxLen = { query: extra.queryMaxLength ?? 32, passage: extra.passageMaxLength ?? model.config.max_position_embeddings };
  const batcher = new MicroBatcher<Item, Float32Array>(
    async (items) => {
      const batch = padBatch(items.map((i) => i.ids));
      const out = await model.run(batch);
      const hidden = out.last_hidden_state;
      if (!hidden) throw new ShopbotError('INTERNAL', `${cfg.embedding}: no last_hidden_state output`);
      return meanPoolNormalize(hidden.data, batch.attentionMask, batch.batch, batch.seqLen, dim);
    },
    { maxBatchSize: cfg.maxBatchSize, maxWaitMs: cfg.maxBatchWaitMs, ...(observe.onBatch ? { onBatch: observe.onBatch } : {}) },
  );
  const run = (texts: readonly string[], kind: EmbedKind, signal: AbortSignal | undefined) => {
    const ids = model.tokenize(texts, Math.min(maxLen[kind], model.config.max_position_embeddings));
    return inLengthOrder(ids, (sorted) => batcher.submit(sorted.map((i) => ({ ids: i })), signal));
  };
  // Queries only: a turn embeds the shopper's words (retrieval, reply variants), often the same
  // words again; passages are embedded once per product and cached by the indexer.
  const queries = new ModelCache<Float32Array>(cfg.cacheSize);
  const encoder: TextEncoder = {
    dim,
    async embed(texts, options) {
      if (texts.length > MAX_TEXTS) throw new ShopbotError('BAD_REQUEST', `embed: at most ${MAX_TEXTS} texts per call`);
      options?.signal?.throwIfAborted();
      const kind = options?.kind ?? 'query';
      const cut = texts.map((t) => t.slice(0, MAX_CHARS));
      if (kind !== 'query') return run(cut, kind, options?.signal);
      // Callers get their own copy: a cached vector must not change under the next turn.
      return (await queries.through(cut, (missing) => run(missing, kind, options?.signal))).map((v) => v.slice());
    },
    async close() {
      await batcher.close();
      await model.close();
    },
  };
  // Warm-up: the first ONNX run allocates and optimizes; pay for it at start, not on a turn.
  await encoder.embed(['warm up'], { kind: 'query' });
  return encoder;
}
