/** Policy questions: the best section of the merchant's documents, or "I don't know". */
import type { Action, ConversationState } from '../dialogue/index.js';
import { outcome, type ActionDeps, type ActionOutcome } from './types.js';

export async function policyAnswer(action: Extract<Action, { type: 'policy_answer' }>, state: ConversationState, deps: ActionDeps): Promise<ActionOutcome> {
  const passage = await deps.policies.answer(action.question, action.topic, state.lang);
  const policy = { topic: passage?.topic ?? action.topic, question: action.question.slice(-500), turn: state.turn };
  return outcome({ ...state, policy }, passage ? { type: 'policy', passage } : { type: 'policy_unknown' });
}
