/**
 * What a shopper asks about the products on screen: which fact (price, rating, reviews, brand,
 * stock, weight, size), a comparison among the shown cards (cheapest, best rated, lighter,
 * bigger), or a yes/no attribute ("is the third one water resistant?"), and which cards the
 * question names. The response model reads this to choose its answer (product-answers.ts); the
 * turn reads it once, so the policy can send a question about shown cards to the answer.
 */
import type { Lang } from '../messages.js';
import { translateQuery } from '../retrieval/index.js';

export type Superlative = 'cheapest' | 'priciest' | 'best_rated' | 'most_reviewed' | 'lightest' | 'heaviest' | 'biggest' | 'smallest';
export type FactKind = 'price' | 'rating' | 'reviews' | 'brand' | 'stock' | 'weight' | 'size';

export type ProductQuestion =
  /** A comparison among the shown cards (`among`: the positions named, 0-based; -1 is the last). */
  | { readonly kind: 'compare'; readonly by: Superlative; readonly among: readonly number[] }
  | { readonly kind: 'fact'; readonly fact: FactKind; readonly positions: readonly number[] }
  /** Yes/no on an attribute; `concepts`: the English catalog words to look for (listing-facts.ts attributeAnswer). */
  | { readonly kind: 'attribute'; readonly concepts: readonly (readonly string[])[]; readonly positions: readonly number[] }
  /** Some other question about a product ("what is it made of?"): answered from its best-matching sentence. */
  | { readonly kind: 'other'; readonly positions: readonly number[] };

const EN_ORDINAL: Readonly<Record<string, number>> = {
  first: 0, second: 1, third: 2, fourth: 3, fifth: 4, sixth: 5, seventh: 6, eighth: 7, ninth: 8, tenth: 9,
  '1st': 0, '2nd': 1, '3rd': 2, '4th': 3, '5th': 4, last: -1,
};
const ZH_DIGIT: Readonly<Record<string, number>> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

/** The cards a message names, in the order it names them (0-based; -1 the last). */
export function positionsIn(text: string): number[] {
  const out: number[] = [];
  const lower = text.toLowerCase();
  const found: { at: number; n: number }[] = [];
  for (const m of lower.matchAll(/\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|1st|2nd|3rd|4th|5th|last)\b(?!\s+(?:time|week|month|year|day|order))/g)) found.push({ at: m.index!, n: EN_ORDINAL[m[1]!]! });
  for (const m of lower.matchAll(/(?:\b(?:number|no\.?|option|item)\s*|#)([1-9])\b/g)) found.push({ at: m.index!, n: Number(m[1]) - 1 });
  for (const m of text.matchAll(/(倒数)?第([一二两三四五六七八九十]|\d{1,2})/g)) {
    const n = ZH_DIGIT[m[2]!] ?? Number(m[2]);
    if (n >= 1) found.push({ at: m.index!, n: m[1] ? -n : n - 1 });
  }
  for (const m of text.matchAll(/最后(?:一|那)(?:个|款|件|条|双|种)/g)) found.push({ at: m.index!, n: -1 });
  for (const f of found.sort((a, b) => a.at - b.at)) if (!out.includes(f.n)) out.push(f.n);
  return out;
}

/** "it", "this one", "these", "这个", "它": the message points at something on screen. */
const POINTER_EN = /\b(it|its|it's|this|that|these|those|they|them|this one|that one|the one|either|both|any of (them|these))\b/i;
const POINTER_ZH = /这个|那个|这款|那款|这件|那件|这双|它|他们|它们|这些|那些|哪个|哪款|哪一个|哪一款|两个|几个/;
const QUESTION_EN = /\?|^\s*(is|are|does|do|did|can|could|will|would|has|have|how|what|which|who|whats|what's|where)\b/i;
const QUESTION_ZH = /[吗呢？?]|多少|几|什么|哪|是不是|有没有|能不能|可不可以|会不会|支不支持|怎么样/;

const SUPERLATIVES_EN: readonly [RegExp, Superlative][] = [
  [/\b(cheap(er|est)|least expensive|less expensive|lowest[- ]priced|lowest price|best (price|deal|value)|most affordable|more affordable)\b/i, 'cheapest'],
  [/\b(most expensive|more expensive|pricier|priciest|dearer|dearest|highest[- ]priced|highest price)\b/i, 'priciest'],
  [/\b(most (reviews|reviewed|ratings|popular)|more (reviews|ratings|popular)|best[- ]selling|best ?seller|popular)\b/i, 'most_reviewed'],
  [/\b(best[- ]rated|highest[- ]rated|top[- ]rated|better[- ]rated|best (reviews?|ratings?|rating)|better (reviews?|ratings?)|highest (rating|ratings|reviews?|stars?)|most stars|best one|better one)\b/i, 'best_rated'],
  [/\b(light(er|est)|weighs? (the )?least|less heavy)\b/i, 'lightest'],
  [/\b(heav(ier|iest)|weighs? (the )?most)\b/i, 'heaviest'],
  [/\b(bigg(er|est)|larg(er|est)|roomi(er|est)|more (room|space|capacity)|most (room|space|capacity))\b/i, 'biggest'],
  [/\b(small(er|est)|more compact|most compact|tin(ier|iest))\b/i, 'smallest'],
];
const SUPERLATIVES_ZH: readonly [RegExp, Superlative][] = [
  [/便宜|实惠|价格(最)?低|价钱(最)?低|划算/, 'cheapest'],
  [/(最|更|比较)贵|价格(最)?高|价钱(最)?高/, 'priciest'],
  [/评论(最)?多|评价(最)?多|最受欢迎|更受欢迎|人气|卖得(最)?好|销量|热门/, 'most_reviewed'],
  [/评分(最)?高|评价(最)?好|好评|口碑|星(最)?多|分(最)?高|(最|更)好/, 'best_rated'],
  [/(最|更|比较)?轻/, 'lightest'],
  [/(最|更|比较)重/, 'heaviest'],
  [/(最|更|比较)大|大一点|容量(最)?大/, 'biggest'],
  [/(最|更|比较)小|小一点|小巧/, 'smallest'],
];

const FACTS_EN: readonly [RegExp, FactKind][] = [
  [/\bhow many (reviews|ratings|people)\b|\b(reviews?|ratings?) count\b|\bnumber of (reviews|ratings)\b/i, 'reviews'],
  [/\b(how much|price|prices|cost|costs|priced)\b/i, 'price'],
  [/\b(rating|rated|stars?|reviews?|how good)\b/i, 'rating'],
  [/\b(brand|who makes|who made|made by|manufacturer|maker|company)\b/i, 'brand'],
  [/\b(in stock|out of stock|available|availability|sold out|have (it|them|any) (in stock|left)|any left|ship (now|today))\b/i, 'stock'],
  [/\b(how heavy|weigh|weighs|weight)\b/i, 'weight'],
  [/\b(how big|how large|how small|how tall|how long|how wide|dimensions?|measurements?|measure|what size)\b/i, 'size'],
];
const FACTS_ZH: readonly [RegExp, FactKind][] = [
  [/多少(条|个|人)?(评论|评价)|评价数|评论数/, 'reviews'],
  [/多少钱|价格|价钱|什么价|几块|多钱|售价/, 'price'],
  [/几颗星|几星|评分|多少分|几分|评价(怎么样|如何)|口碑/, 'rating'],
  [/牌子|品牌|哪家|谁家|厂家|谁做的|哪个公司/, 'brand'],
  [/有货|现货|库存|缺货|没货|卖完|能买/, 'stock'],
  [/多重|重量|几斤|几公斤|多少克/, 'weight'],
  [/多大|尺寸|尺码|多长|多宽|多高|大小/, 'size'],
];

const REQUEST_EN = /\b(show|find|give|add|buy|order|remove|delete|search|look for|recommend|suggest|send|cancel|return|track|check ?out|take|put|see more|compare them)\b/i;
const REQUEST_ZH = /给我看|推荐|加入|加到|放进|买|下单|删|去掉|换一|找|看看|发给|取消|退货|结账/;

/** Yes/no questions: the attribute follows the opening words ("is it ...", "does it have ..."). */
const YES_NO_EN = /^\s*(?:and\s+|so\s+|ok\s+|also\s+)?(is|are|does|do|can|could|will|would|has|have)\b/i;
const YES_NO_ZH = /吗[？?]?\s*$|是不是|有没有|能不能|可不可以|会不会|支不支持|带不带|是否/;

/** Words of a yes/no question that say nothing about the attribute. */
const NOT_ATTRIBUTE_EN = new Set(
  ('is are does do can could will would has have had it its it\'s this that these those they them the a an one ones of for with in on to be ' +
    'first second third fourth fifth sixth seventh eighth ninth tenth last number no item option product listing thing any some really actually ' +
    'come comes came got get made make support supports feature features function button buttons mode also too and or please pls me i my you ' +
    'there which what how good enough well very still each both either type kind version model?').split(/\s+/),
);
/** Chinese attribute words the glossary lacks, with the catalog's English spellings of each (comma-separated phrases). */
const ZH_ATTRIBUTES: Readonly<Record<string, string>> = {
  防水: 'waterproof,water resistant', 防汗: 'sweatproof,sweat resistant', 贪睡: 'snooze', 小睡: 'snooze', 闹铃: 'alarm', 可折叠: 'foldable,folding', 折叠: 'foldable,folding',
  可调: 'adjustable', 可调节: 'adjustable', 洗碗机: 'dishwasher', 微波炉: 'microwave', 降噪: 'noise cancelling', 麦克风: 'microphone,mic', 遥控: 'remote',
  充电: 'rechargeable,charging', 电池: 'battery', 无线: 'wireless', 蓝牙: 'bluetooth', 有机: 'organic', 纯棉: 'cotton', 不粘: 'nonstick',
  夜光: 'glow,backlight', 背光: 'backlight', 静音: 'silent,quiet', 灯: 'light,led', 盖子: 'lid', 把手: 'handle', 轮子: 'wheels', 口袋: 'pocket',
  保修: 'warranty', 保温: 'insulated', 透气: 'breathable', 加厚: 'thick', 防滑: 'non-slip', 防晒: 'uv protection', 偏光: 'polarized',
};
const ZH_ATTRIBUTE_KEYS = Object.keys(ZH_ATTRIBUTES).sort((a, b) => b.length - a.length);
/** Spellings of one attribute: a question with one of them looks for all. */
const SAME_ATTRIBUTE: readonly (readonly string[])[] = [
  ['waterproof', 'water resistant', 'water-resistant', 'water proof', 'ipx4', 'ipx5', 'ipx6', 'ipx7', 'ipx8', 'ip67', 'ip68'],
  ['sweatproof', 'sweat proof', 'sweat resistant', 'sweat-resistant'],
  ['wireless', 'cordless', 'bluetooth'],
  ['rechargeable', 'usb charging', 'recharge'],
  ['nonstick', 'non-stick', 'non stick'],
  ['dishwasher safe', 'dishwasher-safe', 'dishwasher'],
  ['noise cancelling', 'noise canceling', 'noise-cancelling', 'noise cancellation', 'anc'],
  ['foldable', 'folding', 'collapsible', 'folds'],
  ['bpa free', 'bpa-free'],
  ['microphone', 'mic'],
];

/**
 * The attribute a yes/no question asks about, as concepts: each concept is the spellings any one
 * of which answers it ("water resistant" → waterproof, IPX7…), one concept per other word.
 */
function attributeConcepts(text: string, lang: Lang): string[][] {
  if (lang === 'zh' || /\p{Script=Han}/u.test(text)) {
    let rest = text;
    const concepts: string[][] = [];
    for (const key of ZH_ATTRIBUTE_KEYS) {
      if (!rest.includes(key)) continue;
      concepts.push(withSpellings(ZH_ATTRIBUTES[key]!.split(',')));
      rest = rest.split(key).join(' ');
    }
    const glossed = translateQuery(rest.replace(/第[一二两三四五六七八九十\d]+(个|款|件|条|双|种)?|这个|那个|这款|那款|它/g, ' '));
    if (glossed) concepts.push(withSpellings(glossed.split(' ')));
    const latin = (text.toLowerCase().match(/[a-z][a-z0-9-]{1,}/g) ?? []).filter((w) => !NOT_ATTRIBUTE_EN.has(w));
    for (const w of latin) concepts.push(withSpellings([w]));
    return concepts;
  }
  let body = ` ${text.replace(YES_NO_EN, ' ').toLowerCase().replace(/[^a-z0-9' -]+/g, ' ')} `;
  const concepts: string[][] = [];
  for (const group of SAME_ATTRIBUTE) {
    const hit = group.find((g) => body.includes(` ${g} `));
    if (!hit) continue;
    concepts.push([...group]);
    body = body.replace(` ${hit} `, ' ');
  }
  const words = (body.match(/[a-z0-9][a-z0-9'-]*/g) ?? []).filter((w) => !NOT_ATTRIBUTE_EN.has(w));
  for (const w of words) concepts.push(withSpellings([w]));
  return concepts;
}

/** The words with the other spellings of an attribute they name. */
function withSpellings(words: readonly string[]): string[] {
  const out = new Set(words.filter((w) => w.length >= 2));
  for (const group of SAME_ATTRIBUTE) if (group.some((g) => out.has(g))) for (const g of group) out.add(g);
  return [...out];
}

function firstMatch<T>(text: string, table: readonly (readonly [RegExp, T])[]): T | undefined {
  for (const [re, v] of table) if (re.test(text)) return v;
  return undefined;
}

/**
 * Reads a question about the products on screen, or undefined when the message is not one: a
 * comparison needs "which"/"哪" or a superlative; a fact or yes/no question needs a card reference
 * ("the third one", "第二个") or a pointer ("it", "this one", "这个") unless `aboutFocus` says the
 * conversation is already about one product.
 */
export function readProductQuestion(text: string, lang: Lang, options: { aboutFocus?: boolean } = {}): ProductQuestion | undefined {
  const zh = lang === 'zh' || /\p{Script=Han}/u.test(text);
  const positions = positionsIn(text);
  const pointed = positions.length > 0 || (zh ? POINTER_ZH : POINTER_EN).test(text) || options.aboutFocus === true;
  const asks = zh ? QUESTION_ZH.test(text) || /哪|比较/.test(text) : QUESTION_EN.test(text);
  const which = zh ? /哪|谁|比较/.test(text) : /\b(which|what'?s the|what is the|whats the|who has|the (one|ones?) with)\b|\bor the\b/i.test(text);
  const by = firstMatch(text, zh ? SUPERLATIVES_ZH : SUPERLATIVES_EN);
  const superlative = by !== undefined && (zh ? /最|哪|比较|更/.test(text) : /est\b|\bmost\b|\bleast\b|\bbest\b|\btop\b|\bhighest\b|\blowest\b/i.test(text));
  // "the cheapest one" compares the cards; "the cheapest headphones" is a new search.
  const onScreen = pointed || (zh ? /的那(个|款)|的是/.test(text) : /\bones?\b|\bof (them|these|those)\b/i.test(text));
  if (by && (which || (superlative && onScreen))) return { kind: 'compare', by, among: positions.length >= 2 ? positions : [] };
  if (!asks || !pointed) return undefined;
  // "Can you show me more like this?", "可以加入购物车吗": a request, not a question about the product.
  if ((zh ? REQUEST_ZH : REQUEST_EN).test(text)) return undefined;
  const fact = firstMatch(text, zh ? FACTS_ZH : FACTS_EN);
  if (fact) return { kind: 'fact', fact, positions };
  if (zh ? YES_NO_ZH.test(text) : YES_NO_EN.test(text)) {
    const concepts = attributeConcepts(text, lang);
    if (concepts.length) return { kind: 'attribute', concepts, positions };
  }
  return { kind: 'other', positions };
}
