import { describe, expect, it } from 'vitest';
import { buildSchema, queryGroups, toColumns, trainGbdt, type TrainSet } from '../../../src/learning/gbdt/index.js';
import { createRng } from '../../../src/maths/index.js';
import { ndcgAtK } from '../../../evals/metrics/ranking.js';

const specs = [{ name: 'match', kind: 'numeric' as const }, { name: 'level', kind: 'numeric' as const }, { name: 'noise', kind: 'numeric' as const }];

/**
 * Queries of 30 documents. Within a query the gain (100/10/0) follows `match`, noisily; `level` is
 * constant within a query and moves how many relevant documents it has, not their order.
 */
function queries(n: number, seed: number) {
  const rng = createRng(seed);
  const rows: Record<string, number>[] = [];
  const label: number[] = [];
  const query: number[] = [];
  for (let q = 0; q < n; q++) {
    const level = rng() * 10;
    for (let d = 0; d < 30; d++) {
      const match = rng();
      rows.push({ match, level, noise: rng() });
      // Queries with a higher level have more relevant documents, which says nothing about their order.
      const g = match + 0.02 * level + 0.1 * (rng() - 0.5);
      label.push(g > 0.9 ? 100 : g > 0.7 ? 10 : 0);
      query.push(q);
    }
  }
  return { rows, label: Float64Array.from(label), query: Int32Array.from(query) };
}

function meanNdcg10(set: { label: Float64Array; query: Int32Array }, score: Float64Array): number {
  const groups = queryGroups(set.query);
  let s = 0;
  for (const rows of groups) {
    const gains = new Map(Array.from(rows, (r) => [String(r), set.label[r]!]));
    const ranked = Array.from(rows).sort((a, b) => score[b]! - score[a]!).map(String);
    s += ndcgAtK(gains, ranked, 10);
  }
  return s / groups.length;
}

describe('LambdaMART (the lambdarank objective)', () => {
  const tr = queries(60, 1);
  const va = queries(30, 2);
  const schema = buildSchema(specs, tr.rows);
  const train: TrainSet = { columns: toColumns(schema, tr.rows), label: tr.label, query: tr.query };
  const valid: TrainSet = { columns: toColumns(schema, va.rows), label: va.label, query: va.query };
  const params = { objective: 'lambdarank' as const, rounds: 150, learningRate: 0.1, numLeaves: 8, minDataInLeaf: 10, earlyStoppingRounds: 30, seed: 1 };

  it('learns the order inside each query, close to the feature the labels follow', () => {
    const m = trainGbdt({ schema, train, valid, params });
    const ndcg = meanNdcg10(va, m.predictColumns(valid.columns));
    expect(ndcg).toBeGreaterThan(0.9);
    expect(ndcg).toBeGreaterThan(meanNdcg10(va, valid.columns[0]!) - 0.03);
    const noise = meanNdcg10(va, valid.columns[2]!);
    expect(ndcg).toBeGreaterThan(noise + 0.3);
  });

  it('early-stops on validation NDCG (loss = 1 - NDCG@10) and is deterministic', () => {
    const a = trainGbdt({ schema, train, valid, params });
    expect(a.json.validLoss.length).toBeGreaterThan(0);
    const best = Math.min(...a.json.validLoss);
    expect(a.json.validLoss[a.json.bestIteration - 1]).toBe(best);
    expect(best).toBeLessThan(a.json.validLoss[0]! + 1e-12);
    expect(JSON.stringify(trainGbdt({ schema, train, valid, params }).toJSON())).toBe(JSON.stringify(a.toJSON()));
    expect(a.json.baseScore).toBe(0);
  });

  it('starts from an offset (init score) and learns a correction to it', () => {
    // The offset ranks by the noise feature; the trees must undo it to reach the labels' order.
    const offset = (cols: readonly Float64Array[]) => Float64Array.from(cols[2]!, (x) => 0.5 * x);
    const m = trainGbdt({ schema, train: { ...train, offset: offset(train.columns) }, valid: { ...valid, offset: offset(valid.columns) }, params });
    const margin = m.predictColumns(valid.columns);
    const withOffset = Float64Array.from(margin, (x, i) => x + offset(valid.columns)[i]!);
    expect(meanNdcg10(va, offset(valid.columns))).toBeLessThan(0.6);
    expect(meanNdcg10(va, withOffset)).toBeGreaterThan(0.85);
    expect(() => trainGbdt({ schema, train: { ...train, offset: new Float64Array(3) }, params })).toThrow(/offsets/);
  });

  it('refuses rows without their query', () => {
    expect(() => trainGbdt({ schema, train: { columns: train.columns, label: train.label }, params })).toThrow(/query/);
  });

  it('groups rows by query id whatever their order', () => {
    expect(queryGroups(Int32Array.from([5, 2, 5, 2, 7])).map((g) => Array.from(g))).toEqual([[0, 2], [1, 3], [4]]);
  });
});
