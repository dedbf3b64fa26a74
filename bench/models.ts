/**
 * `shopbot bench models [--texts FILE] [--models DIR] [--threads N] [--n N] [--batches N] [--json OUT]`
 *
 * Inference speed of both shipped models (intent classifier, embedding encoder), fp32 and int8,
 * on this machine: latency of single-utterance calls (p50/p95, batch 1, one at a time, the way a
 * turn calls) and throughput at batch 32 (utterances per second, tokenization included). Texts are
 * real utterances from a JSON-lines file with a `text` field (the intent dev split by default).
 * The machine line records CPU model, cores and load average: on a shared machine the load moves
 * the figures, so compare rows from one run.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { loadConfig } from '../src/config.js';
import { ShopbotError } from '../src/errors.js';
import { loadOnnxModel, type LoadedModel } from '../src/models/index.js';
import { padBatch } from '../src/models/tensors.js';
import { printTable, requireFile, writeJson, type SideBySide } from '../evals/report.js';
import { percentile } from './stats.js';
import { flag, parseFlags } from '../cli/args.js';

export const USAGE = `usage: shopbot bench models [--texts FILE] [--models DIR] [--threads N] [--n N] [--batches N] [--json OUT]

Inference speed of both shipped models (intent classifier, embedding encoder), fp32 and int8, on
this machine: latency of single-utterance calls (p50/p95, batch 1, one at a time, the way a turn
calls) and throughput at batch 32 (utterances per second, tokenization included). Texts are real
utterances from a JSON-lines file with a 'text' field (the intent dev split by default). The
machine line records CPU model, cores and load average: on a shared machine the load moves the
figures, so compare rows from one run.

options:
  --texts FILE   (default evals/data/intent/dev.jsonl)
  --models DIR   (default models)
  --threads VALUE   (default 2)
  --n VALUE   (default 300)
  --batches VALUE   (default 40)
  --json OUT`;

const log = { info: () => {}, warn: (o: unknown, m?: string) => console.error(m ?? '', o), error: (o: unknown, m?: string) => console.error(m ?? '', o) };
const BATCH = 32;

function readTexts(file: string): string[] {
  const texts = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => z.object({ text: z.string().min(1).max(4000) }).parse(JSON.parse(l)).text);
  if (texts.length === 0) throw new ShopbotError('INPUT_MISSING', `${file}: no texts`);
  return texts;
}

async function measure(model: LoadedModel, texts: readonly string[], maxLen: number, n: number, batches: number): Promise<Record<string, number>> {
  const one = async (chunk: readonly string[]) => model.run(padBatch(model.tokenize(chunk, maxLen)));
  for (let i = 0; i < 5; i++) await one([texts[i % texts.length]!]);
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await one([texts[i % texts.length]!]);
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    const chunk = Array.from({ length: BATCH }, (_, i) => texts[(b * BATCH + i) % texts.length]!);
    await one(chunk);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    p50_ms_batch1: percentile(lat, 50),
    p95_ms_batch1: percentile(lat, 95),
    utterances_per_s_batch32: (batches * BATCH) / seconds,
    rss_mb: process.memoryUsage().rss / 2 ** 20,
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      texts: { type: 'string', default: 'evals/data/intent/dev.jsonl' },
      models: { type: 'string', default: 'models' },
      threads: { type: 'string', default: '2' },
      n: { type: 'string', default: '300' },
      batches: { type: 'string', default: '40' },
      json: { type: 'string' },
    },
  });
  const texts = readTexts(requireFile(values.texts, '--texts'));
  const n = flag('n', z.coerce.number().int().min(1).max(100_000), values.n);
  const batches = flag('batches', z.coerce.number().int().min(1).max(100_000), values.batches);
  const rows: SideBySide = {};
  for (const name of ['intent', 'embedding'] as const) {
    for (const quantized of [false, true]) {
      const cfg = loadConfig({ overrides: { models: { dir: values.models, quantized, threads: values.threads } } }).models;
      const model = await loadOnnxModel(cfg, name, log);
      try {
        const extra = model.config.shopbot;
        const maxLen = (name === 'intent' ? extra.maxLength : extra.queryMaxLength) ?? 64;
        rows[`${name} ${quantized ? 'int8' : 'fp32'}`] = await measure(model, texts, maxLen, n, batches);
      } finally {
        await model.close();
      }
    }
  }
  const cpus = os.cpus();
  console.log(`machine: ${cpus[0]?.model ?? 'unknown'} x${cpus.length}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; ` +
    `${values.threads} ONNX threads; ${texts.length} texts from ${values.texts}; ${n} single calls, ${batches} batches of ${BATCH}`);
  printTable('model inference (ONNX Runtime, CPU)', rows);
  writeJson(values.json, rows);
  return 0;
}
