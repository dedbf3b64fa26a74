/**
 * The actions stage: what the dialogue policy decided, done. One file per family (search, cart and
 * checkout, coupons, orders and service tasks, policy answers, handoff); each action returns the
 * next state, a typed result for the responder and the funnel events it caused.
 */
import type { Action, ConversationState } from '../dialogue/index.js';
import { addToCart, askEmailForCheckout, checkout, removeFromCart, setQuantity, showCart } from './cart.js';
import { askOrderId, cancelTask, orderStatus, taskStep } from './orders.js';
import { handOff } from './handoff.js';
import { policyAnswer } from './policy.js';
import { answerQuestion, pickShown, search, showProduct } from './search.js';
import { outcome, type ActionContext, type ActionDeps, type ActionOutcome } from './types.js';

export { offerCoupon, placeOrder, type Redeemed } from './coupons.js';
export { runTaskStep, summarize, type TaskStepContext, type TaskStepDeps, type TaskStepOutcome } from './tasks.js';
export type { ActionContext, ActionDeps, ActionOutcome } from './types.js';

/** Runs one action. Actions that only answer (clarify, small talk, out of scope) need no stage. */
export function runAction(action: Action, state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> | ActionOutcome {
  switch (action.type) {
    case 'search':
      return search(action, state, ctx, deps);
    case 'show_product':
      return showProduct(action, state, ctx, deps);
    case 'answer_question':
      return answerQuestion(action, state, deps);
    case 'add_to_cart':
      return addToCart(action, state, ctx, deps);
    case 'remove_from_cart':
      return removeFromCart(action, state, ctx, deps);
    case 'show_cart':
      return showCart(state, ctx, deps);
    case 'ask_email_for_checkout':
      return askEmailForCheckout(state, ctx, deps);
    case 'set_quantity':
      return setQuantity(action, state, ctx, deps);
    case 'pick_shown':
      return pickShown(action, state, ctx, deps);
    case 'checkout':
      return checkout(action, state, ctx, deps);
    case 'order_status':
      return orderStatus(action, state, deps);
    case 'ask_order_id':
      return askOrderId(state);
    case 'task':
      return taskStep(action, state, deps);
    case 'task_cancelled':
      return cancelTask(action, state);
    case 'policy_answer':
      return policyAnswer(action, state, deps);
    case 'handoff':
      return handOff(action, state, ctx, deps);
    case 'clarify':
      return outcome(state, { type: 'clarify', options: action.options });
    case 'which_product':
      return outcome(state, { type: 'which_product' });
    case 'smalltalk':
      return outcome(state, { type: 'smalltalk', kind: action.kind });
    case 'acknowledge':
      return outcome(state, { type: 'acknowledged', kind: action.kind });
    case 'out_of_scope':
      return outcome(state, { type: 'out_of_scope' });
  }
}
