/**
 * `shopbot eval conversations [FILES...] [--bitext VALIDATION_CSV] [--json OUT] [--verbose]`
 *
 * Rasa-style end-to-end conversation tests: each file (JSON, evals/conversations/*.json) holds
 * scripted conversations — user turns with the expected intent, bot actions (result types), task
 * slots and reply assertions — run through the real app (embedded engines, demo store with seeded
 * orders, injected clock). Prints the pass rate and every failure.
 * With --bitext, also measures escalation precision/recall: Bitext `contact_human_agent` and
 * `complaint` utterances should trigger a handoff, all other intents should not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { openApp, resolveFromRoot } from '../src/app.js';
import { ProductSchema } from '../src/catalog/index.js';
import { loadConfig } from '../src/config.js';
import { ShopbotError } from '../src/errors.js';
import { DEFAULT_HANDOFF, detectTrigger } from '../src/handoff/index.js';
import { openLinearNlu, readBitextCsv } from '../src/nlu/index.js';
import type { DemoStore } from '../src/store/demo.js';
import type { TurnInfo } from '../src/turn.js';
import { binaryMetrics, checkTurn, conversationMetrics, type ConversationOutcome, type TurnExpectation } from './metrics/conversations.js';
import { printTable, requireFile, writeJson } from './report.js';
import { parseFlags } from '../cli/args.js';

export const USAGE = `usage: shopbot eval conversations [FILES...] [--bitext VALIDATION_CSV] [--json OUT] [--verbose]

Rasa-style end-to-end conversation tests: each file (JSON, evals/conversations/*.json) holds
scripted conversations — user turns with the expected intent, bot actions (result types), task
slots and reply assertions — run through the real app (embedded engines, demo store with seeded
orders, injected clock). Prints the pass rate and every failure. With --bitext, also measures
escalation precision/recall: Bitext 'contact_human_agent' and 'complaint' utterances should
trigger a handoff, all other intents should not.

options:
  --json OUT
  --bitext FILE
  --verbose
  --model DIR   (default models/intent-linear)`;

const HOUR = 3_600_000;
export const EVAL_T0 = Date.UTC(2026, 0, 14, 15); // a Wednesday afternoon: business hours everywhere

const ItemSchema = z.object({ title: z.string().max(200), quantity: z.number().int().min(1).max(99), priceCents: z.number().int().min(0) });
const OrderSchema = z.object({
  id: z.string().regex(/^SB-\d{6}$/),
  /** Hours before the conversation starts (fulfilment follows from age: 1h shipped, 48h delivered). */
  ageHours: z.number().min(0).max(24 * 400),
  owner: z.enum(['me', 'other']).default('me'),
  email: z.string().max(200).optional(),
  status: z.enum(['processing', 'cancelled']).optional(),
  items: z.array(ItemSchema).min(1).max(20).default([{ title: 'Trail running shoe', quantity: 2, priceCents: 4_500 }]),
});
const TurnSchema = z.object({
  user: z.string().min(1).max(2000),
  /** Move the clock forward before this turn. */
  advanceHours: z.number().min(0).max(24 * 60).optional(),
  intent: z.string().max(60).optional(),
  actions: z.array(z.string().max(60)).max(20).optional(),
  slots: z.record(z.string(), z.string().max(500)).nullable().optional(),
  task: z.string().max(60).nullable().optional(),
  contains: z.array(z.string().max(500)).max(20).optional(),
  not: z.array(z.string().max(500)).max(20).optional(),
  matches: z.string().max(500).optional(),
  handoff: z.string().max(30).optional(),
  silent: z.boolean().optional(),
});
const ConversationSchema = z.object({
  name: z.string().min(1).max(200),
  lang: z.enum(['en', 'zh']),
  /** Where the script comes from (e.g. "ABCD guidelines: Product Defect / Return Due to Size"). */
  source: z.string().max(300).optional(),
  /** Agents are logged in (handoffs open tickets and the bot goes quiet). */
  agents: z.boolean().default(true),
  cartCents: z.number().int().min(0).optional(),
  orders: z.array(OrderSchema).max(20).optional(),
  turns: z.array(TurnSchema).min(1).max(40),
});
export const ConversationFileSchema = z.object({ conversations: z.array(ConversationSchema).min(1).max(500) });
export type EvalConversation = z.infer<typeof ConversationSchema>;

const DEFAULT_ORDERS: z.input<typeof OrderSchema>[] = [
  { id: 'SB-100001', ageHours: 0.2, email: 'me@example.com' },
  { id: 'SB-100003', ageHours: 72, email: 'me@example.com', items: [{ title: 'Waterproof hiking boot', quantity: 1, priceCents: 12_000 }] },
  { id: 'SB-200001', ageHours: 72, owner: 'other', email: 'other@example.com' },
];

export function loadConversationFile(file: string): EvalConversation[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ShopbotError('INPUT_MISSING', `${file}: ${(cause as Error).message}`, { cause });
  }
  const parsed = ConversationFileSchema.safeParse(raw);
  if (!parsed.success) throw new ShopbotError('BAD_REQUEST', `${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.conversations;
}

/** Runs one conversation in a fresh in-memory app and returns the failed assertions per turn. */
export async function runConversation(c: EvalConversation, options: { policiesDir?: string } = {}): Promise<ConversationOutcome> {
  const clock = { now: EVAL_T0 };
  let last: TurnInfo | undefined;
  const config = loadConfig({
    overrides: {
      dataDir: ':memory:',
      logLevel: 'silent',
      catalog: { demo: false },
      coupons: { enabled: false },
      store: { policiesDir: options.policiesDir ?? 'evals/data/demo-store/policies' },
      ...(c.agents ? { agents: { users: 'eval-agent:eval-password' } } : {}),
    },
  });
  const app = await openApp(config, { now: () => clock.now, onTurnEnd: [(info) => (last = info)] });
  try {
    const store = app.store as DemoStore;
    for (const o of (c.orders ?? DEFAULT_ORDERS).map((x) => OrderSchema.parse(x))) {
      store.seedOrder({
        id: o.id,
        userId: o.owner === 'me' ? 'eval-user' : 'someone-else',
        ...(o.email ? { email: o.email } : {}),
        lines: o.items.map((it, i) => ({ productId: `p${i + 1}`, title: it.title, quantity: it.quantity, unitPriceCents: it.priceCents })),
        createdAt: clock.now - o.ageHours * HOUR,
        ...(o.status ? { status: o.status } : {}),
      });
    }
    if (c.cartCents) {
      // A basket of this value (the catalog is empty here): one line the store prices as given.
      await store.addToCart('eval-user', ProductSchema.parse({ id: 'cart-item', title: 'cart item', priceCents: c.cartCents, currency: 'USD', source: 'api' }), 1);
    }
    const turns: string[][] = [];
    const intentHits: boolean[] = [];
    for (const t of c.turns) {
      if (t.advanceHours) clock.now += t.advanceHours * HOUR;
      last = undefined;
      const reply = await app.handleTurn({ conversationId: 'eval-conversation', userId: 'eval-user', channel: 'cli', text: t.user });
      const state = await app.states.load('eval-conversation');
      const expectation: TurnExpectation = {
        ...(t.intent !== undefined ? { intent: t.intent } : {}),
        ...(t.actions ? { actions: t.actions } : {}),
        ...(t.slots !== undefined ? { slots: t.slots } : {}),
        ...(t.task !== undefined ? { task: t.task } : {}),
        ...(t.contains ? { contains: t.contains } : {}),
        ...(t.not ? { not: t.not } : {}),
        ...(t.matches !== undefined ? { matches: t.matches } : {}),
        ...(t.handoff !== undefined ? { handoff: t.handoff } : {}),
        ...(t.silent !== undefined ? { silent: t.silent } : {}),
      };
      const fails = checkTurn(expectation, {
        ...(reply.intent ? { intent: reply.intent } : {}),
        actions: last ? (last as TurnInfo).results.map((r) => r.type) : [],
        ...(state?.task ? { slots: state.task.slots, task: state.task.kind } : {}),
        text: reply.text,
        ...(reply.handoff ? { handoff: reply.handoff.status } : {}),
        silent: reply.silent === true,
      });
      turns.push(fails);
      if (t.intent !== undefined) intentHits.push(reply.intent === t.intent);
    }
    return { name: c.name, lang: c.lang, turns, intentHits };
  } finally {
    await app.close();
  }
}

/** Escalation detection on Bitext: the trigger detector over the NLU, as the turn runs it. */
export async function bitextEscalation(file: string, modelDir: string): Promise<ReturnType<typeof binaryMetrics>> {
  const rows = readBitextCsv(file);
  const nlu = await openLinearNlu(modelDir);
  try {
    const gold: boolean[] = [];
    const predicted: boolean[] = [];
    for (const r of rows) {
      gold.push(r.label === 'contact_human_agent' || r.label === 'complaint');
      const parsed = await nlu.parse(r.text);
      const trigger = detectTrigger({ text: r.text, nlu: parsed, negativeStreak: 0 }, { rules: DEFAULT_HANDOFF.rules, disabled: DEFAULT_HANDOFF.disabledTriggers, highValueCartCents: Number.MAX_SAFE_INTEGER });
      predicted.push(trigger !== undefined);
    }
    return binaryMetrics(gold, predicted);
  } finally {
    await nlu.close();
  }
}

function expandFiles(args: readonly string[]): string[] {
  const inputs = args.length ? args : [resolveFromRoot('evals/conversations')];
  return inputs.flatMap((p) => {
    const file = requireFile(p, 'conversations');
    try {
      return readdirSync(file).filter((n) => n.endsWith('.json')).sort().map((n) => path.join(file, n));
    } catch {
      return [file];
    }
  });
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    usage: USAGE,
    allowPositionals: true,
    options: { json: { type: 'string' }, bitext: { type: 'string' }, verbose: { type: 'boolean', default: false }, model: { type: 'string', default: 'models/intent-linear' } },
  });
  try {
    const files = expandFiles(positionals);
    const outcomes: ConversationOutcome[] = [];
    for (const file of files) {
      for (const c of loadConversationFile(file)) {
        const o = await runConversation(c);
        outcomes.push(o);
        const failed = o.turns.flatMap((t, i) => t.map((f) => `turn ${i + 1}: ${f}`));
        if (failed.length) console.log(`FAIL ${path.basename(file)} · ${c.name}\n  ${failed.join('\n  ')}`);
        else if (values.verbose) console.log(`ok   ${path.basename(file)} · ${c.name}`);
      }
    }
    const metrics = conversationMetrics(outcomes);
    const table: Record<string, Record<string, number>> = { conversations: metrics };
    if (values.bitext) {
      const m = await bitextEscalation(requireFile(values.bitext, '--bitext'), resolveFromRoot(values.model!));
      table.escalation_bitext = { precision: m.precision, recall: m.recall, f1: m.f1, tp: m.tp, fp: m.fp, fn: m.fn, n: m.n };
    }
    printTable('Conversation evals (development data)', { conversations: metrics });
    if (table.escalation_bitext) printTable('Escalation on Bitext validation (contact_human_agent + complaint vs rest)', { triggers: table.escalation_bitext });
    writeJson(values.json, table);
    return 0;
  } catch (err) {
    if (err instanceof ShopbotError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}
