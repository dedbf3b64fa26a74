/**
 * Development cross-validation of uplift learners on Hillstrom (the folds of `eval uplift --tune`):
 *   npx tsx evals/tabular/uplift-cv.ts '{"t stumps":["t",{}],"dr 7-leaf":["dr",{"outcomeParams":{"numLeaves":7,"minDataInLeaf":100}}]}'
 * Each variant is a meta-learner kind with overrides of TARGETER_PARAMS; the two-model FTRL
 * baseline is added. 4-fold CV Qini over the train + valid rows (the report split is never read).
 */
import { fileURLToPath } from 'node:url';
import { readHillstromTable, type UpliftRow } from './datasets.js';
import { splitRows } from './protocol.js';
import { buildSchema, toColumns, trainUplift, type UpliftSet } from '../../src/learning/gbdt/index.js';
import { TARGETER_PARAMS } from '../../src/coupons/targeter.js';
import { TwoModelUplift } from '../../src/coupons/uplift.js';
import { qiniCoefficient } from '../metrics/uplift.js';
import { fnv1a, mix, type FeatureRecord } from '../../src/learning/encoder.js';
import { createRng, shuffle } from '../../src/maths/index.js';
const file = fileURLToPath(new URL('../data/hillstrom/hillstrom_train.csv', import.meta.url));
const table = readHillstromTable(file, 'visit');
const split = splitRows('hillstrom', file, table.rows);
const rows = [...split.train, ...split.valid];
const fold = (r: UpliftRow) => mix(fnv1a('fold:hillstrom'), fnv1a(r.line)) % 4;
const P = TARGETER_PARAMS;
const variants: Record<string, [string, typeof P]> = JSON.parse(process.argv[2]!);
const sums: Record<string, number[]> = {};
for (let k = 0; k < 4; k++) {
  const score = rows.filter((r) => fold(r) === k), valid = rows.filter((r) => fold(r) === (k + 1) % 4), train = rows.filter((r) => fold(r) !== k && fold(r) !== (k + 1) % 4);
  const e = train.filter((r) => r.treated).length / train.length;
  const schema = buildSchema(table.features, train.map((r) => r.features));
  const us = (rs: UpliftRow[]): UpliftSet => ({ columns: toColumns(schema, rs.map((r) => r.features)), treated: Uint8Array.from(rs, (r) => (r.treated ? 1 : 0)), outcome: Float64Array.from(rs, (r) => r.label), propensity: new Float64Array(rs.length).fill(e) });
  const sets = { train: us(train), valid: us(valid), score: us(score) };
  const y = score.map((r) => r.label), t = score.map((r) => (r.treated ? 1 : 0));
  for (const [name, [kind, over]] of Object.entries(variants)) {
    const params = { outcomeParams: { ...P.outcomeParams, ...over.outcomeParams }, effectParams: { ...P.effectParams, ...over.effectParams } };
    const m = trainUplift({ kind: kind as 't' | 'x' | 'dr', schema, train: sets.train, valid: sets.valid, ...params, seed: 7 });
    (sums[name] ??= []).push(qiniCoefficient(y, t, score.map((_, i) => m.upliftAt(sets.score.columns, i))));
  }
  const two = new TwoModelUplift({ bits: 18, crosses: [], tokenKeys: [] });
  const rng = createRng(7);
  for (let ep = 0; ep < 5; ep++) for (const r of shuffle([...train], rng)) two.train({ features: r.features as FeatureRecord, treated: r.treated, outcome: r.label ? 1 : 0, propensity: e });
  (sums['two-model ftrl'] ??= []).push(qiniCoefficient(y, t, score.map((r) => two.uplift(r.features as FeatureRecord))));
  console.error(`fold ${k + 1}`);
}
for (const [n, q] of Object.entries(sums)) console.log(`${n.padEnd(30)} cvQini ${(q.reduce((a, b) => a + b, 0) / 4).toFixed(4)}  ${q.map((x) => x.toFixed(3)).join(' ')}`);
