/**
 * Labelled service utterances for `shopbot eval routing`, read in their datasets' original formats,
 * with each label's gold team from evals/data/routing/label-map.json, and the routing split.
 *
 *   Bitext (CSV `utterance,intent,...,category,tags`): the gold team is the intent's override, else
 *     the category's. A row is in the report split when
 *     mix(fnv1a("routing-report:bitext"), fnv1a(lower-cased utterance)) % 1000 < 500, else in dev: the rule reads
 *     the text, so repeated utterances never straddle the split. Bitext repeats some utterances across
 *     its own CSVs: a report row whose text (any case) the NLU was trained on is dropped, counted in
 *     `seenInTraining` (withoutSeen). Frozen before the routing was tuned
 *     (evals/data/routing/report-split.json records it; a test reproduces it).
 *   ABCD (JSON, `abcd_sample.json`: a list of conversations; `abcd_v1.1.json`: {train, dev, test}):
 *     the routed text is what the customer wrote before the agent's first action (at most three
 *     turns: the opening that states the problem); the gold team is the subflow's (a trailing `_N`
 *     variant number dropped), else the flow's. The list and `test` are report rows; train/dev are dev.
 */
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { ShopbotError } from '../src/errors.js';
import { fnv1a, mix } from '../src/learning/encoder.js';

export type RoutingSplit = 'dev' | 'report';
export const REPORT_PERMILLE = 500;
const MAX_ROWS = 50_000;
const MAX_TEXT = 2000;

export interface RoutingRow {
  readonly source: 'bitext' | 'abcd';
  readonly text: string;
  /** The dataset's own label (Bitext intent, ABCD flow/subflow). */
  readonly label: string;
  readonly team: string;
  readonly split: RoutingSplit;
}

const TeamOrNull = z.string().min(1).max(40).nullable();
export const RoutingLabelMapSchema = z.object({
  bitext: z.object({ default: TeamOrNull, categories: z.record(z.string(), TeamOrNull), intents: z.record(z.string(), TeamOrNull).default({}) }),
  abcd: z.object({ default: TeamOrNull, flows: z.record(z.string(), TeamOrNull), subflows: z.record(z.string(), TeamOrNull).default({}) }),
});
export type RoutingLabelMap = z.infer<typeof RoutingLabelMapSchema>;

export function loadRoutingLabelMap(file: string): RoutingLabelMap {
  const parsed = RoutingLabelMapSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new ShopbotError('BAD_REQUEST', `${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export const bitextSplitOf = (utterance: string): RoutingSplit => (mix(fnv1a('routing-report:bitext'), fnv1a(utterance.toLowerCase())) % 1000 < REPORT_PERMILLE ? 'report' : 'dev');

/** Rows whose label maps to null are counted in `excluded`, not returned. */
export interface Loaded {
  readonly rows: RoutingRow[];
  readonly excluded: number;
}

const has = (o: Record<string, unknown>, k: string) => Object.hasOwn(o, k);

export function readBitextRouting(file: string, map: RoutingLabelMap['bitext']): Loaded {
  const records = z.array(z.record(z.string(), z.string())).max(MAX_ROWS).parse(parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, relax_column_count: true, bom: true }));
  if (records.length && !['utterance', 'intent', 'category'].every((c) => c in records[0]!)) throw new ShopbotError('BAD_REQUEST', `${file}: expected the Bitext columns utterance, intent, category`);
  const rows: RoutingRow[] = [];
  let excluded = 0;
  for (const r of records) {
    const text = (r.utterance ?? '').trim().slice(0, MAX_TEXT);
    const intent = (r.intent ?? '').trim();
    const category = (r.category ?? '').trim();
    if (!text) continue;
    const team = has(map.intents, intent) ? map.intents[intent] : has(map.categories, category) ? map.categories[category] : map.default;
    if (!team) {
      excluded++;
      continue;
    }
    rows.push({ source: 'bitext', text, label: intent, team, split: bitextSplitOf(text) });
  }
  return { rows, excluded };
}

const AbcdConversationSchema = z.object({
  convo_id: z.union([z.number(), z.string()]),
  scenario: z.object({ flow: z.string().max(100), subflow: z.string().max(100) }),
  original: z.array(z.tuple([z.string().max(20), z.string().max(MAX_TEXT)])).max(500),
});
type AbcdConversation = z.infer<typeof AbcdConversationSchema>;
const AbcdFileSchema = z.union([z.array(AbcdConversationSchema).max(MAX_ROWS), z.record(z.string(), z.array(AbcdConversationSchema).max(MAX_ROWS))]);

/** What the customer wrote before the agent's first action (the opening that states the problem), at most three turns. */
export function abcdOpening(turns: AbcdConversation['original']): string {
  const firstAction = turns.findIndex(([speaker]) => speaker === 'action');
  const before = firstAction < 0 ? turns : turns.slice(0, firstAction);
  return before
    .filter(([speaker]) => speaker === 'customer')
    .slice(0, 3)
    .map(([, text]) => text.trim())
    .join(' ')
    .slice(0, MAX_TEXT);
}

export function readAbcdRouting(file: string, map: RoutingLabelMap['abcd']): Loaded {
  const parsed = AbcdFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new ShopbotError('BAD_REQUEST', `${file}: not ABCD conversations (a list, or {train, dev, test} lists)`);
  const parts: [RoutingSplit, AbcdConversation[]][] = Array.isArray(parsed.data)
    ? [['report', parsed.data]]
    : Object.entries(parsed.data).map(([key, convos]) => [key === 'test' ? 'report' : 'dev', convos]);
  const rows: RoutingRow[] = [];
  let excluded = 0;
  for (const [split, convos] of parts) {
    for (const c of convos) {
      const subflow = c.scenario.subflow.replace(/_\d+$/, '');
      const team = has(map.subflows, subflow) ? map.subflows[subflow] : has(map.flows, c.scenario.flow) ? map.flows[c.scenario.flow] : map.default;
      const text = abcdOpening(c.original);
      if (!team || !text) {
        excluded++;
        continue;
      }
      rows.push({ source: 'abcd', text, label: `${c.scenario.flow}/${subflow}`, team, split });
    }
  }
  return { rows, excluded };
}

/** Report rows the NLU's training file holds (any case) are dropped and counted: a figure on them would not be held out. */
export function withoutSeen(rows: readonly RoutingRow[], trainingTexts: Iterable<string>): { rows: RoutingRow[]; seenInTraining: number } {
  const seen = new Set([...trainingTexts].map((t) => t.toLowerCase()));
  const kept = rows.filter((r) => r.split !== 'report' || !seen.has(r.text.toLowerCase()));
  return { rows: kept, seenInTraining: rows.length - kept.length };
}
