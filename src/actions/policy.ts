/** Policy questions: the best section of the merchant's documents, or "I don't know". */
import type { Action, ConversationState } from '../dialogue/index.js';
import { outcome, type ActionDeps, type ActionOutcome } from './types.js';

export async function policyAnswer(action: Extract<Action, { type: 'policy_answer' }>, state: ConversationState, deps: ActionDeps): Promise<ActionOutcome> {
  const passage = await deps.policies.answer(action.question, action.topic, state.lang, action.context);
  // A chain of follow-ups keeps every question asked in it, newest last, as the next one's context.
  const asked = action.context ? `${action.context} ${action.question}` : action.question;
  const policy = { topic: passage?.topic ?? action.topic, question: asked.slice(-500), turn: state.turn };
  return outcome({ ...state, policy }, passage ? { type: 'policy', passage } : { type: 'policy_unknown' });
}
