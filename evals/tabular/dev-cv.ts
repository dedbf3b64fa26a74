/**
 * Development cross-validation for the binary tabular evals, the check behind their settings:
 *   npx tsx evals/tabular/dev-cv.ts coupon|shoppers '[{"name":"ours refit"}]' [peers]
 * 5 folds over the train + valid rows only (the report split is never read): fold k scores, fold
 * k+1 early-stops, the rest train. Each variant is our trees (trainGbdtRefit unless "refit":
 * false) with parameter overrides; `peers` adds XGBoost and logistic regression on the same folds.
 */
// Fold k scores, fold k+1 early-stops, the rest train; ours (trainGbdtRefit) beside the python peers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCouponTable, readShopperTable, type LabelledRow } from './datasets.js';
import { splitRows, writeSplitFiles } from './protocol.js';
import { buildSchema, toColumns, trainGbdt, trainGbdtRefit } from '../../src/learning/gbdt/index.js';
import { rocAuc } from '../metrics/auc.js';
import { fnv1a, mix } from '../../src/learning/encoder.js';
import { COUPON_GBDT } from '../acceptance.js';
import { SHOPPERS_GBDT } from '../conversion.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.join(HERE, '..', 'data');
const [dataset, variantsJson, peers] = process.argv.slice(2) as [string, string, string | undefined];
const files = { coupon: '../data/in-vehicle-coupon/in-vehicle-coupon-recommendation_train.csv', shoppers: '../data/online-shoppers/online_shoppers_intention_train.csv' } as Record<string, string>;
const file = files[dataset]!;
const table = dataset === 'coupon' ? readCouponTable(file) : readShopperTable(file);
const base = dataset === 'coupon' ? COUPON_GBDT : SHOPPERS_GBDT;
const split = splitRows(dataset, file, table.rows);
const dev = [...split.train, ...split.valid];
const K = 5;
const fold = (r: LabelledRow) => mix(fnv1a(`cv:${dataset}`), fnv1a(r.line)) % K;
type Variant = { name: string; params?: object; refit?: boolean; drop?: string[]; seeds?: number };
const variants: Variant[] = JSON.parse(variantsJson);
const res: Record<string, number[]> = {};
for (let k = 0; k < K; k++) {
  const test = dev.filter((r) => fold(r) === k);
  const valid = dev.filter((r) => fold(r) === (k + 1) % K);
  const train = dev.filter((r) => fold(r) !== k && fold(r) !== (k + 1) % K);
  for (const v of variants) {
    const feats = table.features.filter((f) => !(v.drop ?? []).includes(f.name));
    const schema = buildSchema(feats, train.map((r) => r.features), { minCategoryCount: 5 });
    const set = (rows: LabelledRow[]) => ({ columns: toColumns(schema, rows.map((r) => r.features)), label: Float64Array.from(rows, (r) => r.label) });
    const tr = set(train), va = set(valid), te = set(test);
    const S = v.seeds ?? 1;
    const p = new Float64Array(test.length);
    for (let s = 0; s < S; s++) {
      const m = (v.refit === false ? trainGbdt : trainGbdtRefit)({ schema, train: tr, valid: va, params: { ...base, ...(v.params ?? {}), seed: 7 + s } });
      const q = m.predictColumns(te.columns);
      for (let i = 0; i < p.length; i++) p[i] = p[i]! + q[i]! / S;
    }
    (res[v.name] ??= []).push(rocAuc(Array.from(te.label), Array.from(p)));
  }
  if (peers) {
    const dir = mkdtempSync(path.join(os.tmpdir(), `shopbot-cv-${dataset}-`));
    const f = writeSplitFiles(dir, table.header, { train, valid, report: test, note: '', reportName: '' });
    const out = JSON.parse(execFileSync('/usr/bin/python3', ['../conversion-baselines.py', f.train, f.valid, f.report, '7', dataset], { encoding: 'utf8', maxBuffer: 1 << 28 }).trim().split('\n').pop()!) as Record<string, number[]>;
    for (const [name, q] of Object.entries(out)) (res[name] ??= []).push(rocAuc(test.map((r) => r.label), q));
    rmSync(dir, { recursive: true, force: true });
  }
  console.error(`fold ${k + 1}/${K}`);
}
for (const [name, a] of Object.entries(res)) console.log(`${name.padEnd(36)} cvAUC ${(a.reduce((x, y) => x + y, 0) / a.length).toFixed(4)}  ${a.map((x) => x.toFixed(3)).join(' ')}`);
