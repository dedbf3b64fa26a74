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
  if (e.handoff !== undefined && e.handoff !== o.handoff) f.push(`handoff: expected ${e.handoff}, got ${o.handoff ?? 'none'}`);
  if (e.silent !== undefined && e.silent !== o.silent) f.push(`silent: expected ${e.silent}`);
  return f;
}

export interface ConversationOutcome {
  readonly name: string;
  readonly lang: string;
  /** Per turn: the failed assertions. */
  readonly turns: readonly (readonly string[])[];
  /** Per turn with an expected intent: whether the intent matched. */
  readonly intentHits: readonly boolean[];
}

export function conversationMetrics(outcomes: readonly ConversationOutcome[]): Record<string, number> {
  const passed = outcomes.filter((c) => c.turns.every((t) => t.length === 0)).length;
  const turns = outcomes.flatMap((c) => c.turns);
  const intents = outcomes.flatMap((c) => c.intentHits);
  const byLang = (lang: string) => {
    const cs = outcomes.filter((c) => c.lang === lang);
    return cs.length ? cs.filter((c) => c.turns.every((t) => t.length === 0)).length / cs.length : 0;
  };
  return {
    conversations: outcomes.length,
    passed,
    pass_rate: outcomes.length ? passed / outcomes.length : 0,
    turns: turns.length,
    turn_pass_rate: turns.length ? turns.filter((t) => t.length === 0).length / turns.length : 0,
    intent_accuracy: intents.length ? intents.filter(Boolean).length / intents.length : 0,
    pass_rate_en: byLang('en'),
    pass_rate_zh: byLang('zh'),
  };
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
