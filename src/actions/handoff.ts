/**
 * Escalation to a person: the handoff stage opens a routed ticket; when someone can take it, the
 * conversation belongs to the agent from now on and the bot stops talking.
 */
import type { Action, ConversationState } from '../dialogue/index.js';
import type { FunnelEventInput } from '../funnel/index.js';
import { maskPersonalData, sanitizeText } from '../privacy/index.js';
import { outcome, type ActionContext, type ActionDeps, type ActionOutcome } from './types.js';

export async function handOff(action: Extract<Action, { type: 'handoff' }>, state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  const routed = (await deps.handoff?.escalate(state, action.reason, maskPersonalData(sanitizeText(ctx.msg.text)), ctx.nlu)) ?? {};
  const event: FunnelEventInput = { ...ctx.base, id: `${ctx.turnId}:handoff`, type: 'handoff', status: 'requested', reason: action.reason, ...(routed.team ? { team: routed.team } : {}) };
  const handoff = { reason: action.reason, requestedAt: ctx.base.ts, ...(routed.team ? { team: routed.team } : {}), ...(routed.ticketId ? { ticketId: routed.ticketId } : {}), ...(routed.priority ? { priority: routed.priority } : {}) };
  return outcome(
    { ...state, handoff, task: undefined, ...(routed.ticketId ? { owner: 'agent' as const } : {}) },
    {
      type: 'handoff',
      reason: action.reason,
      ...(routed.team ? { team: routed.team } : {}),
      ...(routed.queuePosition !== undefined ? { queuePosition: routed.queuePosition } : {}),
      ...(routed.afterHours ? { afterHours: true } : {}),
      ...(routed.opensAt ? { opensAt: routed.opensAt } : {}),
      ...(deps.handoff && !routed.ticketId ? { unavailable: true } : {}),
    },
    [event],
  );
}
