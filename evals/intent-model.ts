/**
 * `shopbot eval intent-model --file FILE [--format jsonl|bitext|clinc150|banking77|csv] [--split KEYS]
 *  [--linear DIR] [--models DIR] [--fp32] [--json OUT]`
 *
 * The shipped transformer intent model beside the linear baseline on the same labelled file (the
 * store taxonomy's development split by default): accuracy, macro-F1, out-of-scope recall,
 * in-scope accuracy, calibration error, speed, and the most confused pairs of each.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { loadConfig } from '../src/config.js';
import { ShopbotError } from '../src/errors.js';
import { decideIntent, openIntentClassifier } from '../src/models/index.js';
import { classify, loadLinearModel } from '../src/nlu/linear.js';
import { loadLabelled } from './intent.js';
import { intentMetrics, worstConfusedPairs } from './metrics/classification.js';
import { printTable, quietModelLog, requireFile, writeJson, type SideBySide } from './report.js';
import { flag, parseFlags } from '../cli/args.js';

export const USAGE = `usage: shopbot eval intent-model --file FILE [--format jsonl|bitext|clinc150|banking77|csv] [--split KEYS] [--linear DIR] [--models DIR] [--fp32] [--json OUT]

The shipped transformer intent model beside the linear baseline on the same labelled file (the
store taxonomy's development split by default): accuracy, macro-F1, out-of-scope recall,
in-scope accuracy, calibration error, speed, and the most confused pairs of each.

options:
  --file FILE   (default evals/data/intent/dev.jsonl)
  --format VALUE   (default jsonl)
  --split VALUE   (default val,oos_val)
  --label-map FILE   (default evals/data/intent/label-map.json)
  --linear DIR   (default models/intent-linear)
  --models DIR   (default models)
  --fp32
  --threads VALUE   (default 2)
  --confusions VALUE   (default 5)
  --json OUT`;


export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      file: { type: 'string', default: 'evals/data/intent/dev.jsonl' },
      format: { type: 'string', default: 'jsonl' },
      split: { type: 'string', default: 'val,oos_val' },
      'label-map': { type: 'string', default: 'evals/data/intent/label-map.json' },
      linear: { type: 'string', default: 'models/intent-linear' },
      models: { type: 'string', default: 'models' },
      fp32: { type: 'boolean', default: false },
      threads: { type: 'string', default: '2' },
      confusions: { type: 'string', default: '5' },
      json: { type: 'string' },
    },
  });
  const file = requireFile(values.file, '--file');
  const format = flag('format', z.enum(['bitext', 'clinc150', 'banking77', 'csv', 'jsonl']), values.format);
  const confusions = flag('confusions', z.coerce.number().int().min(0).max(100), values.confusions);
  const { rows, excluded } = loadLabelled({ file, format, split: values.split, labelMap: values['label-map'] });
  if (rows.length === 0) throw new ShopbotError('INPUT_MISSING', `${file}: no scorable rows`);
  const gold = rows.map((r) => r.intent as string);

  const results: Record<string, { pred: string[]; conf: number[]; ms: number }> = {};
  const linear = await loadLinearModel(values.linear);
  let t0 = performance.now();
  const lin = rows.map((r) => classify(linear, r.text));
  results.linear = { pred: lin.map((c) => c.intent), conf: lin.map((c) => c.confidence), ms: (performance.now() - t0) / rows.length };

  const models = loadConfig({ overrides: { models: { dir: values.models, quantized: !values.fp32, threads: values.threads } } }).models;
  const clf = await openIntentClassifier(models, quietModelLog);
  try {
    t0 = performance.now();
    const probs = await clf.classify(rows.map((r) => r.text));
    const decided = probs.map((p) => decideIntent(clf.labels, p, clf.oosLabel, clf.oosThreshold));
    const name = `transformer (${values.fp32 ? 'fp32' : 'int8'})`;
    results[name] = { pred: decided.map((d) => d.intent), conf: decided.map((d) => d.confidence), ms: (performance.now() - t0) / rows.length };
  } finally {
    await clf.close();
  }

  const table: SideBySide = {};
  for (const [name, r] of Object.entries(results)) {
    table[name] = { ...intentMetrics(gold, r.pred, r.conf), excluded, ms_per_message: r.ms };
    for (const lang of [...new Set(rows.map((x) => x.lang))].sort()) {
      const idx = rows.flatMap((x, i) => (x.lang === lang ? [i] : []));
      if (idx.length === rows.length) continue;
      const m = intentMetrics(idx.map((i) => gold[i]!), idx.map((i) => r.pred[i]!), idx.map((i) => r.conf[i]!));
      table[`${name}/${lang}`] = { n: m.n!, accuracy: m.accuracy!, macro_f1: m.macro_f1!, oos_recall: m.oos_recall!, in_scope_accuracy: m.in_scope_accuracy! };
    }
  }
  printTable(`intent model vs linear baseline: ${file} (${format})`, table, ['n', 'accuracy', 'macro_f1', 'oos_recall', 'in_scope_accuracy', 'ece', 'ms_per_message']);
  for (const [name, r] of Object.entries(results)) {
    console.log(`\nmost confused, ${name} (gold -> predicted: count)`);
    for (const p of worstConfusedPairs(gold, r.pred, confusions)) console.log(`  ${p.gold} -> ${p.predicted}: ${p.count}`);
  }
  writeJson(values.json, table);
  return 0;
}
