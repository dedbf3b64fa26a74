import { describe, expect, it } from 'vitest';
import { buildSchema, GbdtFtrl, GbdtModel, toColumns, trainGbdt, trainGbdtRefit, trainInWorker, type GbdtTrainInput, type TabularRow } from '../../../src/learning/gbdt/index.js';
import { createRng } from '../../../src/maths/index.js';
import { rocAuc } from '../../../evals/metrics/auc.js';

type Spec = { name: string; kind: 'numeric' | 'categorical' };

function dataset(n: number, seed: number, label: (r: Record<string, number | string>, rng: () => number) => number, make: (rng: () => number) => Record<string, number | string>, specs: Spec[]) {
  const rng = createRng(seed);
  const rows: Record<string, number | string>[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = make(rng);
    rows.push(r);
    y.push(label(r, rng));
  }
  const schema = buildSchema(specs, rows);
  return { rows, y, schema, set: { columns: toColumns(schema, rows), label: Float64Array.from(y) } };
}

const xorSpecs: Spec[] = [{ name: 'a', kind: 'numeric' }, { name: 'b', kind: 'numeric' }, { name: 'noise', kind: 'numeric' }];
const xorRow = (rng: () => number) => ({ a: rng(), b: rng(), noise: rng() });
const xorLabel = (r: Record<string, number | string>, rng: () => number) => (((r.a as number) > 0.5) !== ((r.b as number) > 0.5) ? (rng() < 0.9 ? 1 : 0) : rng() < 0.1 ? 1 : 0);

function depth(tree: GbdtModel['trees'][number]): number {
  const t = tree.json;
  const walk = (child: number): number => (child < 0 ? 0 : 1 + Math.max(walk(t.left[child]!), walk(t.right[child]!)));
  return t.feature.length === 0 ? 0 : walk(0);
}

describe('gradient-boosted trees', () => {
  const train = dataset(3000, 1, xorLabel, xorRow, xorSpecs);
  const valid = dataset(1000, 2, xorLabel, xorRow, xorSpecs);
  const input: GbdtTrainInput = { schema: train.schema, train: train.set, valid: valid.set, params: { rounds: 200, learningRate: 0.1, numLeaves: 8, minDataInLeaf: 20, featureFraction: 0.67, baggingFraction: 0.8, seed: 3, earlyStoppingRounds: 20 } };

  it('learns an interaction no linear model can (XOR)', () => {
    const m = trainGbdt(input);
    const auc = rocAuc(valid.y, Array.from(m.predictColumns(valid.set.columns)));
    expect(auc).toBeGreaterThan(0.85);
    // Neither input alone says anything about the label.
    expect(Math.abs(rocAuc(valid.y, valid.rows.map((r) => r.a as number)) - 0.5)).toBeLessThan(0.05);
    expect(m.importance().noise ?? 0).toBeLessThan(m.importance().a! / 5);
  });

  it('is deterministic for a seed, and the seed matters when rows and features are subsampled', () => {
    const a = trainGbdt(input).toJSON();
    const b = trainGbdt(input).toJSON();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const c = trainGbdt({ ...input, params: { ...input.params, seed: 4 } }).toJSON();
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it('keeps to the leaf and depth limits', () => {
    const m = trainGbdt({ ...input, params: { ...input.params, numLeaves: 4, maxDepth: 2, rounds: 20 } });
    for (const t of m.trees) {
      expect(t.leaves).toBeLessThanOrEqual(4);
      expect(depth(t)).toBeLessThanOrEqual(2);
    }
    const deep = trainGbdt({ ...input, params: { ...input.params, numLeaves: 16, maxDepth: 0, rounds: 5 } });
    expect(Math.max(...deep.trees.map((t) => t.leaves))).toBeGreaterThan(4);
  });

  it('stops early when the validation loss stops improving, keeping the best round', () => {
    const noise = dataset(2000, 5, (_r, rng) => (rng() < 0.3 ? 1 : 0), xorRow, xorSpecs);
    const noiseValid = dataset(1000, 6, (_r, rng) => (rng() < 0.3 ? 1 : 0), xorRow, xorSpecs);
    const m = trainGbdt({ schema: noise.schema, train: noise.set, valid: noiseValid.set, params: { rounds: 1000, learningRate: 0.3, numLeaves: 16, minDataInLeaf: 5, earlyStoppingRounds: 10 } });
    const losses = m.json.validLoss;
    expect(losses.length).toBeLessThan(1000);
    expect(losses.length).toBe(m.json.bestIteration + 10);
    expect(m.trees.length).toBe(m.json.bestIteration);
    expect(Math.min(...losses)).toBe(losses[m.json.bestIteration - 1]);
  });

  it('refits on train + validation rows with the early-stopped rounds scaled by the rows added', () => {
    const first = trainGbdt(input);
    const refit = trainGbdtRefit(input);
    const n = train.y.length;
    expect(refit.trees.length).toBe(Math.round((first.json.bestIteration * (n + valid.y.length)) / n));
    expect(refit.json.validLoss).toEqual(first.json.validLoss);
    // The validation rows were learned from: its loss on them is below the early-stopped model's.
    const loss = (m: GbdtModel) => valid.y.reduce((s, y, i) => s - Math.log(Math.abs(1 - y - m.predictAt(valid.set.columns, i))), 0);
    expect(loss(refit)).toBeLessThan(loss(first));
    expect(trainGbdtRefit({ ...input, valid: undefined }).toJSON()).toEqual(trainGbdt({ ...input, valid: undefined }).toJSON());
  });

  it('learns where missing values go', () => {
    // Missing x means "buys"; present x buys when above 0.7. Missing rows must land with the buyers.
    const specs: Spec[] = [{ name: 'x', kind: 'numeric' }];
    const make = (rng: () => number) => ({ x: rng() < 0.3 ? Number.NaN : rng() });
    const label = (r: Record<string, number | string>) => (Number.isNaN(r.x as number) || (r.x as number) > 0.7 ? 1 : 0);
    const d = dataset(2000, 7, label, make, specs);
    const m = trainGbdt({ schema: d.schema, train: d.set, params: { rounds: 50, learningRate: 0.3, numLeaves: 4, minDataInLeaf: 10 } });
    expect(m.predict({ x: Number.NaN })).toBeGreaterThan(0.9);
    expect(m.predict({ x: undefined })).toBeGreaterThan(0.9);
    expect(m.predict({ x: 'NA' })).toBeGreaterThan(0.9);
    expect(m.predict({ x: 0.9 })).toBeGreaterThan(0.9);
    expect(m.predict({ x: 0.2 })).toBeLessThan(0.1);
  });

  it('splits categorical features into groups of categories', () => {
    const specs: Spec[] = [{ name: 'colour', kind: 'categorical' }, { name: 'n', kind: 'numeric' }];
    const colours = ['red', 'green', 'blue', 'black', 'white', 'pink', 'grey', 'teal'];
    const liked = new Set(['red', 'blue', 'white', 'grey']);
    const make = (rng: () => number) => ({ colour: colours[Math.floor(rng() * colours.length)]!, n: rng() });
    const d = dataset(4000, 8, (r, rng) => (liked.has(r.colour as string) ? (rng() < 0.8 ? 1 : 0) : rng() < 0.2 ? 1 : 0), make, specs);
    const m = trainGbdt({ schema: d.schema, train: d.set, params: { rounds: 30, learningRate: 0.2, numLeaves: 4, minDataInLeaf: 20 } });
    for (const c of colours) expect(m.predict({ colour: c, n: 0.5 }) > 0.5).toBe(liked.has(c));
    // A colour never seen in training is treated as missing, not as an error.
    expect(Number.isFinite(m.predict({ colour: 'mauve', n: 0.5 }))).toBe(true);
    expect(m.trees[0]!.json.catLeft.some((s) => s !== null && s.length > 1)).toBe(true);
  });

  it('fits squared error for regression', () => {
    const specs: Spec[] = [{ name: 'x', kind: 'numeric' }];
    const d = dataset(2000, 9, (r) => 3 * (r.x as number) * (r.x as number), (rng) => ({ x: rng() }), specs);
    const m = trainGbdt({ schema: d.schema, train: d.set, params: { objective: 'regression', rounds: 200, learningRate: 0.1, numLeaves: 8, minDataInLeaf: 10 } });
    expect(m.predict({ x: 0.5 })).toBeCloseTo(0.75, 1);
    expect(m.predict({ x: 0.9 })).toBeCloseTo(2.43, 1);
  });

  it('round-trips through JSON and refuses what is not a model', () => {
    const m = trainGbdt(input);
    const back = GbdtModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    for (const r of valid.rows.slice(0, 50) as TabularRow[]) expect(back.predict(r)).toBe(m.predict(r));
    expect(() => GbdtModel.fromJSON({ format: 'shopbot-gbdt-1', trees: 'no' })).toThrow(expect.objectContaining({ code: 'MODEL_MISSING' }));
  });

  it('trains the same model in a worker thread as in-process', async () => {
    const fromWorker = await trainInWorker({ type: 'gbdt', input });
    expect(JSON.stringify(fromWorker)).toBe(JSON.stringify(trainGbdt(input).toJSON()));
  });

  it('gives leaf indices to an FTRL layer that starts at the trees and keeps learning', () => {
    const m = trainGbdt({ ...input, params: { ...input.params, rounds: 30 } });
    const layer = new GbdtFtrl(m, { bits: 14 });
    const cols = valid.set.columns;
    expect(layer.predictAt(cols, 0)).toBeCloseTo(m.predictAt(cols, 0), 12);
    const leaves = m.leafIndicesAt(cols, 0);
    expect(leaves.length).toBe(m.trees.length);
    leaves.forEach((l, t) => expect(l).toBeLessThan(m.trees[t]!.leaves));
    // The world changes after the retrain: every row is now a buyer. The layer follows; the trees cannot.
    for (let ep = 0; ep < 3; ep++) for (let i = 0; i < valid.y.length; i++) layer.trainAt(cols, i, 1);
    let meanLayer = 0, meanTrees = 0;
    for (let i = 0; i < valid.y.length; i++) (meanLayer += layer.predictAt(cols, i)), (meanTrees += m.predictAt(cols, i));
    expect(meanLayer / valid.y.length).toBeGreaterThan(0.9);
    expect(meanTrees / valid.y.length).toBeLessThan(0.7);
    const back = GbdtFtrl.fromBuffer(layer.toBuffer());
    expect(back.predictAt(cols, 3)).toBe(layer.predictAt(cols, 3));
  });
});
