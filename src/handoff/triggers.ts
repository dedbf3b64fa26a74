/**
 * Escalation triggers, checked on every shopper message before the dialogue policy: explicit
 * request, complaint, frustration, legal threats, payment card details, a high-value cart that
 * needs help, and the merchant's own rules. Pure: the caller passes the cart value and the state.
 */
import { asksAboutAssistant, asksForPerson, type Intent, type NluResult } from '../nlu/index.js';
import { MANDATORY_TRIGGERS, type Priority, type Rule, type TriggerKind } from './config.js';
import { findCardNumbers } from '../privacy/index.js';
import { frustrationScore } from './sentiment.js';

export interface Trigger {
  readonly kind: TriggerKind;
  readonly priority: Priority;
  /** A merchant rule's team, when it names one. */
  readonly team?: string;
  readonly ruleId?: string;
}

export interface TriggerInput {
  readonly text: string;
  readonly nlu: NluResult;
  /** Consecutive frustrated messages before this one. */
  readonly negativeStreak: number;
  readonly cartValueCents?: number;
}

export interface TriggerOptions {
  readonly rules: readonly Rule[];
  readonly disabled: readonly TriggerKind[];
  readonly highValueCartCents: number;
  /** The intent confidence an explicit request or complaint needs. */
  readonly minIntentConfidence?: number;
}

const LEGAL_RE = /\b(lawyers?|attorneys?|sue|suing|lawsuit|legal action|take (you|this) to court|small claims|chargeback|consumer protection|ombudsman|report (you|this) to|trading standards|bbb)\b|律师|起诉|法院|告你们|消协|消费者协会|12315|报警/i;
const CONTACT_INFO_RE = /\b(hours?|what time|when (can|could|do) i|phone( number)?|number|call|e-?mail address|opening|open)\b|几点|电话|营业时间|什么时候/i;
const COMPLAINT_RE = /\b(complain(t)?|file a complaint|formal complaint)\b|投诉/i;
/** Needing help with money while the cart is large: sales should take it. */
const HELP_INTENTS: ReadonlySet<Intent> = new Set(['payment_problem', 'checkout_help', 'complaint', 'human_agent', 'coupon_question']);

export function frustrationStreak(text: string, previous: number): number {
  return frustrationScore(text) >= 1 ? previous + 1 : 0;
}

export function detectTrigger(input: TriggerInput, options: TriggerOptions): Trigger | undefined {
  const on = (k: TriggerKind) => MANDATORY_TRIGGERS.has(k) || !options.disabled.includes(k);
  const minConf = options.minIntentConfidence ?? 0.5;
  const { text, nlu } = input;
  // Order matters: the most urgent reason names the ticket.
  if (on('payment_card') && findCardNumbers(text).length > 0) return { kind: 'payment_card', priority: 'urgent' };
  if (on('legal_threat') && LEGAL_RE.test(text)) return { kind: 'legal_threat', priority: 'urgent' };
  for (const rule of options.rules) {
    if (!on('merchant_rule')) break;
    if (new RegExp(rule.pattern, 'i').test(text)) return { kind: 'merchant_rule', priority: rule.priority, ruleId: rule.id, ...(rule.team ? { team: rule.team } : {}) };
  }
  const score = frustrationScore(text);
  const frustrated = on('frustration') && (score >= 2 || (score >= 1 && input.negativeStreak >= 1));
  // "What hours can I call support?" asks for contact details, not for a person in this chat; "are you a
  // real person?" asks what the assistant is (the intent model reads both as human_agent).
  const explicit = (nlu.intent === 'human_agent' && nlu.confidence >= minConf && !CONTACT_INFO_RE.test(text) && !asksAboutAssistant(text)) || asksForPerson(text);
  const highValue = on('high_value_cart') && (input.cartValueCents ?? 0) >= options.highValueCartCents && HELP_INTENTS.has(nlu.intent) && nlu.confidence >= minConf;
  if (highValue) return { kind: 'high_value_cart', priority: 'high' };
  if (on('complaint') && ((nlu.intent === 'complaint' && nlu.confidence >= minConf) || COMPLAINT_RE.test(text))) return { kind: 'complaint', priority: frustrated ? 'high' : 'normal' };
  if (explicit) return { kind: 'requested', priority: frustrated ? 'high' : 'normal' };
  if (frustrated) return { kind: 'frustration', priority: 'high' };
  return undefined;
}
