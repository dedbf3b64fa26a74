/**
 * One runner for the binary tabular evals (conversion on UCI online shoppers, coupon acceptance on
 * UCI in-vehicle coupon): every system trains on the same train split, early-stops or is tuned
 * on the same valid split, and is scored on the same frozen report split (protocol.ts). AUC with a
 * bootstrap interval, and the paired bootstrap interval of each system's AUC minus the shipped one's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defaultPython } from '../../src/models/index.js';
import { parseFlags } from '../../cli/args.js';
import { pythonModules, requirePrerequisites } from '../prerequisites.js';
import { ShopbotError } from '../../src/errors.js';
import { FeatureEncoder, type FeatureRecord } from '../../src/learning/encoder.js';
import { Ftrl } from '../../src/learning/ftrl.js';
import { buildSchema, GbdtFtrl, toColumns, trainGbdt, trainGbdtRefit, type FeatureSpec, type GbdtModel, type GbdtParamsInput } from '../../src/learning/gbdt/index.js';
import { createRng, shuffle } from '../../src/maths/index.js';
import { logLoss, rocAuc } from '../metrics/auc.js';
import { bootstrapCi } from '../metrics/ope.js';
import { printTable, requireFile, writeJson, type SideBySide } from '../report.js';
import type { LabelledRow, Table } from './datasets.js';
import { splitRows, writeSplitFiles, type Split } from './protocol.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PEERS_SCRIPT = path.join(HERE, '..', 'conversion-baselines.py');
const BOOTSTRAP_SAMPLES = 200;

export interface BinaryEvalOptions {
  readonly dataset: 'shoppers' | 'coupon';
  readonly title: string;
  readonly file: string;
  readonly table: Table<LabelledRow>;
  readonly test?: { file: string; table: Table<LabelledRow> } | undefined;
  readonly gbdt: GbdtParamsInput;
  /** Today's hashed FTRL model: its crosses and how it reads a source record. */
  readonly ftrl: { readonly crosses: readonly (readonly [string, string])[]; readonly record: (r: LabelledRow) => FeatureRecord; readonly name: string };
  readonly seed: number;
  readonly epochs: number;
  readonly peers: boolean;
  readonly python: string;
  readonly splitsDir?: string | undefined;
  readonly tune: boolean;
}

export function pythonBin(flag: string | undefined): string {
  return flag ?? defaultPython();
}

/** Fails before any training when the peers cannot run, with the line that installs them. */
export function checkPython(python: string): void {
  requirePrerequisites('the Python peers (XGBoost, logistic regression)', [pythonModules(python, ['numpy', 'sklearn', 'xgboost'], 'apt-get install -y python3-sklearn python3-xgboost (or --python BIN, or --no-peers)')]);
}

function trainFtrl(rows: readonly LabelledRow[], opts: BinaryEvalOptions['ftrl'], epochs: number, seed: number): (r: LabelledRow) => number {
  const enc = new FeatureEncoder({ bits: 18, crosses: opts.crosses, tokenKeys: [] });
  const m = new Ftrl(enc.size, { alpha: 0.1, beta: 1, l1: 0.5, l2: 2 });
  const data = rows.map((r) => ({ idx: enc.encode(opts.record(r)), y: r.label }));
  const rng = createRng(seed);
  for (let e = 0; e < epochs; e++) for (const d of shuffle([...data], rng)) m.train(d.idx, d.y);
  return (r) => m.predict(enc.encode(opts.record(r)));
}

/** A small grid on the valid split only (validation log-loss); prints the best, for the defaults in code. */
function tune(schema: FeatureSpec[], split: Split<LabelledRow>, base: GbdtParamsInput, set: (rows: LabelledRow[]) => { columns: Float64Array[]; label: Float64Array }): void {
  const train = set(split.train);
  const valid = set(split.valid);
  const results: SideBySide = {};
  for (const numLeaves of [7, 15, 31])
    for (const minDataInLeaf of [10, 30, 60])
      for (const featureFraction of [0.5, 0.8])
        for (const lambdaL2 of [1, 10]) {
          const m = trainGbdt({ schema, train, valid, params: { ...base, numLeaves, minDataInLeaf, featureFraction, lambdaL2 } });
          const p = m.predictColumns(valid.columns);
          results[`leaves ${numLeaves}, min data ${minDataInLeaf}, features ${featureFraction}, l2 ${lambdaL2}`] = { validLogLoss: logLoss(valid.label, p), validAuc: rocAuc(valid.label, p), rounds: m.trees.length };
        }
  const sorted = Object.fromEntries(Object.entries(results).sort((a, b) => a[1].validLogLoss! - b[1].validLogLoss!).slice(0, 8));
  printTable('GBDT tuning on the valid split (best 8 by validation log-loss; the report split is not read)', sorted);
}

export function runBinaryEval(o: BinaryEvalOptions): SideBySide {
  if (o.peers) checkPython(o.python);
  const split = splitRows(o.dataset, o.file, o.table.rows, o.test ? { file: o.test.file, rows: o.test.table.rows } : undefined);
  const pos = (rs: readonly LabelledRow[]) => rs.reduce((s, r) => s + r.label, 0);
  console.log(`${o.title}: ${split.note}`);
  console.log(`train ${split.train.length} (${pos(split.train)} positive), valid ${split.valid.length} (${pos(split.valid)}), ${split.reportName} ${split.report.length} (${pos(split.report)})`);
  // The dictionaries of categorical features come from the train split alone.
  const schema = buildSchema(o.table.features, split.train.map((r) => r.features), { minCategoryCount: 5 });
  const set = (rows: readonly LabelledRow[]) => ({ columns: toColumns(schema, rows.map((r) => r.features)), label: Float64Array.from(rows, (r) => r.label) });
  if (o.tune) {
    tune(schema, split, { ...o.gbdt, seed: o.seed }, set);
    return {};
  }
  const train = set(split.train);
  const valid = set(split.valid);
  const report = set(split.report);
  const preds: Record<string, number[]> = {};
  const started = performance.now();
  // Shipped: rounds early-stopped on the valid rows, then refitted on train + valid (the peers are too).
  const gbdtInput = { schema, train, valid, params: { ...o.gbdt, seed: o.seed } };
  const gbdt: GbdtModel = trainGbdt(gbdtInput);
  const refit: GbdtModel = trainGbdtRefit(gbdtInput, gbdt);
  const gbdtSeconds = (performance.now() - started) / 1000;
  const shipped = 'shopbot gbdt, refit on train + valid (shipped)';
  preds[shipped] = Array.from(refit.predictColumns(report.columns));
  preds['shopbot gbdt, train split only'] = Array.from(gbdt.predictColumns(report.columns));
  // The FTRL layer over the leaves learns from rows the trees never saw (the valid split here, new
  // events between retrains in the server), one pass, predicting each before learning from it.
  const layered = new GbdtFtrl(gbdt, { bits: 18 });
  for (let i = 0; i < valid.label.length; i++) layered.trainAt(valid.columns, i, valid.label[i]!);
  preds['shopbot gbdt (train split) + ftrl on leaves'] = split.report.map((_, i) => layered.predictAt(report.columns, i));
  const ftrl = trainFtrl(split.train, o.ftrl, o.epochs, o.seed);
  preds[o.ftrl.name] = split.report.map(ftrl);
  const base = pos(split.train) / split.train.length;
  preds['constant rate'] = split.report.map(() => base);

  if (o.peers) {
    const dir = o.splitsDir ?? mkdtempSync(path.join(os.tmpdir(), `shopbot-${o.dataset}-`));
    try {
      const files = writeSplitFiles(dir, o.table.header, split);
      let out: string;
      try {
        out = execFileSync(o.python, [PEERS_SCRIPT, files.train, files.valid, files.report, String(o.seed), o.dataset], { encoding: 'utf8', timeout: 900_000, maxBuffer: 256 * 1024 * 1024 });
      } catch (cause) {
        throw new ShopbotError('MODEL_MISSING', `python peers failed (${PEERS_SCRIPT})`, { cause });
      }
      const peers = z.record(z.string(), z.array(z.number()).length(split.report.length)).parse(JSON.parse(out.trim().split('\n').pop()!));
      Object.assign(preds, peers);
    } finally {
      if (!o.splitsDir) rmSync(dir, { recursive: true, force: true });
    }
  } else if (o.splitsDir) writeSplitFiles(o.splitsDir, o.table.header, split);

  const y = split.report.map((r) => r.label);
  const idx = y.map((_, i) => i);
  const out: SideBySide = {};
  const ref = preds[shipped]!;
  for (const [name, p] of Object.entries(preds)) {
    const auc = (s: readonly number[]) => rocAuc(s.map((i) => y[i]!), s.map((i) => p[i]!));
    const ci = bootstrapCi(idx, auc, createRng(o.seed + 1), { samples: BOOTSTRAP_SAMPLES });
    const diff = bootstrapCi(idx, (s) => auc(s) - rocAuc(s.map((i) => y[i]!), s.map((i) => ref[i]!)), createRng(o.seed + 1), { samples: BOOTSTRAP_SAMPLES });
    out[name] = { auc: rocAuc(y, p), aucLow: ci.low, aucHigh: ci.high, logLoss: logLoss(y, p), ...(name === shipped ? {} : { 'auc-shippedLow': diff.low, 'auc-shippedHigh': diff.high }) };
  }
  out[shipped] = { ...out[shipped]!, rounds: refit.trees.length, trainSeconds: gbdtSeconds };
  printTable(`${o.title} (AUC, bootstrap 95% CI over ${BOOTSTRAP_SAMPLES} resamples; ${split.note})`, out);
  return out;
}

/** What a binary eval command adds to the shared runner: its dataset, reader, trees and today's FTRL. */
export type BinaryEvalSpec = Pick<BinaryEvalOptions, 'dataset' | 'title' | 'gbdt'> & {
  /** The command's usage (`usage: shopbot eval ...`). */
  readonly usage: string;
  readonly read: (file: string) => Table<LabelledRow>;
  readonly ftrl: (table: Table<LabelledRow>) => BinaryEvalOptions['ftrl'];
};

/** The command line shared by `eval conversion` and `eval acceptance`. */
export async function runBinaryCli(argv: string[], spec: BinaryEvalSpec): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: spec.usage,
    options: {
      train: { type: 'string' },
      test: { type: 'string' },
      seed: { type: 'string', default: '7' },
      epochs: { type: 'string', default: '5' },
      python: { type: 'string' },
      'no-peers': { type: 'boolean', default: false },
      'splits-dir': { type: 'string' },
      tune: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const peers = !values['no-peers'] && !values.tune;
  // The input files, then the peers' modules, are checked before the data is read or anything trains.
  const file = requireFile(values.train, '--train');
  const testFile = values.test ? requireFile(values.test, '--test') : undefined;
  if (peers) checkPython(pythonBin(values.python));
  const table = spec.read(file);
  const out = runBinaryEval({
    dataset: spec.dataset,
    title: spec.title,
    file,
    table,
    test: testFile ? { file: testFile, table: spec.read(testFile) } : undefined,
    gbdt: spec.gbdt,
    ftrl: spec.ftrl(table),
    seed: z.coerce.number().int().parse(values.seed),
    epochs: z.coerce.number().int().min(1).max(100).parse(values.epochs),
    peers,
    python: pythonBin(values.python),
    splitsDir: values['splits-dir'],
    tune: values.tune,
  });
  writeJson(values.json, out);
  return 0;
}
