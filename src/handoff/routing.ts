/**
 * Routing: which team takes an escalation (skill for the topic, the shopper's language, open now,
 * room under capacity), at what priority, and where it stands in the queue. Pure.
 */
import type { TaskKind } from '../dialogue/index.js';
import type { Lang } from '../messages.js';
import type { Intent } from '../nlu/index.js';
import type { Priority, Team, TriggerKind } from './config.js';

export const PRIORITY_RANK: Readonly<Record<Priority, number>> = { low: 0, normal: 1, high: 2, urgent: 3 };

const TOPIC_OF_INTENT: Partial<Record<Intent, string>> = {
  payment_problem: 'billing',
  coupon_question: 'billing',
  account: 'billing',
  order_status: 'shipping',
  shipping_delivery: 'shipping',
  cancel_order: 'shipping',
  returns_refunds: 'returns',
  complaint: 'complaints',
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
  refund_status: 'billing',
  checkout: 'sales',
};

const TOPIC_CUES: readonly [string, RegExp][] = [
  ['billing', /\b(pay(ment)?|paid|charged?|card|invoice|billing|refund(ed)?|money back|coupon|discount)\b|付款|支付|扣款|扣费|退款|发票|优惠/i],
  ['returns', /\b(return(ing|ed)?|exchange|send (it )?back|damaged|broken|defective|wrong item)\b|退货|换货|退回|坏了|破损/i],
  ['shipping', /\b(ship(ping|ped)?|deliver(y|ed)?|track(ing)?|parcel|package|courier|late|lost|address)\b|物流|快递|发货|送达|地址|包裹/i],
  ['sales', /\b(buy|purchase|bulk|wholesale|price|product|recommend|stock)\b|购买|批发|价格|推荐/i],
];

/** The topic a message names, if it names one. */
export function topicFromText(text: string): string | undefined {
  return TOPIC_CUES.find(([, re]) => re.test(text))?.[0];
}

/** The topic of an escalation: the trigger when it says, else what the conversation was about. */
export function topicOf(trigger: TriggerKind, context: { intent?: Intent; lastIntent?: Intent; taskKind?: TaskKind; text?: string }): string {
  if (trigger === 'payment_card') return 'billing';
  if (trigger === 'legal_threat') return 'legal';
  if (trigger === 'high_value_cart') return 'sales';
  const fromTask = context.taskKind ? TOPIC_OF_TASK[context.taskKind] : undefined;
  const fromText = context.text ? topicFromText(context.text) : undefined;
  const fromIntent = fromText ?? (context.intent ? TOPIC_OF_INTENT[context.intent] : undefined) ?? (context.lastIntent ? TOPIC_OF_INTENT[context.lastIntent] : undefined);
  if (trigger === 'complaint') return fromTask ?? (fromIntent && fromIntent !== 'sales' ? fromIntent : 'complaints');
  return fromTask ?? fromIntent ?? 'general';
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
