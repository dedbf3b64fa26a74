/**
 * The store's intent taxonomy and what the NLU returns for one message.
 * Every NLU engine (the linear baseline, the ONNX transformer) returns NluResult.
 */
import { z } from 'zod';
import type { Lang } from '../messages.js';

export const INTENTS = [
  'product_search', // product search / recommendation
  'product_question',
  'add_to_cart',
  'view_cart',
  'checkout_help',
  'coupon_question',
  'order_status', // order status / tracking
  'cancel_order', // cancel or change order
  'returns_refunds',
  'shipping_delivery',
  'payment_problem',
  'account',
  'complaint',
  'human_agent',
  'greeting',
  'goodbye',
  'thanks',
  'out_of_scope',
] as const;
export const IntentSchema = z.enum(INTENTS);
export type Intent = z.infer<typeof IntentSchema>;

export interface PriceRange {
  readonly minCents?: number;
  readonly maxCents?: number;
}

export interface Entities {
  readonly orderIds: readonly string[];
  readonly emails: readonly string[];
  readonly money: readonly { readonly cents: number; readonly currency: string }[];
  readonly priceRange?: PriceRange;
  readonly quantities: readonly number[];
  readonly colors: readonly string[];
  readonly sizes: readonly string[];
  /** "4 stars and up", "评分4分以上". */
  readonly minRating?: number;
  /** "the second one" -> 1 (0-based), "last one" -> -1. */
  readonly ordinal?: number;
  /** Refinement cues on the last results. */
  readonly refinements: readonly ('cheaper' | 'pricier' | 'more' | 'better_rated')[];
  /** Negated terms: "without buckles" -> ["buckles"], "不要皮的" -> ["皮"]. */
  readonly excludeTerms: readonly string[];
}

export interface IntentScore {
  readonly intent: Intent;
  readonly confidence: number;
}

/** A tagged span of the message: character offsets [start, end) in the text parsed. */
export interface NluSpan {
  /** PRODUCT, BRAND, COLOR, SIZE, PRICE (budget expressions), NEG (an excluded term), ORDER_ID, EMAIL. */
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** What the catalog's vocabulary finds in a message (retrieval's CatalogVocabulary implements this). */
export interface CatalogTerms {
  readonly brands: readonly string[];
  readonly colors: readonly string[];
  readonly categories: readonly string[];
  /** The message without brand and colour phrases. */
  readonly residual: string;
  readonly matches: readonly { readonly kind: 'brand' | 'color' | 'category'; readonly values: readonly string[]; readonly start: number; readonly end: number }[];
  /** Catalog words that name a kind of product ("mattress", "headphones"; "拖鞋" -> "slippers"), typos corrected. */
  readonly productTerms: readonly string[];
  /** Catalog words that describe a product (audience, material, feature, size: "men", "leather", "queen"). */
  readonly attributeTerms: readonly string[];
  /** Typed words read as catalog words ("headphnes" -> "headphones"). */
  readonly corrections: readonly { readonly from: string; readonly to: string }[];
}

export interface CatalogLexicon {
  extract(text: string): CatalogTerms;
}

/** What a shopping message asks for, each constraint with its scope (wanted or excluded). */
export interface Constraints {
  /** The words to search for: the product asked for, typos corrected, without filler, filter and reference phrases; '' when none. */
  readonly product: string;
  /** Words naming a kind of product (the product type: kept over refinements, reset by a new one). */
  readonly productTerms: readonly string[];
  readonly brands: readonly string[];
  readonly excludeBrands: readonly string[];
  readonly colors: readonly string[];
  readonly excludeColors: readonly string[];
  /** Negated materials and features ("without a lid", "不要皮的"), matched against titles. */
  readonly excludeTerms: readonly string[];
  /** Wanted features and attributes ("with a lid", "带吸管的", "for men"): search words, not filters. */
  readonly features: readonly string[];
  readonly priceRange?: PriceRange;
  readonly sizes: readonly string[];
  readonly quantity?: number;
  readonly minRating?: number;
}

/** How a message points at products already shown. */
export interface References {
  /** "the third one" -> 2, "last one" -> -1. */
  readonly ordinal?: number;
  /** "the first or the second", "第一个和第二个": every position named, 0-based. */
  readonly ordinals: readonly number[];
  /** "it", "that one", "them", "这个". */
  readonly pronoun: boolean;
  /** "the cheapest", "which has the best reviews", "哪个评价最好". */
  readonly superlative?: 'cheapest' | 'priciest' | 'best_rated' | 'most_reviewed';
}

export const FOLLOW_UPS = ['cheaper', 'pricier', 'more', 'better_rated', 'other_color', 'bigger', 'smaller'] as const;
export type FollowUp = (typeof FOLLOW_UPS)[number];

export const SERVICE_TASKS = ['order_status', 'cancel_order', 'change_address', 'return_order', 'refund_status'] as const;
export type ServiceTask = (typeof SERVICE_TASKS)[number];

/** What a message answers or asks beside its intent: the cues the dialogue's tasks and cart read. */
export interface Cues {
  /** The service task the message asks for, by cue phrases read over the intent, or 'policy' for a question about the rules. */
  readonly service?: ServiceTask | 'policy';
  /** The same from unambiguous cue phrases alone (they start a task whatever the intent's confidence). */
  readonly serviceCue?: ServiceTask | 'policy';
  readonly yes: boolean;
  readonly no: boolean;
  readonly cancel: boolean;
  /** "no, the other order". */
  readonly correction: boolean;
  /** "latest", "most recent". */
  readonly latest: boolean;
  /** Order ids in the store's forms and those read with an order cue; `bareOrderIds` also bare 6-digit numbers. */
  readonly orderIds: readonly string[];
  readonly bareOrderIds: readonly string[];
  /** A six-digit one-time code. */
  readonly code?: string;
  readonly returnReason?: string;
  readonly looksLikeAddress: boolean;
  /** A rules question ("how long", "can I return..."). */
  readonly policyQuestion: boolean;
  /** A cart operation named in words. */
  readonly cart?: 'add' | 'remove' | 'clear' | 'view' | 'checkout' | 'set_quantity';
  /** Checkout asked for ("checkout", "结账"), as opposed to a problem with it. */
  readonly checkoutProblem: boolean;
  /** The message names something the store sells. */
  readonly namesProduct: boolean;
  /** The message asks something ("?", "which", "does it", "吗", "哪个"). */
  readonly question: boolean;
  /** The message starts over ("forget that", "something else:", "算了，看看..."). */
  readonly newTopic: boolean;
  /** A description of a need ("something to keep my coffee hot", "looking for", "我想买"). */
  readonly shoppingCue: boolean;
  /** Store words an out-of-scope message may be asking the policy documents about (returns, shipping, warranty, 政策...). */
  readonly storeTopic: boolean;
  /** Words asking for a person in this chat ("a real person", "转人工"), as opposed to an intent alone. */
  readonly asksForPerson: boolean;
  /** Goes on from the last answer without a subject of its own ("and for electronics?", "what about international?", "加急呢？"). */
  readonly continuation: boolean;
  /** Asks when or where something arrives ("when will it arrive?", "到哪了"). */
  readonly deliveryQuestion: boolean;
  /** Words of a complaint ("really annoyed", "charged twice", "太差劲了"): acknowledged, whatever else the message asks. */
  readonly complaint: boolean;
  /** Money taken wrongly ("charged me twice", "wrong amount", "refund never arrived", "多扣了钱"): a person must look, no policy text answers it. */
  readonly billingProblem: boolean;
  /** A question about the assistant itself ("are you a bot?", "你是真人吗", "你是谁"): small talk, never a request for a person. */
  readonly aboutAssistant: boolean;
}

export interface NluResult {
  readonly lang: Lang;
  readonly intent: Intent;
  /** Calibrated probability of `intent`. */
  readonly confidence: number;
  /** All intents, best first. */
  readonly ranking: readonly IntentScore[];
  readonly entities: Entities;
  /** Spans tagged by the transformer engine (absent for engines that do not tag). */
  readonly spans?: readonly NluSpan[];
  /** Which engine produced the intent (for logs and evals). */
  readonly engine: string;
  /** Spans a tagging engine found; the parse builder (understand.ts) reads them when present. */
  /** Filled by `understand` (the parse builder, once per message): constraints with scope, references, follow-ups and cues. */
  readonly constraints?: Constraints;
  readonly references?: References;
  readonly followUps?: readonly FollowUp[];
  readonly cues?: Cues;
}

/** A message understood once: the engine's result with the parse builder's fields filled. */
export type Understood = NluResult & Required<Pick<NluResult, 'constraints' | 'references' | 'followUps' | 'cues'>>;

export interface Nlu {
  parse(text: string, options?: { signal?: AbortSignal; langHint?: Lang }): Promise<NluResult>;
  close(): Promise<void>;
}
