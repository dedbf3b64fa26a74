/**
 * `shopbot eval intent-benchmarks --clinc150 FILE [--split val|test] --banking77-train FILE
 *  (--banking77-test FILE | --banking77-dev-split FRACTION) [--epochs N] [--lr LR] [--json OUT]`
 *
 * The intent recipe as a trainer on public benchmarks, beside fastText (Debian's `fasttext`) on
 * the same splits and the published figures. CLINC150 (data_full.json format): train on `train` +
 * `oos_train`, evaluate on `<split>` + `oos_<split>`. BANKING77 (train.csv/test.csv): train on
 * train, evaluate on test. On CLINC150 both learners fit on a seeded 90% of the training data and
 * choose the out-of-scope confidence threshold on the other 10%, so no test item tunes anything.
 * `--banking77-dev-split` carves a seeded held-out part of train.csv instead of a test file, for
 * development where test.csv is held back.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { ShopbotError } from '../src/errors.js';
import { defaultPython } from '../src/models/index.js';
import { binary, pythonModules, requirePrerequisites } from './prerequisites.js';
import { accuracy, accuracyExcluding, macroF1, recallOf } from './metrics/classification.js';
import { seededRng } from './metrics/ranking.js';
import { printTable, requireFile, writeJson, type SideBySide } from './report.js';
import { flag, parseFlags, UsageError } from '../cli/args.js';

export const USAGE = `usage: shopbot eval intent-benchmarks --clinc150 FILE [--split val|test] --banking77-train FILE (--banking77-test FILE | --banking77-dev-split FRACTION) [--epochs N] [--lr LR] [--json OUT]

The intent recipe as a trainer on public benchmarks, beside fastText (Debian's 'fasttext') on
the same splits and the published figures. CLINC150 (data_full.json format): train on 'train' +
'oos_train', evaluate on '<split>' + 'oos_<split>'. BANKING77 (train.csv/test.csv): train on
train, evaluate on test. On CLINC150 both learners fit on a seeded 90% of the training data and
choose the out-of-scope confidence threshold on the other 10%, so no test item tunes anything.
'--banking77-dev-split' carves a seeded held-out part of train.csv instead of a test file, for
development where test.csv is held back.

options:
  --clinc150 FILE
  --split VALUE   (default val)
  --banking77-train FILE
  --banking77-test FILE
  --banking77-dev-split VALUE
  --epochs VALUE   (default 8)
  --lr VALUE   (default 1e-3)
  --threads VALUE   (default 2)
  --seed VALUE   (default 13)
  --python BIN   (default ${defaultPython()}: Debian's interpreter, where python3-torch lives)
  --fasttext BIN   (default fasttext)
  --models DIR   (default models)
  --json OUT`;

const exec = promisify(execFile);
const OOS = 'out_of_scope';
const RECIPE = path.resolve(import.meta.dirname, '../models/recipes/train.py');

/** Larson et al. 2019 (CLINC150 "full"), Casanueva et al. 2020 (BANKING77). */
export const PUBLISHED: SideBySide = {
  'published BERT': { clinc_in_scope_accuracy: 0.969, clinc_oos_recall: 0.403, banking77_accuracy: 0.937 },
  'published CNN': { clinc_in_scope_accuracy: 0.912, clinc_oos_recall: 0.189 },
  'published fastText': { clinc_in_scope_accuracy: 0.89, clinc_oos_recall: 0.097 },
  'published Rasa': { clinc_in_scope_accuracy: 0.915, clinc_oos_recall: 0.453 },
};

export interface Row {
  readonly text: string;
  readonly label: string;
}

const ClincSchema = z.record(z.string(), z.array(z.tuple([z.string().max(2000), z.string().max(200)])).max(200_000));

export function readClinc(file: string, split: string): { train: Row[]; test: Row[] } {
  const d = ClincSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const rows = (key: string): Row[] => (d[key] ?? []).map(([text, l]) => ({ text, label: l === 'oos' ? OOS : l }));
  if (!d[split]) throw new ShopbotError('INPUT_MISSING', `${file}: no "${split}" split (has ${Object.keys(d).join(', ')})`);
  return { train: [...rows('train'), ...rows('oos_train')], test: [...rows(split), ...rows(`oos_${split}`)] };
}

export function readBankingCsv(file: string): Row[] {
  const records = parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return records.map((r, i) => {
    if (!r.text || !r.category) throw new ShopbotError('BAD_REQUEST', `${file}: row ${i + 2} lacks text or category`);
    return { text: r.text, label: r.category };
  });
}

/** Fisher-Yates with a seeded RNG: fastText reads its file in order and the datasets are grouped by label. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rng = seededRng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A seeded split: the first `fraction` of a shuffled copy is held out. */
export function holdOut<T>(items: readonly T[], fraction: number, seed: number): { fit: T[]; held: T[] } {
  const s = shuffled(items, seed);
  const n = Math.floor(s.length * fraction);
  return { held: s.slice(0, n), fit: s.slice(n) };
}

/** In-scope accuracy + out-of-scope recall, equally weighted, over thresholds 0..0.95 (as the recipe does). */
export function chooseThreshold(gold: readonly string[], pred: readonly string[], prob: readonly number[], oos = OOS): number {
  if (!gold.includes(oos)) return 0;
  let best = -1;
  let bestT = 0;
  for (let k = 0; k <= 95; k++) {
    const t = k / 100;
    const p = pred.map((l, i) => (prob[i]! < t ? oos : l));
    const score = accuracyExcluding(gold, p, oos) + recallOf(gold, p, oos);
    if (score > best + 1e-9) {
      best = score;
      bestT = t;
    }
  }
  return bestT;
}

export function applyThreshold(pred: readonly string[], prob: readonly number[], t: number, oos = OOS): string[] {
  return pred.map((l, i) => (prob[i]! < t ? oos : l));
}

export function clincMetrics(gold: readonly string[], pred: readonly string[]): Record<string, number> {
  return {
    clinc_in_scope_accuracy: accuracyExcluding(gold, pred, OOS),
    clinc_oos_recall: recallOf(gold, pred, OOS),
    clinc_accuracy: accuracy(gold, pred),
  };
}

export function bankingMetrics(gold: readonly string[], pred: readonly string[]): Record<string, number> {
  return { banking77_accuracy: accuracy(gold, pred), banking77_macro_f1: macroF1(gold, pred) };
}

/** fastText's tokenization is whitespace: lowercase and split punctuation off. */
export function fastTextLine(text: string): string {
  return text.toLowerCase().replace(/([\p{P}\p{S}])/gu, ' $1 ').replace(/\s+/g, ' ').trim();
}

async function fastTextRun(bin: string, dir: string, name: string, fit: Row[], held: Row[], test: Row[], seed: number): Promise<{ pred: string[]; predArgmax: string[] }> {
  const trainFile = path.join(dir, `${name}.train.txt`);
  writeFileSync(trainFile, shuffled(fit, seed).map((r) => `__label__${r.label} ${fastTextLine(r.text)}`).join('\n') + '\n');
  const model = path.join(dir, `${name}.ft`);
  await exec(bin, ['supervised', '-input', trainFile, '-output', model, '-epoch', '25', '-lr', '0.5', '-wordNgrams', '2',
    '-dim', '100', '-minCount', '1', '-thread', '1', '-seed', String(seed), '-verbose', '0'], { maxBuffer: 64 << 20 });
  const predict = async (rows: Row[]) => {
    const f = path.join(dir, `${name}.${rows === test ? 'test' : 'held'}.txt`);
    writeFileSync(f, rows.map((r) => fastTextLine(r.text) || '.').join('\n') + '\n');
    const { stdout } = await exec(bin, ['predict-prob', `${model}.bin`, f, '1'], { maxBuffer: 64 << 20 });
    const lines = stdout.trim().split('\n');
    if (lines.length !== rows.length) throw new ShopbotError('INTERNAL', `fasttext returned ${lines.length} predictions for ${rows.length} rows`);
    return lines.map((l) => {
      const [label, p] = l.split(' ');
      return { label: (label ?? '').replace(/^__label__/, ''), prob: Number(p) };
    });
  };
  let t = 0;
  if (held.length && held.some((r) => r.label === OOS)) {
    const hp = await predict(held);
    t = chooseThreshold(held.map((r) => r.label), hp.map((x) => x.label), hp.map((x) => x.prob));
  }
  const tp = await predict(test);
  return { pred: applyThreshold(tp.map((x) => x.label), tp.map((x) => x.prob), t), predArgmax: tp.map((x) => x.label) };
}

/** Runs the recipe with its progress lines on our stderr. */
function runInherit(cmd: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (cause) => reject(new ShopbotError('INPUT_MISSING', `cannot run ${cmd}: ${cause.message}`, { cause })));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new ShopbotError('INTERNAL', `${cmd} ${args[0]} exited with ${code}`))));
  });
}

const PredictionsSchema = z.record(
  z.string(),
  z.object({
    gold: z.array(z.string()),
    pred: z.array(z.string()),
    predArgmax: z.array(z.string()),
    threshold: z.number(),
    trainSize: z.number(),
    parameters: z.number(),
  }),
);

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      clinc150: { type: 'string' },
      split: { type: 'string', default: 'val' },
      'banking77-train': { type: 'string' },
      'banking77-test': { type: 'string' },
      'banking77-dev-split': { type: 'string' },
      epochs: { type: 'string', default: '8' },
      lr: { type: 'string', default: '1e-3' },
      threads: { type: 'string', default: '2' },
      seed: { type: 'string', default: '13' },
      python: { type: 'string', default: defaultPython() },
      fasttext: { type: 'string', default: 'fasttext' },
      models: { type: 'string', default: 'models' },
      json: { type: 'string' },
    },
  });
  // Both peers train for many minutes: find out now, not after the transformer, that fastText is missing.
  requirePrerequisites('shopbot eval intent-benchmarks', [
    binary(values.fasttext!, 'apt-get install -y fasttext (or --fasttext BIN)'),
    pythonModules(values.python!, ['numpy', 'torch'], 'apt-get install -y python3-torch (or --python BIN)'),
  ]);
  const clinc = requireFile(values.clinc150, '--clinc150');
  const split = flag('split', z.enum(['val', 'test']), values.split);
  const bankTrain = requireFile(values['banking77-train'], '--banking77-train');
  const devSplit = values['banking77-dev-split'] === undefined ? undefined : flag('banking77-dev-split', z.coerce.number().gt(0).lt(1), values['banking77-dev-split']);
  if (devSplit === undefined) requireFile(values['banking77-test'], '--banking77-test');
  else if (values['banking77-test']) throw new UsageError('give --banking77-test or --banking77-dev-split, not both');
  const epochs = flag('epochs', z.coerce.number().int().min(1).max(100), values.epochs);
  const threads = flag('threads', z.coerce.number().int().min(1).max(256), values.threads);
  const lr = flag('lr', z.coerce.number().gt(0).max(1), values.lr);
  const seed = flag('seed', z.coerce.number().int(), values.seed);
  requireFile(path.join(values.models, 'encoder', 'encoder.pt'), '--models (encoder/encoder.pt)');

  const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-intent-bench-'));
  try {
    const c = readClinc(clinc, split);
    let bank = { train: readBankingCsv(bankTrain), test: [] as Row[] };
    let bankTestFile = values['banking77-test']!;
    if (devSplit !== undefined) {
      const { fit, held } = holdOut(bank.train, devSplit, seed);
      bank = { train: fit, test: held };
      const csv = (rows: Row[]) => 'text,category\n' + rows.map((r) => `"${r.text.replace(/"/g, '""')}",${r.label}`).join('\n') + '\n';
      writeFileSync(path.join(dir, 'banking77-train.csv'), csv(fit));
      writeFileSync((bankTestFile = path.join(dir, 'banking77-dev.csv')), csv(held));
      console.log(`banking77: development split, seeded ${devSplit} of ${bankTrain} held out (${held.length} rows) as the test set`);
    } else {
      bank.test = readBankingCsv(bankTestFile);
    }
    const bankTrainFile = devSplit !== undefined ? path.join(dir, 'banking77-train.csv') : bankTrain;

    console.log(`training the transformer recipe (python: ${values.python}, ${epochs} epochs, lr ${lr}) ...`);
    const predFile = path.join(dir, 'predictions.json');
    const started = Date.now();
    await runInherit(values.python, [RECIPE, 'benchmark', '--models', values.models, '--clinc150', clinc, '--split', split,
      '--banking77-train', bankTrainFile, '--banking77-test', bankTestFile, '--epochs', String(epochs),
      '--lr', String(lr), '--threads', String(threads), '--seed', String(seed), '--out', predFile]);
    const trainSeconds = (Date.now() - started) / 1000;
    const preds = PredictionsSchema.parse(JSON.parse(readFileSync(predFile, 'utf8')));

    console.log('training fastText on the same splits ...');
    const cSplit = holdOut(c.train, 0.1, seed);
    const ftClinc = await fastTextRun(values.fasttext, dir, 'clinc', cSplit.fit, cSplit.held, c.test, seed);
    const ftBank = await fastTextRun(values.fasttext, dir, 'banking', bank.train, [], bank.test, seed);

    const ours = preds.clinc150!;
    const oursBank = preds.banking77!;
    const cGold = c.test.map((r) => r.label);
    const bGold = bank.test.map((r) => r.label);
    const rows: SideBySide = {
      'shopbot transformer (OOS threshold)': {
        ...clincMetrics(ours.gold, ours.pred),
        ...bankingMetrics(oursBank.gold, oursBank.pred),
        parameters: ours.parameters,
        train_seconds: trainSeconds,
      },
      'shopbot transformer (OOS class only)': clincMetrics(ours.gold, ours.predArgmax),
      'fastText (OOS threshold)': { ...clincMetrics(cGold, ftClinc.pred), ...bankingMetrics(bGold, ftBank.pred) },
      'fastText (OOS class only)': clincMetrics(cGold, ftClinc.predArgmax),
      ...PUBLISHED,
    };
    printTable(
      `intent benchmarks: CLINC150 ${path.basename(clinc)} (${split}+oos_${split}, ${c.test.length} rows), BANKING77 ${devSplit !== undefined ? 'dev split' : path.basename(bankTestFile)} (${bank.test.length} rows)`,
      rows,
      ['clinc_in_scope_accuracy', 'clinc_oos_recall', 'clinc_accuracy', 'banking77_accuracy', 'banking77_macro_f1', 'parameters', 'train_seconds'],
    );
    console.log(`\nOOS threshold (chosen on a seeded 10% of train): transformer ${ours.threshold.toFixed(2)}. ` +
      '"OOS class only" rows take the argmax (out_of_scope is one of the classes), as in Larson et al.');
    writeJson(values.json, rows);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
