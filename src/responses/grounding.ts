/**
 * The grounding checker: every price, date, order id, tracking number, quantity and number in a
 * reply, and every policy-like sentence, must be backed by the turn's action results (or by the
 * fixed wording of the template that produced it). It runs on every reply, template or LLM; a
 * reply that fails is never sent as is.
 *
 * Product text (titles, descriptions, bullets) is written by whoever lists the product and may
 * carry instructions for a model. So a link is accepted only on the store's own hosts or quoted
 * from a policy document, and a generated policy-like sentence ("free returns for 365 days") must
 * be made of the policy passages' and the template's words and numbers, never the product's.
 */
import type { Lang } from '../messages.js';
import { friendlyDate } from './dates.js';

const ISO_DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

export type ViolationKind = 'money' | 'date' | 'identifier' | 'number' | 'policy_claim' | 'link';

export interface Violation {
  readonly kind: ViolationKind;
  /** The unsupported text, as it appears in the reply. */
  readonly text: string;
}

export interface GroundingResult {
  readonly ok: boolean;
  readonly violations: readonly Violation[];
}

export interface GroundingFacts {
  /** Every string value found in the results, lower-cased and joined (ids, titles, passages, dates). */
  readonly text: string;
  /** Money amounts in minor units (cents), from `...Cents` fields and from amounts written in facts. */
  readonly cents: ReadonlySet<number>;
  /** Every number written in the facts or in the template wording. */
  readonly numbers: ReadonlySet<string>;
  /** Words of the facts and of the template wording (for policy-like sentences in template replies). */
  readonly words: ReadonlySet<string>;
  /** The policy passages (text, title, source), lower-cased: where a link off the store's hosts may be quoted from. */
  readonly policyText: string;
  /** Words of the policy passages and the template wording: all a generated policy-like sentence may use. */
  readonly policyWords: ReadonlySet<string>;
  /** Numbers a generated policy-like sentence may state: everything but product text. */
  readonly policyNumbers: ReadonlySet<string>;
  /** The store's own host names (server.publicUrl, store.baseUrl): links there are always fine. */
  readonly ownHosts: ReadonlySet<string>;
}

/** Where a fact came from, for the rules that product text must not satisfy. */
type Zone = 'policy' | 'product' | 'store';
const PRODUCT_RESULTS: ReadonlySet<string> = new Set(['search', 'product', 'product_question', 'added', 'removed', 'remove_which', 'cart']);
/** Product text inside store results (order lines, order summaries). */
const PRODUCT_KEYS: ReadonlySet<string> = new Set(['title', 'firstTitle', 'description', 'bullets', 'brand', 'category']);

function zoneOf(result: unknown): Zone {
  const type = (result as { type?: unknown } | null)?.type;
  return type === 'policy' ? 'policy' : typeof type === 'string' && PRODUCT_RESULTS.has(type) ? 'product' : 'store';
}

/** Host names of the given URLs (lower-cased); unset and unparsable ones are skipped. */
export function hostsOf(urls: readonly (string | undefined)[]): string[] {
  return urls.flatMap((u) => (u && URL.canParse(u) ? [new URL(u).hostname] : []));
}

const MONEY_RE = /(?:US\$|CA\$|A\$|HK\$|NT\$|\$|€|£|¥|￥|RMB\s?|CNY\s?|USD\s?|EUR\s?)\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?|(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s?(?:USD|EUR|dollars?|美元|元)/gi;
const DATE_RE = /\b\d{4}-\d{2}-\d{2}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b|\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日/gi;
/** Order ids (SB-123456, #1001), return ids, tracking numbers: letters and digits mixed, or a long digit run. */
const ID_RE = /#\d{3,}|\b[A-Za-z]{1,4}-\d{3,}\b|\b(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{8,}\b|\b\d{9,}\b/g;
const NUMBER_RE = /\d+(?:[.,]\d+)*/g;
const POLICY_WORDS_RE = /\b(refunds?|returns?|returnable|exchanges?|warrant(y|ies)|guarantee[ds]?|free|shipping|deliver(y|ed|s)?|days?|weeks?|hours?|fees?|charges?|cancel(l?ation|led|ed)?|policy|policies|eligible|within|business days?|label|restocking|discount|coupon|compensat\w*)\b|退款|退货|换货|保修|免费|运费|包邮|天内|工作日|手续费|政策/i;
const STOP = new Set('the a an and or of to in on for with your you we our is are be will can it this that at by as from if not no yes please i me my us its have has was were do does any all more than then there their them they he she his her which what when how who'.split(' '));

function words(text: string): string[] {
  const lower = text.toLowerCase();
  const latin = lower.match(/[a-z]{3,}/g) ?? [];
  const han = lower.match(/\p{Script=Han}/gu) ?? [];
  return [...latin.filter((w) => !STOP.has(w)).map((w) => w.replace(/(ies|es|s|ed|ing)$/, '')), ...han];
}

function normNumber(n: string): string {
  const plain = n.replace(/,/g, '');
  return String(Number(plain));
}

function toCents(whole: string, frac: string | undefined): number {
  return Number(whole.replace(/,/g, '')) * 100 + (frac ? Number(frac.padEnd(2, '0')) : 0);
}

function addNumbers(text: string, to: Set<string>): void {
  for (const m of text.matchAll(NUMBER_RE)) to.add(normNumber(m[0]));
  for (const m of text.matchAll(/\d+/g)) to.add(normNumber(m[0]));
}

/** Collects the facts from action results (any JSON-like data) and the fixed template wording used. */
export function collectFacts(results: unknown, literals: readonly string[] = [], ownHosts: readonly string[] = []): GroundingFacts {
  const strings: { text: string; zone: Zone }[] = [];
  /** Money may be quoted from the merchant's policy passages, not from free text like product descriptions. */
  const moneyText: string[] = [];
  const cents = new Set<number>();
  const numbers = new Set<string>();
  const policyNumbers = new Set<string>();
  const addNumber = (n: string, zone: Zone) => {
    numbers.add(n);
    if (zone !== 'product') policyNumbers.add(n);
  };
  const walk = (v: unknown, key: string, depth: number, outer: Zone): void => {
    if (depth > 12 || v === null || v === undefined) return;
    const zone = outer === 'store' && PRODUCT_KEYS.has(key) ? 'product' : outer;
    if (typeof v === 'number') {
      if (/cents$/i.test(key)) {
        cents.add(Math.round(v));
        addNumber(normNumber((v / 100).toFixed(2)), zone);
        addNumber(String(Math.round(v / 100)), zone);
      }
      // Epoch milliseconds are not facts a reply may state as numbers; dates come as strings.
      if (!/(at|ts|ms)$/i.test(key) || v < 1e11) addNumber(normNumber(String(v)), zone);
      return;
    }
    if (typeof v === 'string') {
      strings.push({ text: v, zone });
      // A store date may be written as a person writes it ("Tuesday 8 December", "12月8日 周二").
      if (ISO_DAY_RE.test(v)) for (const lang of ['en', 'zh'] as const) strings.push({ text: friendlyDate(v, lang)!, zone });
      if (key === 'passage') moneyText.push(v);
      return;
    }
    if (typeof v === 'boolean') return;
    if (Array.isArray(v)) {
      for (const x of v.slice(0, 500)) walk(x, key, depth + 1, depth === 0 ? zoneOf(x) : zone);
      return;
    }
    if (typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, k, depth + 1, zone);
  };
  walk(results, '', 0, Array.isArray(results) ? 'store' : zoneOf(results));
  const policyStrings = strings.filter((s) => s.zone === 'policy').map((s) => s.text);
  for (const { text, zone } of strings) addNumbers(text, zone === 'product' ? numbers : policyNumbers);
  for (const n of policyNumbers) numbers.add(n);
  for (const s of literals) (addNumbers(s, numbers), addNumbers(s, policyNumbers));
  for (const s of [...moneyText, ...literals]) for (const m of s.matchAll(MONEY_RE)) cents.add(toCents(m[1] ?? m[3]!, m[2] ?? m[4]));
  const wordSet = new Set<string>();
  for (const s of [...strings.map((x) => x.text), ...literals]) for (const w of words(s)) wordSet.add(w);
  const policyWords = new Set<string>();
  for (const s of [...policyStrings, ...literals]) for (const w of words(s)) policyWords.add(w);
  return {
    text: strings.map((s) => s.text).join('\n').toLowerCase(),
    cents,
    numbers,
    words: wordSet,
    policyText: policyStrings.join('\n').toLowerCase(),
    policyWords,
    policyNumbers,
    ownHosts: new Set(ownHosts.map((h) => h.toLowerCase())),
  };
}

function isOwnLink(link: string, ownHosts: ReadonlySet<string>): boolean {
  const absolute = /^https?:\/\//i.test(link) ? link : `https://${link}`;
  return URL.canParse(absolute) && ownHosts.has(new URL(absolute).hostname);
}

/** [start, end) of each sentence, split where the policy check always split them. */
function sentenceSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  for (const m of text.matchAll(/(?<=[.!?])\s+|(?<=[。！？])|\n+/g)) {
    spans.push([start, m.index]);
    start = m.index + m[0].length;
  }
  spans.push([start, text.length]);
  return spans;
}

/**
 * Checks one reply against the facts. `isGenerated` (a model's wording, not a template's) holds
 * policy-like sentences to the policy passages and template wording: a template may quote product
 * text, labelled as the product's ("About <title>: ..."), a model's sentence carries no such label.
 */
export function checkGrounding(reply: string, facts: GroundingFacts, options: { literals?: readonly string[]; lang?: Lang; isGenerated?: boolean } = {}): GroundingResult {
  const violations: Violation[] = [];
  const literalText = (options.literals ?? []).join('\n').toLowerCase();
  let rest = reply;
  const consume = (start: number, len: number) => {
    rest = rest.slice(0, start) + ' '.repeat(len) + rest.slice(start + len);
  };

  // A link ends at white space, a closing bracket or CJK punctuation ("…/contact。" in a Chinese reply).
  for (const m of reply.matchAll(/\bhttps?:\/\/[^\s)\u3000-\u303f\uff00-\uffef]+|\bwww\.[^\s)\u3000-\u303f\uff00-\uffef]+/gi)) {
    const link = m[0].replace(/[.,;:!?]+$/, '').toLowerCase();
    if (!isOwnLink(link, facts.ownHosts) && !facts.policyText.includes(link) && !literalText.includes(link)) violations.push({ kind: 'link', text: m[0] });
    consume(m.index!, m[0].length);
  }
  for (const m of rest.matchAll(MONEY_RE)) {
    const value = toCents(m[1] ?? m[3]!, m[2] ?? m[4]);
    if (!facts.cents.has(value)) violations.push({ kind: 'money', text: m[0].trim() });
    consume(m.index!, m[0].length);
  }
  for (const m of rest.matchAll(DATE_RE)) {
    if (!facts.text.includes(m[0].toLowerCase()) && !literalText.includes(m[0].toLowerCase())) violations.push({ kind: 'date', text: m[0] });
    consume(m.index!, m[0].length);
  }
  for (const m of rest.matchAll(ID_RE)) {
    const id = m[0].toLowerCase();
    const bare = id.replace(/^#/, '');
    if (!facts.text.includes(id) && !facts.text.includes(bare) && !literalText.includes(id)) violations.push({ kind: 'identifier', text: m[0] });
    consume(m.index!, m[0].length);
  }
  for (const m of rest.matchAll(NUMBER_RE)) {
    if (!facts.numbers.has(normNumber(m[0]))) violations.push({ kind: 'number', text: m[0] });
  }
  // Policy-like sentences must be made of the facts' (or the template's) words.
  const supportWords = options.isGenerated ? facts.policyWords : facts.words;
  for (const [start, end] of sentenceSpans(reply)) {
    // The sentence without its links, amounts, dates and ids, which are checked above.
    const plain = rest.slice(start, end);
    if (!POLICY_WORDS_RE.test(plain)) continue;
    const claim = { kind: 'policy_claim' as const, text: reply.slice(start, end).trim().slice(0, 200) };
    if (options.isGenerated && [...plain.matchAll(NUMBER_RE)].some((m) => !facts.policyNumbers.has(normNumber(m[0])))) {
      violations.push(claim);
      continue;
    }
    const ws = words(plain);
    if (ws.length < 3) continue;
    const unsupported = ws.filter((w) => !supportWords.has(w));
    if (unsupported.length / ws.length > 0.4) violations.push(claim);
  }
  return { ok: violations.length === 0, violations };
}
