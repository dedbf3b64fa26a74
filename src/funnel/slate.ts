/**
 * The slate a shopper was shown, as funnel events: one `slate` event (every candidate with its
 * score and features, and the shown items with their propensities), then one `impression` per
 * shown item. The search action logs both; the pure ranker (and the simulator) build the slate.
 */
import type { Channel } from '../messages.js';
import type { FunnelEventInput } from './events.js';

export type SlateEvent = Extract<FunnelEventInput, { type: 'slate' }>;
type SlateShown = SlateEvent['shown'][number];
type ImpressionEvent = Extract<FunnelEventInput, { type: 'impression' }>;

/** The fields every event of one turn shares. */
export interface EventBase {
  readonly ts: number;
  readonly channel: Channel;
  readonly conversationId?: string;
  readonly userId?: string;
}

export interface SlateInput {
  readonly base: EventBase;
  readonly slateId: string;
  readonly policyId: string;
  readonly policyVersion: string;
  readonly query: string;
  readonly candidates: SlateEvent['candidates'];
  readonly shown: readonly { readonly productId: string; readonly position: number; readonly propensity: number; readonly sponsored: boolean; readonly explanation?: SlateShown['explanation'] }[];
}

export function slateEvent(s: SlateInput): SlateEvent {
  return {
    ...s.base,
    id: `${s.slateId}:slate`,
    type: 'slate',
    slateId: s.slateId,
    policyId: s.policyId,
    policyVersion: s.policyVersion,
    query: s.query,
    candidates: s.candidates,
    shown: s.shown.map((it) => ({ productId: it.productId, position: it.position, propensity: it.propensity, sponsored: it.sponsored, ...(it.explanation ? { explanation: it.explanation } : {}) })),
  };
}

export function impressionEvents(s: Omit<SlateInput, 'candidates' | 'policyVersion'>): ImpressionEvent[] {
  return s.shown.map((it) => ({
    ...s.base,
    id: `${s.slateId}:imp:${it.position}`,
    type: 'impression',
    productId: it.productId,
    position: it.position,
    query: s.query,
    policyId: s.policyId,
    slateId: s.slateId,
    propensity: it.propensity,
    sponsored: it.sponsored,
  }));
}
