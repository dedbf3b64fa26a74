/**
 * Search and product actions: retrieve candidates with the search's filters, let the ranker order
 * the slate, and log what was shown (the search, the slate with every candidate's features, one
 * impression per card); a product opened from a card is a click.
 */
import type { Product } from '../catalog/index.js';
import { searchConstraints, searchFilters, type Action, type ConversationState } from '../dialogue/index.js';
import { impressionEvents, slateEvent, type FunnelEventInput } from '../funnel/index.js';
import type { ProductCard } from '../messages.js';
import { maskPersonalData } from '../privacy/index.js';
import { pickProduct, toCard } from '../responses/index.js';
import { addToCart } from './cart.js';
import { outcome, type ActionContext, type ActionDeps, type ActionOutcome } from './types.js';

/** Out-of-stock products stay findable but give way to ones the shopper can buy now. */
const OUT_OF_STOCK_RELEVANCE = 0.5;

function isBuyable(p: Product): boolean {
  return p.availability !== 'out_of_stock' && p.stock !== 0;
}

export async function search(action: Extract<Action, { type: 'search' }>, state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  const s = action.search;
  const k = deps.slateSize;
  // A new search lets other brands fill a page the named brand cannot; a refinement ("in black")
  // narrows what the shopper already chose, so its brand stays a filter.
  const { filters, preferred } = searchConstraints(s, action.refined ? 0 : s.offset + k);
  // A next page shows products not shown yet for this search (the ranker reorders a page, so an offset alone repeats cards).
  const seen = s.offset > 0 ? s.shownIds : [];
  const hits = await deps.retriever.search({ text: s.query, filters: { ...filters, inStockOnly: false, ...(seen.length ? { excludeIds: seen } : {}) }, ...(preferred ? { preferred } : {}), k: Math.max(deps.candidates, k), lang: state.lang });
  const pageHits = hits;
  const products = await deps.catalog.getMany(pageHits.map((h) => h.id));
  const candidates = pageHits.flatMap((h) => {
    const product = products.get(h.id);
    return product ? [{ product, relevance: isBuyable(product) ? h.score : h.score * OUT_OF_STOCK_RELEVANCE }] : [];
  });
  // Retrieval reads the raw words; the ranker gets the masked query, because its features are logged
  // with the slate and the features logged must be the ones it ranked with.
  const query = maskPersonalData(s.query);
  const ranked = deps.ranker.rank({ candidates, k, query, userId: ctx.msg.userId, lang: state.lang });
  const slateId = deps.newId();
  const cards: ProductCard[] = ranked.items.map((it) => toCard(it.product, it.position, slateId, it.sponsored));
  const events: FunnelEventInput[] = [{ ...ctx.base, id: `${ctx.turnId}:search`, type: 'search', query, results: hits.length }];
  if (cards.length) {
    const shown = ranked.items.map((it) => ({ productId: it.product.id, position: it.position, propensity: it.propensity, sponsored: it.sponsored, ...(it.explanation ? { explanation: { ...it.explanation, why: [...it.explanation.why] } } : {}) }));
    const slate = { base: ctx.base, slateId, policyId: ranked.policyId, query, shown };
    events.push(
      slateEvent({
        ...slate,
        policyVersion: ranked.policyVersion,
        candidates: candidates.map((c) => {
          const features = ranked.candidateFeatures?.(c.product.id);
          return { productId: c.product.id, score: c.relevance, ...(features ? { features } : {}) };
        }),
      }),
      ...impressionEvents(slate),
    );
  }
  return outcome(
    { ...state, search: { ...s, shownIds: [...seen, ...cards.map((c) => c.id)].slice(-200) }, lastShown: cards.map((c) => ({ id: c.id, position: c.position, slateId })), focusProductId: cards.length === 1 ? cards[0]!.id : state.focusProductId },
    { type: 'search', query: s.query, refined: action.refined, more: s.offset > 0, products: cards, filters: searchFilters(s) },
    events,
  );
}

export async function showProduct(action: Extract<Action, { type: 'show_product' }>, state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  const product = await deps.catalog.get(action.productId);
  if (!product) return outcome(state, { type: 'unavailable' });
  const click: FunnelEventInput[] = action.viaClick
    ? [{ ...ctx.base, id: `${ctx.turnId}:click:${product.id}`, type: 'click', productId: product.id, ...(action.position !== undefined ? { position: action.position } : {}), ...(action.slateId ? { slateId: action.slateId } : {}) }]
    : [];
  if (action.question) return outcome({ ...state, focusProductId: product.id }, { type: 'product_question', question: action.question, product, slate: await shownProducts(state, deps) }, click);
  return outcome({ ...state, focusProductId: product.id }, { type: 'product', product }, click);
}

/** The cards last shown, in their order: what a question about "these" or "the third one" reads. */
async function shownProducts(state: ConversationState, deps: ActionDeps): Promise<Product[]> {
  const rows = await deps.catalog.getMany(state.lastShown.map((s) => s.id));
  return state.lastShown.flatMap((s) => rows.get(s.id) ?? []);
}

/** A question about the cards on screen that names no single one ("which is the cheapest?"): answered over all of them. */
export async function answerQuestion(action: Extract<Action, { type: 'answer_question' }>, state: ConversationState, deps: ActionDeps): Promise<ActionOutcome> {
  const focus = state.focusProductId ? await deps.catalog.get(state.focusProductId) : undefined;
  return outcome(state, { type: 'product_question', question: action.question, slate: await shownProducts(state, deps), ...(focus ? { product: focus } : {}) });
}

/** "Which is the cheapest?", "the first or the second, which is cheaper?": the product among those shown that answers it, shown alone. */
export async function pickShown(action: Extract<Action, { type: 'pick_shown' }>, state: ConversationState, ctx: ActionContext, deps: ActionDeps): Promise<ActionOutcome> {
  const products = await deps.catalog.getMany([...action.productIds]);
  const best = pickProduct(action.by, action.productIds.map((id) => products.get(id)).filter((p): p is Product => p !== undefined));
  if (!best) return outcome(state, { type: 'unavailable' });
  // "The cheap one, add it to the cart": the pick goes into the cart.
  if (action.addQuantity) {
    const shown = state.lastShown.find((s) => s.id === best!.id);
    return addToCart({ type: 'add_to_cart', productId: best.id, quantity: action.addQuantity, ...(shown ? { slateId: shown.slateId, position: shown.position } : {}) }, { ...state, focusProductId: best.id }, ctx, deps);
  }
  return outcome({ ...state, focusProductId: best.id }, { type: 'product', product: best });
}
