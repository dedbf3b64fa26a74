/**
 * `shopbot eval intent --file FILE --format bitext|clinc150|banking77|csv|jsonl [--split KEYS]
 *  [--model DIR] [--label-map FILE] [--json OUT]`
 *
 * Scores the linear intent model on a labelled file in its dataset's original format. Dataset
 * labels are mapped onto the store taxonomy with evals/data/intent/label-map.json; labels mapped
 * to null are excluded (counted in `excluded`). Prints accuracy, macro-F1, out-of-scope recall,
 * in-scope accuracy, calibration error and the most confused pairs.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { ShopbotError } from '../src/errors.js';
import {
  loadLabelMap, mapLabel, readBanking77Csv, readBitextCsv, readClincJson, readGenericCsv, readJsonl, type DatasetFormat,
} from '../src/nlu/datasets.js';
import { detectLang } from '../src/nlu/lang.js';
import { classify, loadLinearModel } from '../src/nlu/linear.js';
import type { Lang } from '../src/messages.js';
import { IntentSchema, type Intent } from '../src/nlu/types.js';
import { intentMetrics, worstConfusedPairs } from './metrics/classification.js';
import { printTable, requireFile, writeJson } from './report.js';
import { parseFlags, UsageError } from '../cli/args.js';

export const USAGE = `usage: shopbot eval intent --file FILE --format bitext|clinc150|banking77|csv|jsonl [--split KEYS] [--model DIR] [--label-map FILE] [--json OUT]

Scores the linear intent model on a labelled file in its dataset's original format. Dataset
labels are mapped onto the store taxonomy with evals/data/intent/label-map.json; labels mapped
to null are excluded (counted in 'excluded'). Prints accuracy, macro-F1, out-of-scope recall,
in-scope accuracy, calibration error and the most confused pairs.

options:
  --file FILE
  --format VALUE   (default jsonl)
  --split VALUE   (default val,oos_val)
  --model DIR   (default models/intent-linear)
  --label-map FILE   (default evals/data/intent/label-map.json)
  --json OUT
  --confusions VALUE   (default 10)`;

const FORMATS = ['bitext', 'clinc150', 'banking77', 'csv', 'jsonl'] as const;

const FlagsSchema = z.object({
  file: z.string().min(1).max(1000).optional(),
  format: z.enum(FORMATS),
  split: z.string().min(1).max(200),
  model: z.string().min(1).max(1000),
  labelMap: z.string().min(1).max(1000),
  json: z.string().min(1).max(1000).optional(),
  confusions: z.coerce.number().int().min(0).max(100),
});

export interface LabelledRow {
  readonly text: string;
  readonly intent: Intent;
  /** From the file where it has one (our jsonl), else detected. */
  readonly lang: Lang;
}

/** Reads the file and maps its labels; rows whose label maps to null are counted, not scored. */
export function loadLabelled(flags: { file: string; format: (typeof FORMATS)[number]; split: string; labelMap: string }): { rows: LabelledRow[]; excluded: number } {
  if (flags.format === 'jsonl') return { rows: readJsonl(flags.file).map((e) => ({ text: e.text, intent: e.intent, lang: e.lang })), excluded: 0 };
  if (flags.format === 'csv') {
    return {
      rows: readGenericCsv(flags.file).map((r, i) => {
        const parsed = IntentSchema.safeParse(r.label);
        if (!parsed.success) throw new ShopbotError('BAD_REQUEST', `${flags.file}: row ${i + 2}: "${r.label}" is not a store intent`);
        return { text: r.text, intent: parsed.data, lang: detectLang(r.text) };
      }),
      excluded: 0,
    };
  }
  const map = loadLabelMap(requireFile(flags.labelMap, '--label-map'));
  const format: DatasetFormat = flags.format;
  const raw =
    format === 'bitext' ? readBitextCsv(flags.file)
    : format === 'banking77' ? readBanking77Csv(flags.file)
    : readClincJson(flags.file, flags.split.split(',').map((s) => s.trim()).filter(Boolean));
  const rows: LabelledRow[] = [];
  let excluded = 0;
  for (const r of raw) {
    const intent = mapLabel(map, format, r.label);
    if (intent) rows.push({ text: r.text, intent, lang: detectLang(r.text) });
    else excluded++;
  }
  return { rows, excluded };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      file: { type: 'string' },
      format: { type: 'string', default: 'jsonl' },
      split: { type: 'string', default: 'val,oos_val' },
      model: { type: 'string', default: 'models/intent-linear' },
      'label-map': { type: 'string', default: 'evals/data/intent/label-map.json' },
      json: { type: 'string' },
      confusions: { type: 'string', default: '10' },
    },
  });
  const parsed = FlagsSchema.safeParse({ ...values, labelMap: values['label-map'] });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  const flags = parsed.data;
  const file = requireFile(flags.file, '--file');
  const model = await loadLinearModel(flags.model);
  const { rows, excluded } = loadLabelled({ ...flags, file });
  if (rows.length === 0) throw new ShopbotError('INPUT_MISSING', `${file}: no scorable rows`);

  const gold: string[] = [];
  const pred: string[] = [];
  const confidence: number[] = [];
  const started = performance.now();
  for (const r of rows) {
    const c = classify(model, r.text);
    gold.push(r.intent);
    pred.push(c.intent);
    confidence.push(c.confidence);
  }
  const msPerMessage = (performance.now() - started) / rows.length;
  const metrics: Record<string, number> = { ...intentMetrics(gold, pred, confidence), excluded, ms_per_message: msPerMessage };
  const table: Record<string, Record<string, number>> = { linear: metrics };
  const langs = [...new Set(rows.map((r) => r.lang))].sort();
  if (langs.length > 1) {
    for (const lang of langs) {
      const idx = rows.flatMap((r, i) => (r.lang === lang ? [i] : []));
      const m = intentMetrics(idx.map((i) => gold[i]!), idx.map((i) => pred[i]!), idx.map((i) => confidence[i]!));
      table[`linear/${lang}`] = m;
      for (const [k, v] of Object.entries(m)) metrics[`${lang}_${k}`] = v;
    }
  }
  printTable(`intent: ${file} (${flags.format}${flags.format === 'clinc150' ? ` ${flags.split}` : ''}), model ${flags.model}`, table, ['n', 'accuracy', 'macro_f1', 'macro_f1_gold_labels', 'oos_recall', 'in_scope_accuracy', 'ece', 'excluded', 'ms_per_message']);
  const pairs = worstConfusedPairs(gold, pred, flags.confusions);
  if (pairs.length) {
    console.log('\nmost confused (gold -> predicted: count)');
    for (const p of pairs) console.log(`  ${p.gold} -> ${p.predicted}: ${p.count}`);
  }
  writeJson(flags.json, metrics);
  return 0;
}
