/**
 * The models stage: our own ONNX transformers (trained by models/recipes) served on CPU or CUDA.
 * - `openTextEncoder(config.models, log)`: query/product embeddings for dense retrieval.
 * - `openIntentClassifier(config.models, log)`: the fine-tuned intent classifier (`shopbot eval
 *   intent-model` scores it with `decideIntent`; no configuration serves it as the NLU yet).
 */

export { openTextEncoder, type TextEncoder, type EmbedKind } from './encoder.js';
export { decideIntent, openIntentClassifier, type IntentClassifier } from './intent.js';
export { MicroBatcher, type MicroBatcherOptions } from './batcher.js';
export { loadOnnxModel, type ModelLogger, type ModelsConfig, type LoadedModel } from './runtime.js';
export { productPassage, type PassageFields } from './passage.js';
export { defaultPython } from './python.js';
