/**
 * `shopbot eval uplift --train FILE [--test FILE] [--outcome visit|conversion] [--seed 7] [--json OUT]`
 *
 * Hillstrom MineThatData e-mail experiment, original CSV. Treatment = any e-mail (two thirds of
 * customers: unequal arms), outcome = visit (or --outcome conversion). Side by side on the same
 * frozen split (evals/tabular/protocol.ts: tuned on the valid split, reported on the report split):
 * the meta-learners over our trees (T, X, DR; the shipped coupon targeter's kind is marked), today's
 * class-transformation learner with and without propensity weights, the two-model FTRL baseline
 * and a random ranking. Normalised Qini with a bootstrap interval, the paired interval of each
 * system's Qini minus the shipped one's, AUUC and uplift among the top 10% / 30%.
 *
 * `--dataset coupon` is the acceptance eval (kept for old commands): see evals/acceptance.ts.
 */
import { z } from 'zod';
import { ClassTransformUplift, TwoModelUplift, type UpliftExample } from '../src/coupons/uplift.js';
import { SEVEN_LEAF_OUTCOMES, SHIPPED_META_LEARNER, TARGETER_PARAMS, targeterParamsFor } from '../src/coupons/targeter.js';
import { buildSchema, META_LEARNERS, toColumns, trainUplift, type FeatureSpec, type MetaLearnerKind, type UpliftSet } from '../src/learning/gbdt/index.js';
import { fnv1a, mix, type FeatureRecord } from '../src/learning/encoder.js';
import { createRng, shuffle } from '../src/maths/index.js';
import { bootstrapCi } from './metrics/ope.js';
import { auuc, qiniCoefficient, upliftAtK } from './metrics/uplift.js';
import { flag, parseFlags } from '../cli/args.js';
import { printTable, requireFile, writeJson, type SideBySide } from './report.js';
import { readHillstromTable, type UpliftRow } from './tabular/datasets.js';
import { splitRows } from './tabular/protocol.js';

const BOOTSTRAP_SAMPLES = 200;

function upliftSet(schema: readonly FeatureSpec[], rows: readonly UpliftRow[], treatedShare: number): UpliftSet {
  return {
    columns: toColumns(schema, rows.map((r) => r.features)),
    treated: Uint8Array.from(rows, (r) => (r.treated ? 1 : 0)),
    outcome: Float64Array.from(rows, (r) => r.label),
    // A randomised experiment: every customer had the same chance of an e-mail.
    propensity: new Float64Array(rows.length).fill(treatedShare),
  };
}

/**
 * `--tune`: 4-fold cross-validation over the train and valid rows only (the report split is never
 * read): fold k is scored, fold k+1 early-stops, the other two train. Prints the mean Qini of each
 * learner and parameter set; the shipped kind and TARGETER_PARAMS were chosen from this table.
 */
function tuneUplift(table: ReturnType<typeof readHillstromTable>, rows: readonly UpliftRow[], seed: number): SideBySide {
  const fold = (r: UpliftRow) => mix(fnv1a('fold:hillstrom'), fnv1a(r.line)) % 4;
  const variants: Record<string, typeof TARGETER_PARAMS> = {
    shipped: TARGETER_PARAMS,
    '7-leaf outcome trees (before)': { outcomeParams: SEVEN_LEAF_OUTCOMES, effectParams: TARGETER_PARAMS.effectParams },
    'smaller trees': { outcomeParams: { ...TARGETER_PARAMS.outcomeParams, numLeaves: 4, minDataInLeaf: 300 }, effectParams: { ...TARGETER_PARAMS.effectParams, numLeaves: 4, minDataInLeaf: 600 } },
    'larger trees': { outcomeParams: { ...TARGETER_PARAMS.outcomeParams, numLeaves: 15, minDataInLeaf: 50 }, effectParams: { ...TARGETER_PARAMS.effectParams, numLeaves: 15, minDataInLeaf: 150 } },
  };
  const sums: Record<string, number[]> = {};
  for (let k = 0; k < 4; k++) {
    const score = rows.filter((r) => fold(r) === k);
    const valid = rows.filter((r) => fold(r) === (k + 1) % 4);
    const train = rows.filter((r) => fold(r) !== k && fold(r) !== (k + 1) % 4);
    const e = train.filter((r) => r.treated).length / train.length;
    const schema = buildSchema(table.features, train.map((r) => r.features));
    const sets = { train: upliftSet(schema, train, e), valid: upliftSet(schema, valid, e), score: upliftSet(schema, score, e) };
    const y = score.map((r) => r.label);
    const t = score.map((r) => (r.treated ? 1 : 0));
    const add = (name: string, u: number[]) => (sums[name] ??= []).push(qiniCoefficient(y, t, u));
    for (const [variant, params] of Object.entries(variants))
      for (const kind of META_LEARNERS) {
        const m = trainUplift({ kind, schema, train: sets.train, valid: sets.valid, ...params, seed });
        add(`${kind}-learner, ${variant}`, score.map((_, i) => m.upliftAt(sets.score.columns, i)));
      }
    const two = new TwoModelUplift({ bits: 18, crosses: [], tokenKeys: [] });
    const rng = createRng(seed);
    for (let ep = 0; ep < 5; ep++) for (const r of shuffle([...train], rng)) two.train({ features: r.features as FeatureRecord, treated: r.treated, outcome: r.label ? 1 : 0, propensity: e });
    add('two-model baseline (ftrl)', score.map((r) => two.uplift(r.features as FeatureRecord)));
    console.log(`fold ${k + 1}/4 done`);
  }
  const out: SideBySide = {};
  for (const [name, qs] of Object.entries(sums)) out[name] = { cvQini: qs.reduce((a, b) => a + b, 0) / qs.length, cvQiniMin: Math.min(...qs), cvQiniMax: Math.max(...qs) };
  printTable('uplift tuning: 4-fold CV Qini over the train + valid rows (the report split is not read)', out);
  return out;
}

function hillstrom(file: string, values: { test?: string | undefined; outcome?: string | undefined; tune?: boolean }, seed: number, epochs: number): SideBySide {
  const outcome = z.enum(['visit', 'conversion']).parse(values.outcome);
  const table = readHillstromTable(file, outcome);
  const testFile = values.test ? requireFile(values.test, '--test') : undefined;
  const split = splitRows(`hillstrom`, file, table.rows, testFile ? { file: testFile, rows: readHillstromTable(testFile, outcome).rows } : undefined);
  const e = split.train.filter((r) => r.treated).length / split.train.length;
  console.log(`hillstrom (${outcome}): ${split.note}`);
  console.log(`train ${split.train.length} customers (treated share ${e.toFixed(3)}), valid ${split.valid.length}, ${split.reportName} ${split.report.length}`);
  if (values.tune) return tuneUplift(table, [...split.train, ...split.valid], seed);
  const schema = buildSchema(table.features, split.train.map((r) => r.features));
  const train = upliftSet(schema, split.train, e);
  const valid = upliftSet(schema, split.valid, e);
  const report = upliftSet(schema, split.report, e);

  const scores: Record<string, number[]> = {};
  const validQini: Record<string, number> = {};
  const vy = split.valid.map((r) => r.label);
  const vt = split.valid.map((r) => (r.treated ? 1 : 0));
  const kinds: readonly MetaLearnerKind[] = [SHIPPED_META_LEARNER, ...META_LEARNERS.filter((k) => k !== SHIPPED_META_LEARNER)];
  let shipped = '';
  for (const kind of kinds) {
    const started = performance.now();
    // The parameters production derives from the arms' sizes (on Hillstrom they equal TARGETER_PARAMS).
    const treatedRows = train.treated.reduce((n, t) => n + t, 0);
    const m = trainUplift({ kind, schema, train, valid, ...targeterParamsFor(treatedRows, train.treated.length - treatedRows), seed });
    const name = `${kind.toUpperCase()}-learner, gbdt${kind === SHIPPED_META_LEARNER ? ' (shipped)' : ''}`;
    if (kind === SHIPPED_META_LEARNER) shipped = name;
    console.log(`${name}: trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    scores[name] = split.report.map((_, i) => m.upliftAt(report.columns, i));
    validQini[name] = qiniCoefficient(vy, vt, split.valid.map((_, i) => m.upliftAt(valid.columns, i)));
  }

  // Today's hashed FTRL learners, as before (no crosses: they lowered every learner's Qini).
  const rng = createRng(seed);
  const enc = { bits: 18, crosses: [], tokenKeys: [] };
  const ct = new ClassTransformUplift(enc);
  const ctUnweighted = new ClassTransformUplift(enc);
  const two = new TwoModelUplift(enc);
  const rec = (r: UpliftRow) => r.features as FeatureRecord;
  for (let ep = 0; ep < epochs; ep++) {
    for (const r of shuffle([...split.train], rng)) {
      const ex: UpliftExample = { features: rec(r), treated: r.treated, outcome: r.label ? 1 : 0, propensity: e };
      ct.train(ex);
      two.train(ex);
      ctUnweighted.train({ ...ex, propensity: 0.5 });
    }
  }
  for (const [name, m] of [['class transform + propensity weights (before)', ct], ['class transform, unweighted', ctUnweighted], ['two-model baseline (ftrl)', two]] as const) {
    scores[name] = split.report.map((r) => m.uplift(rec(r)));
    validQini[name] = qiniCoefficient(vy, vt, split.valid.map((r) => m.uplift(rec(r))));
  }
  const rr = createRng(seed + 1);
  scores['random ranking'] = split.report.map(() => rr());

  const y = split.report.map((r) => r.label);
  const t = split.report.map((r) => (r.treated ? 1 : 0));
  const idx = y.map((_, i) => i);
  const ref = scores[shipped]!;
  const out: SideBySide = {};
  for (const [name, u] of Object.entries(scores)) {
    const q = (s: readonly number[], v: readonly number[]) => qiniCoefficient(s.map((i) => y[i]!), s.map((i) => t[i]!), s.map((i) => v[i]!));
    const ci = bootstrapCi(idx, (s) => q(s, u), createRng(seed + 2), { samples: BOOTSTRAP_SAMPLES });
    const diff = bootstrapCi(idx, (s) => q(s, u) - q(s, ref), createRng(seed + 2), { samples: BOOTSTRAP_SAMPLES });
    out[name] = {
      qini: qiniCoefficient(y, t, u),
      qiniLow: ci.low,
      qiniHigh: ci.high,
      ...(name === shipped ? {} : { 'qini-shippedLow': diff.low, 'qini-shippedHigh': diff.high }),
      auuc: auuc(y, t, u),
      'uplift@10%': upliftAtK(y, t, u, 0.1),
      'uplift@30%': upliftAtK(y, t, u, 0.3),
      ...(validQini[name] !== undefined ? { validQini: validQini[name] } : {}),
    };
  }
  printTable(`uplift on Hillstrom (${outcome}; normalised Qini, bootstrap 95% CI over ${BOOTSTRAP_SAMPLES} resamples; ${split.note})`, out);
  return out;
}

export const USAGE = `usage: shopbot eval uplift --train FILE [--test FILE] [--outcome visit|conversion] [--seed 7] [--epochs 5] [--tune] [--json OUT]
       shopbot eval uplift --dataset coupon ...   (= shopbot eval acceptance ...)

Coupon targeting on Hillstrom: the shipped T-learner over stumps beside the X- and DR-learners, class
transformation, the two-model FTRL baseline and random, normalised Qini with bootstrap intervals;
tuned on the valid split (or by --tune cross-validation on train+valid), reported on the frozen report split.

options:
  --train FILE     hillstrom_train.csv (the report split is carved out of it by rule)
  --test FILE      report on a held-back file instead
  --dataset D      hillstrom (default) | coupon
  --outcome O      visit (default) | conversion
  --seed N         (default 7)
  --epochs N       FTRL epochs (default 5)
  --tune           cross-validate the learners on train+valid
  --json OUT`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--dataset') && argv[argv.indexOf('--dataset') + 1] === 'coupon') {
    const { run: acceptance } = await import('./acceptance.js');
    return acceptance(argv.filter((a, i) => a !== '--dataset' && argv[i - 1] !== '--dataset'));
  }
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      train: { type: 'string' },
      test: { type: 'string' },
      dataset: { type: 'string', default: 'hillstrom' },
      outcome: { type: 'string', default: 'visit' },
      seed: { type: 'string', default: '7' },
      epochs: { type: 'string', default: '5' },
      tune: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  flag('dataset', z.enum(['hillstrom', 'coupon']), values.dataset, USAGE);
  const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  const file = requireFile(str(values.train), '--train');
  const seed = z.coerce.number().int().parse(values.seed);
  const epochs = z.coerce.number().int().min(1).max(50).parse(values.epochs);
  const out = hillstrom(file, { test: str(values.test), outcome: str(values.outcome), tune: values.tune === true }, seed, epochs);
  writeJson(str(values.json), out);
  return 0;
}
