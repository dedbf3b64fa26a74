/**
 * `shopbot eval nlu [--file FILE] [--linear DIR] [--models DIR] [--fp32] [--json OUT]`
 *
 * The NLU engines side by side on a labelled file of intents and character-offset spans (the
 * frozen report split evals/data/nlu/report.jsonl by default): the linear baseline, the joint
 * transformer alone, and the shipped engine (the transformer averaged with the linear model, as
 * config `nlu.transformerWeight` sets it). Intent accuracy and macro-F1, span F1 (exact label and
 * offsets, on rows with span annotation), with seeded bootstrap 95% intervals. Exits non-zero when
 * a model is missing, when the shipped engine is under a floor, or when it is below the linear
 * baseline's intent accuracy on the file.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadConfig } from '../src/config.js';
import { ShopbotError } from '../src/errors.js';
import { decideIntent, ensembleIntent, openJointModel } from '../src/models/index.js';
import { classify, loadLinearModel, macroF1, predictProba } from '../src/nlu/index.js';
import { bootstrapCi } from './metrics/ope.js';
import { seededRng } from './metrics/ranking.js';
import { accuracy } from './metrics/classification.js';
import { printTable, quietModelLog, requireFile, writeJson, type SideBySide } from './report.js';
import { flag, parseFlags } from '../cli/args.js';

export const USAGE = `usage: shopbot eval nlu [--file FILE] [--linear DIR] [--models DIR] [--fp32] [--json OUT]

The NLU engines side by side on intents and spans (the frozen report split by default): linear
baseline, joint transformer, and the shipped transformer+linear ensemble. Accuracy, macro-F1 and
span F1 with bootstrap 95% intervals; non-zero exit when a model is missing, the shipped engine is
under a floor, or below the linear baseline's accuracy.

options:
  --file FILE   (default evals/data/nlu/report.jsonl)
  --linear DIR   (default models/intent-linear)
  --models DIR   (default models)
  --fp32
  --threads VALUE   (default 2)
  --min-accuracy VALUE   (default 0.85)
  --min-span-f1 VALUE   (default 0.4)
  --bootstrap VALUE   (default 1000)
  --seed VALUE   (default 13)
  --json OUT`;

const SpanSchema = z.object({ label: z.string(), start: z.number().int().min(0), end: z.number().int().min(0) });
const RowSchema = z.object({ text: z.string().min(1).max(4000), intent: z.string(), lang: z.string().default('en'), spans: z.array(SpanSchema).nullable().default(null) });
type Row = z.infer<typeof RowSchema>;


interface Prediction {
  readonly intents: string[];
  /** Per row, the predicted spans as "LABEL:start:end" keys; undefined for an engine without spans. */
  readonly spans?: Set<string>[];
}

const spanKey = (s: { label: string; start: number; end: number }) => `${s.label}:${s.start}:${s.end}`;

/** Micro span F1 over the rows (exact label and offsets). */
export function spanF1(gold: readonly Set<string>[], pred: readonly Set<string>[]): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  gold.forEach((g, i) => {
    const p = pred[i]!;
    for (const k of p) (g.has(k) ? tp++ : fp++);
    for (const k of g) if (!p.has(k)) fn++;
  });
  return (2 * tp) / Math.max(1, 2 * tp + fp + fn);
}

export function readNluRows(file: string): Row[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
    const parsed = RowSchema.safeParse(JSON.parse(l));
    if (!parsed.success) throw new ShopbotError('BAD_REQUEST', `${file}:${i + 1}: ${parsed.error.message}`);
    return parsed.data;
  });
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      file: { type: 'string', default: 'evals/data/nlu/report.jsonl' },
      linear: { type: 'string', default: 'models/intent-linear' },
      models: { type: 'string', default: 'models' },
      fp32: { type: 'boolean', default: false },
      threads: { type: 'string', default: '2' },
      'min-accuracy': { type: 'string', default: '0.85' },
      'min-span-f1': { type: 'string', default: '0.4' },
      bootstrap: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '13' },
      json: { type: 'string' },
    },
  });
  const file = requireFile(values.file, '--file');
  const minAccuracy = flag('min-accuracy', z.coerce.number().min(0).max(1), values['min-accuracy']);
  const minSpanF1 = flag('min-span-f1', z.coerce.number().min(0).max(1), values['min-span-f1']);
  const samples = flag('bootstrap', z.coerce.number().int().min(10).max(100_000), values.bootstrap);
  const seed = flag('seed', z.coerce.number().int(), values.seed);
  const rows = readNluRows(file);
  if (rows.length === 0) throw new ShopbotError('INPUT_MISSING', `${file}: no rows`);

  const config = loadConfig({ overrides: { models: { dir: values.models, quantized: !values.fp32, threads: values.threads } } });
  const weight = config.nlu.transformerWeight;
  const linear = await loadLinearModel(values.linear);
  const joint = await openJointModel(config.models, quietModelLog);
  const systems: Record<string, Prediction> = {};
  try {
    systems.linear = { intents: rows.map((r) => classify(linear, r.text).intent) };
    const parsed = await joint.parse(rows.map((r) => r.text));
    const spans = parsed.map((p) => new Set(p.spans.map(spanKey)));
    const decide = (w: number) =>
      parsed.map((p, i) => {
        const lin = { intents: linear.intents, oosThreshold: linear.oosThreshold, probs: predictProba(linear, rows[i]!.text) };
        const mixed = ensembleIntent(joint, p.probs, lin, w);
        return decideIntent(joint.labels, mixed.probs, joint.oosLabel, mixed.threshold).intent as string;
      });
    const dtype = values.fp32 ? 'fp32' : 'int8';
    const alone = `transformer (${dtype})`;
    const shipped = weight < 1 ? `transformer+linear ${weight}/${(1 - weight).toFixed(2)} (${dtype})` : alone;
    if (weight < 1) systems[alone] = { intents: decide(1), spans };
    systems[`${shipped} (shipped)`] = { intents: decide(weight), spans };
  } finally {
    await joint.close();
  }

  const gold = rows.map((r) => r.intent);
  const annotated = rows.flatMap((r, i) => (r.spans ? [i] : []));
  const goldSpans = rows.map((r) => new Set((r.spans ?? []).map(spanKey)));
  const table: SideBySide = {};
  for (const [name, p] of Object.entries(systems)) {
    const idx = rows.map((_, i) => i);
    const rng = seededRng(seed);
    const acc = (s: readonly number[]) => accuracy(s.map((i) => gold[i]!), s.map((i) => p.intents[i]!));
    const f1 = (s: readonly number[]) => macroF1(s.map((i) => gold[i]!), s.map((i) => p.intents[i]!));
    const accCi = bootstrapCi(idx, acc, rng, { samples });
    const f1Ci = bootstrapCi(idx, f1, rng, { samples });
    const m: Record<string, number> = {
      n: rows.length, accuracy: acc(idx), accuracy_low: accCi.low, accuracy_high: accCi.high,
      macro_f1: f1(idx), macro_f1_low: f1Ci.low, macro_f1_high: f1Ci.high,
    };
    if (p.spans) {
      const sf = (s: readonly number[]) => spanF1(s.map((i) => goldSpans[i]!), s.map((i) => p.spans![i]!));
      const ci = bootstrapCi(annotated, sf, rng, { samples });
      Object.assign(m, { span_rows: annotated.length, span_f1: sf(annotated), span_f1_low: ci.low, span_f1_high: ci.high });
    }
    for (const lang of [...new Set(rows.map((r) => r.lang))].sort()) {
      const li = idx.filter((i) => rows[i]!.lang === lang);
      m[`accuracy_${lang}`] = acc(li);
      if (p.spans) m[`span_f1_${lang}`] = spanF1(li.filter((i) => rows[i]!.spans).map((i) => goldSpans[i]!), li.filter((i) => rows[i]!.spans).map((i) => p.spans![i]!));
    }
    table[name] = m;
  }
  printTable(`NLU engines: ${file} (bootstrap ${samples}, seed ${seed}; span F1 on ${annotated.length} annotated rows)`, table,
    ['n', 'accuracy', 'accuracy_low', 'accuracy_high', 'macro_f1', 'macro_f1_low', 'macro_f1_high', 'span_f1', 'span_f1_low', 'span_f1_high', 'accuracy_en', 'accuracy_zh', 'span_f1_en', 'span_f1_zh']);
  writeJson(values.json, table);
  const shippedKey = Object.keys(table).find((k) => k.endsWith('(shipped)'))!;
  const s = table[shippedKey]!;
  const failures: string[] = [];
  if (s.accuracy! < minAccuracy) failures.push(`accuracy ${s.accuracy!.toFixed(4)} < floor ${minAccuracy}`);
  if (annotated.length > 0 && (s.span_f1 ?? 0) < minSpanF1) failures.push(`span F1 ${(s.span_f1 ?? 0).toFixed(4)} < floor ${minSpanF1}`);
  if (s.accuracy! < table.linear!.accuracy!) failures.push(`accuracy ${s.accuracy!.toFixed(4)} below the linear baseline's ${table.linear!.accuracy!.toFixed(4)}`);
  for (const f of failures) console.error(`FAIL ${shippedKey}: ${f}`);
  return failures.length ? 1 : 0;
}
