/**
 * Rule-based entity extraction for English and Chinese shop messages. Extractors run in a fixed
 * order and claim the characters they match, so a later one cannot reread them: "order 1042" is
 * not also a quantity, "size 10" not a price, "4 stars" not a quantity.
 *
 * Demo store order ids: a number of 4-15 digits written with a cue ("#1042", "order 1042",
 * "order no. 1042", "订单1042", "单号：1042"), or the prefixed form the demo store prints,
 * "SB-123456" ("BB-10420" is accepted too). Numbers come back as digits only ("1042"), prefixed
 * ids upper-cased with their prefix ("SB-123456").
 */
import type { Lang } from '../messages.js';
import { amountToCents, currencyOf, MONEY_NUMBER, negationPattern, PREFIXED_ORDER_ID, QUERY_NEGATIONS_EN, QUERY_NEGATIONS_ZH } from '../text/index.js';
import type { Entities, PriceRange } from './types.js';
import {
  EN_COLORS, EN_NUMBER_WORDS, EN_ORDINALS, EN_SIZE_WORDS, parseZhNumber, ZH_CLASSIFIERS, ZH_COLORS, ZH_NUM,
  ZH_ORDINAL_DIGITS, ZH_SIZES,
} from './lexicon.js';

/** Extraction reads at most this much of a message: entities sit in the request, not in pasted text. */
const MAX_CHARS = 2000;

export interface EntityOptions {
  /** Currency for amounts written without a symbol ("under 30"): ISO 4217. */
  readonly defaultCurrency?: string;
  readonly lang?: Lang;
}

type Refinement = Entities['refinements'][number];

class Claims {
  private readonly taken: boolean[];
  constructor(length: number) {
    this.taken = new Array<boolean>(length).fill(false);
  }
  isFree(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.taken[i]) return false;
    return true;
  }
  claim(start: number, end: number): void {
    for (let i = start; i < end; i++) this.taken[i] = true;
  }
}

/** Calls fn for each match of re whose span is unclaimed; claims it when fn returns true. */
function scan(text: string, re: RegExp, claims: Claims, fn: (m: RegExpExecArray) => boolean | void): void {
  for (const m of text.matchAll(re)) {
    const start = m.index;
    const end = start + m[0].length;
    if (!claims.isFree(start, end)) continue;
    if (fn(m) !== false) claims.claim(start, end);
  }
}

const NUM = MONEY_NUMBER;
const EN_MONEY_WORD = '(?:dollars?|bucks|usd|euros?|eur|pounds?|gbp|yuan|rmb|cny)';

/** "$20", "20 dollars", "$20-$50", "20 to 50 bucks": an amount with an optional currency on either side. */
const AMOUNT = `([$€£¥])?\\s?(${NUM})(?:\\s?(${EN_MONEY_WORD}))?`;
const EN_RANGE_RE = new RegExp(`\\b(?:between|from)?\\s*${AMOUNT}\\s*(?:-|–|to|and)\\s*${AMOUNT}`, 'gi');
const EN_MAX_RE = new RegExp(`\\b(?:nothing (?:over|above|more than|pricier than)|not over|no higher than|under|below|less than|cheaper than|no more than|not more than|at most|up to|max(?:imum)?|within|lower than|beneath|tops)\\s*${AMOUNT}(?!\\s*(?:stars?|%|percent|days?|weeks?|hours?|minutes?|years?|items?|pieces?))`, 'gi');
const EN_MIN_RE = new RegExp(`\\b(?:over|above|more than|at least|from|min(?:imum)?|higher than|starting at)\\s*${AMOUNT}(?!\\s*(?:stars?|%|percent|days?|weeks?|hours?|minutes?|years?|items?|pieces?))`, 'gi');
const EN_AMOUNT_RE = new RegExp(`([$€£¥])\\s?(${NUM})|\\b(${NUM})\\s?(${EN_MONEY_WORD})\\b`, 'gi');
const EN_OR_LESS_RE = new RegExp(`${AMOUNT}\\s+(?:or less|or under|or below|max|tops|and under|and below)\\b`, 'gi');
const EN_OR_MORE_RE = new RegExp(`${AMOUNT}\\s+(?:or more|and up|and above|plus|or above)\\b`, 'gi');

const ZH_CUR = '(?:美元|美金|元|块钱|块|人民币|刀|rmb)';
const ZH_RANGE_RE = new RegExp(`(${ZH_NUM})\\s*${ZH_CUR}?\\s*(?:到|至|-|–|~)\\s*(${ZH_NUM})\\s*(${ZH_CUR})?`, 'g');
const ZH_MAX_RE = new RegExp(`(?:不超过|不高于|低于|少于|不到|小于|最多|最高|预算)\\s*(${ZH_NUM})\\s*(${ZH_CUR})?|(${ZH_NUM})\\s*(${ZH_CUR})?\\s*(?:以下|以内|之内|内)`, 'g');
const ZH_MIN_RE = new RegExp(`(?:不低于|高于|超过|大于|至少|最少)\\s*(${ZH_NUM})\\s*(${ZH_CUR})?|(${ZH_NUM})\\s*(${ZH_CUR})?\\s*(?:以上|起)`, 'g');
const ZH_AMOUNT_RE = new RegExp(`[¥￥]\\s?(${NUM})|(${ZH_NUM})\\s*(${ZH_CUR})`, 'g');


/** Amounts in words before a currency word ("twenty bucks", "a hundred dollars") are read as digits. */
const EN_WORD_AMOUNT_RE = /\b(?:(a|one|two|three|four|five)\s+)?(hundred|ten|fifteen|twenty|twenty[- ]five|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?=\s+(?:dollars?|bucks|usd|euros?|pounds?|quid)\b)/gi;
const WORD_TENS: Readonly<Record<string, number>> = { hundred: 100, ten: 10, fifteen: 15, twenty: 20, 'twenty five': 25, 'twenty-five': 25, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };

function amountsInDigits(text: string): string {
  if (!/dollar|buck|usd|euro|pound|quid/i.test(text)) return text;
  return text.replace(EN_WORD_AMOUNT_RE, (whole, times: string | undefined, word: string) => {
    const base = WORD_TENS[word.toLowerCase().replace(/\s+/, ' ')];
    if (base === undefined) return whole;
    const n = times && base === 100 ? (EN_NUMBER_WORDS[times.toLowerCase()] ?? 1) * 100 : base;
    // Keep the length: the claims index characters of this text.
    return String(n).padStart(whole.length, ' ');
  });
}

const EN_AROUND_RE = new RegExp(`\\b(?:around|about|roughly|approximately|approx\\.?|close to|~)\\s*${AMOUNT}`, 'gi');
const ZH_AROUND_RE = new RegExp(`(${ZH_NUM})\\s*(${ZH_CUR})\\s*(?:左右|上下)`, 'g');
/** "Around $20" is a budget: a quarter either side. */
const AROUND_SPREAD = 0.25;

export function extractEntities(input: string, options: EntityOptions = {}): Entities {
  const text = amountsInDigits(input.slice(0, MAX_CHARS).normalize('NFKC'));
  const lower = text.toLowerCase();
  const claims = new Claims(text.length);
  const fallbackCurrency = options.defaultCurrency ?? (options.lang === 'zh' ? 'CNY' : 'USD');

  // Cheap pre-checks skip whole families of patterns: most messages have no digits or no Han.
  const hasDigit = /[0-9]/.test(text);
  const hasNumber = hasDigit || /[零〇一二两三四五六七八九十百千万]/.test(text);
  const hasHan = /\p{Script=Han}/u.test(text);
  const emails: string[] = [];
  if (text.includes('@')) scan(text, /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, claims, (m) => void emails.push(m[0].toLowerCase()));

  const orderIds: string[] = [];
  // Prefixed ids ("SB-123456"), by the one order-id rule (src/text).
  if (hasDigit) scan(text, PREFIXED_ORDER_ID, claims, (m) => void orderIds.push(`${m[1]!.toUpperCase()}-${m[2]}`));
  if (hasDigit) scan(lower, /(?:#\s?|\b(?:order|purchase|order number|order no\.?|order id|order #)\s*(?:number|no\.?|id|#)?\s*:?\s*#?\s*)(\d{4,15})\b/g, claims, (m) => void orderIds.push(m[1]!));
  if (hasDigit && hasHan) scan(lower, /(?:订单号?|单号|订单编号)\s*(?:是|为)?\s*[:#]?\s*#?(\d{4,15})/g, claims, (m) => void orderIds.push(m[1]!));

  const rating = extractRating(lower, claims, hasHan);

  const money: { cents: number; currency: string }[] = [];
  let priceRange: PriceRange | undefined;
  const setRange = (r: PriceRange) => {
    priceRange = { ...priceRange, ...r };
  };
  const amountAt = (num: string | undefined, ...symbols: (string | undefined)[]) => {
    const cents = num === undefined ? undefined : parseAmount(num);
    if (cents !== undefined) money.push({ cents, currency: currencyOf(symbols.find(Boolean), fallbackCurrency) });
    return cents;
  };
  if (hasDigit) scan(lower, EN_RANGE_RE, claims, (m) => {
    // A bare "2 to 3" is not a price; require a currency mark or "between".
    if (!m[1] && !m[3] && !m[4] && !m[6] && !/^\s*between/.test(m[0])) return false;
    const lo = amountAt(m[2], m[1], m[3], m[4], m[6]);
    const hi = amountAt(m[5], m[4], m[6], m[1], m[3]);
    if (lo !== undefined && hi !== undefined) setRange({ minCents: Math.min(lo, hi), maxCents: Math.max(lo, hi) });
  });
  const around = (v: number | undefined) => {
    if (v !== undefined) setRange({ minCents: Math.round(v * (1 - AROUND_SPREAD)), maxCents: Math.round(v * (1 + AROUND_SPREAD)) });
  };
  if (hasDigit) scan(lower, EN_AROUND_RE, claims, (m) => {
    if (!m[1] && !m[3]) return false;
    around(amountAt(m[2], m[1], m[3]));
  });
  if (hasNumber && hasHan) scan(lower, ZH_AROUND_RE, claims, (m) => around(amountAt(m[1], m[2])));
  if (hasDigit) scan(lower, EN_MAX_RE, claims, (m) => {
    const v = amountAt(m[2], m[1], m[3]);
    if (v !== undefined) setRange({ maxCents: v });
  });
  if (hasDigit) scan(lower, EN_OR_LESS_RE, claims, (m) => {
    // "100 max", "50 tops" say it is a budget; "2 or less" alone does not.
    if (!m[1] && !m[3] && !/(?:max|tops)$/.test(m[0])) return false;
    const v = amountAt(m[2], m[1], m[3]);
    if (v !== undefined) setRange({ maxCents: v });
  });
  if (hasDigit) scan(lower, EN_MIN_RE, claims, (m) => {
    // "from 3" or "over 2" alone is too often not a price; require a currency mark.
    if (!m[1] && !m[3]) return false;
    const v = amountAt(m[2], m[1], m[3]);
    if (v !== undefined) setRange({ minCents: v });
  });
  if (hasDigit) scan(lower, EN_OR_MORE_RE, claims, (m) => {
    if (!m[1] && !m[3]) return false;
    const v = amountAt(m[2], m[1], m[3]);
    if (v !== undefined) setRange({ minCents: v });
  });
  if (hasNumber && hasHan) scan(lower, ZH_RANGE_RE, claims, (m) => {
    if (!m[3] && !/[元块]/.test(m[0])) return false;
    const lo = amountAt(m[1], '元');
    const hi = amountAt(m[2], '元');
    if (lo !== undefined && hi !== undefined) setRange({ minCents: Math.min(lo, hi), maxCents: Math.max(lo, hi) });
  });
  if (hasNumber && hasHan) scan(lower, ZH_MAX_RE, claims, (m) => {
    const v = amountAt(m[1] ?? m[3], m[2] ?? m[4] ?? (options.lang === 'zh' ? '元' : undefined));
    if (v !== undefined) setRange({ maxCents: v });
  });
  if (hasNumber && hasHan) scan(lower, ZH_MIN_RE, claims, (m) => {
    if (!(m[2] ?? m[4])) return false;
    const v = amountAt(m[1] ?? m[3], m[2] ?? m[4]);
    if (v !== undefined) setRange({ minCents: v });
  });
  if (hasDigit) scan(lower, EN_AMOUNT_RE, claims, (m) => void amountAt(m[2] ?? m[3], m[1], m[4]));
  if (hasNumber && hasHan) scan(lower, ZH_AMOUNT_RE, claims, (m) => void amountAt(m[1] ?? m[2], m[3] ?? '¥'));

  const sizes = extractSizes(text, lower, claims, hasHan);
  const ordinal = extractOrdinal(lower, claims, hasHan);
  const quantities = extractQuantities(lower, claims, hasHan);
  const refinements = extractRefinements(lower);
  const excludeTerms = extractExcluded(lower);
  const colors = extractColors(lower).filter((c) => !excludeTerms.includes(c));

  return {
    orderIds: unique(orderIds),
    emails: unique(emails),
    money,
    ...(priceRange ? { priceRange } : {}),
    quantities,
    colors,
    sizes: unique(sizes),
    ...(rating !== undefined ? { minRating: rating } : {}),
    ...(ordinal !== undefined ? { ordinal } : {}),
    refinements,
    excludeTerms,
  };
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Digits (with separators and decimals) or Chinese numerals, in cents; amounts past a billion are not prices. */
function parseAmount(s: string): number | undefined {
  if (/^[\d,.]+$/.test(s)) {
    const cents = amountToCents(s);
    return cents === undefined || cents > 1e11 ? undefined : cents;
  }
  const n = parseZhNumber(s);
  return n === undefined || !Number.isFinite(n) || n < 0 || n > 1e9 ? undefined : Math.round(n * 100);
}

// Built once: extraction runs on every message.
const QTY_VERBS = '(?:add|buy|take|get|want|need|order|grab|make it|i\'ll take|give me|put)';
const EN_QTY_WORDS = 'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of|a pair of|a dozen|\\d{1,3}';
const RATING_WORD = '(\\d(?:\\.\\d)?|one|two|three|four|five)\\b';
const SIZE_LETTER = '(xxx?l|[23]xl|xs|xl|x-small|x-large|xx-large|extra small|extra large|small|medium|large|s|m|l)';
const ORDINAL_WORDS = Object.keys(EN_ORDINALS).join('|');
const EN_COLOR_RE = new RegExp(`\\b(${Object.keys(EN_COLORS).sort((a, b) => b.length - a.length).map((c) => c.replace('-', '\\-')).join('|')})\\b`, 'g');
const ZH_COLOR_NAMES = Object.keys(ZH_COLORS).sort((a, b) => b.length - a.length).join('|');
const RATING_CUE_RE = new RegExp(`\\b(?:at least|minimum|min|over|above|rated|rating(?: of)?(?: at least| above| over)?)\\s*${RATING_WORD}\\s*(?:\\+\\s*)?(?:stars?|star rating)?(?:\\s*(?:and up|or more|or higher|or better|and above|\\+|plus))?`, 'g');
const RATING_STARS_RE = new RegExp(`\\b${RATING_WORD}\\s*(?:\\+\\s*)?-?\\s*stars?\\b(?:\\s*(?:and up|or more|or higher|or better|and above|\\+|plus|rating|rated|reviews?))?`, 'g');
const RATING_ZH_RE = new RegExp(`(?:评分|评价|好评)?\\s*(?:不低于|至少|高于)?\\s*(${ZH_NUM})\\s*(?:分|星|颗星)\\s*(?:及以上|以上|或以上|起)?`, 'g');
const SIZE_CUE_RE = new RegExp(`\\b(?:size|sz)\\s*:?\\s*(?:${SIZE_LETTER}\\b|(\\d{1,2}(?:\\.5)?)\\b)`, 'g');
const SIZE_REGION_RE = new RegExp(`\\b(?:us|uk|eu)\\s?(\\d{1,2}(?:\\.5)?)\\b`, 'g');
const SIZE_WORD_RE = new RegExp(`\\b${SIZE_LETTER}\\s+size\\b|\\bin (?:an? )?${SIZE_LETTER}\\b(?!\\s+(?:one|box|pack|bag|amount))`, 'g');
const SIZE_ZH_RE = new RegExp(`(${Object.keys(ZH_SIZES).join('|')})`, 'g');
const ORD_TO_LAST_RE = new RegExp(`\\b(?:(second|2nd|third|3rd) (?:to|from) (?:the )?last)\\b`, 'g');
const ORD_EN_RE = new RegExp(`\\b(?:(the|that|this)\\s+)?(${ORDINAL_WORDS})\\b(?:\\s+(one|item|option|product|result|choice|pair|link|pick))?`, 'g');
const ORD_ZH_LAST_RE = new RegExp(`倒数第(${ZH_ORDINAL_DIGITS})(?:个|款|件|条|双|种|项)?`, 'g');
const ORD_ZH_RE = new RegExp(`第(${ZH_ORDINAL_DIGITS})(?:个|款|件|条|双|种|项|张)?`, 'g');
const QTY_NOUN_RE = new RegExp(`\\b(${EN_QTY_WORDS})\\s+(?:more\\s+)?(?:of (?:them|those|these|it|each)|pairs?|pieces?|pcs|units?|items?|packs?|boxes?|sets?|bottles?|copies)\\b`, 'g');
const QTY_VERB_RE = new RegExp(`\\b${QTY_VERBS}\\s+(${EN_QTY_WORDS})\\b(?!\\s*(?:\\$|dollars?|bucks|stars?|%|percent|st|nd|rd|th)\\b)`, 'g');
const QTY_ZH_RE = new RegExp(`(?<!第)(${ZH_NUM})\\s*(?:${ZH_CLASSIFIERS})`, 'g');
const ZH_COLOR_RE = new RegExp(`(${ZH_COLOR_NAMES})(?:色|的)`, 'g');

function extractRating(lower: string, claims: Claims, hasHan: boolean): number | undefined {
  let rating: number | undefined;
  const accept = (s: string | undefined) => {
    const v = s === undefined ? undefined : parseZhNumber(s);
    if (v === undefined || v < 0 || v > 5) return false;
    rating = v;
    return true;
  };
  const toNum = (s: string) => String(EN_NUMBER_WORDS[s] ?? s);
  scan(lower, RATING_CUE_RE, claims, (m) => {
    if (!/star|rat/.test(m[0])) return false;
    return accept(toNum(m[1]!));
  });
  scan(lower, RATING_STARS_RE, claims, (m) => accept(toNum(m[1]!)));
  if (hasHan) scan(lower, RATING_ZH_RE, claims, (m) => {
    if (!/以上|起|评|不低于|至少|高于|星/.test(m[0])) return false;
    return accept(m[1]);
  });
  return rating;
}

function extractSizes(text: string, lower: string, claims: Claims, hasHan: boolean): string[] {
  const out: string[] = [];
  scan(lower, SIZE_CUE_RE, claims, (m) => {
    out.push(m[1] ? EN_SIZE_WORDS[m[1]] ?? m[1].toUpperCase() : m[2]!);
  });
  scan(lower, SIZE_REGION_RE, claims, (m) => void out.push(m[1]!));
  scan(lower, SIZE_WORD_RE, claims, (m) => {
    const w = (m[1] ?? m[2])!;
    // "in s"/"in m"/"in l" are only sizes when the shopper wrote the capital letter.
    if (w.length === 1 && !/\bin (?:an? )?[SML]\b/.test(text.slice(m.index, m.index + m[0].length))) return false;
    out.push(EN_SIZE_WORDS[w] ?? w.toUpperCase());
  });
  scan(text, /\b(XXXL|XXL|XL|XS|[23]XL)\b/g, claims, (m) => void out.push(EN_SIZE_WORDS[m[1]!.toLowerCase()] ?? m[1]!));
  if (hasHan) scan(lower, SIZE_ZH_RE, claims, (m) => void out.push(ZH_SIZES[m[1]!]!));
  if (hasHan) scan(lower, /(\d{2}(?:\.5)?|xxx?l|xl|xs|[sml])\s*(?:码|号)/g, claims, (m) => void out.push(/\d/.test(m[1]!) ? m[1]! : m[1]!.toUpperCase()));
  return out;
}

function extractOrdinal(lower: string, claims: Claims, hasHan: boolean): number | undefined {
  let ordinal: number | undefined;
  scan(lower, ORD_TO_LAST_RE, claims, (m) => {
    ordinal = -1 - (EN_ORDINALS[m[1]!]! );
  });
  scan(lower, ORD_EN_RE, claims, (m) => {
    if (!m[1] && !m[3]) return false;
    ordinal = EN_ORDINALS[m[2]!]!;
  });
  if (hasHan) scan(lower, ORD_ZH_LAST_RE, claims, (m) => {
    const n = parseZhNumber(m[1]!);
    if (n === undefined || n < 1) return false;
    ordinal = -n;
  });
  if (hasHan) scan(lower, ORD_ZH_RE, claims, (m) => {
    const n = parseZhNumber(m[1]!);
    if (n === undefined || n < 1) return false;
    ordinal = n - 1;
  });
  if (hasHan) scan(lower, /最后(?:一|那)(?:个|款|件|条|双|种)/g, claims, () => {
    ordinal = -1;
  });
  return ordinal;
}

const NOT_QTY_UNITS = /^(?:\$|dollars?|bucks|usd|euros?|stars?|%|percent|days?|weeks?|months?|hours?|minutes?|years?|inch(?:es)?|in|cm|mm|kg|lbs?|oz|gb|tb|mah|w|v|am|pm|or|to|and|-)$/;

function extractQuantities(lower: string, claims: Claims, hasHan: boolean): number[] {
  const out: number[] = [];
  const value = (w: string) => {
    const key = w.replace(/^a (?:couple|pair|dozen)(?: of)?$/, (s) => s.split(' ')[1]!);
    return /^\d+$/.test(key) ? Number(key) : EN_NUMBER_WORDS[key];
  };
  scan(lower, /\b(?:qty|quantity)\s*[:=]?\s*(\d{1,3})\b|\bx\s?(\d{1,2})\b|\b(\d{1,2})\s?x\b/g, claims, (m) => {
    const v = Number(m[1] ?? m[2] ?? m[3]);
    if (v < 1) return false;
    out.push(v);
  });
  scan(lower, QTY_NOUN_RE, claims, (m) => {
    const v = value(m[1]!);
    if (!v) return false;
    out.push(v);
  });
  scan(lower, QTY_VERB_RE, claims, (m) => {
    const v = value(m[1]!);
    if (!v) return false;
    out.push(v);
  });
  // A number word before a plural noun: "two shirts", "3 red mugs".
  scan(lower, /\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})\s+([a-z]+)(?:\s+([a-z]+))?/g, claims, (m) => {
    const next = m[2]!;
    if (NOT_QTY_UNITS.test(next)) return false;
    const noun = m[3] && !/s$/.test(next) ? m[3] : next;
    if (!/[a-z]{2,}s$/.test(noun) || NOT_QTY_UNITS.test(noun)) return false;
    const v = value(m[1]!);
    if (!v) return false;
    out.push(v);
  });
  if (hasHan) scan(lower, QTY_ZH_RE, claims, (m) => {
    const v = parseZhNumber(m[1]!);
    if (!v || v > 999) return false;
    // "一个" is usually the article "a"; count it only after a buying verb.
    if (m[1] === '一' && !/(?:来|买|要|加|拿)$/.test(lower.slice(0, m.index))) return false;
    out.push(v);
  });
  return out;
}

const REFINEMENTS: readonly [Refinement, RegExp][] = [
  ['cheaper', /\b(?:cheaper|less expensive|lower[- ]priced|lower price|more affordable|budget|too expensive|too pricey|cheapest)\b|便宜|价格低|低价|实惠|太贵/],
  ['pricier', /\b(?:pricier|more expensive|higher[- ]end|more premium|premium|fancier|upscale|higher price)\b|更贵|贵一点|贵点|高端|高档/],
  ['better_rated', /\b(?:better|higher|best|top)[- ]rated\b|\bbetter reviews?\b|\bhigher ratings?\b|评分更高|评分高|好评多|评价更好|口碑好/],
  ['more', /\b(?:show (?:me )?more|more options|more like (?:this|these|that)|see more|any ?thing else|other options|something else|next page|more results|load more|others)\b|再来几个|还有吗|还有别的|换一批|更多|其他的|别的款/],
];

function extractRefinements(lower: string): Refinement[] {
  return REFINEMENTS.filter(([, re]) => re.test(lower)).map(([r]) => r);
}

const EN_NEG_STOP = new Set(['over', 'above', 'under', 'below', 'higher', 'too', 'very', 'so', 'more', 'less', 'longer', 'problem', 'problems', 'thanks', 'thank', 'sure', 'idea', 'need', 'one', 'way', 'matter', 'yet', 'really', 'at', 'only', 'just', 'that', 'this', 'it', 'worries', 'rush', 'hurry', 'doubt', 'i', 'me', 'you', 'than', 'working', 'received', 'arrived', 'bad', 'good', 'what', 'available', 'want', 'like', 'have', 'know', 'see', 'find', 'be', 'do', 'and', 'or', 'to', 'in', 'on', 'for', 'of', 'with', 'my', 'your', 'all', 'big', 'enough', 'happy', 'satisfied', 'right', 'ok', 'okay', 'mine', 'yours']);
const EN_ARTICLES = new Set(['a', 'an', 'the', 'any', 'some']);
/** Words that end a negated phrase ("no leather please", "without lids under $20"). */
const EN_PHRASE_END = new Set(['please', 'but', 'under', 'below', 'over', 'above', 'around', 'about', 'between', 'which', 'because', 'size', 'color', 'colour', 'either', 'though', 'thx']);
const ZH_NEG_STOP = /^(?:了|太|这个|那个|这样|这么|用|着急|客气|谢|麻烦|行|好|知道|需要|对|是)/;

const EN_NEGATED_RE = new RegExp(`\\b${negationPattern(QUERY_NEGATIONS_EN)}\\b[- ]([a-z][a-z'-]*(?:\\s+[a-z][a-z'-]*){0,2})`, 'g');
const ZH_NEGATED_RE = new RegExp(`${negationPattern(QUERY_NEGATIONS_ZH)}([\\p{Script=Han}a-z]{1,6}?)(?:的|，|,|。|、|和|或|$|\\s)`, 'gu');

function extractExcluded(lower: string): string[] {
  const out: string[] = [];
  for (const m of lower.matchAll(EN_NEGATED_RE)) {
    const words = m[1]!.split(/\s+/);
    while (words.length > 1 && EN_ARTICLES.has(words[0]!)) words.shift();
    if (EN_ARTICLES.has(words[0]!) || EN_NEG_STOP.has(words[0]!)) continue;
    // Up to two words of the negated phrase ("without glass beads", "no mesh liner"), ended early by a
    // function word; a longer reach swallows what the shopper does want ("without overflow solid brass").
    let n = 1;
    while (n < Math.min(2, words.length) && !EN_ARTICLES.has(words[n]!) && !EN_NEG_STOP.has(words[n]!) && !EN_PHRASE_END.has(words[n]!)) n++;
    out.push(words.slice(0, n).join(' '));
  }
  for (const m of lower.matchAll(ZH_NEGATED_RE)) {
    // "有没有X" asks whether there is X.
    if (lower[m.index - 1] === '有') continue;
    const term = m[1]!;
    if (!term || ZH_NEG_STOP.test(term)) continue;
    out.push(term);
  }
  return unique(out);
}

function extractColors(lower: string): string[] {
  const out: string[] = [];
  const claimed = new Claims(lower.length);
  scan(lower, EN_COLOR_RE, claimed, (m) => void out.push(EN_COLORS[m[1]!]!));
  if (/[色的]/.test(lower)) scan(lower, ZH_COLOR_RE, claimed, (m) => void out.push(ZH_COLORS[m[1]!]!));
  return unique(out);
}
