/**
 * Metrics for conversation evals and escalation detection. Pure functions of (expected, observed).
 */

export interface TurnExpectation {
  readonly intent?: string;
  /** Result types the bot produced this turn (order, task_ask, task_confirm, policy, handoff...). */
  readonly actions?: readonly string[];
  /** Task slots that must hold these values after the turn (null: the task is gone). */
  readonly slots?: Readonly<Record<string, string>> | null;
  readonly task?: string | null;
  readonly contains?: readonly string[];
  readonly not?: readonly string[];
  readonly matches?: string;
  readonly handoff?: string;
  readonly silent?: boolean;
}

export interface TurnObservation {
  readonly intent?: string;
  readonly actions: readonly string[];
  readonly slots?: Readonly<Record<string, string>>;
  readonly task?: string;
  readonly text: string;
  readonly handoff?: string;
  readonly silent: boolean;
}

/** The failed assertions of one turn, as readable strings (empty: the turn passed). */
export function checkTurn(e: TurnExpectation, o: TurnObservation): string[] {
  const f: string[] = [];
  if (e.intent !== undefined && e.intent !== o.intent) f.push(`intent: expected ${e.intent}, got ${o.intent ?? '-'}`);
  if (e.actions) {
    const missing = e.actions.filter((a) => !o.actions.includes(a));
    if (missing.length) f.push(`actions: expected ${e.actions.join(',')}, got ${o.actions.join(',') || '-'}`);
  }
  if (e.task !== undefined && (e.task ?? undefined) !== o.task) f.push(`task: expected ${e.task ?? 'none'}, got ${o.task ?? 'none'}`);
  if (e.slots === null && o.slots && Object.keys(o.slots).length) f.push(`slots: expected none, got ${JSON.stringify(o.slots)}`);
  if (e.slots) for (const [k, v] of Object.entries(e.slots)) if (o.slots?.[k] !== v) f.push(`slot ${k}: expected ${v}, got ${o.slots?.[k] ?? '-'}`);
  for (const c of e.contains ?? []) if (!o.text.includes(c)) f.push(`reply should contain "${c}": "${o.text.slice(0, 160)}"`);
  for (const c of e.not ?? []) if (o.text.includes(c)) f.push(`reply should not contain "${c}"`);
  if (e.matches !== undefined && !new RegExp(e.matches, 'i').test(o.text)) f.push(`reply should match /${e.matches}/: "${o.text.slice(0, 160)}"`);
  if (e.handoff !== undefined && (e.handoff === 'none' ? o.handoff !== undefined : e.handoff !== o.handoff)) f.push(`handoff: expected ${e.handoff}, got ${o.handoff ?? 'none'}`);
  if (e.silent !== undefined && e.silent !== o.silent) f.push(`silent: expected ${e.silent}`);
  return f;
}

export interface ConversationOutcome {
  readonly name: string;
  readonly lang: string;
  readonly category?: string;
  /** Per turn: the failed assertions. */
  readonly turns: readonly (readonly string[])[];
  /** Per turn with an expected intent: whether the intent matched. */
  readonly intentHits: readonly boolean[];
}

const passes = (c: ConversationOutcome) => c.turns.every((t) => t.length === 0);
const rate = (cs: readonly ConversationOutcome[]) => (cs.length ? cs.filter(passes).length / cs.length : 0);
const categoryOf = (c: ConversationOutcome) => c.category ?? 'uncategorised';

/**
 * Pass rates overall, per language and per category (`pass_rate_<category>`, and
 * `pass_rate_<category>_<lang>` where the category has conversations in that language).
 */
export function conversationMetrics(outcomes: readonly ConversationOutcome[]): Record<string, number> {
  const turns = outcomes.flatMap((c) => c.turns);
  const intents = outcomes.flatMap((c) => c.intentHits);
  const m: Record<string, number> = {
    conversations: outcomes.length,
    passed: outcomes.filter(passes).length,
    pass_rate: rate(outcomes),
    turns: turns.length,
    turn_pass_rate: turns.length ? turns.filter((t) => t.length === 0).length / turns.length : 0,
    ...(intents.length ? { intent_accuracy: intents.filter(Boolean).length / intents.length } : {}),
  };
  for (const lang of ['en', 'zh']) {
    const l = outcomes.filter((c) => c.lang === lang);
    if (l.length) m[`pass_rate_${lang}`] = rate(l);
  }
  if (outcomes.some((c) => c.category)) {
    for (const cat of [...new Set(outcomes.map(categoryOf))].sort()) {
      const cs = outcomes.filter((c) => categoryOf(c) === cat);
      m[`pass_rate_${cat}`] = rate(cs);
      for (const lang of ['en', 'zh']) {
        const l = cs.filter((c) => c.lang === lang);
        if (l.length) m[`pass_rate_${cat}_${lang}`] = rate(l);
      }
    }
  }
  return m;
}

/** One row per category: conversations and pass rates, all and per language. */
export function categoryTable(outcomes: readonly ConversationOutcome[]): Record<string, Record<string, number>> {
  const rows: Record<string, Record<string, number>> = {};
  for (const cat of [...new Set(outcomes.map(categoryOf))].sort()) {
    const cs = outcomes.filter((c) => categoryOf(c) === cat);
    const en = cs.filter((c) => c.lang === 'en');
    const zh = cs.filter((c) => c.lang === 'zh');
    rows[cat] = { n: cs.length, passed: cs.filter(passes).length, pass_rate: rate(cs), n_en: en.length, pass_rate_en: rate(en), n_zh: zh.length, pass_rate_zh: rate(zh) };
  }
  return rows;
}

/** Failed conversations per category and language ("naming/en": 3), for splits whose failures are not shown one by one. */
export function failureCounts(outcomes: readonly ConversationOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of outcomes) {
    if (passes(c)) continue;
    const key = `${categoryOf(c)}/${c.lang}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Precision, recall and F1 of a binary detector. */
export function binaryMetrics(gold: readonly boolean[], predicted: readonly boolean[]): { precision: number; recall: number; f1: number; tp: number; fp: number; fn: number; n: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  gold.forEach((g, i) => {
    const p = predicted[i] ?? false;
    if (p && g) tp++;
    else if (p) fp++;
    else if (g) fn++;
  });
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, tp, fp, fn, n: gold.length };
}
