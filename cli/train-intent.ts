/**
 * `shopbot train intent [--out models/intent-linear] [--train FILE] [--dev FILE] [--seed N]`:
 * trains the linear intent model, writes weights and a model card with dev figures.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { z } from 'zod';
import { intentMetrics } from '../evals/metrics/classification.js';
import { requireFile } from '../evals/report.js';
import { classify, DEFAULT_TRAIN, loadLinearModel, readJsonl, saveLinearModel, trainLinear } from '../src/nlu/index.js';
import { parseFlags, UsageError } from './args.js';

export const USAGE = `usage: shopbot train intent [--out DIR] [--train FILE] [--dev FILE] [--seed N] [--epochs N]

Trains the linear intent model and writes its weights and model card.

options:
  --out DIR   (default models/intent-linear)
  --train FILE   (default evals/data/intent/train.jsonl)
  --dev FILE   (default evals/data/intent/dev.jsonl)
  --seed N   (default ${DEFAULT_TRAIN.seed})
  --epochs N   (default ${DEFAULT_TRAIN.epochs})`;

const FlagsSchema = z.object({
  out: z.string().min(1).max(500),
  train: z.string().min(1).max(500),
  dev: z.string().min(1).max(500),
  seed: z.coerce.number().int().min(0).max(2 ** 31),
  epochs: z.coerce.number().int().min(1).max(200),
});

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      out: { type: 'string', default: 'models/intent-linear' },
      train: { type: 'string', default: 'evals/data/intent/train.jsonl' },
      dev: { type: 'string', default: 'evals/data/intent/dev.jsonl' },
      seed: { type: 'string', default: String(DEFAULT_TRAIN.seed) },
      epochs: { type: 'string', default: String(DEFAULT_TRAIN.epochs) },
    },
  });
  const parsed = FlagsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  const flags = parsed.data;
  const train = readJsonl(requireFile(flags.train, '--train'));
  const dev = readJsonl(requireFile(flags.dev, '--dev'));
  const bar = new SingleBar({ format: 'training intent |{bar}| epoch {value}/{total}  loss {loss}', stream: process.stderr }, Presets.shades_classic);
  bar.start(flags.epochs, 0, { loss: '-' });
  const started = Date.now();
  const { model, report } = trainLinear(train, dev, {
    ...DEFAULT_TRAIN,
    seed: flags.seed,
    epochs: flags.epochs,
    onEpoch: (epoch, _total, loss) => bar.update(epoch, { loss: loss.toFixed(4) }),
  });
  bar.stop();
  const trainMs = Date.now() - started;
  await saveLinearModel(flags.out, model);

  // Measure what was written, not the in-memory model.
  const shipped = await loadLinearModel(flags.out);
  const results = dev.map((e) => classify(shipped, e.text));
  const metrics = intentMetrics(dev.map((e) => e.intent), results.map((r) => r.intent), results.map((r) => r.confidence));
  await writeFile(path.join(flags.out, 'MODEL_CARD.md'), modelCard(flags, report, metrics));
  console.log(`trained on ${report.trainRows} rows in ${(trainMs / 1000).toFixed(1)} s; temperature ${report.temperature.toFixed(3)}, out-of-scope threshold ${report.oosThreshold}`);
  console.log(`dev (${dev.length} rows): accuracy ${metrics.accuracy!.toFixed(4)}, macro-F1 ${metrics.macro_f1!.toFixed(4)}, out-of-scope recall ${metrics.oos_recall!.toFixed(4)}`);
  console.log(`wrote ${flags.out}`);
  return 0;
}

function modelCard(flags: z.infer<typeof FlagsSchema>, report: { trainRows: number; devRows: number; temperature: number; oosThreshold: number }, m: Record<string, number>): string {
  const f = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(4));
  return `# intent-linear: the baseline intent classifier

Multinomial logistic regression over hashed features (word unigrams and bigrams, character 2-4
grams of Latin words, Chinese characters and character bigrams; 2^${DEFAULT_TRAIN.features.bits} buckets), trained with seeded
AdaGrad, L2 and (intent, language) balancing weights; int8 weights with one scale per class.
Confidence is temperature-scaled on dev; an in-scope prediction below the out-of-scope threshold
falls back to \`out_of_scope\`. Source: \`src/nlu/train.ts\`, \`src/nlu/linear.ts\`.

- Data: \`${flags.train}\` (${report.trainRows} rows) for training; \`${flags.dev}\` (${report.devRows} rows)
  to fit the temperature and threshold. See \`evals/data/intent/README.md\` for sources and licenses.
- Command: \`node bin/shopbot.js train intent --out ${flags.out} --seed ${flags.seed} --epochs ${flags.epochs}\`
- Temperature ${report.temperature.toFixed(4)}; out-of-scope threshold ${report.oosThreshold}.

## Development figures (dev split; the temperature and threshold were fitted on it)

| n | accuracy | macro-F1 | out-of-scope recall | in-scope accuracy | ECE |
|---|---|---|---|---|---|
| ${m.n} | ${f(m.accuracy)} | ${f(m.macro_f1)} | ${f(m.oos_recall)} | ${f(m.in_scope_accuracy)} | ${f(m.ece)} |

Reproduce: \`node bin/shopbot.js eval intent --file ${flags.dev} --format jsonl --model ${flags.out}\`.
These are development figures: Bitext and the Chinese and store-specific rows are template
generated, so real traffic will score lower. Held-out figures belong on Bitext's Testing CSV and
CLINC150's test split, which are not in this repository.
`;
}
