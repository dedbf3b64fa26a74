/**
 * Loads one exported model directory (Hugging Face layout) with @huggingface/transformers on
 * onnxruntime-node: local files only, fp32 or int8 (`onnx/model_quantized.onnx`), CPU or CUDA.
 * A provider list does not fall back by itself, so a CUDA failure is caught, logged once and the
 * model is loaded again on CPU.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AutoModel, AutoTokenizer, env, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { z } from 'zod';
import type { Config } from '../config.js';
import { ShopbotError } from '../errors.js';
import { padBatch, truncateIds, type PaddedBatch } from './tensors.js';

export type ModelsConfig = Config['models'];

/** pino-compatible; passed in, never global. */
export interface ModelLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

const ModelConfigSchema = z.object({
  model_type: z.literal('bert'),
  hidden_size: z.number().int().positive(),
  max_position_embeddings: z.number().int().positive(),
  id2label: z.record(z.string(), z.string()).optional(),
  shopbot: z
    .object({
      task: z.enum(['intent', 'embedding', 'joint']),
      /** Joint models: the BIO tag set of the per-token head ("O", "B-PRODUCT", "I-PRODUCT", …). */
      tagLabels: z.array(z.string()).optional(),
      oosLabel: z.string().optional(),
      oosThreshold: z.number().min(0).max(1).optional(),
      maxLength: z.number().int().positive().optional(),
      queryMaxLength: z.number().int().positive().optional(),
      passageMaxLength: z.number().int().positive().optional(),
    })
    .loose(),
});
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

/** id2label's labels in id order. */
export function labelsInOrder(id2label: Readonly<Record<string, string>>): string[] {
  return Object.keys(id2label)
    .map(Number)
    .sort((a, b) => a - b)
    .map((i) => id2label[String(i)]!);
}

export interface OutputTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface LoadedModel {
  readonly name: string;
  readonly device: 'cpu' | 'cuda';
  readonly dtype: 'fp32' | 'q8';
  readonly config: ModelConfig;
  /** `[CLS] … [SEP]` ids per text, truncated to maxLen keeping [SEP]. */
  tokenize(texts: readonly string[], maxLen: number): number[][];
  /** WordPiece ids of one pre-tokenized word, without [CLS]/[SEP]. */
  wordPieces(word: string): number[];
  run(batch: PaddedBatch): Promise<Record<string, OutputTensor>>;
  close(): Promise<void>;
}

function readModelConfig(dir: string): ModelConfig {
  const file = path.join(dir, 'config.json');
  if (!existsSync(file) || !existsSync(path.join(dir, 'tokenizer.json'))) {
    throw new ShopbotError('MODEL_MISSING', `no model at ${dir} (config.json and tokenizer.json expected; run npm run models:train)`);
  }
  const parsed = ModelConfigSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new ShopbotError('MODEL_MISSING', `${file}: ${parsed.error.message}`);
  return parsed.data;
}

export async function loadOnnxModel(cfg: ModelsConfig, name: string, log: ModelLogger): Promise<LoadedModel> {
  const root = path.resolve(cfg.dir);
  const dir = path.join(root, name);
  const config = readModelConfig(dir);
  const dtype = cfg.quantized ? 'q8' : 'fp32';
  const onnxFile = path.join(dir, 'onnx', cfg.quantized ? 'model_quantized.onnx' : 'model.onnx');
  if (!existsSync(onnxFile)) throw new ShopbotError('MODEL_MISSING', `no ONNX file at ${onnxFile}`);
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = root + path.sep;
  const tokenizer: PreTrainedTokenizer = await AutoTokenizer.from_pretrained(name, { local_files_only: true });
  const sessionOptions = { intraOpNumThreads: cfg.threads, interOpNumThreads: 1 };
  const load = (device: 'cpu' | 'cuda') =>
    AutoModel.from_pretrained(name, { local_files_only: true, device, dtype, session_options: sessionOptions });
  let device: 'cpu' | 'cuda' = cfg.device;
  let model: PreTrainedModel;
  try {
    model = await load(device);
  } catch (cause) {
    if (device !== 'cuda') throw new ShopbotError('MODEL_MISSING', `cannot load ${onnxFile}: ${(cause as Error).message}`, { cause });
    log.warn({ model: name, err: (cause as Error).message }, 'CUDA execution provider unavailable; running models on CPU');
    device = 'cpu';
    model = await load(device);
  }
  const sepId = tokenizer.sep_token_id ?? 3;
  const padId = tokenizer.pad_token_id ?? 0;
  log.info({ model: name, device, dtype, threads: cfg.threads }, 'model loaded');
  return {
    name,
    device,
    dtype,
    config,
    tokenize(texts, maxLen) {
      return texts.map((t) => truncateIds(tokenizer.encode(t), maxLen, sepId));
    },
    wordPieces(word) {
      return tokenizer.encode(word, { add_special_tokens: false });
    },
    async run(batch) {
      const dims = [batch.batch, batch.seqLen];
      const out = (await model({
        input_ids: new Tensor('int64', batch.inputIds, dims),
        attention_mask: new Tensor('int64', batch.attentionMask, dims),
        token_type_ids: new Tensor('int64', new BigInt64Array(batch.inputIds.length), dims),
      })) as Record<string, { data: unknown; dims: number[] }>;
      const result: Record<string, OutputTensor> = {};
      for (const [k, v] of Object.entries(out)) {
        if (v.data instanceof Float32Array) result[k] = { data: v.data, dims: v.dims };
      }
      return result;
    },
    async close() {
      await model.dispose();
    },
  };
}

export { padBatch };
