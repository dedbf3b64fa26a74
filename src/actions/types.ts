/**
 * What every action family receives and returns. An action reads and writes the stages below it
 * (catalog, retrieval, ranking, store, policies, coupons, handoff) and returns data: the next
 * conversation state, a typed result for the responder, and the funnel events it caused. It
 * never renders text and never logs events itself; the turn does both, once.
 */
import type { CatalogStore } from '../catalog/index.js';
import type { Coupons } from '../coupons/index.js';
import type { ConversationState } from '../dialogue/index.js';
import type { EventBase, FunnelEventInput } from '../funnel/index.js';
import type { HandoffHooks } from '../handoff/index.js';
import type { ExperimentArms } from '../insights/index.js';
import type { OrderChecks } from '../identity/index.js';
import type { InboundMessage } from '../messages.js';
import type { NluResult } from '../nlu/index.js';
import type { PolicyAnswerer } from '../policies/index.js';
import type { SlateRanker } from '../ranking/index.js';
import type { ActionResult } from '../responses/index.js';
import type { ProductRetriever } from '../retrieval/index.js';
import type { StoreConnector } from '../store/index.js';

export interface ActionDeps {
  readonly catalog: CatalogStore;
  readonly retriever: ProductRetriever;
  readonly ranker: SlateRanker;
  readonly store: StoreConnector;
  readonly policies: PolicyAnswerer;
  readonly handoff?: HandoffHooks;
  /** Guest proofs about an order (order number + e-mail, one-time codes); without it guests act only on their own orders. */
  readonly orderChecks?: OrderChecks;
  /** Coupon offers (uplift-targeted, with a holdout) and redemption at checkout. */
  readonly coupons?: Pick<Coupons, 'decideOffer' | 'inOrder'>;
  /** The shopper's arm of the running coupon or reply experiment, if any. */
  readonly experiments?: ExperimentArms;
  readonly now: () => number;
  readonly newId: () => string;
  readonly slateSize: number;
  readonly candidates: number;
}

/** The turn an action runs in: the message, the id its events derive from, and the fields they share. */
export interface ActionContext {
  readonly msg: InboundMessage;
  /** `<conversationId>:<turn>`: event ids derive from it, so a retried turn logs each event once. */
  readonly turnId: string;
  readonly base: Required<EventBase>;
  /** This message's parse, when it was typed: the handoff routes on its intents and entities. */
  readonly nlu?: NluResult;
}

export interface ActionOutcome<R extends ActionResult = ActionResult> {
  readonly state: ConversationState;
  readonly result: R;
  readonly events: readonly FunnelEventInput[];
}

/** One action's outcome, from the state it ran in. */
export function outcome<R extends ActionResult>(state: ConversationState, result: R, events: readonly FunnelEventInput[] = []): ActionOutcome<R> {
  return { state, result, events };
}
