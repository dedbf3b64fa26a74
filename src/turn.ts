/**
 * One turn, top to bottom: load state -> NLU -> policy -> actions -> respond -> log.
 * Every dependency arrives in TurnDeps; this file decides nothing about engines.
 */
import type { Product } from './catalog/product.js';
import type { CatalogStore } from './catalog/types.js';
import { decide, awaitOrderId, searchConstraints, searchFilters, type Action } from './dialogue/policy.js';
import { runTaskStep } from './dialogue/task-step.js';
import { newState, requesterOf, type ConversationState, type StateStore } from './dialogue/state.js';
import { ShopbotError } from './errors.js';
import type { FunnelEventInput } from './funnel/events.js';
import type { FunnelWriter } from './funnel/writer.js';
import type { CouponOffer, InboundMessage, OutboundMessage, ProductCard } from './messages.js';
import type { Nlu, NluResult } from './nlu/types.js';
import { type ActionResult, toCard } from './responses/compose.js';
import { createResponder, type Responder } from './responses/respond.js';
import type { Templates } from './responses/templates.js';
import type { ProductRetriever } from './retrieval/index.js';
import type { SlateRanker } from './ranking/index.js';
import type { PolicyAnswerer } from './policies/index.js';
import type { HandoffHooks } from './handoff/index.js';
import type { StoreConnector } from './store/types.js';
import type { OrderChecks } from './identity/index.js';
import { CouponRefusedError, type Coupons } from './coupons/index.js';
import { render } from './responses/templates.js';
import { maskPersonalData, maskReply, sanitizeText } from './privacy/index.js';

export interface TurnInfo {
  readonly conversationId: string;
  readonly actions: readonly Action[];
  readonly results: readonly ActionResult[];
  readonly state: ConversationState;
  readonly reply: OutboundMessage;
}

export interface TurnDeps {
  readonly nlu: Nlu;
  readonly catalog: CatalogStore;
  readonly retriever: ProductRetriever;
  readonly ranker: SlateRanker;
  readonly store: StoreConnector;
  readonly policies: PolicyAnswerer;
  readonly states: StateStore;
  readonly funnel: FunnelWriter;
  readonly templates: Templates;
  readonly handoff?: HandoffHooks;
  /** Templates + grounding checker (+ optional LLM); built from `templates` when absent. */
  readonly responder?: Responder;
  /** Guest proofs about an order (order number + e-mail, one-time codes); without it guests act only on their own orders. */
  readonly orderChecks?: OrderChecks;
  /** Coupon offers (uplift-targeted, with a holdout) and redemption at checkout. */
  readonly coupons?: Pick<Coupons, 'decideOffer' | 'redeem'>;
  /** Listeners told what each turn decided and did (conversation evals, tracing). */
  readonly onTurnEnd?: readonly ((info: TurnInfo) => void)[];
  readonly now: () => number;
  readonly newId: () => string;
  readonly clarifyBelow: number;
  readonly slateSize: number;
  readonly candidates: number;
  readonly maxMessageChars: number;
}

function actionOnlyNlu(state: ConversationState): NluResult {
  return {
    lang: state.lang,
    intent: 'product_search',
    confidence: 1,
    ranking: [],
    engine: 'ui-action',
    entities: { orderIds: [], emails: [], money: [], quantities: [], colors: [], sizes: [], refinements: [], excludeTerms: [] },
  };
}

export function createTurnHandler(deps: TurnDeps): (msg: InboundMessage, options?: { signal?: AbortSignal }) => Promise<OutboundMessage> {
  const responder = deps.responder ?? createResponder({ templates: deps.templates });
  return async function handleTurn(msg, options = {}) {
    // Every channel comes through here, so this is where control characters and lone surrogates go.
    const text = sanitizeText(msg.text).trim();
    if (!text && !msg.action) throw new ShopbotError('MESSAGE_EMPTY', 'message text is empty');
    if (text.length > deps.maxMessageChars) throw new ShopbotError('MESSAGE_TOO_LONG', `message is longer than ${deps.maxMessageChars} characters`);
    const signal = options.signal;
    const now = deps.now();
    let state = (await deps.states.load(msg.conversationId)) ?? newState(msg.conversationId, msg.userId, msg.channel);
    if (state.userId !== msg.userId) throw new ShopbotError('FORBIDDEN', 'this conversation belongs to another user');
    const base = { ts: now, channel: msg.channel, conversationId: msg.conversationId, userId: msg.userId };
    const turnId = `${msg.conversationId}:${state.turn + 1}`;
    const events: FunnelEventInput[] = [];
    if (text) events.push({ ...base, id: `${turnId}:msg:user`, type: 'message', role: 'user', chars: text.length });

    // While a human agent owns the conversation the bot says nothing; the message goes to the agent.
    if (state.owner === 'agent') {
      await deps.states.appendTranscript(msg.conversationId, [{ role: 'user', text: maskPersonalData(text), ts: now }]);
      await deps.handoff?.relayShopperMessage(state, text);
      deps.funnel.log(...events);
      return { conversationId: msg.conversationId, text: '', lang: state.lang, products: [], quickReplies: [], silent: true };
    }

    const nlu = text && !msg.action ? await deps.nlu.parse(text, { ...(signal ? { signal } : {}) }) : actionOnlyNlu(state);
    if (text && !msg.action) {
      events.push({ ...base, id: `${turnId}:intent`, type: 'intent', intent: nlu.intent, confidence: nlu.confidence, lang: nlu.lang });
    }
    signal?.throwIfAborted();
    const mentions = text && !msg.action ? deps.retriever.mentions(text) : { brands: [], colors: [], categories: [], residual: '' };
    // Only "cheaper"/"pricier" need the prices of what was shown; other turns skip the lookup.
    const shownIds = nlu.entities.refinements.some((r) => r === 'cheaper' || r === 'pricier') ? state.lastShown.map((s) => s.id) : [];
    const shown = shownIds.length ? await deps.catalog.getMany(shownIds) : new Map<string, Product>();
    const prices = [...shown.values()].map((p) => p.salePriceCents ?? p.priceCents).filter((p): p is number => p !== undefined);
    let escalation: { reason: string } | undefined;
    if (text && !msg.action && deps.handoff?.detect) {
      const cartValueCents = (await deps.store.cart(msg.userId)).totalCents;
      const found = deps.handoff.detect({ text, nlu, state, cartValueCents });
      state = { ...state, negativeStreak: found.negativeStreak };
      if (found.trigger) escalation = { reason: found.trigger.ruleId ? `${found.trigger.kind}:${found.trigger.ruleId}` : found.trigger.kind };
    }
    const decision = decide(state, {
      ...(escalation ? { escalation } : {}),
      text,
      ...(msg.action ? { action: msg.action } : {}),
      nlu,
      mentions,
      clarifyBelow: deps.clarifyBelow,
      ...(prices.length ? { lastShownMinPriceCents: Math.min(...prices), lastShownMaxPriceCents: Math.max(...prices) } : {}),
    });
    state = decision.state;

    const results: ActionResult[] = [];
    for (const action of decision.actions) {
      signal?.throwIfAborted();
      const r = await execute(action, state, msg, events, turnId, base);
      state = r.state;
      results.push(r.result);
    }

    const { reply } = await responder.respond({ lang: state.lang, results, seed: state.turn, userText: text, ...(signal ? { signal } : {}) });
    const offer = await considerCoupon(state, results, msg, events);
    state = offer.state;
    // Coupon sentences carry no amounts (the code and its terms travel in `coupon`), so they need no grounding.
    const couponNotes = results.flatMap((r) =>
      r.type !== 'checkout_done' ? [] : r.couponCode ? [render(deps.templates, state.lang, 'coupon_applied', { code: r.couponCode })] : r.couponRefusal ? [render(deps.templates, state.lang, 'coupon_refused', { reason: r.couponRefusal })] : [],
    );
    if (offer.coupon) couponNotes.push(render(deps.templates, state.lang, 'coupon_offer'));
    const out: OutboundMessage = {
      conversationId: msg.conversationId,
      lang: state.lang,
      ...reply,
      ...(couponNotes.length ? { text: [reply.text, ...couponNotes].join(' ') } : {}),
      ...(offer.coupon ? { coupon: offer.coupon } : {}),
      intent: nlu.intent,
      confidence: nlu.confidence,
    };
    events.push({ ...base, id: `${turnId}:msg:bot`, type: 'message', role: 'bot', chars: out.text.length });
    await deps.states.save(state, now);
    // The turn above read the raw text; what is kept is masked, the bot's reply too (it can echo an address).
    const stored = maskReply(out);
    await deps.states.appendTranscript(msg.conversationId, [
      ...(text ? [{ role: 'user' as const, text: maskPersonalData(text), ts: now }] : []),
      { role: 'bot' as const, text: stored.text, payload: stored, ts: now },
    ]);
    deps.funnel.log(...events);
    for (const listener of deps.onTurnEnd ?? []) listener({ conversationId: msg.conversationId, actions: decision.actions, results, state, reply: out });
    return out;
  };

  /** Once a shopper looks at products or has a basket, the uplift model decides whether an offer changes the outcome. */
  async function considerCoupon(state: ConversationState, results: readonly ActionResult[], msg: InboundMessage, events: FunnelEventInput[]): Promise<{ state: ConversationState; coupon?: CouponOffer }> {
    if (!deps.coupons || state.coupon || !results.some((r) => r.type === 'added' || r.type === 'cart' || r.type === 'product')) return { state };
    const cart = await deps.store.cart(msg.userId);
    const products = await deps.catalog.getMany(cart.lines.map((l) => l.productId));
    const categories = [...new Set([...products.values()].flatMap((p) => p.category.map((c) => c.toLowerCase())))];
    const d = deps.coupons.decideOffer(
      { userId: msg.userId, conversationId: msg.conversationId, channel: msg.channel, messages: state.turn, lang: state.lang },
      { valueCents: cart.totalCents, items: cart.lines.reduce((s, l) => s + l.quantity, 0), categories },
    );
    if (d.event) events.push(d.event);
    if (!d.offer || !d.campaignId) return { state };
    return { state: { ...state, coupon: { code: d.offer.code, campaignId: d.campaignId } }, coupon: d.offer };
  }

  async function execute(
    action: Action,
    state: ConversationState,
    msg: InboundMessage,
    events: FunnelEventInput[],
    turnId: string,
    base: { ts: number; channel: InboundMessage['channel']; conversationId: string; userId: string },
  ): Promise<{ state: ConversationState; result: ActionResult }> {
    switch (action.type) {
      case 'search': {
        const s = action.search;
        const k = deps.slateSize;
        // A new search lets other brands fill a page the named brand cannot; a refinement ("in black")
        // narrows what the shopper already chose, so its brand stays a filter.
        const { filters, preferred } = searchConstraints(s, action.refined ? 0 : s.offset + k);
        const hits = await deps.retriever.search({ text: s.query, filters: { ...filters, inStockOnly: false }, ...(preferred ? { preferred } : {}), k: Math.max(deps.candidates, s.offset + k), lang: state.lang });
        const pageHits = hits.slice(s.offset);
        const products = await deps.catalog.getMany(pageHits.map((h) => h.id));
        const candidates = pageHits.flatMap((h) => {
          const product = products.get(h.id);
          // Out-of-stock products stay findable but give way to ones the shopper can buy now.
          const buyable = product && product.availability !== 'out_of_stock' && product.stock !== 0;
          return product ? [{ product, relevance: buyable ? h.score : h.score * 0.5 }] : [];
        });
        // Retrieval reads the raw words; the ranker gets the masked query, because its features are logged
        // with the slate and the features logged must be the ones it ranked with.
        const loggedQuery = maskPersonalData(s.query);
        const ranked = deps.ranker.rank({ candidates, k, query: loggedQuery, userId: msg.userId, lang: state.lang });
        const slateId = deps.newId();
        const cards: ProductCard[] = ranked.items.map((it) => toCard(it.product, it.position, slateId, it.sponsored));
        events.push({ ...base, id: `${turnId}:search`, type: 'search', query: loggedQuery, results: hits.length });
        if (cards.length) {
          events.push({
            ...base,
            id: `${slateId}:slate`,
            type: 'slate',
            slateId,
            policyId: ranked.policyId,
            policyVersion: ranked.policyVersion,
            query: loggedQuery,
            candidates: candidates.map((c) => ({ productId: c.product.id, score: c.relevance, ...(ranked.candidateFeatures?.(c.product.id) ? { features: ranked.candidateFeatures(c.product.id)! } : {}) })),
            shown: ranked.items.map((it) => ({ productId: it.product.id, position: it.position, propensity: it.propensity, sponsored: it.sponsored })),
          });
          for (const it of ranked.items) {
            events.push({ ...base, id: `${slateId}:imp:${it.position}`, type: 'impression', productId: it.product.id, position: it.position, query: loggedQuery, policyId: ranked.policyId, slateId, propensity: it.propensity, sponsored: it.sponsored });
          }
        }
        const search = { ...s, offset: s.offset };
        return {
          state: { ...state, search, lastShown: cards.map((c) => ({ id: c.id, position: c.position, slateId })), focusProductId: cards.length === 1 ? cards[0]!.id : state.focusProductId },
          result: { type: 'search', query: s.query, refined: action.refined, more: s.offset > 0, products: cards, filters: searchFilters(s) },
        };
      }
      case 'show_product': {
        const product = await deps.catalog.get(action.productId);
        if (!product) return { state, result: { type: 'unavailable' } };
        if (action.viaClick) {
          events.push({ ...base, id: `${turnId}:click:${product.id}`, type: 'click', productId: product.id, ...(action.position !== undefined ? { position: action.position } : {}), ...(action.slateId ? { slateId: action.slateId } : {}) });
        }
        return { state: { ...state, focusProductId: product.id }, result: { type: 'product', product, ...(action.question ? { question: action.question } : {}) } };
      }
      case 'add_to_cart': {
        const product = await deps.catalog.get(action.productId);
        if (!product) return { state, result: { type: 'unavailable' } };
        try {
          const cart = await deps.store.addToCart(msg.userId, product, action.quantity);
          events.push({ ...base, id: `${turnId}:atc:${product.id}`, type: 'add_to_cart', productId: product.id, quantity: action.quantity, priceCents: product.salePriceCents ?? product.priceCents ?? 0, ...(action.slateId ? { slateId: action.slateId } : {}) });
          return { state, result: { type: 'added', product, quantity: action.quantity, cart } };
        } catch (err) {
          if (err instanceof ShopbotError && err.code === 'CONFLICT') return { state, result: { type: 'unavailable' } };
          throw err;
        }
      }
      case 'remove_from_cart': {
        const before = await deps.store.cart(msg.userId);
        const line = before.lines.find((l) => l.productId === action.productId);
        const cart = await deps.store.removeFromCart(msg.userId, action.productId);
        if (line) events.push({ ...base, id: `${turnId}:rfc:${action.productId}`, type: 'remove_from_cart', productId: action.productId, quantity: line.quantity });
        return { state, result: { type: 'removed', cart } };
      }
      case 'show_cart':
        return { state, result: { type: 'cart', cart: await deps.store.cart(msg.userId) } };
      case 'ask_email_for_checkout':
        return { state, result: { type: 'ask_email' } };
      case 'checkout': {
        const cart = await deps.store.cart(msg.userId);
        if (cart.lines.length === 0) return { state, result: { type: 'checkout_empty' } };
        events.push({ ...base, id: `${turnId}:checkout`, type: 'checkout_started', cartValueCents: cart.totalCents, items: cart.lines.reduce((s, l) => s + l.quantity, 0) });
        let order = await deps.store.checkout(msg.userId, action.email);
        let coupon: { couponCode?: string; couponRefusal?: string } = {};
        if (deps.coupons && state.coupon && deps.store.applyDiscount) {
          const products = await deps.catalog.getMany(order.lines.map((l) => l.productId));
          try {
            const r = deps.coupons.redeem(state.coupon.code, {
              userId: msg.userId,
              orderId: order.id,
              lines: order.lines.map((l) => ({ categories: (products.get(l.productId)?.category ?? []).map((c) => c.toLowerCase()), amountCents: l.unitPriceCents * l.quantity })),
              channel: msg.channel,
              conversationId: msg.conversationId,
            });
            events.push(r.event);
            order = await deps.store.applyDiscount(order.id, r.discountCents);
            coupon = { couponCode: r.code };
          } catch (err) {
            // A refused coupon (expired, over budget, basket too small) does not stop the purchase; the shopper is told why.
            if (!(err instanceof CouponRefusedError)) throw err;
            coupon = { couponRefusal: err.message.replace(/^coupon refused \([A-Z_]+\): /, '') };
          }
          state = { ...state, coupon: undefined };
        }
        events.push({ ...base, id: `purchase:${order.id}`, type: 'purchase', orderId: order.id, revenueCents: order.totalCents, currency: order.currency, productIds: order.lines.map((l) => l.productId), ...(coupon.couponCode ? { couponCode: coupon.couponCode } : {}) });
        return { state: { ...state, ...(action.email ? { contactEmail: action.email } : {}) }, result: { type: 'checkout_done', order, ...coupon } };
      }
      case 'order_status': {
        const who = requesterOf(state);
        if (action.orderId) {
          const order = await deps.store.getOrder(action.orderId, who);
          return { state, result: order ? { type: 'order', order } : { type: 'order_not_found', orderId: action.orderId } };
        }
        const orders = await deps.store.listOrders(who);
        if (orders.length === 1) return { state, result: { type: 'order', order: orders[0]! } };
        return { state: awaitOrderId(state), result: { type: 'ask_order_id' } };
      }
      case 'ask_order_id':
        return { state: awaitOrderId(state), result: { type: 'ask_order_id' } };
      case 'policy_answer': {
        const passage = await deps.policies.answer(action.question, action.topic, state.lang);
        return { state, result: passage ? { type: 'policy', passage } : { type: 'policy_unknown' } };
      }
      case 'handoff': {
        const routed = (await deps.handoff?.escalate(state, action.reason, maskPersonalData(sanitizeText(msg.text)))) ?? {};
        events.push({ ...base, id: `${turnId}:handoff`, type: 'handoff', status: 'requested', reason: action.reason, ...(routed.team ? { team: routed.team } : {}) });
        const handoff = { reason: action.reason, requestedAt: base.ts, ...(routed.team ? { team: routed.team } : {}), ...(routed.ticketId ? { ticketId: routed.ticketId } : {}), ...(routed.priority ? { priority: routed.priority } : {}) };
        return {
          state: { ...state, handoff, task: undefined, ...(routed.ticketId ? { owner: 'agent' as const } : {}) },
          result: {
            type: 'handoff',
            reason: action.reason,
            ...(routed.team ? { team: routed.team } : {}),
            ...(routed.queuePosition !== undefined ? { queuePosition: routed.queuePosition } : {}),
            ...(routed.afterHours ? { afterHours: true } : {}),
            ...(deps.handoff && !routed.ticketId ? { unavailable: true } : {}),
          },
        };
      }
      case 'clarify':
        return { state, result: { type: 'clarify', options: action.options } };
      case 'which_product':
        return { state, result: { type: 'which_product' } };
      case 'smalltalk':
        return { state, result: { type: 'smalltalk', kind: action.kind } };
      case 'out_of_scope':
        return { state, result: { type: 'out_of_scope' } };
      case 'task': {
        const step = await runTaskStep(action.task, { store: deps.store, ...(deps.orderChecks ? { checks: deps.orderChecks } : {}), now: deps.now }, { who: requesterOf(state), conversationId: state.conversationId, lang: state.lang }, action.resume ?? false);
        return { state: { ...state, task: step.task, ...(step.grants ? { orderGrants: [...step.grants] } : {}) }, result: step.result };
      }
      case 'task_cancelled':
        return { state: { ...state, task: undefined }, result: { type: 'task_cancelled', kind: action.kind } };
    }
  }
}
