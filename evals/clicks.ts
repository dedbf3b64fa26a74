/**
 * `shopbot eval clicks --train FILE... --test FILE [--item-context FILE] [--json OUT]`
 *
 * Open Bandit Dataset (ZOZOTOWN) files in their original CSV format. Trains the hashed FTRL click
 * model (the CTR tower the assistant serves) on the logged BTS impressions, then on a uniform-random
 * log: AUC/log-loss of the click model, and off-policy values (IPS, SNIPS, DR) of the learned
 * ranking policy beside the random and the logged BTS policy, with bootstrap 95% intervals.
 * Clicks are about 0.5%: with ~50 clicks in a file every interval is wide.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ShopbotError } from '../src/errors.js';
import { FeatureEncoder, type FeatureRecord } from '../src/learning/encoder.js';
import { Ftrl } from '../src/learning/ftrl.js';
import { createRng } from '../src/maths/index.js';
import { rocAuc, logLoss } from './metrics/auc.js';
import { bootstrapCi, drTerms, ipsTerms, mean, snips, type LoggedRow } from './metrics/ope.js';
import { printTable, requireFile, writeJson, type SideBySide } from './report.js';
import { flag, parseFlags } from '../cli/args.js';

export const USAGE = `usage: shopbot eval clicks --train FILE... --test FILE [--item-context FILE] [--json OUT]

Open Bandit Dataset (ZOZOTOWN) files in their original CSV format. Trains the hashed FTRL click
model (the CTR tower the assistant serves) on the logged BTS impressions, then on a
uniform-random log: AUC/log-loss of the click model, and off-policy values (IPS, SNIPS, DR) of
the learned ranking policy beside the random and the logged BTS policy, with bootstrap 95%
intervals. Clicks are about 0.5%: with ~50 clicks in a file every interval is wide.

options:
  --train FILE   (repeatable)
  --test FILE
  --item-context FILE
  --epochs VALUE   (default 3)
  --seed VALUE   (default 7)
  --bootstrap VALUE   (default 200)
  --json OUT`;

const MAX_ROWS = 2_000_000;

const RowSchema = z.object({
  item_id: z.coerce.number().int().min(0).max(10_000),
  position: z.coerce.number().int().min(1).max(100),
  click: z.coerce.number().int().min(0).max(1),
  propensity_score: z.coerce.number().positive().max(1),
  user_feature_0: z.string(),
  user_feature_1: z.string(),
  user_feature_2: z.string(),
  user_feature_3: z.string(),
});

export interface ObdRow {
  readonly campaign: string;
  readonly item: number;
  readonly position: number;
  readonly click: number;
  readonly propensity: number;
  readonly user: readonly [string, string, string, string];
  /** user-item affinity for every item of the campaign, indexed by item id. */
  readonly affinity: readonly number[];
}

export function readObd(file: string): ObdRow[] {
  const campaign = path.basename(file, '.csv');
  const records = parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  if (records.length > MAX_ROWS) throw new ShopbotError('INPUT_MISSING', `${file}: more than ${MAX_ROWS} rows`);
  return records.map((rec, i) => {
    const r = RowSchema.safeParse(rec);
    if (!r.success) throw new ShopbotError('BAD_REQUEST', `${file}: row ${i + 1}: ${r.error.issues[0]?.message}`);
    const affinity: number[] = [];
    for (const [k, v] of Object.entries(rec)) {
      const m = /^user-item_affinity_(\d+)$/.exec(k);
      if (m) affinity[Number(m[1])] = Number(v) || 0;
    }
    const d = r.data;
    return { campaign, item: d.item_id, position: d.position, click: d.click, propensity: d.propensity_score, user: [d.user_feature_0, d.user_feature_1, d.user_feature_2, d.user_feature_3], affinity };
  });
}

/** item_feature_0 is the only item feature comparable across the bts and random copies (the hashed ones differ). */
export function readItemContext(file: string): Map<number, number> {
  const records = parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return new Map(records.map((r) => [Number(r.item_id), Number(r.item_feature_0)]));
}

function features(row: ObdRow, item: number, position: number | undefined, itemFeature: Map<number, number> | undefined): FeatureRecord {
  const f: Record<string, string | number> = {
    item: `${row.campaign}:${item}`,
    u0: row.user[0], u1: row.user[1], u2: row.user[2], u3: row.user[3],
    aff: row.affinity[item] ?? 0,
  };
  const if0 = itemFeature?.get(item);
  if (if0 !== undefined) f.if0 = if0;
  if (position !== undefined) f.pos = position;
  return f;
}

const CROSSES: readonly (readonly [string, string])[] = [['u0', 'item'], ['u1', 'item'], ['u2', 'item'], ['u3', 'item'], ['aff', 'item']];
const NO_POS = new Set(['pos']);

interface ClickModel {
  name: string;
  enc: FeatureEncoder;
  ftrl: Ftrl;
}

function trainModel(name: string, rows: readonly ObdRow[], crosses: typeof CROSSES, epochs: number, itemFeature: Map<number, number> | undefined, seed: number): ClickModel {
  const enc = new FeatureEncoder({ bits: 20, crosses, tokenKeys: [] });
  const ftrl = new Ftrl(enc.size, { alpha: 0.05, beta: 1, l1: 1, l2: 5 });
  const rng = createRng(seed);
  const order = rows.map((_, i) => i);
  for (let e = 0; e < epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      const r = rows[i]!;
      ftrl.train(enc.encode(features(r, r.item, r.position, itemFeature)), r.click);
    }
  }
  return { name, enc, ftrl };
}

function score(m: ClickModel, row: ObdRow, item: number, position: number | undefined, itemFeature: Map<number, number> | undefined): number {
  const f = features(row, item, position, itemFeature);
  return m.ftrl.predict(position === undefined ? m.enc.encode(f, NO_POS) : m.enc.encode(f));
}

/** Deterministic slate: items by descending position-free score; rank k fills position k. */
function slateFor(row: ObdRow, items: readonly number[], rank: (item: number) => number, size: number): number[] {
  return [...items].sort((a, b) => rank(b) - rank(a) || a - b).slice(0, size);
}

export async function run(argv: string[]): Promise<number> {
  // `--train A B C` and `--train A --train B` both work: bare file arguments are more train files.
  const { values, positionals } = parseFlags(argv, {
    usage: USAGE,
    allowPositionals: true,
    options: {
      train: { type: 'string', multiple: true },
      test: { type: 'string' },
      'item-context': { type: 'string' },
      epochs: { type: 'string', default: '3' },
      seed: { type: 'string', default: '7' },
      bootstrap: { type: 'string', default: '200' },
      json: { type: 'string' },
    },
  });
  const trainFiles = [...(values.train ?? []), ...positionals].map((f) => requireFile(f, '--train'));
  if (trainFiles.length === 0) requireFile(undefined, '--train');
  const testFile = requireFile(values.test, '--test');
  const itemFeature = values['item-context'] ? readItemContext(requireFile(values['item-context'], '--item-context')) : undefined;
  const epochs = flag('epochs', z.coerce.number().int().min(1).max(50), values.epochs);
  const seed = flag('seed', z.coerce.number().int(), values.seed);
  const B = flag('bootstrap', z.coerce.number().int().min(10).max(10_000), values.bootstrap);

  const train = trainFiles.flatMap(readObd);
  const test = readObd(testFile);
  const campaign = test[0]?.campaign ?? '';
  const items = [...new Set([...train.filter((r) => r.campaign === campaign), ...test].map((r) => r.item))].sort((a, b) => a - b);
  const slateSize = Math.max(...test.map((r) => r.position));
  console.log(`train: ${train.length} rows (${train.reduce((s, r) => s + r.click, 0)} clicks) from ${trainFiles.length} file(s); test: ${test.length} rows (${test.reduce((s, r) => s + r.click, 0)} clicks), ${items.length} items, ${slateSize} positions`);

  const models = [trainModel('ftrl+crosses', train, CROSSES, epochs, itemFeature, seed), trainModel('ftrl (no crosses)', train, [], epochs, itemFeature, seed)];

  // Baseline click model: smoothed CTR per (item, position) counted on the train logs.
  const prior = train.reduce((s, r) => s + r.click, 0) / Math.max(1, train.length);
  const counts = new Map<string, { c: number; n: number }>();
  for (const r of train) {
    const k = `${r.campaign}:${r.item}:${r.position}`;
    const e = counts.get(k) ?? { c: 0, n: 0 };
    e.c += r.click;
    e.n++;
    counts.set(k, e);
  }
  const countCtr = (row: ObdRow, item: number, pos: number) => {
    const e = counts.get(`${row.campaign}:${item}:${pos}`) ?? { c: 0, n: 0 };
    return (e.c + prior * 20) / (e.n + 20);
  };
  const itemCtr = (row: ObdRow, item: number) => {
    let c = 0, n = 0;
    for (let p = 1; p <= slateSize; p++) {
      const e = counts.get(`${row.campaign}:${item}:${p}`);
      if (e) (c += e.c), (n += e.n);
    }
    return (c + prior * 20) / (n + 20);
  };

  const rng = createRng(seed);
  const labels = test.map((r) => r.click);
  const clickRows: SideBySide = {};
  const aucRows = (name: string, probs: number[]) => {
    const idx = test.map((_, i) => i);
    const ci = bootstrapCi(idx, (s) => rocAuc(s.map((i) => labels[i]!), s.map((i) => probs[i]!)), rng, { samples: B });
    clickRows[name] = { auc: rocAuc(labels, probs), aucLow: ci.low, aucHigh: ci.high, logLoss: logLoss(labels, probs) };
  };
  for (const m of models) aucRows(m.name, test.map((r) => score(m, r, r.item, r.position, itemFeature)));
  aucRows('item x position CTR (counts)', test.map((r) => countCtr(r, r.item, r.position)));
  aucRows('constant CTR', test.map(() => prior));
  printTable(`click model on ${path.basename(path.dirname(testFile))}/${path.basename(testFile)} (AUC with bootstrap 95% CI; ${labels.reduce((a, b) => a + b, 0)} clicks: wide intervals)`, clickRows);

  // Off-policy values on the random log. Every policy fills positions 1..slateSize.
  const best = models[0]!;
  const policies: { name: string; slate: (r: ObdRow) => number[]; q: (r: ObdRow, item: number, pos: number) => number }[] = [
    { name: 'learned (ftrl+crosses)', slate: (r) => slateFor(r, items, (it) => score(best, r, it, undefined, itemFeature), slateSize), q: (r, it, p) => score(best, r, it, p, itemFeature) },
    { name: 'popularity (item CTR)', slate: (r) => slateFor(r, items, (it) => itemCtr(r, it), slateSize), q: (r, it, p) => countCtr(r, it, p) },
  ];
  const value: SideBySide = {};
  const ciOf = (terms: number[]) => bootstrapCi(terms, (s) => mean(s), rng, { samples: B });
  const onPolicy = (name: string, rows: readonly ObdRow[]) => {
    const terms = rows.map((r) => r.click);
    const ci = ciOf(terms);
    value[name] = { ips: mean(terms), ipsLow: ci.low, ipsHigh: ci.high, snips: mean(terms), dr: Number.NaN, matchedRows: rows.length };
  };
  onPolicy('random (on-policy, test log)', test);
  const bts = train.filter((r) => r.campaign === campaign);
  if (bts.length > 0) onPolicy('logged BTS (on-policy, train log)', bts);
  for (const pol of policies) {
    const rows: LoggedRow[] = test.map((r) => {
      const slate = pol.slate(r);
      const chosen = slate[r.position - 1]!;
      return { reward: r.click, propensity: r.propensity, targetProb: chosen === r.item ? 1 : 0, qLogged: pol.q(r, r.item, r.position), qTarget: pol.q(r, chosen, r.position) };
    });
    const ipsT = ipsTerms(rows);
    const drT = drTerms(rows);
    const ipsCi = ciOf(ipsT);
    const drCi = ciOf(drT);
    const snipsCi = bootstrapCi(rows, (s) => snips(s), rng, { samples: B });
    value[pol.name] = { ips: mean(ipsT), ipsLow: ipsCi.low, ipsHigh: ipsCi.high, snips: snips(rows), snipsLow: snipsCi.low, snipsHigh: snipsCi.high, dr: mean(drT), drLow: drCi.low, drHigh: drCi.high, matchedRows: rows.filter((x) => x.targetProb > 0).length };
  }
  printTable('policy value = expected clicks per impression (bootstrap 95% CI); random/BTS are on-policy means of their own logs', value, ['ips', 'ipsLow', 'ipsHigh', 'snips', 'snipsLow', 'snipsHigh', 'dr', 'drLow', 'drHigh', 'matchedRows']);
  writeJson(values.json, { ...prefixed('click', clickRows), ...prefixed('policy', value) });
  return 0;
}

function prefixed(prefix: string, rows: SideBySide): SideBySide {
  return Object.fromEntries(Object.entries(rows).map(([k, v]) => [`${prefix}: ${k}`, v]));
}
