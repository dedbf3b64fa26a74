/**
 * The dialogue policy: (state, understanding) -> actions. Pure and synchronous; the turn executes
 * the actions. Shopping refinements ("cheaper", "in black", "show more", "the second one") are read
 * against the last results kept in the state.
 */
import type { UiAction } from '../messages.js';
import type { Intent, References, Understood } from '../nlu/index.js';
import type { SearchFilters } from '../retrieval/index.js';
import type { ConversationState, SearchContext } from './state.js';
import { continueTask, resumeAfter, startTask, type TaskAction } from './tasks.js';

export type PolicyTopic = 'shipping' | 'returns' | 'payment' | 'coupons' | 'account' | 'cancel' | 'orders' | 'general';

export type Action =
  | { readonly type: 'search'; readonly search: SearchContext; readonly refined: boolean }
  | { readonly type: 'show_product'; readonly productId: string; readonly question?: string; readonly slateId?: string; readonly position?: number; readonly viaClick: boolean }
  /** A question about the cards on screen that names none of them alone ("which is the cheapest?"). */
  | { readonly type: 'answer_question'; readonly question: string }
  /** A question about the shown products as a set ("which is the cheapest?", "the first or the second?"): resolved against their data. */
  | { readonly type: 'pick_shown'; readonly productIds: readonly string[]; readonly by: NonNullable<References['superlative']>; readonly question: string; readonly addQuantity?: number }
  | { readonly type: 'add_to_cart'; readonly productId: string; readonly quantity: number; readonly slateId?: string; readonly position?: number }
  /** No productId: the product the conversation is about, or the cart's only line; `all` empties the cart; `quantity`: units taken out of the line (absent: all of them). */
  | { readonly type: 'remove_from_cart'; readonly productId?: string; readonly all?: boolean; readonly quantity?: number }
  | { readonly type: 'set_quantity'; readonly productId?: string; readonly quantity: number }
  | { readonly type: 'show_cart' }
  | { readonly type: 'checkout'; readonly email?: string }
  | { readonly type: 'ask_email_for_checkout' }
  | { readonly type: 'order_status'; readonly orderId?: string }
  | { readonly type: 'ask_order_id' }
  /** `context`: the policy question answered just before, when this one follows up on it ("how much does it cost?"). */
  | { readonly type: 'policy_answer'; readonly topic: PolicyTopic; readonly question: string; readonly context?: string }
  | { readonly type: 'handoff'; readonly reason: string }
  | { readonly type: 'clarify'; readonly options: readonly Intent[] }
  | { readonly type: 'which_product' }
  /** `assistant`: what the assistant is, for "are you a bot?" (an AI assistant, a person on request). */
  | { readonly type: 'smalltalk'; readonly kind: 'greeting' | 'goodbye' | 'thanks' | 'assistant' }
  /** Said before the answer: a complaint is acknowledged whatever else is done about it. */
  | { readonly type: 'acknowledge'; readonly kind: 'complaint' }
  | { readonly type: 'out_of_scope' }
  | TaskAction;

export interface PolicyInput {
  readonly text: string;
  readonly action?: UiAction;
  /** The message understood once (src/nlu understand): the policy reads this, never the text's wording. */
  readonly nlu: Understood;
  readonly clarifyBelow: number;
  /** Prices of the products last shown, for "cheaper" / "pricier". */
  readonly lastShownMinPriceCents?: number;
  readonly lastShownMaxPriceCents?: number;
  /** The message asks about the products on screen, read once by the turn: comparing the cards, or about one of them. */
  readonly productQuestion?: 'compare' | 'one';
  readonly lastShownMedianPriceCents?: number;
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
const PAGE = 5;
/** Intents a message naming a product is read over: the classifier, trained on short queries, often calls a need one of these. */
const OVERRIDABLE_BY_PRODUCT: readonly Intent[] = ['out_of_scope', 'product_search', 'product_question', 'add_to_cart', 'greeting', 'goodbye', 'thanks', 'view_cart', 'coupon_question', 'account'];
const SERVICE_INTENTS: readonly Intent[] = ['order_status', 'cancel_order', 'returns_refunds', 'shipping_delivery', 'complaint', 'payment_problem', 'account'];

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

function referencedProduct(nlu: Understood, state: ConversationState): string | undefined {
  const ordinal = nlu.references.ordinal;
  if (ordinal !== undefined && state.lastShown.length > 0) {
    const i = ordinal < 0 ? state.lastShown.length + ordinal : ordinal;
    return state.lastShown[i]?.id;
  }
  return undefined;
}

/** Does the message carry a constraint or follow-up on the last results? */
function constrains(nlu: Understood): boolean {
  const c = nlu.constraints;
  return (
    nlu.followUps.length > 0 || c.priceRange !== undefined || c.colors.length > 0 || c.excludeColors.length > 0 || c.minRating !== undefined ||
    c.excludeTerms.length > 0 || c.brands.length > 0 || c.excludeBrands.length > 0 || c.sizes.length > 0 || c.features.length > 0
  );
}

/**
 * A message refines the last search when it constrains it and names no other kind of product
 * ("in black", "under $30", "cheaper", "with a lid", "for men", "便宜点"); a product type the last
 * search did not have starts a new search, and so does "forget that".
 */
function isRefinement(nlu: Understood, state: ConversationState): boolean {
  if (!state.search || nlu.cues.newTopic) return false;
  const had = new Set([...(state.search.productTerms ?? []), ...state.search.query.toLowerCase().split(/\s+/)]);
  const newProduct = nlu.constraints.productTerms.some((w) => !had.has(w));
  return constrains(nlu) && !newProduct;
}

/** What a search is built from: the parse, and the prices of what was shown last. */
type SearchInput = Pick<PolicyInput, 'lastShownMinPriceCents' | 'lastShownMaxPriceCents' | 'lastShownMedianPriceCents'> & { readonly nlu: Pick<Understood, 'constraints' | 'followUps'> };

/**
 * The search a shopper's first message asks for: its product words, and its price, rating,
 * brand, colour and exclusion filters. `shopbot eval retrieval` scores retrieval through this, so
 * the eval measures what a turn searches for.
 */
export function newSearch(nlu: Pick<Understood, 'constraints' | 'followUps'>): SearchContext {
  return searchFrom({ nlu }, undefined);
}

/**
 * A search context as retriever constraints: a named brand is a soft filter (its products first;
 * other matches follow when it has fewer than `page`; 0 makes it a filter), everything else a filter.
 */
export function searchConstraints(s: SearchContext, page: number): { filters: SearchFilters; preferred?: { filters: SearchFilters; min: number } } {
  const { brands, ...filters } = searchFilters(s);
  return { filters, ...(brands ? { preferred: { filters: { brands }, min: page } } : {}) };
}

/** A search context as retriever filters. Excluded brands and colours also exclude titles that name them. */
export function searchFilters(s: SearchContext): SearchFilters {
  const excludeBrands = s.excludeBrands ?? [];
  const excludeColors = s.excludeColors ?? [];
  const excludeTerms = [...new Set([...s.excludeTerms, ...excludeBrands, ...excludeColors])];
  return {
    ...(s.priceMinCents !== undefined ? { priceMinCents: s.priceMinCents } : {}),
    ...(s.priceMaxCents !== undefined ? { priceMaxCents: s.priceMaxCents } : {}),
    ...(s.brands.length ? { brands: s.brands } : {}),
    ...(s.colors.length ? { colors: s.colors } : {}),
    ...(excludeBrands.length ? { excludeBrands } : {}),
    ...(excludeColors.length ? { excludeColors } : {}),
    ...(s.categories.length ? { categories: s.categories } : {}),
    ...(s.minRating !== undefined ? { minRating: s.minRating } : {}),
    ...(excludeTerms.length ? { excludeTerms } : {}),
  };
}

/** Words appended to the product words for "bigger" / "smaller". */
const SIZE_WORDS: Partial<Record<string, string>> = { bigger: 'large', smaller: 'small' };

function searchFrom(input: SearchInput, base: SearchContext | undefined): SearchContext {
  const c = input.nlu.constraints;
  const prev = base ?? { query: '', brands: [], colors: [], categories: [], excludeTerms: [], excludeBrands: [], excludeColors: [], productTerms: [], shownIds: [], offset: 0 };
  let priceMinCents = c.priceRange ? c.priceRange.minCents : prev.priceMinCents;
  let priceMaxCents = c.priceRange ? c.priceRange.maxCents : prev.priceMaxCents;
  let minRating = c.minRating ?? prev.minRating;
  let offset = 0;
  const extra: string[] = [];
  for (const r of input.nlu.followUps) {
    // "Cheaper": under the middle of what was shown, so the whole page is cheaper and stays the same kind of product.
    const cheaperCap = input.lastShownMedianPriceCents ?? input.lastShownMinPriceCents;
    if (r === 'cheaper' && cheaperCap !== undefined) priceMaxCents = Math.max(0, cheaperCap - 1);
    if (r === 'pricier' && input.lastShownMaxPriceCents !== undefined) priceMinCents = input.lastShownMaxPriceCents + 1;
    if (r === 'better_rated') minRating = Math.max(minRating ?? 0, 4);
    if (r === 'more' || r === 'other_color') offset = prev.offset + PAGE;
    const size = SIZE_WORDS[r];
    if (size) extra.push(size);
  }
  const refined = base !== undefined;
  const features = c.features.filter((f) => !prev.query.split(' ').includes(f));
  const query = refined ? [prev.query, ...features, ...extra].filter(Boolean).join(' ') : c.product || [...c.productTerms, ...c.features].join(' ');
  const excludeColors = [...new Set([...(refined ? prev.excludeColors ?? [] : []), ...c.excludeColors])];
  const excludeBrands = [...new Set([...(refined ? prev.excludeBrands ?? [] : []), ...c.excludeBrands])];
  const colors = c.colors.length ? c.colors.filter((x) => !excludeColors.includes(x)) : input.nlu.followUps.includes('other_color') ? [] : prev.colors;
  return {
    query,
    productTerms: refined && !c.productTerms.length ? prev.productTerms ?? [] : [...c.productTerms],
    brands: c.brands.length ? [...c.brands] : prev.brands.filter((b) => !excludeBrands.includes(b)),
    colors,
    excludeBrands,
    excludeColors,
    categories: prev.categories,
    excludeTerms: [...new Set([...prev.excludeTerms, ...c.excludeTerms])],
    offset,
    shownIds: offset > 0 ? prev.shownIds ?? [] : [],
    ...opt('priceMinCents', priceMinCents),
    ...opt('priceMaxCents', priceMaxCents),
    ...opt('minRating', minRating),
  };
}

/** Escalations a message's own answer or request goes before: a checkout with a large cart, a frustrated tone at a prompt. */
const SOFT_ESCALATIONS = /^(?:high_value_cart|frustration|complaint)\b/;

export function decide(state0: ConversationState, input: PolicyInput): Decision {
  const d = decideTurn(state0, input);
  if (input.action) return d;
  const complaint = input.nlu.cues.complaint || (input.nlu.intent === 'complaint' && input.nlu.confidence >= 0.5);
  // "Are you a bot? I need a backpack": what the assistant is gets said, then the rest is done.
  const saysWhatItIs = input.nlu.cues.aboutAssistant && !d.actions.some((a) => a.type === 'smalltalk' && a.kind === 'assistant');
  const before: Action[] = [...(complaint ? [{ type: 'acknowledge', kind: 'complaint' } as const] : []), ...(saysWhatItIs ? [{ type: 'smalltalk', kind: 'assistant' } as const] : [])];
  return before.length ? { ...d, actions: [...before, ...d.actions] } : d;
}

function decideTurn(state0: ConversationState, input: PolicyInput): Decision {
  const state: ConversationState = { ...state0, lang: input.nlu.lang, turn: state0.turn + 1 };
  if (input.action) return fromUiAction(input.action, state);
  const cues = input.nlu.cues;
  if (input.escalation) {
    // Cart value alone never sends "checkout" to a person; an answer to the question just asked is read as that answer.
    const asksCheckout = cues.cart === 'checkout' && !cues.checkoutProblem;
    const answers = answersPending(state, input.nlu);
    const soft = SOFT_ESCALATIONS.test(input.escalation.reason) && (input.escalation.reason.startsWith('high_value_cart') || !input.nlu.cues.complaint);
    // The intent alone ("cheaper", "in black" read as asking for a person) never turns a refinement of the last search into a handoff: words asking for a person do.
    const intentOnly = input.escalation.reason === 'requested' && !cues.asksForPerson;
    const refines = intentOnly && isRefinement(input.nlu, state) && !cues.serviceCue;
    if (!((asksCheckout || answers) && soft) && !refines) {
      return { actions: [{ type: 'handoff', reason: input.escalation.reason }], state: { ...state, lowConfidenceStreak: 0 } };
    }
  }

  const pending = state.task;
  const continued = continueTask(state, input);
  if (continued === 'digression' && pending) {
    // Answer the other question first, then bring the pending one back.
    const answered = decideFresh({ ...state, task: undefined }, input);
    const resumed = resumeAfter(answered, pending);
    return resumed ? { actions: [...answered.actions, ...resumed.actions], state: resumed.state } : answered;
  }
  if (continued && continued !== 'digression') return continued;
  return decideFresh(state, input);
}

/** Does the message answer what the assistant is waiting for (an e-mail, an order number, a code, yes / no)? */
function answersPending(state: ConversationState, nlu: Understood): boolean {
  const awaiting = state.task?.awaiting;
  if (!awaiting) return false;
  if (awaiting === 'email') return nlu.entities.emails.length > 0;
  if (awaiting === 'orderId' || awaiting === 'choice') return nlu.cues.bareOrderIds.length > 0 || nlu.entities.emails.length > 0;
  if (awaiting === 'code') return nlu.cues.code !== undefined;
  if (awaiting === 'confirm') return nlu.cues.yes || nlu.cues.no;
  return false;
}

function searchDecision(state: ConversationState, input: PolicyInput, refine: boolean): Decision {
  const search = searchFrom(input, refine ? state.search : undefined);
  return {
    actions: [{ type: 'search', search, refined: refine }],
    state: { ...state, search, lastIntent: 'product_search', lowConfidenceStreak: 0, ...(refine ? {} : { focusProductId: undefined, focusOrderId: undefined }) },
  };
}

function decideFresh(state: ConversationState, input: PolicyInput): Decision {
  const { nlu } = input;
  const e = nlu.entities;
  const { cues, references, constraints } = nlu;
  const intent = nlu.intent;

  // A checkout waiting for an e-mail: the address fills it (a typed address is where the confirmation goes, not proof of who the shopper is).
  if (state.task?.awaiting === 'email' && e.emails[0] && state.task.kind === 'checkout') {
    return { actions: [{ type: 'checkout', email: e.emails[0] }], state: { ...state, task: undefined, contactEmail: e.emails[0] } };
  }
  // A checkout prompt is one question: anything else drops it.
  if (state.task?.kind === 'checkout') state = { ...state, task: undefined };

  // A bare "yes" / "no" answers only the question just asked: after a search, an add or a placed order nothing was asked.
  const bareAnswer = (cues.yes || cues.no) && references.ordinal === undefined && !references.pronoun && !cues.cart && constraints.productTerms.length === 0 && constraints.product === '';
  if (bareAnswer && ['add_to_cart', 'checkout_help', 'product_search', 'product_question', 'view_cart'].includes(state.lastIntent ?? '')) {
    return { actions: [{ type: 'smalltalk', kind: 'thanks' }], state: { ...state, lowConfidenceStreak: 0 } };
  }

  // "Are you a bot?", "你是真人吗": the assistant says what it is; the words "human" or "真人" in it ask for no one.
  if (cues.aboutAssistant && !cues.asksForPerson && !cues.namesProduct && !cues.shoppingCue && !cues.serviceCue && !cues.orderIds.length && !cues.cart && !cues.billingProblem) {
    return { actions: [{ type: 'smalltalk', kind: 'assistant' }], state: { ...state, lowConfidenceStreak: 0 } };
  }

  // Cart operations named in words.
  const cartDecision = decideCart(state, input);
  if (cartDecision) return cartDecision;

  // A follow-up on the policy answer just given ("and for electronics?", "加急呢？") asks the same documents, with that question as context
  // and its topic, unless it confidently asks for something else ("and where is my order?"). A question about "it" with no product in
  // focus ("how much does it cost?") is about the thing that answer was on.
  const policy = state.policy;
  const asksOtherThing = ['order_status', 'cancel_order', 'human_agent', 'complaint'].includes(intent) && nlu.confidence >= 0.8;
  const followsUp = cues.continuation || (references.pronoun && cues.question && !state.focusProductId && !cues.namesProduct && references.ordinal === undefined);
  if (policy && policy.turn === state.turn - 1 && followsUp && !cues.shoppingCue && !cues.cart && !cues.orderIds.length && (!cues.serviceCue || cues.serviceCue === 'policy') && !isShopping(nlu) && !asksOtherThing) {
    return { actions: [{ type: 'policy_answer', topic: asPolicyTopic(policy.topic), question: input.text, context: policy.question }], state: { ...state, lastIntent: intent, lowConfidenceStreak: 0 } };
  }
  // "When will it arrive?" after an order was shown is about that order, not the shipping rules.
  if (state.focusOrderId && cues.deliveryQuestion && !cues.orderIds.length && !cues.serviceCue && !cues.namesProduct) {
    return startTask('order_status', { ...state, lastIntent: 'order_status', lowConfidenceStreak: 0 }, input, { orderId: state.focusOrderId });
  }

  // "You charged my card twice", "退款一直没到账" with no task of its own to look it up: money taken wrongly is for a
  // person to put right; the payment policy ("your card is charged when the order ships") does not answer it.
  if (cues.billingProblem && !cues.serviceCue) {
    return { actions: [{ type: 'handoff', reason: 'complaint' }], state: { ...state, lastIntent: 'payment_problem', lowConfidenceStreak: 0 } };
  }

  // Refinements are read against the last results whatever the classifier says: "in black" is not a new need.
  // A person asked for in words escalates before the policy (src/handoff); the intent alone does not stop a refinement.
  const serviceLike = ['order_status', 'complaint'].includes(intent) && nlu.confidence >= 0.8;
  // "Is the first one water resistant?" asks about a shown card; its feature words are no refinement.
  const asksAboutShown = input.productQuestion === 'one' && references.ordinal !== undefined && state.lastShown.length > 0;
  if (isRefinement(nlu, state) && !serviceLike && !cues.serviceCue && !references.superlative && !asksAboutShown) return searchDecision(state, input, true);

  // Service cue phrases ("cancel my order", "I want to return this") start their task whatever the
  // classifier's confidence: they are unambiguous, and the intent model often is not.
  const cued = cues.serviceCue;
  if (cued && cued !== 'policy') return startTask(cued, { ...state, lastIntent: intent, lowConfidenceStreak: 0 }, input);
  // A message naming an order number in the store's form is about that order, whatever else the classifier made of it.
  if (!cued && cues.orderIds.length > 0 && ['out_of_scope', 'shipping_delivery', 'order_status', 'account', 'product_search', 'greeting'].includes(intent)) {
    return startTask('order_status', { ...state, lastIntent: 'order_status', lowConfidenceStreak: 0 }, input);
  }

  // Questions about the shown products as a set: "which is the cheapest?", "the first or the second?".
  if (references.superlative && state.lastShown.length > 0 && !constraints.productTerms.some((w) => !(state.search?.productTerms ?? []).includes(w))) {
    const among = references.ordinals.length >= 2 ? references.ordinals.map((i) => state.lastShown[i < 0 ? state.lastShown.length + i : i]?.id).filter((x): x is string => !!x) : state.lastShown.map((s) => s.id);
    const add = cues.cart === 'add' ? { addQuantity: Math.min(99, Math.max(1, constraints.quantity ?? 1)) } : {};
    if (among.length) return { actions: [{ type: 'pick_shown', productIds: among, by: references.superlative, question: input.text, ...add }], state: { ...state, lastIntent: cues.cart === 'add' ? 'add_to_cart' : 'product_question', lowConfidenceStreak: 0 } };
  }

  const reference = referencedProduct(nlu, state);
  // A question about what is on screen is answered from those products, whatever the classifier made of it.
  if (input.productQuestion && state.lastShown.length > 0 && !cues.cart && !['order_status', 'human_agent', 'complaint'].includes(intent)) {
    const one = input.productQuestion === 'one' ? reference : undefined;
    const focus = one ?? state.focusProductId;
    const asked: Action = one ? { type: 'show_product', productId: one, question: input.text, viaClick: false } : { type: 'answer_question', question: input.text };
    return { actions: [asked], state: { ...state, lastIntent: 'product_question', lowConfidenceStreak: 0, ...(focus ? { focusProductId: focus } : {}) } };
  }
  const onlyPoints = !cues.question && constraints.product === '';
  // "And the first one too" right after an add is another add.
  if (reference && state.lastIntent === 'add_to_cart' && onlyPoints && !SERVICE_INTENTS.includes(intent)) return addDecision(state, input, reference);
  // "How much is it?", "is it waterproof?": a question about the product in focus.
  if (!reference && state.focusProductId && references.pronoun && cues.question && !cues.storeTopic && !cues.namesProduct && !cues.serviceCue && !SERVICE_INTENTS.includes(intent)) {
    return { actions: [{ type: 'show_product', productId: state.focusProductId, question: input.text, viaClick: false }], state: { ...state, lastIntent: 'product_question', lowConfidenceStreak: 0 } };
  }
  // "The second one" points at a shown product whatever the classifier made of so short a message.
  if (reference && (intent !== 'add_to_cart' || cues.cart !== 'add') && !SERVICE_INTENTS.includes(intent)) {
    return {
      actions: [{ type: 'show_product', productId: reference, ...(onlyPoints ? {} : { question: input.text }), viaClick: false }],
      state: { ...state, lastIntent: 'product_question', lowConfidenceStreak: 0, focusProductId: reference },
    };
  }

  // A message that names something the store sells is a search unless it clearly asks for something else.
  const clearlyOther = SERVICE_INTENTS.includes(intent) && nlu.confidence >= 0.6 && !cues.shoppingCue;
  if ((cues.namesProduct || (cues.shoppingCue && constraints.product !== '')) && !clearlyOther && (OVERRIDABLE_BY_PRODUCT.includes(intent) || cues.shoppingCue || nlu.confidence < 0.6)) {
    // A product question about the product in focus ("is it waterproof?") stays with it.
    const focus = state.focusProductId;
    if (focus && cues.question && references.pronoun && !cues.shoppingCue) {
      return { actions: [{ type: 'show_product', productId: focus, question: input.text, viaClick: false }], state: { ...state, lastIntent: 'product_question', lowConfidenceStreak: 0 } };
    }
    return searchDecision(state, input, false);
  }
  // A follow-up with nothing else in it ("show more", "便宜点") pages the last search.
  if (state.search && nlu.followUps.length > 0 && !serviceLike) return searchDecision(state, input, true);

  const policyLike = intent === 'out_of_scope' && (cues.storeTopic || cues.policyQuestion);
  // Repeated out-of-scope messages are a misunderstanding too; they count toward the handoff offer.
  if (intent === 'out_of_scope' && !policyLike && !reference) return notUnderstood(state, intent);
  if (policyLike) return { actions: [{ type: 'policy_answer', topic: 'general', question: input.text }], state: { ...state, lastIntent: intent, lowConfidenceStreak: 0 } };
  // From here on the intent is never out_of_scope: every out-of-scope message was answered above.
  const lowConfidence = nlu.confidence < input.clarifyBelow;
  if (lowConfidence && !reference && !cues.complaint) {
    const streak = state.lowConfidenceStreak + 1;
    if (streak >= HANDOFF_AFTER_LOW_CONFIDENCE) {
      return { actions: [{ type: 'handoff', reason: 'repeated_low_confidence' }], state: { ...state, lowConfidenceStreak: 0 } };
    }
    const options = nlu.ranking.slice(0, 3).map((r) => r.intent).filter((i) => i !== 'out_of_scope');
    return { actions: [{ type: 'clarify', options }], state: { ...state, lowConfidenceStreak: streak } };
  }
  const next: ConversationState = { ...state, lastIntent: intent, lowConfidenceStreak: 0 };

  const service = SERVICE_INTENTS.includes(intent) ? cues.service : undefined;
  if (service === 'policy') {
    return { actions: [{ type: 'policy_answer', topic: POLICY_TOPICS[intent] ?? (intent === 'cancel_order' ? 'orders' : 'general'), question: input.text }], state: next };
  }
  if (service) return startTask(service, next, input);

  switch (intent) {
    case 'product_search': {
      if (reference) return { actions: [{ type: 'show_product', productId: reference, viaClick: false }], state: { ...next, focusProductId: reference } };
      if (constraints.product === '') return state.search && constrains(nlu) ? searchDecision(next, input, true) : notUnderstood(state, intent);
      return searchDecision(next, input, false);
    }
    case 'product_question': {
      const id = reference ?? state.focusProductId;
      if (id) return { actions: [{ type: 'show_product', productId: id, ...(reference && onlyPoints ? {} : { question: input.text }), viaClick: false }], state: { ...next, focusProductId: id } };
      return searchDecision(next, input, false);
    }
    case 'add_to_cart':
      return addDecision(next, input, reference);
    case 'view_cart':
      return { actions: [{ type: 'show_cart' }], state: next };
    case 'checkout_help': {
      if (!cues.checkoutProblem && cues.cart === 'checkout') return checkoutDecision(next, input);
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

/** The classifier reads a confident shopping message that names a product ("and do you have yoga mats?"). */
function isShopping(nlu: Understood): boolean {
  return nlu.cues.namesProduct && ['product_search', 'add_to_cart'].includes(nlu.intent) && nlu.confidence >= 0.6;
}

const POLICY_TOPIC_NAMES: readonly PolicyTopic[] = ['shipping', 'returns', 'payment', 'coupons', 'account', 'cancel', 'orders', 'general'];
/** A document name as a policy topic: the store's documents are named by topic; another name is 'general'. */
function asPolicyTopic(name: string): PolicyTopic {
  return (POLICY_TOPIC_NAMES as readonly string[]).includes(name) ? (name as PolicyTopic) : 'general';
}

/** Not understood: said so, and repeated misunderstandings count toward the handoff offer. */
function notUnderstood(state: ConversationState, intent: Intent): Decision {
  const streak = state.lowConfidenceStreak + 1;
  if (streak >= HANDOFF_AFTER_LOW_CONFIDENCE) return { actions: [{ type: 'handoff', reason: 'repeated_low_confidence' }], state: { ...state, lowConfidenceStreak: 0 } };
  return { actions: [{ type: 'out_of_scope' }], state: { ...state, lastIntent: intent, lowConfidenceStreak: streak } };
}

function checkoutDecision(state: ConversationState, input: PolicyInput): Decision {
  const email = input.nlu.entities.emails[0] ?? state.customer?.email ?? state.contactEmail;
  if (email) return { actions: [{ type: 'checkout', email }], state: { ...state, contactEmail: email, lastIntent: 'checkout_help' } };
  return { actions: [{ type: 'ask_email_for_checkout' }], state: { ...state, lastIntent: 'checkout_help', task: { kind: 'checkout', slots: {}, awaiting: 'email', confirm: false, options: [], excluded: [], retries: 0 } } };
}

function addDecision(state: ConversationState, input: PolicyInput, reference: string | undefined): Decision {
  const id = reference ?? state.focusProductId ?? (state.lastShown.length === 1 ? state.lastShown[0]!.id : undefined);
  if (!id) return { actions: [{ type: 'which_product' }], state };
  const shown = state.lastShown.find((s) => s.id === id);
  const quantity = Math.min(99, Math.max(1, input.nlu.constraints.quantity ?? 1));
  return {
    actions: [{ type: 'add_to_cart', productId: id, quantity, ...opt('slateId', shown?.slateId), ...opt('position', shown?.position) }],
    state: { ...state, focusProductId: id, lastIntent: 'add_to_cart', lowConfidenceStreak: 0 },
  };
}

/** Cart operations the parse names: add (a shown or focused product), remove, empty, change a quantity, view, checkout. */
function decideCart(state: ConversationState, input: PolicyInput): Decision | undefined {
  const { nlu } = input;
  const cart = nlu.cues.cart;
  if (!cart) return undefined;
  const next: ConversationState = { ...state, lowConfidenceStreak: 0 };
  const reference = referencedProduct(nlu, state);
  switch (cart) {
    case 'checkout':
      return nlu.cues.checkoutProblem ? undefined : checkoutDecision(next, input);
    case 'clear':
      return { actions: [{ type: 'remove_from_cart', all: true }], state: { ...next, lastIntent: 'view_cart' } };
    case 'remove':
      if (nlu.intent !== 'add_to_cart' && nlu.intent !== 'view_cart' && nlu.intent !== 'out_of_scope' && nlu.intent !== 'product_question' && nlu.confidence >= 0.7) return undefined;
      // "Remove one of them": one unit, of the line meant (the action asks which when several could be).
      return { actions: [{ type: 'remove_from_cart', ...opt('productId', reference), ...opt('quantity', removeQuantity(nlu.constraints.quantity)) }], state: { ...next, lastIntent: 'view_cart' } };
    case 'set_quantity': {
      const quantity = nlu.constraints.quantity ?? nlu.entities.quantities[0];
      if (quantity === undefined) return undefined;
      return { actions: [{ type: 'set_quantity', ...opt('productId', reference), quantity: Math.min(99, Math.max(0, quantity)) }], state: { ...next, lastIntent: 'add_to_cart' } };
    }
    case 'view':
      return { actions: [{ type: 'show_cart' }], state: { ...next, lastIntent: 'view_cart' } };
    case 'add': {
      // "The cheap one, add it": the shown-cards question picks the product first.
      if (nlu.references.superlative && state.lastShown.length > 0) return undefined;
      // "add the second one", "ok add them to my cart", "第二个加入购物车": a shown or focused product.
      if (!reference && !state.focusProductId && state.lastShown.length !== 1) {
        // "add them" after one search: the first card is what "them" names ("do you sell airpods?" -> "add them").
        if (nlu.references.pronoun && state.lastShown.length > 0 && nlu.constraints.productTerms.length === 0) return addDecision(next, input, state.lastShown[0]!.id);
        if (nlu.constraints.productTerms.length > 0) return undefined;
      }
      return addDecision(next, input, reference);
    }
  }
}

function removeQuantity(quantity: number | undefined): number | undefined {
  return quantity !== undefined && quantity >= 1 ? Math.min(99, quantity) : undefined;
}

/** After an order lookup found nothing to look up, the turn asks for the id and waits for it. */
export function awaitOrderId(state: ConversationState): ConversationState {
  return { ...state, task: { kind: 'order_status', slots: {}, awaiting: 'orderId', confirm: false, options: [], excluded: [], retries: 0 } };
}
