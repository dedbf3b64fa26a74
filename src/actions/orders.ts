/** Order actions: status lookups and the service tasks (cancel, return, change address, refunds) run step by step. */
import { awaitOrderId, requesterOf, type Action, type ConversationState } from '../dialogue/index.js';
import { runTaskStep } from './tasks.js';
import { outcome, type ActionDeps, type ActionOutcome } from './types.js';

export async function orderStatus(action: Extract<Action, { type: 'order_status' }>, state: ConversationState, deps: ActionDeps): Promise<ActionOutcome> {
  const who = requesterOf(state);
  if (action.orderId) {
    const order = await deps.store.getOrder(action.orderId, who);
    return outcome(order ? { ...state, focusOrderId: order.id } : state, order ? { type: 'order', order } : { type: 'order_not_found', orderId: action.orderId });
  }
  const orders = await deps.store.listOrders(who);
  if (orders.length === 1) return outcome({ ...state, focusOrderId: orders[0]!.id }, { type: 'order', order: orders[0]! });
  return outcome(awaitOrderId(state), { type: 'ask_order_id' });
}

export function askOrderId(state: ConversationState): ActionOutcome {
  return outcome(awaitOrderId(state), { type: 'ask_order_id' });
}

export async function taskStep(action: Extract<Action, { type: 'task' }>, state: ConversationState, deps: ActionDeps): Promise<ActionOutcome> {
  const step = await runTaskStep(
    action.task,
    { store: deps.store, ...(deps.orderChecks ? { checks: deps.orderChecks } : {}), now: deps.now },
    { who: requesterOf(state), conversationId: state.conversationId, lang: state.lang },
    action.resume ?? false,
  );
  const shown = 'order' in step.result ? step.result.order.id : undefined;
  return outcome({ ...state, task: step.task, ...(step.grants ? { orderGrants: [...step.grants] } : {}), ...(shown ? { focusOrderId: shown } : {}) }, step.result);
}

export function cancelTask(action: Extract<Action, { type: 'task_cancelled' }>, state: ConversationState): ActionOutcome {
  return outcome({ ...state, task: undefined }, { type: 'task_cancelled', kind: action.kind });
}
