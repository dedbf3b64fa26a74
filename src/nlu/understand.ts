/**
 * The parse builder: one message understood once. It takes an engine's result (intent, entities,
 * spans when the engine tags them) and the catalog's vocabulary, and fills the structured parse
 * the dialogue decides from: constraints with their scope (wanted or excluded brands, colours,
 * features, price, sizes, quantity), the product words to search for, references to shown
 * products, follow-ups on the last results, and the cues of service talk. The dialogue policy
 * reads this and never the raw text.
 */
import { ENGLISH_STOPWORDS } from '../text/index.js';
import {
  asksAboutAssistant, asksForPerson, isBillingProblem, isCancel, isContinuation, isCorrection, isDeliveryQuestion, isLatest, isNo, isPolicyQuestion, isYes, looksLikeAddress, oneTimeCodeIn, orderIdsIn, returnReasonOf, serviceCueOf, serviceTaskOf, withoutAssistantQuestion,
} from './cues.js';
import { EN_COLORS, EN_NOT_PRODUCT_WORDS, EN_ORDINALS, parseZhNumber, ZH_COLORS } from './lexicon.js';
import type { CatalogLexicon, CatalogTerms, Constraints, Cues, FollowUp, NluResult, NluSpan, References, Understood } from './types.js';

/** Past this many characters of Chinese search text, only its catalog terms are searched for. */
const LONG_ZH_CHARS = 16;

const NEGATION_WORDS: ReadonlySet<string> = new Set(['no', 'not', 'without', 'nothing', 'except', 'excluding', 'avoid', 'non', 'minus', "don't", 'dont', 'none']);

const NO_TERMS: CatalogTerms = { brands: [], colors: [], categories: [], residual: '', matches: [], productTerms: [], attributeTerms: [], corrections: [] };

/** A negation right before a catalog phrase puts it out of scope: "nothing from Sony", "not red", "no adidas", "不要Champion的". */
const NEGATED_BEFORE = /(?:\b(?:no|not|without|nothing|none|anything but|except|excluding|avoid|never|hate|don'?t want|do not want|don'?t like)(?:\s+(?:from|by|made by|of|in|any|a|an|the|more))*\s*|(?:不要|不想要|别要|别给我|除了|不含|不带|排除|去掉|不喜欢)\s*)$/i;

const PRICE_WORDS = /\b(?:under|below|less than|cheaper than|no more than|at most|up to|max(?:imum)?|within|over|above|more than|at least|between|from|around|about|roughly|approximately|or less|or more|and up|tops|budget(?: is| of)?)\b|\$\s*\d[\d,.]*|\b\d[\d,.]*\s*(?:dollars?|bucks|usd|max)\b/gi;
const ZH_FILLER = /我想买|想买|我要买|我想要|想要|我要|有没有|有木有|有吗|求推荐|推荐|求|帮我找找?|帮我|给我|看看|找找?|一下|来个|买个|买件|买|想|的|吗|呢|吧|啊|个|件|款|要|请问|你们|有|一些|一个/g;
const ZH_PRICE = /(?:不超过|不高于|低于|少于|不到|小于|最多|最高|预算|不低于|高于|超过|大于|至少|最少)?\s*(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)\s*(?:美元|元|块钱|块|人民币|刀)?\s*(?:以下|以内|之内|内|以上|起|左右)?/g;

const REFERENCE_EN = /\b(?:the\s+)?(?:first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)(?:\s+(?:one|item|option|product|result|pair))?\b|\b(?:it|that one|this one|that|this|them|those|these|ones?)\b/gi;
const PRONOUN_EN = /\b(?:it|that one|this one|them|those ones|these ones|that|this)\b/i;
const PRONOUN_ZH = /这个|那个|这款|那款|它|这件|那件/;
const ORDINAL_ALL_EN = new RegExp(`\\b(${Object.keys(EN_ORDINALS).join('|')})\\b`, 'gi');
const ORDINAL_ALL_ZH = /第([一二三四五六七八九十\d]+)/g;

const SUPERLATIVES: readonly [NonNullable<References['superlative']>, RegExp][] = [
  ['cheapest', /\b(?:the cheap(?:er)? one|cheapest|least expensive|lowest[- ]priced?|lowest price|cheaper)\b|最便宜|最实惠|价格最低|哪个便宜|哪个更便宜|哪个比较便宜/i],
  ['priciest', /\b(?:most expensive|priciest|dearest|highest[- ]priced?|pricier|more expensive)\b|最贵|价格最高|哪个贵|哪个更贵/i],
  ['best_rated', /\b(?:best|highest|top)[- ]?(?:rated|reviews?|reviewed|ratings?)\b|\bbest reviews?\b|\bhighest ratings?\b|\bbetter (?:rated|reviews?)\b|评价最好|评分最高|好评最多|口碑最好|哪个评价|评价最高|评分最好|哪个好评/i],
  ['most_reviewed', /\b(?:most (?:popular|reviewed|reviews|ratings|bought)|best[- ]?sell(?:ing|er))\b|最受欢迎|最多人买|卖得最好|销量最好|最火|最热门/i],
];
/** A superlative or comparison asks about shown products only with a question form or a position named. */
const WHICH = /\b(?:which|what'?s|what is|who|whichever)\b|哪个|哪款|哪一个|是哪|哪件|\?|？/i;

const FOLLOW_UP_CUES: readonly [FollowUp, RegExp][] = [
  ['other_color', /\b(?:other|different|another|more) colou?rs?\b|\bcolou?r options\b|换个颜色|换颜色|别的颜色|其他颜色|其它颜色/i],
  ['bigger', /\b(?:bigger|larger|bigger ones?|larger ones?|a size up|more room|higher capacity)\b|大一点|更大|大点|大一些|大号的/i],
  ['smaller', /\b(?:smaller|more compact|a size down|tinier)\b|小一点|更小|小点|小一些/i],
];

const FEATURE_EN = /\b(?:with|comes? with|that has|having|has|includes?|including)\s+(?:a|an|the|some|built[- ]in)?\s*([a-z]+(?:\s+[a-z]+)?)/gi;
const FEATURE_ZH = /(?<!不)(?:带|有|要|含)([\p{Script=Han}]{1,4}?)(?:的|功能)/gu;

const CART_CUES: readonly [NonNullable<Cues['cart']>, RegExp][] = [
  ['clear', /\b(?:empty|clear)\b.{0,12}\b(?:cart|basket)\b|\bremove (?:everything|all)\b|清空购物车|清空/i],
  ['set_quantity', /\b(?:change|set|update|make)\b.{0,20}\b(?:quantity|qty|amount)\b|\bquantity to\b|数量改成|数量改为|改成\s*\d+\s*个/i],
  ['remove', /\b(?:remove|delete|take (?:it |that |them )?out|get rid of|drop)\b|删除|删掉|移除|拿掉|不要这个了/i],
  ['checkout', /\b(?:check ?out|place (?:the|my|an) order|pay now|ready to pay|proceed to payment)\b|结账|下单|买单|付款吧/i],
  ['view', /\b(?:what'?s in|show|view|see|open|check)\b.{0,15}\b(?:cart|basket)\b|\b(?:my )?(?:cart|basket) total\b|\bwhat'?s my total\b|购物车里|看看购物车|购物车有|查看购物车/i],
  ['add', /\b(?:add|put|throw|toss)\b|\b(?:i'?ll take|take it|buy (?:it|this|that|them)|get (?:it|this|that))\b|\bin(?:to)? (?:my |the )?(?:cart|basket)\b|加入|加购|放进|加到|来两|来一|来\d|买这|要这/i],
];

const QUESTION = /\?|？|^\s*(?:which|what|does|do|is|are|can|how|who|will|has|have)\b|吗|哪|什么|几|多少|怎么|是否|能不能/i;
const NEW_TOPIC = /\b(?:forget (?:that|it|those|about)|never ?mind|instead|something else|something different|different question|actually,?)\b|算了|换个话题|不看了/i;
const SHOPPING_CUE = /\b(?:something (?:to|for|that)|looking for|look(?:ing)? at|need (?:a|an|some|new)|want (?:a|an|some|to buy|to get|new)|gotta get|get some|shopping for|in the market for|gift (?:for|idea)|find me|recommend|suggest|do you (?:sell|have|carry|stock)|have you got|any good)\b|我想买|想买|想要|推荐|有没有|有木有|求购|求推荐|在找|找一?个/i;
const COMPLAINT = /\b(?:annoyed|angry|upset|furious|terrible|awful|horrible|disappointed|unacceptable|ridiculous|worst|frustrat\w*|fed up)\b|太差|差劲|生气|投诉|失望|气死|受不了/i;
/** An "out of scope" message with these words is a store question the policy documents may answer. */
const STORE_TOPIC = /\b(polic(y|ies)|returns?|refunds?|ship(ping)?|deliver(y|ies)?|cancel\w*|pay(ment)?|paid|credit card|card|coupons?|promo|discounts?|accounts?|passwords?|warrant(y|ies)|exchanges?|gift ?wrap\w*|wrapping|orders?|invoices?|do you (offer|accept|allow|ship))\b|政策|退|换货|运费|配送|发货|付款|支付|优惠|账户|密码|发票|订单|寄到|邮寄|快递/i;
const CHECKOUT_PROBLEM = /\b(?:fail\w*|error|declined?|not working|problem|issue|can'?t|won'?t|doesn'?t|how (?:do|can) i)\b|失败|错误|不行|怎么/i;

function negatedWordsOf(terms: readonly string[]): Set<string> {
  return new Set(terms.flatMap((t) => t.toLowerCase().split(/\s+/)));
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** The colour a negated or named term stands for ("red", "红色", "红"), or undefined. */
function colorOf(term: string): string | undefined {
  const t = term.toLowerCase().trim();
  if (Object.hasOwn(EN_COLORS, t)) return EN_COLORS[t];
  const zh = t.replace(/[色的]+$/u, '');
  return Object.hasOwn(ZH_COLORS, zh) ? ZH_COLORS[zh] : undefined;
}

/** Fills the parse of one message (see the file comment). `catalog` absent: no catalog grounding (tests, empty stores). */
/** E-mail addresses and order numbers are answers, not product words. */
const NOT_PRODUCT_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\b[A-Za-z]{2}-?\d{4,15}\b|#\s?\d{3,15}\b/g;
const SET_QUANTITY_TO = /\b(?:to|=|make it)\s*(\d{1,2})\b|(?:改成|改为|换成)\s*(\d{1,2})/i;

/**
 * The tagged spans a parse keeps. The tagger is noisier than its intent: it tags PRODUCT on "ones",
 * "smth", "looks fine", "急呢" and NEG on "几" (of "几颗星"). With a catalog, a PRODUCT span counts
 * for the catalog product words it holds (a Chinese one for those the glossary turns it into, so
 * it searches for something the store has), and a NEG span only when it names a brand, colour,
 * product or attribute the catalog knows. Without a catalog (tests, empty stores) spans count as
 * tagged, less function words.
 */
function groundedSpans(spans: readonly NluSpan[], catalog: CatalogLexicon | undefined): { productWords: string[]; ungrounded: string[]; negated: NluSpan[] } {
  const productWords: string[] = [];
  const ungrounded: string[] = [];
  const negated: NluSpan[] = [];
  const contentWords = (text: string) => text.toLowerCase().split(/\s+/).filter((w) => w.length > 2 && !ENGLISH_STOPWORDS.has(w) && !EN_NOT_PRODUCT_WORDS.has(w));
  for (const s of spans) {
    if (s.label !== 'PRODUCT' && s.label !== 'NEG') continue;
    const found = catalog?.extract(s.text);
    if (s.label === 'PRODUCT') {
      if (found) productWords.push(...found.productTerms);
      else productWords.push(...s.text.toLowerCase().split(/\s+/).filter((w) => w.length > 2 && !ENGLISH_STOPWORDS.has(w)));
      // A tagged thing the store's vocabulary does not hold ("electric toothbrush" in a store without
      // one): kept apart, for a message that plainly asks for something (below).
      if (found && !found.productTerms.length) ungrounded.push(...(/\p{Script=Han}/u.test(s.text) ? (s.text.trim().length >= 2 ? [s.text.trim()] : []) : contentWords(s.text)));
    } else if (!found || colorOf(s.text) || found.brands.length || found.colors.length || found.productTerms.length || found.attributeTerms.length) {
      negated.push(s);
    }
  }
  return { productWords, ungrounded, negated };
}

export function understand(base: NluResult, input: string, catalog?: CatalogLexicon): Understood {
  // Same length, so the offsets of catalog matches stay those of the message. A question about the assistant ("are you a robot?") names no product either.
  const text = withoutAssistantQuestion(input).replace(NOT_PRODUCT_TEXT, (s) => ' '.repeat(s.length));
  const terms = catalog?.extract(text) ?? NO_TERMS;
  // Product words are read without the wanted-feature phrases ("with a lid", "带吸管的"): those refine, they name no new product.
  const withoutFeatures = text.replace(FEATURE_EN, (s) => ' '.repeat(s.length)).replace(FEATURE_ZH, (s) => ' '.repeat(s.length));
  const productTermsSeen = catalog && withoutFeatures !== text ? catalog.extract(withoutFeatures).productTerms : terms.productTerms;
  const e = base.entities;
  const lower = text.toLowerCase();
  const isZh = base.lang === 'zh';

  // Scope: a catalog brand or colour right after a negation is excluded, never wanted.
  const brands: string[] = [];
  const excludeBrands: string[] = [];
  const colors: string[] = [];
  const excludeColors: string[] = [];
  const negatedRanges: [number, number][] = [];
  for (const m of terms.matches) {
    if (m.kind === 'category') continue;
    const negated = NEGATED_BEFORE.test(text.slice(Math.max(0, m.start - 30), m.start));
    if (negated) negatedRanges.push([m.start, m.end]);
    (m.kind === 'brand' ? (negated ? excludeBrands : brands) : negated ? excludeColors : colors).push(...m.values);
  }
  const tagged = groundedSpans(base.spans ?? [], catalog);
  for (const s of tagged.negated) negatedRanges.push([s.start, s.end]);
  // Negated terms the entities and the tagger read: brands and colours become exclusion filters of their kind, the rest title words.
  const excludeTerms: string[] = [];
  const negatedTerms = [...e.excludeTerms];
  for (const s of tagged.negated) if (!negatedTerms.some((t) => t.toLowerCase() === s.text.trim().toLowerCase())) negatedTerms.push(s.text.trim());
  for (const term of negatedTerms) {
    const words = term.replace(/^(?:from|by|made by)\s+/i, '');
    const color = colorOf(words);
    if (color) excludeColors.push(color);
    else if (excludeBrands.some((b) => b === words.toLowerCase() || words.toLowerCase().startsWith(b))) continue;
    else if (terms.brands.includes(words.toLowerCase()) || terms.matches.some((m) => m.kind === 'brand' && m.values.includes(words.toLowerCase()))) excludeBrands.push(words.toLowerCase());
    else excludeTerms.push(words);
  }
  for (const c of e.colors) if (!excludeColors.includes(c)) colors.push(c);
  // A colour typed with a typo ("in blak") is still a colour.
  for (const fix of terms.corrections) if (Object.hasOwn(EN_COLORS, fix.to) && !negatedWordsOf(e.excludeTerms).has(fix.from)) colors.push(EN_COLORS[fix.to]!);
  const wantedColors = unique(colors).filter((c) => !excludeColors.includes(c));
  const wantedBrands = unique(brands).filter((b) => !excludeBrands.includes(b));
  const negatedWords = new Set(excludeTerms.flatMap((t) => t.toLowerCase().split(/\s+/)));

  // Wanted features: "with a lid", "comes with a light", "带吸管的", "要保温的" are search words, not a new product.
  const features: string[] = [];
  for (const m of lower.matchAll(FEATURE_EN)) {
    const words = m[1]!.split(/\s+/).filter((w) => !ENGLISH_STOPWORDS.has(w) && !EN_NOT_PRODUCT_WORDS.has(w));
    if (words.length) features.push(words.join(' '));
  }
  if (isZh) for (const m of text.matchAll(FEATURE_ZH)) if (!/^(?:没|什么|哪)/.test(m[1]!)) features.push(m[1]!);
  const featureWords = new Set(features.flatMap((f) => f.split(/\s+/)));
  const attributes = terms.attributeTerms.filter((w) => !negatedWords.has(w) && !Object.hasOwn(EN_COLORS, w));
  // The words naming a cart operation ("add", "remove") are no product, though titles have them ("Add-On", "Lint Remover").
  const cartMatch = CART_CUES.map(([kind, re]) => ({ kind, m: re.exec(text) })).find((c) => c.m !== null);
  const cartCue = cartMatch?.kind;
  const cartWords = new Set(cartCue === 'add' || cartCue === 'remove' || cartCue === 'clear' ? cartMatch!.m![0].toLowerCase().split(/[^\p{L}]+/u).filter(Boolean) : []);
  const productTerms = productTermsSeen.filter((w) => !negatedWords.has(w) && !featureWords.has(w) && !cartWords.has(w));
  // A tagger's product words count when the engine itself reads a shopping message: its spans are
  // noisier than its intent ("thank you so much" can carry a stray PRODUCT tag); the catalog's own
  // vocabulary above grounds product words whatever the intent.
  const shoppingIntent = base.intent === 'product_search' || base.intent === 'product_question' || base.intent === 'add_to_cart';
  const ownWords = (w: string) => !negatedWords.has(w) && !featureWords.has(w) && !cartWords.has(w) && !Object.hasOwn(EN_COLORS, w);
  if (shoppingIntent) productTerms.push(...tagged.productWords.filter(ownWords));
  // "I want to buy an electric toothbrush", "我想买个电动牙刷": a thing asked for in so many words is
  // a product the shopper wants, a new search (that may find nothing), even where the catalog's
  // vocabulary lacks it, never a refinement of the last search by its one known word ("electric").
  const shoppingCue = SHOPPING_CUE.test(text);
  if (shoppingIntent && shoppingCue) productTerms.push(...tagged.ungrounded.filter(ownWords));

  const references = referencesOf(text, lower, e.ordinal);
  let followUps: FollowUp[] = [...e.refinements];
  for (const [kind, re] of FOLLOW_UP_CUES) if (re.test(text)) followUps.push(kind);
  // "which is the cheapest?" asks about what was shown; "cheaper" alone pages on.
  if (references.superlative) followUps = followUps.filter((f) => f !== 'cheaper' && f !== 'pricier' && f !== 'better_rated');
  // "On a budget, nothing over $200": the stated budget is the constraint, not a step down from what was shown.
  if (e.priceRange) followUps = followUps.filter((f) => f !== 'cheaper' && f !== 'pricier');
  followUps = unique(followUps);

  let product = isZh ? zhProductText(text, e.excludeTerms, negatedRanges) : enProductText(text, terms, { negatedRanges, negatedWords: new Set([...negatedWords, ...cartWords]) });
  // A long Chinese message is a story around the need: search for the catalog words its terms stand for.
  if (isZh && product.length > LONG_ZH_CHARS && productTerms.length) product = unique([...productTerms, ...attributes]).join(' ');
  const setTo = cartCue === 'set_quantity' ? SET_QUANTITY_TO.exec(text) : null;
  const quantity = setTo ? Number(setTo[1] ?? setTo[2]) : e.quantities[0];
  const constraints: Constraints = {
    product,
    productTerms: unique(productTerms),
    brands: wantedBrands,
    excludeBrands: unique(excludeBrands),
    colors: wantedColors,
    excludeColors: unique(excludeColors),
    excludeTerms: unique(excludeTerms),
    features: unique([...features, ...attributes]),
    ...(e.priceRange ? { priceRange: e.priceRange } : {}),
    sizes: e.sizes,
    ...(quantity !== undefined ? { quantity } : {}),
    ...(e.minRating !== undefined ? { minRating: e.minRating } : {}),
  };

  const orderIds = orderIdsIn(input, e);
  const hasOrderId = orderIds.length > 0;
  const serviceCue = serviceCueOf(input, hasOrderId);
  const service = serviceTaskOf(input, base.intent, hasOrderId);
  const cart = cartCue;
  const code = oneTimeCodeIn(input);
  const reason = returnReasonOf(input);
  const billingProblem = isBillingProblem(input);
  // A billing problem stated is a grievance, acknowledged like any other.
  const complaint = COMPLAINT.test(text) || billingProblem;
  const storeTopic = STORE_TOPIC.test(text);
  // A question about the store's rules ("what's your return window?") or a complaint about a product names no product to search for.
  const namesProduct = (productTerms.length > 0 || wantedBrands.length > 0) && !serviceCue && (shoppingCue || !(complaint || (storeTopic && isPolicyQuestion(input)) || /\b(?:return|refund|label|shipping|delivery)\b|退货|退款|运费|配送/i.test(text)));
  const cues: Cues = {
    ...(service ? { service } : {}),
    ...(serviceCue ? { serviceCue } : {}),
    yes: isYes(input),
    no: isNo(input),
    cancel: isCancel(input),
    correction: isCorrection(input),
    latest: isLatest(input),
    orderIds,
    bareOrderIds: orderIdsIn(input, e, { bareNumbers: true }),
    ...(code ? { code } : {}),
    ...(reason ? { returnReason: reason } : {}),
    looksLikeAddress: looksLikeAddress(input),
    policyQuestion: isPolicyQuestion(input),
    asksForPerson: asksForPerson(input),
    continuation: isContinuation(input),
    deliveryQuestion: isDeliveryQuestion(input),
    ...(cart ? { cart } : {}),
    checkoutProblem: CHECKOUT_PROBLEM.test(text),
    namesProduct,
    question: QUESTION.test(text),
    newTopic: NEW_TOPIC.test(text),
    shoppingCue,
    complaint,
    storeTopic,
    billingProblem,
    aboutAssistant: asksAboutAssistant(input),
  };
  return { ...base, constraints, references, followUps, cues };
}

function referencesOf(text: string, lower: string, ordinal: number | undefined): References {
  const ordinals: number[] = [];
  for (const m of lower.matchAll(ORDINAL_ALL_EN)) {
    const v = EN_ORDINALS[m[1]!];
    if (v !== undefined && /\b(?:the|and|or|vs|versus|between)\s*$|^\s*$/.test(lower.slice(Math.max(0, m.index - 10), m.index))) ordinals.push(v);
  }
  for (const m of text.matchAll(ORDINAL_ALL_ZH)) {
    const n = parseZhNumber(m[1]!);
    if (n !== undefined && n >= 1) ordinals.push(n - 1);
  }
  let superlative: References['superlative'];
  for (const [kind, re] of SUPERLATIVES) {
    if (!re.test(text)) continue;
    // "cheaper"/"pricier" compare only when asked which of the shown ("which is cheaper, the first or the second").
    const comparative = /cheaper|pricier|more expensive|better/i.test(text) && !/cheapest|priciest|most|best/i.test(text);
    if (comparative && !(WHICH.test(text) && ordinals.length >= 2)) continue;
    if (!WHICH.test(text) && !/\bthe (?:cheap|priciest|most|best|highest|lowest)/i.test(text)) continue;
    superlative = kind;
    break;
  }
  const pronoun = PRONOUN_EN.test(text.replace(/\bit'?s\b/gi, '')) || PRONOUN_ZH.test(text);
  const first = ordinal ?? (ordinals.length === 1 ? ordinals[0] : undefined);
  return { ...(first !== undefined ? { ordinal: first } : {}), ordinals: unique(ordinals), pronoun, ...(superlative ? { superlative } : {}) };
}

/**
 * The English words to search for: the message's words, typos corrected, without filler and
 * chat words, price phrases, references, and negated phrases (those became exclusion filters).
 */
function enProductText(text: string, terms: CatalogTerms, scope: { negatedRanges: readonly [number, number][]; negatedWords: ReadonlySet<string> }): string {
  let masked = text;
  // Blank out (same length, so offsets hold) negated catalog phrases and the negation before them.
  for (const [start, end] of scope.negatedRanges) masked = masked.slice(0, start) + ' '.repeat(end - start) + masked.slice(end);
  masked = masked.replace(PRICE_WORDS, (s) => ' '.repeat(s.length)).replace(REFERENCE_EN, (s) => ' '.repeat(s.length));
  const fixes = new Map(terms.corrections.map((c) => [c.from, c.to]));
  const out: string[] = [];
  for (const m of masked.matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu)) {
    const raw = m[0].toLowerCase();
    // Negated words became exclusion filters; the negation words carry no product.
    if (scope.negatedWords.has(raw) || NEGATION_WORDS.has(raw)) continue;
    const w = fixes.get(raw) ?? raw;
    if (ENGLISH_STOPWORDS.has(w) || EN_NOT_PRODUCT_WORDS.has(w) || /^\d+$/.test(w) || w.length < 2) continue;
    if (/^(?:we|they|you|i|it|that|there|he|she|what|who|let)['’]/.test(w)) continue;
    if (/^(?:i'm|im|i'd|i'll|i've|it's|that's|what's|ones|pls|plz|smth|sth|gotta|wanna|gonna|lemme|u|ur|teh|wat|thx|tho|though|around|about|size|sz|cheap|cheaper|pricier|expensive|decent|nice|good)$/.test(w)) continue;
    out.push(w);
  }
  return unique(out).join(' ');
}

/** The Chinese text to search for: the message without filler, price phrases and negated terms (the retriever adds the glossary's English). */
function zhProductText(text: string, excludeTerms: readonly string[], negatedRanges: readonly [number, number][]): string {
  let out = text;
  for (const [start, end] of negatedRanges) out = out.slice(0, start) + ' '.repeat(end - start) + out.slice(end);
  out = out.replace(/(?:不要|不想要|别要|除了|不含|不带|去掉|排除|不喜欢)\s+的?/g, ' ');
  for (const term of excludeTerms) out = out.replace(new RegExp(`(?:不要|不想要|别要|除了|不含|不带|没有|去掉|排除)\\s*${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}的?`, 'g'), ' ');
  // Positions first: "第三个" is a reference, not the amount 三.
  out = out.replace(/第[一二三四五六七八九十\d]+(?:个|款|件)?/g, ' ').replace(ZH_PRICE, (s) => (/\d|[零〇一二两三四五六七八九十百千万]/.test(s) ? ' ' : s));
  out = out.replace(ZH_FILLER, ' ').replace(/[，,。！!？?、；;：:（）()]/g, ' ');
  return out.replace(/\s+/g, ' ').trim();
}
