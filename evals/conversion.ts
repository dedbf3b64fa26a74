/**
 * `shopbot eval conversion --train FILE --test FILE [--json OUT]`
 * `shopbot eval conversion --train FILE --dev-split 0.3 [--seed 7]`  (development: no test file here)
 *
 * UCI Online Shoppers Purchasing Intention, original CSV. Trains the assistant's hashed FTRL
 * conversion model (the same engine as the pCVR tower) and, in the same run on the same split,
 * XGBoost and logistic regression from Debian's python3-xgboost/python3-sklearn
 * (evals/conversion-baselines.py). `--dev-split` carves a seeded stratified split out of the train
 * file; the split rows are written to a temp dir so the Python peers see exactly the same rows.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ShopbotError } from '../src/errors.js';
import { FeatureEncoder, type FeatureRecord } from '../src/learning/encoder.js';
import { Ftrl } from '../src/learning/ftrl.js';
import { createRng, shuffle, type Rng } from '../src/maths/index.js';
import { logLoss, rocAuc } from './metrics/auc.js';
import { printTable, requireFile, writeJson, type SideBySide } from './report.js';
import { flag, parseFlags } from '../cli/args.js';
import { defaultPython } from '../src/models/index.js';
import { pythonModules, requirePrerequisites } from './prerequisites.js';

export const USAGE = `usage: shopbot eval conversion --train FILE (--test FILE | --dev-split 0.3) [--seed 7] [--no-peers] [--json OUT]

UCI Online Shoppers Purchasing Intention, original CSV. Trains the assistant's hashed FTRL
conversion model (the same engine as the pCVR tower) and, in the same run on the same split,
XGBoost and logistic regression from Debian's python3-xgboost/python3-sklearn
(evals/conversion-baselines.py). '--dev-split' carves a seeded stratified split out of the train
file; the split rows are written to a temp dir so the Python peers see exactly the same rows.

options:
  --train FILE
  --test FILE
  --dev-split VALUE
  --seed VALUE   (default 7)
  --epochs VALUE   (default 5)
  --python BIN   (default ${defaultPython()})
  --no-peers
  --json OUT`;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MAX_ROWS = 1_000_000;
const NUMERIC = ['Administrative', 'Administrative_Duration', 'Informational', 'Informational_Duration', 'ProductRelated', 'ProductRelated_Duration', 'BounceRates', 'ExitRates', 'PageValues', 'SpecialDay'] as const;
const CATEGORICAL = ['Month', 'OperatingSystems', 'Browser', 'Region', 'TrafficType', 'VisitorType', 'Weekend'] as const;
const CROSSES: readonly (readonly [string, string])[] = [['PageValues', 'VisitorType'], ['PageValues', 'Month'], ['ExitRates', 'PageValues'], ['ProductRelated', 'PageValues'], ['Month', 'VisitorType'], ['TrafficType', 'PageValues']];

export interface ShopperSession {
  readonly features: FeatureRecord;
  readonly label: number;
  /** The original CSV line, so a split can be written back unchanged. */
  readonly line: string;
}

export function readShoppers(file: string): { header: string; rows: ShopperSession[] } {
  const text = readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length - 1 > MAX_ROWS) throw new ShopbotError('BAD_REQUEST', `${file}: more than ${MAX_ROWS} rows`);
  const records = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const header = lines[0]!;
  if (!header.includes('Revenue') || !header.includes('PageValues')) throw new ShopbotError('BAD_REQUEST', `${file}: not the UCI online shoppers CSV (header lacks Revenue/PageValues)`);
  const rows = records.map((r, i) => {
    const f: Record<string, string | number> = {};
    // Empty cells and -1 durations occur in the source; both become "missing" rather than a number.
    for (const k of NUMERIC) {
      const v = Number(r[k]);
      f[k] = r[k] === '' || !Number.isFinite(v) || v < 0 ? 'missing' : v;
    }
    for (const k of CATEGORICAL) f[k] = String(r[k] ?? '');
    return { features: f, label: String(r.Revenue).toUpperCase() === 'TRUE' ? 1 : 0, line: lines[i + 1]! };
  });
  return { header, rows };
}

/** Seeded stratified split: the same share of purchases on each side. */
export function stratifiedSplit<T extends { label: number }>(rows: readonly T[], testFraction: number, rng: Rng): { train: T[]; test: T[] } {
  const train: T[] = [];
  const test: T[] = [];
  for (const label of [0, 1]) {
    const group = shuffle(rows.filter((r) => r.label === label), rng);
    const k = Math.round(group.length * testFraction);
    test.push(...group.slice(0, k));
    train.push(...group.slice(k));
  }
  return { train, test };
}

export function trainFtrl(rows: readonly ShopperSession[], crosses: typeof CROSSES, epochs: number, rng: Rng): (f: FeatureRecord) => number {
  const enc = new FeatureEncoder({ bits: 18, crosses, tokenKeys: [] });
  const m = new Ftrl(enc.size, { alpha: 0.1, beta: 1, l1: 0.5, l2: 2 });
  const data = rows.map((r) => ({ idx: enc.encode(r.features), y: r.label }));
  for (let e = 0; e < epochs; e++) for (const d of shuffle([...data], rng)) m.train(d.idx, d.y);
  return (f) => m.predict(enc.encode(f));
}


export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      train: { type: 'string' },
      test: { type: 'string' },
      'dev-split': { type: 'string' },
      seed: { type: 'string', default: '7' },
      epochs: { type: 'string', default: '5' },
      // Debian's interpreter has python3-sklearn/python3-xgboost; a pyenv shim on PATH may not.
      python: { type: 'string', default: defaultPython() },
      'no-peers': { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  if (!values['no-peers']) {
    requirePrerequisites('shopbot eval conversion', [pythonModules(values.python!, ['numpy', 'sklearn', 'xgboost'], 'apt-get install -y python3-sklearn python3-xgboost (or --python BIN, or --no-peers to skip the peers)')]);
  }
  const trainFile = requireFile(values.train, '--train');
  const seed = flag('seed', z.coerce.number().int(), values.seed);
  const epochs = flag('epochs', z.coerce.number().int().min(1).max(100), values.epochs);
  const rng = createRng(seed);
  const loaded = readShoppers(trainFile);
  let train: ShopperSession[];
  let test: ShopperSession[];
  let splitNote: string;
  if (values.test) {
    train = loaded.rows;
    test = readShoppers(requireFile(values.test, '--test')).rows;
    splitNote = `train ${trainFile}, test ${values.test}`;
  } else if (values['dev-split']) {
    const frac = flag('dev-split', z.coerce.number().gt(0).lt(1), values['dev-split']);
    ({ train, test } = stratifiedSplit(loaded.rows, frac, rng));
    splitNote = `development split: seeded (${seed}) stratified ${Math.round(frac * 100)}% of ${trainFile} held out`;
  } else {
    throw new ShopbotError('INPUT_MISSING', 'missing --test FILE (or --dev-split FRACTION to split the train file)');
  }
  const pos = (rs: ShopperSession[]) => rs.reduce((s, r) => s + r.label, 0);
  console.log(`${splitNote}\ntrain ${train.length} sessions (${pos(train)} purchases), test ${test.length} (${pos(test)} purchases)`);

  const y = test.map((r) => r.label);
  const rows: SideBySide = {};
  const add = (name: string, p: number[]) => (rows[name] = { auc: rocAuc(y, p), logLoss: logLoss(y, p) });
  const withCrosses = trainFtrl(train, CROSSES, epochs, rng);
  add('shopbot ftrl (hashed + crosses)', test.map((r) => withCrosses(r.features)));
  const plain = trainFtrl(train, [], epochs, rng);
  add('shopbot ftrl (no crosses)', test.map((r) => plain(r.features)));
  const base = pos(train) / train.length;
  add('constant rate', test.map(() => base));

  if (!values['no-peers']) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-conversion-'));
    try {
      const trainPath = path.join(dir, 'train.csv');
      const testPath = path.join(dir, 'test.csv');
      writeFileSync(trainPath, [loaded.header, ...train.map((r) => r.line)].join('\n') + '\n');
      writeFileSync(testPath, [loaded.header, ...test.map((r) => r.line)].join('\n') + '\n');
      let out: string;
      try {
        out = execFileSync(values.python!, [path.join(HERE, 'conversion-baselines.py'), trainPath, testPath, String(seed)], { encoding: 'utf8', timeout: 600_000 });
      } catch (cause) {
        throw new ShopbotError('MODEL_MISSING', 'python peers failed (needs Debian python3-sklearn and python3-xgboost; --python BIN or --no-peers)', { cause });
      }
      const peers = z.record(z.string(), z.object({ auc: z.number(), logLoss: z.number() })).parse(JSON.parse(out.trim().split('\n').pop()!));
      Object.assign(rows, peers);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  printTable(`conversion (Revenue) on UCI online shoppers: ${splitNote}`, rows);
  writeJson(values.json, rows);
  return 0;
}
