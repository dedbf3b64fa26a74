/**
 * The models stage: our own ONNX transformers (trained by models/recipes) served on CPU or CUDA.
 * - `openTextEncoder(config.models, log)`: query/product embeddings for dense retrieval.
 * - `openIntentClassifier(config.models, log)`: the fine-tuned intent classifier (`shopbot eval
 *   intent-model` scores it with `decideIntent`).
 * - `openJointModel` / `createTransformerNlu`: the joint intent + span model as an `Nlu`, and
 *   `openNlu(config, log)`, the engine the app serves (config `nlu.engine`).
 */

export { openTextEncoder, type TextEncoder, type EmbedKind } from './encoder.js';
export { decideIntent, openIntentClassifier, type IntentClassifier } from './intent.js';
export {
  createTransformerNlu, decodeSpans, ensembleIntent, mergeSpans, openJointModel, wordsWithOffsets, TRANSFORMER_ENGINE,
  type JointModel, type JointParse, type TransformerNluOptions, type Word,
} from './joint.js';
export { openNlu, type NluEngineConfig } from './nlu-engine.js';
export { MicroBatcher, type MicroBatcherOptions } from './batcher.js';
export { loadOnnxModel, type ModelLogger, type ModelsConfig, type LoadedModel } from './runtime.js';
export { productPassage, type PassageFields } from './passage.js';
export { defaultPython } from './python.js';
