/**
 * Multi-turn service tasks (track, cancel, change address, return, refund status): slot filling
 * with re-asking, corrections ("no, the other order"), digressions with a return to the task,
 * cancelling ("never mind"), and a yes/no confirmation before anything that changes an order.
 * Pure: (state, input) -> decision. The `task` action runs it against the store (src/actions/tasks.ts).
 */
import type { Intent, Understood } from '../nlu/index.js';
import { RETURN_REASONS, type ReturnReason } from '../store/index.js';
import type { ConversationState, Task, TaskKind } from './state.js';

/** The actions a task adds to the policy's Action union. */
export type TaskAction =
  | { readonly type: 'task'; readonly task: Task; readonly resume?: boolean }
  | { readonly type: 'task_cancelled'; readonly kind: TaskKind };

export interface TaskInput {
  readonly text: string;
  readonly nlu: Understood;
}

export interface TaskDecision {
  readonly actions: readonly TaskAction[];
  readonly state: ConversationState;
}

const MAX_RETRIES = 3;
/** A message this confidently about something else is a digression, not an answer to the slot. */
const DIGRESSION_CONFIDENCE = 0.7;

export function isReturnReason(value: string | undefined): value is ReturnReason {
  return (RETURN_REASONS as readonly string[]).includes(value ?? '');
}

function newTask(kind: TaskKind, slots: Record<string, string>): Task {
  return { kind, slots, confirm: false, options: [], excluded: [], retries: 0 };
}

/** Starts a task from the message that asked for it, filling whatever slots it already carries. */
export function startTask(kind: Exclude<TaskKind, 'checkout'>, state: ConversationState, input: TaskInput, known: Readonly<Record<string, string>> = {}): TaskDecision {
  const slots: Record<string, string> = { ...known };
  const id = input.nlu.cues.orderIds[0];
  if (id) slots.orderId = id;
  const email = input.nlu.entities.emails[0];
  if (email) slots.email = email.toLowerCase();
  if (kind === 'return_order') {
    const reason = input.nlu.cues.returnReason;
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
  // A question about the store's rules is a digression whatever the classifier's confidence (an
  // ensemble's probabilities are flatter than one model's).
  if (input.nlu.cues.policyQuestion) return true;
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
  return !(same[task.kind] ?? []).includes(intent) || input.nlu.cues.policyQuestion;
}

/**
 * Continues the task in progress, or returns undefined when the message is not for it (then the
 * policy handles the message and, for a digression, asks `resumeAfter` to bring the task back).
 */
export function continueTask(state: ConversationState, input: TaskInput): TaskDecision | 'digression' | undefined {
  const task = state.task;
  if (!task || task.kind === 'checkout') return undefined;
  const text = input.text;
  const cues = input.nlu.cues;
  if (task.awaiting === 'confirm' && cues.yes) return step(state, { ...task, confirm: true, awaiting: undefined });
  // A one-time code is read before anything else: six digits must not pass for an order number.
  if (task.awaiting === 'code' && cues.code) return step(state, { ...task, slots: { ...task.slots, code: cues.code }, awaiting: undefined });
  // Asking for another task ("cancel order SB-100101" while a look-up waits for a number) starts
  // that task: the order id it names must not silently fill the pending one.
  const other = cues.serviceCue;
  if (other && other !== 'policy' && other !== task.kind) return startTask(other, { ...state, task: undefined }, input);
  if (cues.cancel || (input.nlu.intent === 'goodbye' && !cues.yes)) {
    return { actions: [{ type: 'task_cancelled', kind: task.kind }], state: { ...state, task: undefined } };
  }
  const askingForId = task.awaiting === 'orderId' || task.awaiting === 'choice' || task.awaiting === undefined;
  const ids = (askingForId ? cues.bareOrderIds : cues.orderIds).filter((id) => !task.excluded.includes(id));
  const email = input.nlu.entities.emails[0]?.toLowerCase();

  // "No, the other order" / "not that one": drop the current order and look again.
  if (cues.correction && !ids.length) {
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
      if (cues.yes) return step(state, { ...task, confirm: true, awaiting: undefined });
      if (cues.no) return { actions: [{ type: 'task_cancelled', kind: task.kind }], state: { ...state, task: undefined } };
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
      else if (cues.latest) pick = task.options[0];
      if (pick) return step(state, { ...task, slots: { ...task.slots, orderId: pick }, awaiting: undefined, retries: 0 });
      break;
    }
    case 'reason': {
      const reason = cues.returnReason;
      if (reason) return step(state, { ...task, slots: { ...task.slots, reason, note: text.slice(0, 500) }, awaiting: undefined, retries: 0 });
      if (!isDigression(task, input) && text.length >= 3) {
        return step(state, { ...task, slots: { ...task.slots, reason: 'other', note: text.slice(0, 500) }, awaiting: undefined, retries: 0 });
      }
      break;
    }
    case 'address':
      if ((cues.looksLikeAddress || !isDigression(task, input)) && /\d/.test(text) && text.length >= 8) {
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
