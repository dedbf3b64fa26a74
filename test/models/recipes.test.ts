/**
 * The recipe round trip CI depends on: a tiny configuration of every recipe (tokenizer, MLM
 * pre-training, intent fine-tuning, contrastive embedding) runs end to end in Python, exports
 * ONNX, and Node loads the result. Node must tokenize exactly like Python (Chinese included) and
 * the fp32 ONNX outputs must match PyTorch within 1e-4.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTransformerNlu, decideIntent, loadOnnxModel, openIntentClassifier, openJointModel, openTextEncoder, wordsWithOffsets, type ModelLogger } from '../../src/models/index.js';
import { padBatch } from '../../src/models/tensors.js';
import { PYTHON } from './python.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

interface Reference {
  probes: string[];
  tokens: string[][];
  ids: number[][];
  logits: number[][];
  embeddings: number[][];
  labels: string[];
  jointIds: number[][];
  jointLogits: number[][];
  tagLogits: number[][][];
  words: [string, number, number][][];
  jointLabels: string[];
}

function recordingLogger(): ModelLogger & { warns: unknown[] } {
  const warns: unknown[] = [];
  return { warns, info: () => {}, warn: (obj) => warns.push(obj), error: (obj) => warns.push(obj) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('model recipes round trip (python3-torch -> ONNX -> Node)', () => {
  let dir: string;
  let ref: Reference;
  const models = (overrides: Record<string, unknown> = {}) =>
    loadConfig({ overrides: { models: { dir, quantized: false, threads: 1, maxBatchWaitMs: 1, ...overrides } } }).models;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shopbot-recipes-'));
    await run(
      PYTHON,
      [
        path.join(ROOT, 'models/recipes/train.py'), 'ci', '--out', dir,
        '--intents', path.join(ROOT, 'test/models/fixtures/intents-mini.jsonl'),
        '--probes', path.join(ROOT, 'test/models/fixtures/probes.json'),
        '--nlu', path.join(ROOT, 'test/models/fixtures/nlu-mini.jsonl'),
        '--catalog', path.join(ROOT, 'evals/data/esci/ubi_ecommerce_products.json.gz'),
      ],
      { timeout: 170_000, maxBuffer: 16 << 20 },
    );
    ref = JSON.parse(readFileSync(path.join(dir, 'reference.json'), 'utf8')) as Reference;
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('tokenizes exactly like the Python recipe, Chinese and accents included', async () => {
    const model = await loadOnnxModel(models(), 'intent', recordingLogger());
    try {
      const ids = model.tokenize(ref.probes, 64);
      expect(ids).toEqual(ref.ids);
      const zh = ref.probes.findIndex((p) => p.startsWith('我想买'));
      // One token per Chinese character between [CLS] and the first non-Chinese token.
      expect(ref.tokens[zh]!.slice(1, 4)).toEqual(['我', '想', '买']);
    } finally {
      await model.close();
    }
  });

  it('fp32 ONNX intent logits match PyTorch within 1e-4, in a padded batch', async () => {
    const model = await loadOnnxModel(models(), 'intent', recordingLogger());
    try {
      const batch = padBatch(ref.ids);
      const { logits } = await model.run(batch);
      const n = ref.labels.length;
      expect(logits!.dims).toEqual([ref.probes.length, n]);
      ref.logits.forEach((row, b) => {
        expect(maxAbsDiff(logits!.data.subarray(b * n, (b + 1) * n), row)).toBeLessThan(1e-4);
      });
    } finally {
      await model.close();
    }
  });

  it('fp32 ONNX embeddings (mean pooled, normalized) match PyTorch within 1e-4; int8 stays close', async () => {
    const fp32 = await openTextEncoder(models(), recordingLogger());
    const int8 = await openTextEncoder(models({ quantized: true }), recordingLogger());
    try {
      // Concurrent calls go through the micro-batcher together.
      const parts = await Promise.all(ref.probes.map((p) => fp32.embed([p], { kind: 'query' })));
      parts.forEach(([v], i) => {
        expect(v!.length).toBe(fp32.dim);
        expect(maxAbsDiff(v!, ref.embeddings[i]!)).toBeLessThan(1e-4);
      });
      const q = await int8.embed(ref.probes, { kind: 'query' });
      q.forEach((v, i) => {
        let cos = 0;
        for (let d = 0; d < v.length; d++) cos += v[d]! * ref.embeddings[i]![d]!;
        expect(cos).toBeGreaterThan(0.9);
      });
    } finally {
      await fp32.close();
      await int8.close();
    }
  });

  it('classifies with the intent model over every label, falling back from CUDA to CPU once', async () => {
    const log = recordingLogger();
    const classifier = await openIntentClassifier(models({ device: 'cuda', quantized: true }), log);
    try {
      const [en, zh] = await classifier.classify(['Where is my order #A-1234?', '我想买蓝牙耳机']);
      for (const probs of [en!, zh!]) {
        const r = decideIntent(classifier.labels, probs, classifier.oosLabel, classifier.oosThreshold);
        expect(r.ranking.length).toBe(ref.labels.length);
        expect(r.ranking.reduce((s, x) => s + x.confidence, 0)).toBeCloseTo(1, 4);
      }
      // On a machine without the CUDA provider the load falls back and says so exactly once.
      expect(log.warns.length).toBe(classifier.device === 'cuda' ? 0 : 1);
    } finally {
      await classifier.close();
    }
  });

  it('splits words like the joint recipe (offsets too) and builds the same ids as Python', async () => {
    const model = await loadOnnxModel(models(), 'nlu', recordingLogger());
    try {
      ref.probes.forEach((p, i) => {
        const words = wordsWithOffsets(p);
        expect(words.map((w) => w.word)).toEqual(ref.words[i]!.map((w) => w[0]));
        // Python counts code points, JavaScript UTF-16 units: offsets agree on BMP-only text.
        if (![...p].some((ch) => ch.length > 1)) expect(words.map((w) => [w.start, w.end])).toEqual(ref.words[i]!.map((w) => [w[1], w[2]]));
        expect(model.tokenize([p], 64)[0]).toEqual(ref.jointIds[i]);
      });
    } finally {
      await model.close();
    }
  });

  it('fp32 ONNX joint intent and tag logits match PyTorch within 1e-4; the NLU engine returns spans in bounds', async () => {
    const model = await loadOnnxModel(models(), 'nlu', recordingLogger());
    try {
      const { logits, tag_logits: tags } = await model.run(padBatch(ref.jointIds));
      const k = ref.jointLabels.length;
      const seqLen = Math.max(...ref.jointIds.map((x) => x.length));
      const nTags = ref.tagLogits[0]![0]!.length;
      expect(tags!.dims).toEqual([ref.probes.length, seqLen, nTags]);
      ref.jointLogits.forEach((row, b) => expect(maxAbsDiff(logits!.data.subarray(b * k, (b + 1) * k), row)).toBeLessThan(1e-4));
      ref.tagLogits.forEach((rows, b) => rows.forEach((row, t) => {
        const base = (b * seqLen + t) * nTags;
        expect(maxAbsDiff(tags!.data.subarray(base, base + nTags), row)).toBeLessThan(1e-4);
      }));
    } finally {
      await model.close();
    }
    const joint = await openJointModel(models({ quantized: true }), recordingLogger());
    const nlu = createTransformerNlu(joint);
    try {
      const r = await nlu.parse('black running shoes under $50, not Nike');
      expect(r.engine).toBe('transformer');
      expect(r.ranking.length).toBe(ref.jointLabels.length);
      for (const s of r.spans ?? []) expect('black running shoes under $50, not Nike'.slice(s.start, s.end)).toBe(s.text);
    } finally {
      await nlu.close();
      await joint.close();
    }
  });
});
