/**
 * `shopbot eval routing [--bitext FILE] [--abcd FILE] [--split report|dev|all] [--json OUT]`
 *
 * Which team an escalation reaches, scored on labelled service utterances (Bitext categories, ABCD
 * flows; evals/routing-data.ts reads them and maps their labels to teams). Each utterance goes
 * through the shipped pipeline as an escalation from that message: the shipped NLU's parse (the
 * joint transformer with its linear partner, as the app serves it; the linear model alone beside it), the
 * trigger it fires (a plain request for a person when none), the topic from the parse
 * (src/handoff/routing.ts) and the team choice for the handoff config, every team open and idle.
 * Beside it, the majority-team baseline (the dev split's most common gold team, always).
 */
import path from 'node:path';
import { z } from 'zod';
import { ShopbotError } from '../src/errors.js';
import { DEFAULT_HANDOFF, detectTrigger, loadHandoffFile, route, topicOf } from '../src/handoff/index.js';
import { openLinearNlu, readJsonl, type Nlu } from '../src/nlu/index.js';
import { loadConfig } from '../src/config.js';
import { openNlu } from '../src/models/index.js';
import { flag, parseFlags } from '../cli/args.js';
import { macroF1 } from '../src/nlu/index.js';
import { printTable, quietModelLog, requireFile, writeJson, type SideBySide } from './report.js';
import { loadRoutingLabelMap, readAbcdRouting, readBitextRouting, withoutSeen, type RoutingRow } from './routing-data.js';

export const USAGE = `usage: shopbot eval routing [--bitext FILE] [--abcd FILE] [--split report|dev|all] [--label-map FILE] [--handoff FILE] [--models DIR] [--floor X] [--json OUT]

Routing of escalations to support teams on labelled service utterances in their original formats
(Bitext CSV with categories, ABCD conversations JSON), the shipped NLU-based routing beside the
majority-team baseline. The routing was tuned on the dev split and is reported on the report split
(frozen: evals/data/routing/report-split.json). With the held-back Bitext Testing CSV, --split all.
Exits 1 when the shipped accuracy is under --floor or not above the baseline, or when data or the
model is missing.

options:
  --bitext FILE   (default evals/data/bitext/Bitext_Sample_Customer_Service_Validation_Dataset.csv; "none" skips)
  --abcd FILE   (default evals/data/abcd/abcd_sample.json; "none" skips)
  --split VALUE   (default report)
  --label-map FILE   (default evals/data/routing/label-map.json)
  --handoff FILE   (teams; default the built-in handoff config)
  --models DIR   (default models: the shipped NLU from nlu/ and intent-linear/, as the app serves it)
  --nlu-train FILE   (default evals/data/nlu/train.jsonl, the joint model's training rows, a superset of the linear model's: report rows the NLU trained on are dropped)
  --floor VALUE   (default 0.8; shipped accuracy)
  --json OUT`;

export const SHIPPED = 'nlu routing (shipped)';
export const LINEAR = 'linear nlu routing';
export const BASELINE = 'majority team';

/** The team the shipped pipeline sends this message to, as the first message of an escalation. */
export async function routeUtterance(nlu: Nlu, text: string, teams = DEFAULT_HANDOFF.teams, rules = DEFAULT_HANDOFF.rules): Promise<{ team: string; topic: string; trigger: string }> {
  const parse = await nlu.parse(text);
  const trigger = detectTrigger({ text, nlu: parse, negativeStreak: 0 }, { rules, disabled: [], highValueCartCents: Number.MAX_SAFE_INTEGER })?.kind ?? 'requested';
  const topic = topicOf(trigger, { parse });
  const { team } = route({ topic, lang: parse.lang, nowMs: 0, teams: teams.map(({ hours: _h, ...t }) => t), load: new Map() });
  return { team: team.id, topic, trigger };
}

function score(gold: readonly string[], pred: readonly string[]): Record<string, number> {
  const correct = gold.filter((g, i) => g === pred[i]).length;
  return { n: gold.length, accuracy: gold.length ? correct / gold.length : 0, macro_f1: macroF1(gold, pred) };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      bitext: { type: 'string', default: 'evals/data/bitext/Bitext_Sample_Customer_Service_Validation_Dataset.csv' },
      abcd: { type: 'string', default: 'evals/data/abcd/abcd_sample.json' },
      split: { type: 'string', default: 'report' },
      'label-map': { type: 'string', default: 'evals/data/routing/label-map.json' },
      handoff: { type: 'string' },
      models: { type: 'string', default: 'models' },
      'nlu-train': { type: 'string', default: 'evals/data/nlu/train.jsonl' },
      floor: { type: 'string', default: '0.8' },
      json: { type: 'string' },
    },
  });
  const split = flag('split', z.enum(['report', 'dev', 'all']), values.split, USAGE);
  const floor = flag('floor', z.coerce.number().min(0).max(1), values.floor, USAGE);
  const map = loadRoutingLabelMap(requireFile(values['label-map'], '--label-map'));
  const handoff = loadHandoffFile(values.handoff);
  const linearDir = path.join(values.models, 'intent-linear');
  requireFile(path.join(linearDir, 'model.json'), '--models');
  requireFile(path.join(values.models, 'nlu', 'config.json'), '--models');

  const loaded: { rows: RoutingRow[]; excluded: number }[] = [];
  if (values.bitext !== 'none') loaded.push(readBitextRouting(requireFile(values.bitext, '--bitext'), map.bitext));
  if (values.abcd !== 'none') loaded.push(readAbcdRouting(requireFile(values.abcd, '--abcd'), map.abcd));
  const nluTraining = readJsonl(requireFile(values['nlu-train'], '--nlu-train')).map((e) => e.text);
  const { rows: all, seenInTraining } = withoutSeen(loaded.flatMap((l) => l.rows), nluTraining);
  const excluded = loaded.reduce((s, l) => s + l.excluded, 0);
  const rows = split === 'all' ? all : all.filter((r) => r.split === split);
  if (!rows.length) throw new ShopbotError('INPUT_MISSING', `no labelled rows in the ${split} split`);

  // The baseline learns its one answer from the dev split (from the scored rows when there is no dev split).
  const devTeams = (all.some((r) => r.split === 'dev') && split !== 'all' ? all.filter((r) => r.split === 'dev') : rows).map((r) => r.team);
  const counts = new Map<string, number>();
  for (const t of devTeams) counts.set(t, (counts.get(t) ?? 0) + 1);
  const majority = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];

  const config = loadConfig({ overrides: { logLevel: 'silent', models: { dir: values.models } } });
  const routeAll = async (nlu: Nlu) => {
    const teams: string[] = [];
    try {
      for (const r of rows) teams.push((await routeUtterance(nlu, r.text, handoff.teams, handoff.rules)).team);
    } finally {
      await nlu.close();
    }
    return teams;
  };
  const linearPredicted = await routeAll(await openLinearNlu(linearDir));
  const predicted = await routeAll(await openNlu({ models: config.models, nlu: { ...config.nlu, engine: 'transformer' } }, quietModelLog, { fallback: false }));

  const table: SideBySide = {};
  const gold = rows.map((r) => r.team);
  table[BASELINE] = { ...score(gold, gold.map(() => majority)), excluded, seen_in_nlu_training: seenInTraining };
  table[LINEAR] = { ...score(gold, linearPredicted), excluded, seen_in_nlu_training: seenInTraining };
  table[SHIPPED] = { ...score(gold, predicted), excluded, seen_in_nlu_training: seenInTraining };
  for (const source of ['bitext', 'abcd'] as const) {
    const idx = rows.flatMap((r, i) => (r.source === source ? [i] : []));
    if (!idx.length || idx.length === rows.length) continue;
    table[`${BASELINE} / ${source}`] = score(idx.map((i) => gold[i]!), idx.map(() => majority));
    table[`${SHIPPED} / ${source}`] = score(idx.map((i) => gold[i]!), idx.map((i) => predicted[i]!));
  }
  const note = split === 'report' ? 'tuned on the dev split, reported on the frozen report split' : split === 'dev' ? 'the dev split the routing was tuned on' : 'every row (a held-back file)';
  printTable(`escalation routing to teams (${note}); baseline answers "${majority}"`, table, ['n', 'accuracy', 'macro_f1', 'excluded', 'seen_in_nlu_training']);

  const confusions = new Map<string, number>();
  rows.forEach((r, i) => {
    if (predicted[i] !== r.team) confusions.set(`${r.source}:${r.label} -> ${predicted[i]} (gold ${r.team})`, (confusions.get(`${r.source}:${r.label} -> ${predicted[i]} (gold ${r.team})`) ?? 0) + 1);
  });
  console.log('\nmost frequent misroutes (label -> team: count)');
  for (const [k, n] of [...confusions.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${k}: ${n}`);
  writeJson(values.json, table);

  const shipped = table[SHIPPED]!.accuracy!;
  const baseline = table[BASELINE]!.accuracy!;
  if (shipped < floor || shipped <= baseline) {
    console.error(`routing accuracy ${shipped.toFixed(4)} is under the floor ${floor} or not above the baseline ${baseline.toFixed(4)}`);
    return 1;
  }
  return 0;
}
