import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readJsonl } from '../../src/nlu/datasets.js';
import { classify, loadLinearModel, saveLinearModel, WEIGHTS_FILE } from '../../src/nlu/linear.js';
import { DEFAULT_TRAIN, trainLinear, type TrainOptions } from '../../src/nlu/train.js';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'intent');
const train = readJsonl(path.join(fixtures, 'tiny-train.jsonl'));
const dev = readJsonl(path.join(fixtures, 'tiny-dev.jsonl'));
// A small hash space keeps the test fast; the algorithm is the same.
const options: TrainOptions = { ...DEFAULT_TRAIN, epochs: 8, features: { ...DEFAULT_TRAIN.features, bits: 12 } };

describe('trainLinear', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is deterministic from the seed', () => {
    const a = trainLinear(train, dev, options);
    const b = trainLinear(train, dev, options);
    expect(Buffer.from(a.model.weights.buffer).equals(Buffer.from(b.model.weights.buffer))).toBe(true);
    expect(a.model.bias).toEqual(b.model.bias);
    expect(a.report).toEqual(b.report);
    const c = trainLinear(train, dev, { ...options, seed: options.seed + 1 });
    expect(Buffer.from(c.model.weights.buffer).equals(Buffer.from(a.model.weights.buffer))).toBe(false);
  });

  it('learns the fixture and reports progress per epoch', () => {
    const epochs: number[] = [];
    const losses: number[] = [];
    const { model, report } = trainLinear(train, dev, { ...options, onEpoch: (e, _n, loss) => (epochs.push(e), losses.push(loss)) });
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    expect(report.temperature).toBeGreaterThan(0);
    for (const e of train) expect(classify(model, e.text).intent).toBe(e.intent);
  });

  it('saves and loads the same model (int8 weights)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'intent-linear-'));
    dirs.push(dir);
    const { model } = trainLinear(train, dev, options);
    await saveLinearModel(dir, model);
    expect(readFileSync(path.join(dir, WEIGHTS_FILE)).length).toBe((1 << 12) * model.intents.length);
    const loaded = await loadLinearModel(dir);
    expect(loaded.temperature).toBe(model.temperature);
    expect(loaded.oosThreshold).toBe(model.oosThreshold);
    for (const e of [...train, ...dev]) {
      const x = classify(model, e.text);
      const y = classify(loaded, e.text);
      expect(y.intent).toBe(x.intent);
      expect(y.confidence).toBeCloseTo(x.confidence, 5);
    }
  });

  it('refuses a missing or mismatched model with MODEL_MISSING', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'intent-linear-'));
    dirs.push(dir);
    await expect(loadLinearModel(dir)).rejects.toMatchObject({ code: 'MODEL_MISSING' });
    const { model } = trainLinear(train, dev, options);
    await expect(saveLinearModel(dir, { ...model, features: { ...model.features, bits: 13 } })).rejects.toMatchObject({ code: 'INTERNAL' });
    await saveLinearModel(dir, model);
    await expect(loadLinearModel(dir)).resolves.toBeDefined();
    const header = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    header.features.bits = 14;
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(header));
    await expect(loadLinearModel(dir)).rejects.toMatchObject({ code: 'MODEL_MISSING' });
  });
});
