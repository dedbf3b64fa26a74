/**
 * Routing: which team takes an escalation (skill for the topic, the shopper's language, open now,
 * room under capacity), at what priority, and where it stands in the queue. Pure.
 */
import type { TaskKind } from '../dialogue/index.js';
import type { Lang } from '../messages.js';
import type { Entities, Intent, IntentScore } from '../nlu/index.js';
import type { Priority, Team, TriggerKind } from './config.js';

export const PRIORITY_RANK: Readonly<Record<Priority, number>> = { low: 0, normal: 1, high: 2, urgent: 3 };

/** The topic each service intent names; intents absent here (complaint, human_agent, greetings, out of scope) name none. */
const TOPIC_OF_INTENT: Partial<Record<Intent, string>> = {
  payment_problem: 'billing',
  coupon_question: 'billing',
  account: 'account',
  order_status: 'shipping',
  shipping_delivery: 'shipping',
  cancel_order: 'shipping',
  returns_refunds: 'returns',
  product_search: 'sales',
  product_question: 'sales',
  add_to_cart: 'sales',
  view_cart: 'sales',
  checkout_help: 'sales',
};
const TOPIC_OF_TASK: Partial<Record<TaskKind, string>> = {
  order_status: 'shipping',
  cancel_order: 'shipping',
  change_address: 'shipping',
  return_order: 'returns',
  refund_status: 'returns',
  checkout: 'sales',
};

/**
 * A runner-up intent names the topic of a complaint or a request for a person ("my parcel is late,
 * I want to complain": complaint first, shipping_delivery second) when it keeps at least this share
 * of the top intent's probability. Chosen on the routing dev split (evals/routing.ts).
 */
export const RUNNER_UP_SHARE = 0.05;

/** What the routing reads of the NLU's structured parse (never the raw text). */
export interface RoutingParse {
  readonly intent: Intent;
  readonly confidence: number;
  readonly ranking: readonly IntentScore[];
  readonly entities: Pick<Entities, 'orderIds' | 'money'>;
}

export interface RoutingContext {
  readonly parse?: RoutingParse;
  readonly lastIntent?: Intent;
  readonly taskKind?: TaskKind;
}

/** The topic the parse's own intent names, and the best runner-up service intent's. */
export function topicsOfParse(parse: RoutingParse): { own?: string; runnerUp?: string } {
  const own = TOPIC_OF_INTENT[parse.intent];
  const top = parse.ranking[0]?.confidence ?? parse.confidence;
  const next = parse.ranking.find((r) => r.intent !== parse.intent && TOPIC_OF_INTENT[r.intent] && r.confidence >= top * RUNNER_UP_SHARE);
  const runnerUp = next ? TOPIC_OF_INTENT[next.intent] : undefined;
  return { ...(own ? { own } : {}), ...(runnerUp ? { runnerUp } : {}) };
}

/**
 * The topic of an escalation: the trigger when it says; else this message's intent; else the task
 * or intent the conversation was in (a frustrated "this is ridiculous" is about the return under
 * way); else the message's runner-up intent; else an order number in the message makes it an order
 * question; else a complaint goes to complaints and anything else to general.
 */
export function topicOf(trigger: TriggerKind, context: RoutingContext): string {
  if (trigger === 'payment_card') return 'billing';
  if (trigger === 'legal_threat') return 'legal';
  if (trigger === 'high_value_cart') return 'sales';
  const parsed = context.parse ? topicsOfParse(context.parse) : {};
  const fromTask = context.taskKind ? TOPIC_OF_TASK[context.taskKind] : undefined;
  const fromHistory = context.lastIntent ? TOPIC_OF_INTENT[context.lastIntent] : undefined;
  const fromEntities = context.parse?.entities.orderIds.length ? 'shipping' : undefined;
  // A complaint about browsing is still a complaint: sales does not take grievances.
  const topical = [parsed.own, fromTask, fromHistory, parsed.runnerUp, fromEntities].find((t) => t && !(trigger === 'complaint' && t === 'sales'));
  return topical ?? (trigger === 'complaint' ? 'complaints' : 'general');
}

/** The escalation's priority: the trigger's, raised to high when money is stuck or the shopper is frustrated. */
export function priorityOf(trigger: TriggerKind, context: { parse?: RoutingParse; negativeStreak: number; rulePriority?: Priority }): Priority {
  let priority = context.rulePriority ?? defaultPriority(trigger);
  const raise = context.negativeStreak > 0 || context.parse?.intent === 'payment_problem';
  if (raise && PRIORITY_RANK[priority] < PRIORITY_RANK.high) priority = 'high';
  return priority;
}

export function defaultPriority(trigger: TriggerKind): Priority {
  switch (trigger) {
    case 'payment_card':
    case 'legal_threat':
      return 'urgent';
    case 'high_value_cart':
    case 'frustration':
      return 'high';
    case 'repeated_low_confidence':
      return 'low';
    default:
      return 'normal';
  }
}

/** Is the team working at `nowMs`? Business hours are read in the team's time zone. */
export function isOpen(team: Team, nowMs: number): boolean {
  const h = team.hours;
  if (!h) return true;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: h.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(nowMs));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  const minutes = Number(get('hour')) * 60 + Number(get('minute'));
  const [oh, om] = h.open.split(':').map(Number) as [number, number];
  const [ch, cm] = h.close.split(':').map(Number) as [number, number];
  return h.days.includes(day) && minutes >= oh * 60 + om && minutes < ch * 60 + cm;
}

export interface RouteInput {
  readonly topic: string;
  readonly lang: Lang;
  readonly nowMs: number;
  readonly teams: readonly Team[];
  /** Open tickets (queued + assigned) per team id. */
  readonly load: ReadonlyMap<string, number>;
  /** A merchant rule may name the team. */
  readonly preferTeam?: string;
}

export interface Route {
  readonly team: Team;
  /** No team with the skill is open now: the ticket waits for opening hours. */
  readonly afterHours: boolean;
}

export function route(input: RouteInput): Route {
  const { teams } = input;
  const named = input.preferTeam ? teams.filter((t) => t.id === input.preferTeam) : [];
  let pool = named.length ? named : teams.filter((t) => t.skills.includes(input.topic));
  if (!pool.length) pool = teams.filter((t) => t.skills.includes('general'));
  if (!pool.length) pool = [...teams];
  const speaking = pool.filter((t) => t.languages.includes(input.lang));
  if (speaking.length) pool = speaking;
  const load = (t: Team) => input.load.get(t.id) ?? 0;
  const ranked = [...pool].sort((a, b) => {
    const open = Number(isOpen(b, input.nowMs)) - Number(isOpen(a, input.nowMs));
    if (open) return open;
    const room = Number(load(b) < b.capacity) - Number(load(a) < a.capacity);
    if (room) return room;
    return load(a) / a.capacity - load(b) / b.capacity || a.id.localeCompare(b.id);
  });
  const team = ranked[0]!;
  return { team, afterHours: !isOpen(team, input.nowMs) };
}
