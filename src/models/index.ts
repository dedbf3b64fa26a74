/**
 * The models stage: our own ONNX transformers (trained by models/recipes) served on CPU or CUDA.
 * - `openTextEncoder(config.models, log)`: query/product embeddings for dense retrieval.
 * - `openTransformerNlu(config.models, log)`: the fine-tuned intent engine as an `Nlu`.
 */
import { openIntentClassifier } from './intent.js';
import type { ModelLogger, ModelsConfig } from './runtime.js';
import { createTransformerNlu, type TransformerNluOptions } from './transformer-nlu.js';
import type { Nlu } from '../nlu/index.js';

export { openTextEncoder, type TextEncoder, type EmbedKind } from './encoder.js';
export { openIntentClassifier, type IntentClassifier } from './intent.js';
export { createTransformerNlu, decideIntent, TRANSFORMER_ENGINE, type TransformerNluOptions } from './transformer-nlu.js';
export { MicroBatcher, type MicroBatcherOptions } from './batcher.js';
export { loadOnnxModel, type ModelLogger, type ModelsConfig, type LoadedModel } from './runtime.js';
export { productPassage, type PassageFields } from './passage.js';
export { defaultPython } from './python.js';

export async function openTransformerNlu(cfg: ModelsConfig, log: ModelLogger, options: TransformerNluOptions = {}): Promise<Nlu> {
  return createTransformerNlu(await openIntentClassifier(cfg, log), options);
}
