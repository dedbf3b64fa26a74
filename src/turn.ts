/**
 * One turn, top to bottom: load state -> NLU -> policy -> actions -> respond -> log.
 * Every dependency arrives in TurnDeps; this file decides nothing about engines, and the actions
 * (src/actions) do the work the policy asked for.
 */
import { offerCoupon, runAction, type ActionContext, type ActionDeps } from './actions/index.js';
import { effectivePriceCents } from './catalog/index.js';
import { decide, newState, type Action, type ConversationState, type PolicyInput, type StateStore, type TranscriptRow } from './dialogue/index.js';
import { ShopbotError } from './errors.js';
import type { FunnelEventInput, FunnelWriter } from './funnel/index.js';
import { exposureEvent } from './insights/index.js';
import type { InboundMessage, OutboundMessage } from './messages.js';
import type { TurnStage } from './metrics/index.js';
import { understand, type Nlu, type NluResult, type Understood } from './nlu/index.js';
import { maskPersonalData, maskReply, sanitizeText } from './privacy/index.js';
import { couponNotes, createResponder, readProductQuestion, type ActionResult, type Responder } from './responses/index.js';
import type { Templates } from './templates/index.js';

export interface TurnInfo {
  readonly conversationId: string;
  readonly actions: readonly Action[];
  readonly results: readonly ActionResult[];
  readonly state: ConversationState;
  readonly reply: OutboundMessage;
}

export type HandleTurn = (msg: InboundMessage, options?: { signal?: AbortSignal }) => Promise<OutboundMessage>;

/** What a turn stores before its reply goes out: its state (unless unchanged), transcript rows and funnel events. */
export interface TurnWrites {
  readonly conversationId: string;
  readonly state?: ConversationState;
  readonly nowMs: number;
  readonly transcript: readonly TranscriptRow[];
  readonly events: readonly FunnelEventInput[];
}

/** Stores a turn's writes; resolves once they are committed. */
export type CommitTurn = (writes: TurnWrites) => Promise<void>;

/**
 * The engines' common commit: state and transcript in the state store, then the events in the
 * funnel writer's group commit (a crash between them leaves an unanswered turn's state without its
 * events, never an answered turn without them). The embedded engines do better, one SQLite
 * transaction for all three (src/app.ts).
 */
export function sequentialCommit(states: Pick<StateStore, 'save' | 'appendTranscript'>, funnel: Pick<FunnelWriter, 'commit'>): CommitTurn {
  return async (w) => {
    if (w.state) await states.save(w.state, w.nowMs);
    if (w.transcript.length) await states.appendTranscript(w.conversationId, w.transcript);
    await funnel.commit(...w.events);
  };
}

export interface TurnDeps extends ActionDeps {
  readonly nlu: Nlu;
  readonly states: StateStore;
  readonly funnel: Pick<FunnelWriter, 'log' | 'commit'>;
  /** How a turn's state, transcript and events are committed; sequentialCommit(states, funnel) when absent. */
  readonly commitTurn?: CommitTurn;
  readonly templates: Templates;
  /** Templates + grounding checker (+ optional LLM); built from `templates` when absent. */
  readonly responder?: Responder;
  /** Listeners told what each turn decided and did (conversation evals, tracing). */
  readonly onTurnEnd?: readonly ((info: TurnInfo) => void)[];
  /** Told how long each stage of a turn took (the server's /metrics). */
  readonly observeStage?: (stage: TurnStage, ms: number) => void;
  readonly clarifyBelow: number;
  readonly maxMessageChars: number;
}

export function createTurnHandler(deps: TurnDeps): HandleTurn {
  const responder = deps.responder ?? createResponder({ templates: deps.templates });
  const commit = deps.commitTurn ?? sequentialCommit(deps.states, deps.funnel);
  const observe = deps.observeStage;
  // One clock read per stage boundary; nothing at all when nobody observes.
  const stageTimer = () => {
    let last = performance.now();
    return (stage: TurnStage) => {
      const t = performance.now();
      observe!(stage, t - last);
      last = t;
    };
  };
  return async function handleTurn(msg, options = {}) {
    const lap = observe ? stageTimer() : () => {};
    // Every channel comes through here, so this is where control characters and lone surrogates go.
    const text = sanitizeText(msg.text).trim();
    if (!text && !msg.action) throw new ShopbotError('MESSAGE_EMPTY', 'message text is empty');
    if (text.length > deps.maxMessageChars) throw new ShopbotError('MESSAGE_TOO_LONG', `message is longer than ${deps.maxMessageChars} characters`);
    const { signal } = options;
    const now = deps.now();
    let state = (await deps.states.load(msg.conversationId)) ?? newState(msg.conversationId, msg.userId, msg.channel);
    lap('load');
    if (state.userId !== msg.userId) throw new ShopbotError('FORBIDDEN', 'this conversation belongs to another user');
    const ctx: ActionContext = { msg, turnId: `${msg.conversationId}:${state.turn + 1}`, base: { ts: now, channel: msg.channel, conversationId: msg.conversationId, userId: msg.userId } };
    const events: FunnelEventInput[] = text ? [{ ...ctx.base, id: `${ctx.turnId}:msg:user`, type: 'message', role: 'user', chars: text.length }] : [];

    // While a human agent owns the conversation the bot says nothing; the message goes to the agent.
    if (state.owner === 'agent') {
      await commit({ conversationId: msg.conversationId, nowMs: now, transcript: [{ role: 'user', text: maskPersonalData(text), ts: now }], events });
      await deps.handoff?.relayShopperMessage(state, text);
      return { conversationId: msg.conversationId, text: '', lang: state.lang, products: [], quickReplies: [], silent: true };
    }

    const typed = text !== '' && !msg.action;
    // Understanding happens once: the engine's intent and entities, grounded in the catalog's vocabulary.
    const nlu = typed ? understand(await deps.nlu.parse(text, { langHint: state.lang, ...(signal ? { signal } : {}) }), text, { extract: deps.retriever.mentions }) : actionOnlyNlu(state);
    if (typed) events.push({ ...ctx.base, id: `${ctx.turnId}:intent`, type: 'intent', intent: nlu.intent, confidence: nlu.confidence, lang: nlu.lang });
    signal?.throwIfAborted();
    lap('nlu');
    const understood = await policyInput(deps, state, msg, { text, typed, nlu });
    const decision = decide(understood.state, understood.input);
    state = decision.state;
    lap('policy');

    const results: ActionResult[] = [];
    for (const action of decision.actions) {
      signal?.throwIfAborted();
      const done = await runAction(action, state, typed ? { ...ctx, nlu } : ctx, deps);
      state = done.state;
      results.push(done.result);
      events.push(...done.events);
    }
    lap('actions');

    // A reply experiment words this reply with the shopper's variant; the first reply it words is their exposure.
    const replyArm = deps.experiments?.arm('reply', msg.userId);
    if (replyArm) events.push(exposureEvent(replyArm, ctx.base));
    const { reply } = await responder.respond({ lang: state.lang, results, seed: state.turn, userText: text, ...(signal ? { signal } : {}), ...(replyArm ? { style: replyArm.policy } : {}) });
    const offer = await offerCoupon(state, results, ctx, deps);
    state = offer.state;
    events.push(...offer.events);
    const notes = couponNotes(deps.templates, state.lang, results, offer.coupon !== undefined);
    const out: OutboundMessage = {
      conversationId: msg.conversationId,
      lang: state.lang,
      ...reply,
      ...(notes.length ? { text: [reply.text, ...notes].join(' ') } : {}),
      ...(offer.coupon ? { coupon: offer.coupon } : {}),
      intent: nlu.intent,
      confidence: nlu.confidence,
    };
    events.push({ ...ctx.base, id: `${ctx.turnId}:msg:bot`, type: 'message', role: 'bot', chars: out.text.length, outcomes: results.map((r) => r.type) });
    lap('respond');
    // Committed before the reply goes out: state, transcript and the turn's funnel events (a group
    // commit shared by concurrent turns). A crash before this point loses an unanswered turn only.
    // The turn above read the raw text; what is kept is masked, the bot's reply too (it can echo an address).
    const stored = maskReply(out);
    const transcript: TranscriptRow[] = [...(text ? [{ role: 'user' as const, text: maskPersonalData(text), ts: now }] : []), { role: 'bot' as const, text: stored.text, payload: stored, ts: now }];
    await commit({ conversationId: msg.conversationId, state, nowMs: now, transcript, events });
    lap('commit');
    for (const listener of deps.onTurnEnd ?? []) listener({ conversationId: msg.conversationId, actions: decision.actions, results, state, reply: out });
    return out;
  };
}

/** A button press (add to cart, open a card) carries no text to understand. */
function actionOnlyNlu(state: ConversationState): Understood {
  return understand({
    lang: state.lang,
    intent: 'product_search',
    confidence: 1,
    ranking: [],
    engine: 'ui-action',
    entities: { orderIds: [], emails: [], money: [], quantities: [], colors: [], sizes: [], refinements: [], excludeTerms: [] },
  } satisfies NluResult, '');
}

/**
 * What the policy reads beside the NLU: catalog terms in the message, the prices last shown (for
 * "cheaper"), and an escalation trigger (which also updates the frustration streak). A button
 * press (`typed` false) is neither searched for mentions nor checked for triggers.
 */
async function policyInput(
  deps: TurnDeps,
  state: ConversationState,
  msg: InboundMessage,
  { text, typed, nlu }: { text: string; typed: boolean; nlu: Understood },
): Promise<{ state: ConversationState; input: PolicyInput }> {
  // Only "cheaper"/"pricier" need the prices of what was shown; other turns skip the lookup.
  const shownIds = nlu.followUps.some((r) => r === 'cheaper' || r === 'pricier') ? state.lastShown.map((s) => s.id) : [];
  const shown = shownIds.length ? await deps.catalog.getMany(shownIds) : new Map();
  const prices = [...shown.values()].map(effectivePriceCents).filter((p): p is number => p !== undefined);
  let escalation: { reason: string } | undefined;
  let next = state;
  if (typed && deps.handoff?.detect) {
    const cartValueCents = (await deps.store.cart(msg.userId)).totalCents;
    const found = deps.handoff.detect({ text, nlu, state, cartValueCents });
    next = { ...state, negativeStreak: found.negativeStreak };
    if (found.trigger) escalation = { reason: found.trigger.ruleId ? `${found.trigger.kind}:${found.trigger.ruleId}` : found.trigger.kind };
  }
  const question = typed && state.lastShown.length > 0 ? readProductQuestion(text, nlu.lang) : undefined;
  return {
    state: next,
    input: {
      ...(escalation ? { escalation } : {}),
      ...(question ? { productQuestion: question.kind === 'compare' ? ('compare' as const) : ('one' as const) } : {}),
      text,
      ...(msg.action ? { action: msg.action } : {}),
      nlu,
      clarifyBelow: deps.clarifyBelow,
      ...(prices.length ? { lastShownMinPriceCents: Math.min(...prices), lastShownMaxPriceCents: Math.max(...prices), lastShownMedianPriceCents: median(prices) } : {}),
    },
  };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}
