/**
 * Multi-turn service tasks (track, cancel, change address, return, refund status): slot filling
 * with re-asking, corrections ("no, the other order"), digressions with a return to the task,
 * cancelling ("never mind"), and a yes/no confirmation before anything that changes an order.
 * Pure: (state, input) -> decision. The `task` action runs it against the store (src/actions/tasks.ts).
 */
import type { Entities, Intent, NluResult } from '../nlu/index.js';
import { orderIdsIn as orderIdsInText } from '../text/index.js';
import { RETURN_REASONS, type ReturnReason } from '../store/index.js';
import type { ConversationState, Task, TaskKind } from './state.js';

/** The actions a task adds to the policy's Action union. */
export type TaskAction =
  | { readonly type: 'task'; readonly task: Task; readonly resume?: boolean }
  | { readonly type: 'task_cancelled'; readonly kind: TaskKind };

export interface TaskInput {
  readonly text: string;
  readonly nlu: NluResult;
}

export interface TaskDecision {
  readonly actions: readonly TaskAction[];
  readonly state: ConversationState;
}

const MAX_RETRIES = 3;
/** A message this confidently about something else is a digression, not an answer to the slot. */
const DIGRESSION_CONFIDENCE = 0.7;

const CANCEL_RE = /^\s*(never ?mind|nevermind|forget (it|about it)|cancel (that|this|it)|stop|don'?t bother|nothing|no thanks|leave it|算了|不用了|不要了|取消吧|没事了?)\b|^\s*(算了|不用了|不要了|没事了?|取消吧)/i;
const YES_RE = /^\s*(y|yes|yeah|yep|yup|sure|ok|okay|confirm(ed)?|correct|right|go ahead|do it|please do|yes please|that'?s (right|it|the one)|是|是的|对|对的|好|好的|确认|可以|没错|行)(\b|[\s,.!，。！]|$)/i;
const NO_RE = /^\s*(n|no|nope|nah|don'?t|do not|wait|不|不是|不对|不要|别|错了)(\b|[\s,.!，。！]|$)/i;
const CORRECTION_RE = /\b(the other (one|order)|another order|not (that|this) (one|order)|wrong order|different order|other order)\b|另一个|另外一个|不是这个|别的订单|另一笔/i;
const LATEST_RE = /\b(latest|last|most recent|newest|recent)\b|最近|最新|上一个/i;

const CUE = {
  changeAddress: /\b(change|update|correct|wrong|edit)\b.{0,30}\b(address|shipping address|delivery address)\b|\baddress\b.{0,20}\b(change|wrong)\b|(改|修改|更改|更新).{0,6}地址|地址.{0,4}(错|改)/i,
  cancel: /\bcancel+(ing|ed)?\b.{0,40}\b(order|purchase|it|my)\b|\b(order|purchase)\b.{0,20}\bcancel|取消.{0,6}(订单|购买|这单)|(订单|这单).{0,4}取消/i,
  refundStatus: /\b(where|status|when|has|have|did|track|haven'?t|not (yet )?received|still)\b.{0,40}\brefund|\brefund\b.{0,30}\b(status|yet|arrive|received|processed|come|where)|退款.{0,8}(到|状态|什么时候|没|进度|哪)|(什么时候|何时).{0,6}退款/i,
  returnStart: /\b(return|send back)\b.{0,40}\b(order|item|it|this|them|shoes?|boots?|product|purchase|package|parcel)\b|\bsend (it|this|them) back\b|\b(start|open|make|initiate|begin|request)\b.{0,10}\b(a |the )?return\b|\bi (want|would like|'?d like|need) to return\b|我(要|想)退|退货|退回|申请退/i,
  policyQuestion: /\b(policy|policies|how (long|many days|much|does|do i|can i)|can i return|what is your|what'?s your|do you (accept|allow|offer|ship)|deadline|window|rules?|allowed to|is it possible)\b|政策|规定|多久|几天|可以.{0,6}吗|能不能|是否/i,
};

const REASON_CUES: readonly [ReturnReason, RegExp][] = [
  ['damaged', /\b(damaged|broken|cracked|defective|faulty|doesn'?t work|not working|stopped working|torn|ripped|scratched|dented)\b|坏|破|损|裂|故障|不能用|质量问题/i],
  ['wrong_item', /\b(wrong (item|size sent|color sent|product|one)|not what i ordered|sent (me )?the wrong|incorrect item|different item)\b|发错|错发|不是我买的|不是我订的/i],
  ['not_as_described', /\b(not as described|doesn'?t match|different from (the )?(picture|photo|description)|misleading|looks different|fake)\b|与描述不符|和描述不一样|和图片不一样|描述不符|假货/i],
  ['size_fit', /\b(too (small|big|large|tight|loose|short|long)|doesn'?t fit|does not fit|didn'?t fit|wrong size|size|fit)\b|太小|太大|尺码|不合适|不合身|大小/i],
  ['changed_mind', /\b(changed my mind|change of mind|don'?t (need|want|like) it|no longer (need|want)|not needed|found (it )?cheaper|don'?t like)\b|不想要|不需要|不喜欢|改变主意/i],
];

/** A street address: a house number with a street word or a postcode (en), or 路/街/号 (zh). */
export function looksLikeAddress(text: string): boolean {
  return /\d/.test(text) && (/\b(street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|apt|suite|unit)\b\.?|\b\d{5}(-\d{4})?\b/i.test(text) || /[路街号区市镇村巷弄]/.test(text));
}

/** The 6-digit code from an e-mail, typed alone or in a sentence ("it's 123 456"). */
export function oneTimeCodeIn(text: string): string | undefined {
  const m = /(?<![\d-])(\d{3})[ -]?(\d{3})(?![\d-])/.exec(text);
  return m ? `${m[1]}${m[2]}` : undefined;
}

export function isCancel(text: string): boolean {
  return CANCEL_RE.test(text);
}
export function isYes(text: string): boolean {
  return YES_RE.test(text) && !NO_RE.test(text);
}
export function isNo(text: string): boolean {
  return NO_RE.test(text);
}
export function isCorrection(text: string): boolean {
  return CORRECTION_RE.test(text);
}

export function returnReasonOf(text: string): ReturnReason | undefined {
  for (const [reason, re] of REASON_CUES) if (re.test(text)) return reason;
  return undefined;
}

export function isReturnReason(value: string | undefined): value is ReturnReason {
  return (RETURN_REASONS as readonly string[]).includes(value ?? '');
}

/**
 * Order ids in a message: the store's prefixed form ("SB-123456", "#1001") first, then numbers the
 * NLU read with an order cue ("order 123456"). Stores accept bare numbers in their own format.
 */
export function orderIdsIn(text: string, entities: Entities, options: { bareNumbers?: boolean } = {}): string[] {
  const out = orderIdsInText(text);
  for (const id of entities.orderIds) {
    const digits = id.replace(/\D/g, '');
    if (!out.some((o) => o.replace(/\D/g, '') === digits)) out.push(id);
  }
  // A bare 6-digit number while an order id is asked for is the id (the demo store's format).
  if (!out.length && options.bareNumbers) for (const m of text.matchAll(/(?:^|\s)(\d{6})(?=\s|$|[.,!?。，！？])/g)) out.push(m[1]!);
  return [...new Set(out)];
}

/** The service task named by unambiguous cue phrases alone (no intent), or undefined. */
export function serviceCueOf(text: string, hasOrderId: boolean): TaskKind | 'policy' | undefined {
  const question = CUE.policyQuestion.test(text) && !hasOrderId;
  if (CUE.changeAddress.test(text)) return question ? 'policy' : 'change_address';
  if (CUE.refundStatus.test(text) && !/\bhow long\b|多久/i.test(text)) return 'refund_status';
  if (CUE.cancel.test(text) && !/\bcancel+ation (policy|fee)|\bpolicy\b|政策/i.test(text)) return 'cancel_order';
  if (CUE.returnStart.test(text) && !question) return 'return_order';
  return undefined;
}

/**
 * The service task a message asks for, from cue phrases read over the NLU's intent: the intent
 * model confuses "I want to return my order" with order tracking, the cues do not.
 */
export function serviceTaskOf(text: string, intent: Intent, hasOrderId: boolean): TaskKind | 'policy' | undefined {
  const question = CUE.policyQuestion.test(text) && !hasOrderId;
  if (CUE.changeAddress.test(text)) return question ? 'policy' : 'change_address';
  if (CUE.refundStatus.test(text)) return 'refund_status';
  if (CUE.cancel.test(text) && !/\bcancel+ation (policy|fee)/i.test(text)) return question && /\bpolicy|政策|规定/i.test(text) ? 'policy' : 'cancel_order';
  if (CUE.returnStart.test(text) && !question) return 'return_order';
  switch (intent) {
    case 'order_status':
      return 'order_status';
    case 'cancel_order':
      return question ? 'policy' : 'cancel_order';
    case 'returns_refunds':
      return question || !hasOrderId ? (/\brefund\b|退款/i.test(text) && !question ? 'refund_status' : question ? 'policy' : CUE.returnStart.test(text) ? 'return_order' : 'policy') : 'return_order';
    default:
      return undefined;
  }
}

function newTask(kind: TaskKind, slots: Record<string, string>): Task {
  return { kind, slots, confirm: false, options: [], excluded: [], retries: 0 };
}

/** Starts a task from the message that asked for it, filling whatever slots it already carries. */
export function startTask(kind: Exclude<TaskKind, 'checkout'>, state: ConversationState, input: TaskInput): TaskDecision {
  const slots: Record<string, string> = {};
  const id = orderIdsIn(input.text, input.nlu.entities)[0];
  if (id) slots.orderId = id;
  const email = input.nlu.entities.emails[0];
  if (email) slots.email = email.toLowerCase();
  if (kind === 'return_order') {
    const reason = returnReasonOf(input.text);
    if (reason) (slots.reason = reason), (slots.note = input.text.slice(0, 500));
  }
  const task = newTask(kind, slots);
  return { actions: [{ type: 'task', task }], state: { ...state, task, lastIntent: input.nlu.intent, lowConfidenceStreak: 0 } };
}

function step(state: ConversationState, task: Task, extra: Partial<Pick<TaskAction & { type: 'task' }, 'resume'>> = {}): TaskDecision {
  return { actions: [{ type: 'task', task, ...extra }], state: { ...state, task } };
}

/** Is this message about something else, confidently enough to answer it first? */
function isDigression(task: Task, input: TaskInput): boolean {
  const { intent, confidence } = input.nlu;
  if (confidence < DIGRESSION_CONFIDENCE) return false;
  if (intent === 'out_of_scope' || intent === 'thanks' || intent === 'greeting') return false;
  // Same-domain intents answer the task itself ("it's damaged" is a return reason, not a new topic).
  const same: Partial<Record<TaskKind, Intent[]>> = {
    order_status: ['order_status'],
    cancel_order: ['cancel_order', 'order_status'],
    change_address: ['cancel_order', 'order_status', 'shipping_delivery'],
    return_order: ['returns_refunds', 'order_status', 'complaint'],
    refund_status: ['returns_refunds', 'order_status'],
  };
  return !(same[task.kind] ?? []).includes(intent) || CUE.policyQuestion.test(input.text);
}

/**
 * Continues the task in progress, or returns undefined when the message is not for it (then the
 * policy handles the message and, for a digression, asks `resumeAfter` to bring the task back).
 */
export function continueTask(state: ConversationState, input: TaskInput): TaskDecision | 'digression' | undefined {
  const task = state.task;
  if (!task || task.kind === 'checkout') return undefined;
  const text = input.text;
  if (task.awaiting === 'confirm' && isYes(text)) return step(state, { ...task, confirm: true, awaiting: undefined });
  // A one-time code is read before anything else: six digits must not pass for an order number.
  if (task.awaiting === 'code') {
    const code = oneTimeCodeIn(text);
    if (code) return step(state, { ...task, slots: { ...task.slots, code }, awaiting: undefined });
  }
  // Asking for another task ("cancel order SB-100101" while a look-up waits for a number) starts
  // that task: the order id it names must not silently fill the pending one.
  const other = serviceCueOf(text, orderIdsIn(text, input.nlu.entities).length > 0);
  if (other && other !== 'policy' && other !== 'checkout' && other !== task.kind) return startTask(other, { ...state, task: undefined }, input);
  if (isCancel(text) || (input.nlu.intent === 'goodbye' && !isYes(text))) {
    return { actions: [{ type: 'task_cancelled', kind: task.kind }], state: { ...state, task: undefined } };
  }
  const askingForId = task.awaiting === 'orderId' || task.awaiting === 'choice' || task.awaiting === undefined;
  const ids = orderIdsIn(text, input.nlu.entities, { bareNumbers: askingForId }).filter((id) => !task.excluded.includes(id));
  const email = input.nlu.entities.emails[0]?.toLowerCase();

  // "No, the other order" / "not that one": drop the current order and look again.
  if (isCorrection(text) && !ids.length) {
    const current = task.slots.orderId;
    const { orderId: _drop, ...slots } = task.slots;
    const excluded = current ? [...new Set([...task.excluded, current])].slice(-20) : task.excluded;
    const options = task.options.filter((o) => !excluded.includes(o));
    return step(state, { ...task, slots, excluded, options, confirm: false, awaiting: undefined, retries: 0 });
  }
  // A different order id at any point replaces the current one ("no, I meant SB-100002").
  if (ids[0] && ids[0] !== task.slots.orderId) {
    return step(state, { ...task, slots: { ...task.slots, orderId: ids[0], ...(email ? { email } : {}) }, confirm: false, awaiting: undefined, retries: 0 });
  }

  switch (task.awaiting) {
    case 'confirm':
      if (isYes(text)) return step(state, { ...task, confirm: true, awaiting: undefined });
      if (isNo(text)) return { actions: [{ type: 'task_cancelled', kind: task.kind }], state: { ...state, task: undefined } };
      break;
    case 'orderId':
      if (email && task.slots.orderId) return step(state, { ...task, slots: { ...task.slots, email }, awaiting: undefined });
      break;
    case 'email':
      if (email) return step(state, { ...task, slots: { ...task.slots, email }, awaiting: undefined });
      break;
    case 'choice': {
      const e = input.nlu.entities;
      let pick: string | undefined;
      if (e.ordinal !== undefined) pick = task.options[e.ordinal < 0 ? task.options.length + e.ordinal : e.ordinal];
      else if (LATEST_RE.test(text)) pick = task.options[0];
      if (pick) return step(state, { ...task, slots: { ...task.slots, orderId: pick }, awaiting: undefined, retries: 0 });
      break;
    }
    case 'reason': {
      const reason = returnReasonOf(text);
      if (reason) return step(state, { ...task, slots: { ...task.slots, reason, note: text.slice(0, 500) }, awaiting: undefined, retries: 0 });
      if (!isDigression(task, input) && text.length >= 3) {
        return step(state, { ...task, slots: { ...task.slots, reason: 'other', note: text.slice(0, 500) }, awaiting: undefined, retries: 0 });
      }
      break;
    }
    case 'address':
      if ((looksLikeAddress(text) || !isDigression(task, input)) && /\d/.test(text) && text.length >= 8) {
        return step(state, { ...task, slots: { ...task.slots, address: text.slice(0, 300) }, awaiting: undefined, retries: 0 });
      }
      break;
    default:
      break;
  }
  if (isDigression(task, input)) return 'digression';
  // Not an answer and not another topic: ask again (the step words it as a re-ask).
  if (task.retries + 1 >= MAX_RETRIES) {
    return { actions: [{ type: 'task_cancelled', kind: task.kind }], state: { ...state, task: undefined } };
  }
  return step(state, { ...task, retries: task.retries + 1 });
}

/** After answering a digression, the pending question comes back. */
export function resumeAfter(decision: TaskDecision | { actions: readonly unknown[]; state: ConversationState }, task: Task): { actions: TaskAction[]; state: ConversationState } | undefined {
  const s = decision.state;
  // A new task, a handoff or a cancel in the digression replaces the old task.
  if (s.task || s.owner === 'agent' || (decision.actions as { type: string }[]).some((a) => a.type === 'handoff' || a.type === 'task')) return undefined;
  return { actions: [{ type: 'task', task, resume: true }], state: { ...s, task } };
}
