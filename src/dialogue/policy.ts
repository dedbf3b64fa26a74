/**
 * The dialogue policy: (state, understanding) -> actions. Pure and synchronous; the turn executes
 * the actions. Shopping refinements ("cheaper", "in black", "show more", "the second one") are read
 * against the last results kept in the state.
 */
import type { UiAction } from '../messages.js';
import type { Entities, Intent, NluResult } from '../nlu/index.js';
import type { CatalogMentions, SearchFilters } from '../retrieval/index.js';
import { negationPattern, orderIdsIn as orderIdsInText, QUERY_NEGATIONS_EN, QUERY_NEGATIONS_ZH } from '../text/index.js';
import type { ConversationState, SearchContext } from './state.js';
import { continueTask, orderIdsIn, resumeAfter, serviceCueOf, serviceTaskOf, startTask, type TaskAction } from './tasks.js';

export type PolicyTopic = 'shipping' | 'returns' | 'payment' | 'coupons' | 'account' | 'cancel' | 'orders' | 'general';

export type Action =
  | { readonly type: 'search'; readonly search: SearchContext; readonly refined: boolean }
  | { readonly type: 'show_product'; readonly productId: string; readonly question?: string; readonly slateId?: string; readonly position?: number; readonly viaClick: boolean }
  /** A question about the cards on screen that names none of them alone ("which is the cheapest?"). */
  | { readonly type: 'answer_question'; readonly question: string }
  | { readonly type: 'add_to_cart'; readonly productId: string; readonly quantity: number; readonly slateId?: string; readonly position?: number }
  | { readonly type: 'remove_from_cart'; readonly productId: string }
  | { readonly type: 'show_cart' }
  | { readonly type: 'checkout'; readonly email?: string }
  | { readonly type: 'ask_email_for_checkout' }
  | { readonly type: 'order_status'; readonly orderId?: string }
  | { readonly type: 'ask_order_id' }
  | { readonly type: 'policy_answer'; readonly topic: PolicyTopic; readonly question: string }
  | { readonly type: 'handoff'; readonly reason: string }
  | { readonly type: 'clarify'; readonly options: readonly Intent[] }
  | { readonly type: 'which_product' }
  | { readonly type: 'smalltalk'; readonly kind: 'greeting' | 'goodbye' | 'thanks' }
  | { readonly type: 'out_of_scope' }
  | TaskAction;

export interface PolicyInput {
  readonly text: string;
  readonly action?: UiAction;
  readonly nlu: NluResult;
  readonly mentions: CatalogMentions;
  readonly clarifyBelow: number;
  /** Cheapest price among the products last shown, for "cheaper". */
  readonly lastShownMinPriceCents?: number;
  readonly lastShownMaxPriceCents?: number;
  /** The message asks about the products on screen, read once by the turn: comparing the cards, or about one of them. */
  readonly productQuestion?: 'compare' | 'one';
  /** An escalation trigger that fired on this message (src/handoff): it wins over everything else. */
  readonly escalation?: { readonly reason: string };
}

export interface Decision {
  readonly actions: readonly Action[];
  readonly state: ConversationState;
}

const POLICY_TOPICS: Partial<Record<Intent, PolicyTopic>> = {
  shipping_delivery: 'shipping',
  returns_refunds: 'returns',
  payment_problem: 'payment',
  coupon_question: 'coupons',
  account: 'account',
  cancel_order: 'orders',
  checkout_help: 'general',
};

const HANDOFF_AFTER_LOW_CONFIDENCE = 3;
const SHOPPING_CUE = /\b(something (to|for|that)|looking for|need (a|an|some)|want (a|an|some)|gift for|find me|recommend|suggest|do you (sell|have|carry))\b|我想买|想买|推荐|有没有|求购/i;
/** An "out of scope" message with these words is a store question the policy documents may answer. */
const POLICY_TERMS = /\b(polic(y|ies)|returns?|refunds?|ship(ping)?|deliver(y|ies)?|cancel\w*|pay(ment)?|paid|credit card|card|coupons?|promo|discounts?|accounts?|passwords?|warrant(y|ies)|exchanges?|gift|wrap\w*|orders?|invoices?|do you (offer|have|sell|accept|allow|ship))\b|政策|退|换货|运费|配送|发货|付款|支付|优惠|账户|密码|发票|订单/i;
const ADD_TO_CART_WORDS = /\b(add|cart|basket|buy|take|order)\b|加入|购物车|买/i;
/** Words that only point at a shown product ("the second one", "第二个"), not a question about it. */
const REFERENCE_WORDS = /\b(first|second|third|fourth|fifth|last|one|1st|2nd|3rd|4th|5th|number|no)\b|第.|个|最后/gi;
const PAGE = 5;

function fromUiAction(action: UiAction, state: ConversationState): Decision {
  switch (action.type) {
    case 'click':
      return {
        actions: [{ type: 'show_product', productId: action.productId, viaClick: true, ...opt('slateId', action.slateId), ...opt('position', action.position) }],
        state: { ...state, focusProductId: action.productId },
      };
    case 'add_to_cart':
      return {
        actions: [{ type: 'add_to_cart', productId: action.productId, quantity: action.quantity, ...opt('slateId', action.slateId), ...opt('position', action.position) }],
        state: { ...state, focusProductId: action.productId },
      };
    case 'remove_from_cart':
      return { actions: [{ type: 'remove_from_cart', productId: action.productId }], state };
    case 'view_cart':
      return { actions: [{ type: 'show_cart' }], state };
    case 'checkout':
      return { actions: [{ type: 'checkout', ...opt('email', action.email ?? state.customer?.email ?? state.contactEmail) }], state };
  }
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function referencedProduct(entities: Entities, state: ConversationState): string | undefined {
  if (entities.ordinal !== undefined && state.lastShown.length > 0) {
    const i = entities.ordinal < 0 ? state.lastShown.length + entities.ordinal : entities.ordinal;
    return state.lastShown[i]?.id;
  }
  return undefined;
}

/** A message refines the last search when it only adds constraints ("in black", "under $30", "cheaper"). */
function isRefinement(input: PolicyInput, state: ConversationState): boolean {
  if (!state.search) return false;
  const e = input.nlu.entities;
  const constrains =
    e.refinements.length > 0 || e.priceRange !== undefined || e.colors.length > 0 || e.minRating !== undefined ||
    e.excludeTerms.length > 0 || input.mentions.brands.length > 0 || e.sizes.length > 0;
  // Only constraints: nothing left once filter phrases (brand, colour, price, "without X") are taken out.
  return constrains && contentWords(withoutFilterPhrases(input.mentions.residual, e.excludeTerms)) === 0;
}

const FILLER = /\b(show|me|some|any|the|a|an|in|with|only|just|please|pls|ones?|something|items?|products?|them|those|these|it|i|want|need|looking|for|do|you|have|what|about|how|is|are|more|less|than|under|over|below|above|cheaper|cheap|expensive|pricier|and|or|but|but|can|could|also|too|instead)\b/gi;

function contentWords(text: string): number {
  const han = (text.match(/\p{Script=Han}/gu) ?? []).length;
  const words = text.replace(FILLER, ' ').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  return (words ? words.split(/\s+/).filter((w) => !/^\p{Script=Han}+$/u.test(w)).length : 0) + Math.ceil(han / 2);
}

const MONEY = String.raw`(?:\$\s*\d+(?:[.,]\d+)?|\d+(?:[.,]\d+)?\s*(?:dollars?|bucks|usd)|\d+(?:[.,]\d+)?)`;
const PRICE_PHRASE = new RegExp(
  [
    String.raw`(?:不超过|低于|高于|少于)\s*\d+\s*(?:元|块)?钱?`,
    String.raw`\d+\s*(?:到|-|至)\s*\d+\s*(?:元|块)钱?`,
    String.raw`\d+(?:\.\d+)?\s*(?:元|块)钱?\s*(?:以下|以内|以上)?`,
    String.raw`\b(?:under|below|less than|cheaper than|at most|up to|over|above|more than|at least|between|from)\s+${MONEY}(?:\s*(?:and|to|-)\s*${MONEY})?`,
    String.raw`\$\s*\d+(?:[.,]\d+)?(?:\s*(?:-|to)\s*\$?\s*\d+(?:[.,]\d+)?)?`,
    String.raw`\b\d+(?:[.,]\d+)?\s*(?:dollars?|bucks|usd)\b`,
  ].join('|'),
  'gi',
);

/** The shopper's negation words (src/text): the phrases they start were read as negated terms by the NLU. */
const NEGATED_EN = negationPattern(QUERY_NEGATIONS_EN);
const NEGATED_ZH = negationPattern(QUERY_NEGATIONS_ZH);

/** The message without its price phrases and negated terms (they become filters); may be empty. */
function withoutFilterPhrases(text: string, excludeTerms: readonly string[]): string {
  let out = text.replace(PRICE_PHRASE, ' ');
  for (const term of excludeTerms) {
    const t = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`\\b${NEGATED_EN}[\\s-]+(?:a\\s+|an\\s+|any\\s+)?${t}\\b`, 'gi'), ' ').replace(new RegExp(`${NEGATED_ZH}${t}的?`, 'g'), ' ');
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** The words to search for: the message without its filter phrases, or the message itself if nothing is left. */
export function searchText(text: string, excludeTerms: readonly string[]): string {
  return withoutFilterPhrases(text, excludeTerms) || text;
}

/** What a search is built from: the message, its entities and catalog mentions, and what was shown last. */
type SearchInput = Pick<PolicyInput, 'text' | 'mentions' | 'lastShownMinPriceCents' | 'lastShownMaxPriceCents'> & { readonly nlu: Pick<NluResult, 'entities'> };

/**
 * The search a shopper's first message asks for: its words without the filter phrases, and its
 * price, rating, brand, color and negation filters. `shopbot eval retrieval` scores retrieval
 * through this, so the eval measures what a turn searches for.
 */
export function newSearch(text: string, entities: Entities, mentions: CatalogMentions): SearchContext {
  return searchFrom({ text, nlu: { entities }, mentions }, undefined);
}

/**
 * A search context as retriever constraints: a named brand is a soft filter (its products first;
 * other matches follow when it has fewer than `page`; 0 makes it a filter), everything else a filter.
 */
export function searchConstraints(s: SearchContext, page: number): { filters: SearchFilters; preferred?: { filters: SearchFilters; min: number } } {
  const { brands, ...filters } = searchFilters(s);
  return { filters, ...(brands ? { preferred: { filters: { brands }, min: page } } : {}) };
}

/** A search context as retriever filters. */
export function searchFilters(s: SearchContext): SearchFilters {
  return {
    ...(s.priceMinCents !== undefined ? { priceMinCents: s.priceMinCents } : {}),
    ...(s.priceMaxCents !== undefined ? { priceMaxCents: s.priceMaxCents } : {}),
    ...(s.brands.length ? { brands: s.brands } : {}),
    ...(s.colors.length ? { colors: s.colors } : {}),
    ...(s.categories.length ? { categories: s.categories } : {}),
    ...(s.minRating !== undefined ? { minRating: s.minRating } : {}),
    ...(s.excludeTerms.length ? { excludeTerms: s.excludeTerms } : {}),
  };
}

function searchFrom(input: SearchInput, base: SearchContext | undefined): SearchContext {
  const e = input.nlu.entities;
  const m = input.mentions;
  const prev = base ?? { query: '', brands: [], colors: [], categories: [], excludeTerms: [], offset: 0 };
  let priceMinCents = e.priceRange?.minCents ?? prev.priceMinCents;
  let priceMaxCents = e.priceRange?.maxCents ?? prev.priceMaxCents;
  let minRating = e.minRating ?? prev.minRating;
  let offset = 0;
  for (const r of e.refinements) {
    if (r === 'cheaper' && input.lastShownMinPriceCents !== undefined) priceMaxCents = Math.max(0, input.lastShownMinPriceCents - 1);
    if (r === 'pricier' && input.lastShownMaxPriceCents !== undefined) priceMinCents = input.lastShownMaxPriceCents + 1;
    if (r === 'better_rated') minRating = Math.max(minRating ?? 0, 4);
    if (r === 'more') offset = prev.offset + PAGE;
  }
  const search: SearchContext = {
    query: base ? prev.query : searchText(input.text, input.nlu.entities.excludeTerms),
    brands: m.brands.length ? [...m.brands] : prev.brands,
    colors: e.colors.length || m.colors.length ? [...new Set([...e.colors, ...m.colors])] : prev.colors,
    categories: prev.categories,
    excludeTerms: [...new Set([...prev.excludeTerms, ...e.excludeTerms])],
    offset,
    ...opt('priceMinCents', priceMinCents),
    ...opt('priceMaxCents', priceMaxCents),
    ...opt('minRating', minRating),
  };
  return search;
}

export function decide(state0: ConversationState, input: PolicyInput): Decision {
  const state: ConversationState = { ...state0, lang: input.nlu.lang, turn: state0.turn + 1 };
  if (input.action) return fromUiAction(input.action, state);
  if (input.escalation) {
    return { actions: [{ type: 'handoff', reason: input.escalation.reason }], state: { ...state, lowConfidenceStreak: 0 } };
  }

  const pending = state.task;
  const continued = continueTask(state, input);
  if (continued === 'digression' && pending) {
    // Answer the other question first, then bring the pending one back.
    const answered = decideFresh({ ...state, task: undefined }, input);
    return resumeAfter(answered, pending) ? { actions: [...answered.actions, ...resumeAfter(answered, pending)!.actions], state: resumeAfter(answered, pending)!.state } : answered;
  }
  if (continued && continued !== 'digression') return continued;
  return decideFresh(state, input);
}

function decideFresh(state: ConversationState, input: PolicyInput): Decision {
  const { nlu } = input;
  const e = nlu.entities;
  const intent = nlu.intent;

  // A service task waiting for a slot: the answer fills it unless the shopper clearly moved on.
  if (state.task?.awaiting === 'orderId' && e.orderIds[0]) {
    return { actions: [{ type: 'order_status', orderId: e.orderIds[0] }], state: { ...state, task: undefined, lastIntent: 'order_status' } };
  }
  if (state.task?.awaiting === 'email' && e.emails[0] && state.task.kind === 'checkout') {
    // A typed address is where the confirmation goes, not proof of who the shopper is.
    return { actions: [{ type: 'checkout', email: e.emails[0] }], state: { ...state, task: undefined, contactEmail: e.emails[0] } };
  }

  // Refinements are read against the last results whatever the classifier says: "in black" is not a new need.
  const wantsCart = intent === 'add_to_cart' && ADD_TO_CART_WORDS.test(input.text);
  if (isRefinement(input, state) && !wantsCart && !['order_status', 'human_agent', 'complaint'].includes(intent)) {
    const search = searchFrom(input, state.search);
    return { actions: [{ type: 'search', search, refined: true }], state: { ...state, search, lastIntent: 'product_search', lowConfidenceStreak: 0 } };
  }
 
  // Service cue phrases ("cancel my order", "I want to return this") start their task whatever the
  // classifier's confidence: they are unambiguous, and the intent model often is not.
  const cued = serviceCueOf(input.text, orderIdsIn(input.text, e).length > 0);
  if (cued && cued !== 'policy' && cued !== 'checkout') return startTask(cued, { ...state, lastIntent: intent, lowConfidenceStreak: 0 }, input);
  // A message naming an order number in the store's form is about that order, whatever else the
  // classifier made of it ("where is SB-100102? my email is ...").
  if (!cued && orderIdsInText(input.text).length > 0 && ['out_of_scope', 'shipping_delivery', 'order_status', 'account'].includes(intent)) {
    return startTask('order_status', { ...state, lastIntent: 'order_status', lowConfidenceStreak: 0 }, input);
  }

  const reference = referencedProduct(e, state);
  // A question about what is on screen is answered from those products, whatever the classifier made of it.
  if (input.productQuestion && state.lastShown.length > 0 && !wantsCart && !['order_status', 'human_agent', 'complaint'].includes(intent)) {
    const one = input.productQuestion === 'one' ? reference : undefined;
    const focus = one ?? state.focusProductId;
    const asked: Action = one ? { type: 'show_product', productId: one, question: input.text, viaClick: false } : { type: 'answer_question', question: input.text };
    return { actions: [asked], state: { ...state, lastIntent: 'product_question', lowConfidenceStreak: 0, ...(focus ? { focusProductId: focus } : {}) } };
  }
  // "The second one" points at a shown product whatever the classifier made of so short a message.
  const pointsOnly = intent === 'add_to_cart' && !ADD_TO_CART_WORDS.test(input.text);
  if (reference && (pointsOnly || ['product_search', 'product_question', 'out_of_scope'].includes(intent))) {
    const onlyPoints = contentWords(input.text.replace(REFERENCE_WORDS, ' ')) === 0;
    return {
      actions: [{ type: 'show_product', productId: reference, ...(onlyPoints ? {} : { question: input.text }), viaClick: false }],
      state: { ...state, lastIntent: 'product_question', lowConfidenceStreak: 0, focusProductId: reference },
    };
  }
  // Shoppers describe a need in their own words ("something to keep my coffee hot"); a phrase that asks for a
  // thing is a search even when the classifier, trained mostly on short queries, calls it out of scope.
  if (intent === 'out_of_scope' && SHOPPING_CUE.test(input.text)) {
    const search = searchFrom(input, undefined);
    return { actions: [{ type: 'search', search, refined: false }], state: { ...state, lastIntent: 'product_search', lowConfidenceStreak: 0, search, focusProductId: undefined } };
  }

  const policyLike = intent === 'out_of_scope' && POLICY_TERMS.test(input.text);
  // Repeated out-of-scope messages are a misunderstanding too; they count toward the handoff offer.
  if (intent === 'out_of_scope' && !policyLike && !reference) {
    const streak = state.lowConfidenceStreak + 1;
    if (streak >= HANDOFF_AFTER_LOW_CONFIDENCE) return { actions: [{ type: 'handoff', reason: 'repeated_low_confidence' }], state: { ...state, lowConfidenceStreak: 0 } };
    return { actions: [{ type: 'out_of_scope' }], state: { ...state, lastIntent: intent, lowConfidenceStreak: streak } };
  }
  if (policyLike) return { actions: [{ type: 'policy_answer', topic: 'general', question: input.text }], state: { ...state, lastIntent: intent, lowConfidenceStreak: 0 } };
  // From here on the intent is never out_of_scope: every out-of-scope message was answered above.
  const lowConfidence = nlu.confidence < input.clarifyBelow;
  if (lowConfidence && !reference) {
    const streak = state.lowConfidenceStreak + 1;
    if (streak >= HANDOFF_AFTER_LOW_CONFIDENCE) {
      return { actions: [{ type: 'handoff', reason: 'repeated_low_confidence' }], state: { ...state, lowConfidenceStreak: 0 } };
    }
    const options = nlu.ranking.slice(0, 3).map((r) => r.intent).filter((i) => i !== 'out_of_scope');
    return { actions: [{ type: 'clarify', options }], state: { ...state, lowConfidenceStreak: streak } };
  }
  const next: ConversationState = { ...state, lastIntent: intent, lowConfidenceStreak: 0 };

  const service = ['order_status', 'cancel_order', 'returns_refunds', 'shipping_delivery', 'complaint', 'payment_problem', 'account'].includes(intent)
    ? serviceTaskOf(input.text, intent, orderIdsIn(input.text, e).length > 0)
    : undefined;
  if (service === 'policy') {
    return { actions: [{ type: 'policy_answer', topic: POLICY_TOPICS[intent] ?? (intent === 'cancel_order' ? 'orders' : 'general'), question: input.text }], state: next };
  }
  if (service && service !== 'checkout') return startTask(service, next, input);

  switch (intent) {
    case 'product_search': {
      if (reference) return { actions: [{ type: 'show_product', productId: reference, viaClick: false }], state: { ...next, focusProductId: reference } };
      const search = searchFrom(input, undefined);
      return { actions: [{ type: 'search', search, refined: false }], state: { ...next, search, focusProductId: undefined } };
    }
    case 'product_question': {
      const id = reference ?? state.focusProductId;
      const onlyPoints = reference !== undefined && contentWords(input.text.replace(REFERENCE_WORDS, ' ')) === 0;
      if (id) return { actions: [{ type: 'show_product', productId: id, ...(onlyPoints ? {} : { question: input.text }), viaClick: false }], state: { ...next, focusProductId: id } };
      const search = searchFrom(input, undefined);
      return { actions: [{ type: 'search', search, refined: false }], state: { ...next, search } };
    }
    case 'add_to_cart': {
      const id = reference ?? state.focusProductId ?? (state.lastShown.length === 1 ? state.lastShown[0]!.id : undefined);
      if (!id) return { actions: [{ type: 'which_product' }], state: next };
      const shown = state.lastShown.find((s) => s.id === id);
      return {
        actions: [{ type: 'add_to_cart', productId: id, quantity: Math.min(99, Math.max(1, e.quantities[0] ?? 1)), ...opt('slateId', shown?.slateId), ...opt('position', shown?.position) }],
        state: { ...next, focusProductId: id },
      };
    }
    case 'view_cart':
      return { actions: [{ type: 'show_cart' }], state: next };
    case 'checkout_help': {
      const email = e.emails[0] ?? state.customer?.email ?? state.contactEmail;
      const problem = /\b(fail\w*|error|declined?|not working|problem|issue|can'?t|won'?t|doesn'?t|how (do|can) i)\b|失败|错误|不行|怎么/i.test(input.text);
      if (!problem && /\b(check ?out|place (the|my) order|buy (it|now|them)|pay now)\b|结账|下单|买单/i.test(input.text)) {
        if (email) return { actions: [{ type: 'checkout', email }], state: { ...next, contactEmail: email } };
        return { actions: [{ type: 'ask_email_for_checkout' }], state: { ...next, task: { kind: 'checkout', slots: {}, awaiting: 'email', confirm: false, options: [], excluded: [], retries: 0 } } };
      }
      return { actions: [{ type: 'policy_answer', topic: 'general', question: input.text }], state: next };
    }
    case 'order_status': {
      const orderId = e.orderIds[0];
      if (orderId) return { actions: [{ type: 'order_status', orderId }], state: next };
      return { actions: [{ type: 'order_status' }], state: next };
    }
    case 'human_agent':
      return { actions: [{ type: 'handoff', reason: 'requested' }], state: next };
    case 'complaint':
      return { actions: [{ type: 'handoff', reason: 'complaint' }], state: next };
    case 'greeting':
    case 'goodbye':
      return { actions: [{ type: 'smalltalk', kind: intent }], state: next };
    case 'thanks':
      return { actions: [{ type: 'smalltalk', kind: 'thanks' }], state: next };
    default: {
      const topic = POLICY_TOPICS[intent] ?? 'general';
      return { actions: [{ type: 'policy_answer', topic, question: input.text }], state: next };
    }
  }
}

/** After an order lookup found nothing to look up, the turn asks for the id and waits for it. */
export function awaitOrderId(state: ConversationState): ConversationState {
  return { ...state, task: { kind: 'order_status', slots: {}, awaiting: 'orderId', confirm: false, options: [], excluded: [], retries: 0 } };
}
