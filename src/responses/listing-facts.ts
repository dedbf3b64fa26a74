/**
 * Facts a listing states in its own words: weight, size (dimensions, capacity, a length), and the
 * sentences that speak to an attribute. The demo catalog has no weight or dimension fields, so
 * they are read from the title, bullet points and description, and every value keeps the words
 * it was read from: an answer quotes them, it never states a converted figure of its own.
 */
import type { Product } from '../catalog/index.js';

export interface Measured {
  /** Comparable value: grams for a weight; cm³, ml or cm for a size (see `unit`). */
  readonly value: number;
  /** What kind of size `value` is; sizes compare only within one kind. */
  readonly unit: 'g' | 'cm3' | 'cm2' | 'ml' | 'cm';
  /** The listing's words the value was read from. */
  readonly quote: string;
}

/** The listing's sentences: title, bullet points, description split into sentences (each under 400 characters). */
export function listingSentences(p: Product): string[] {
  const out: string[] = [p.title];
  for (const b of p.bullets) out.push(...b.split(/\n+/));
  out.push(...p.description.split(/(?<=[.!?])\s+|\n+/));
  return out.map((s) => s.trim()).filter((s) => s.length > 0 && s.length < 400);
}

const NUM = String.raw`(?<![\d/.])(\d+(?:\.\d+)?)`;
const WEIGHT_UNITS: Readonly<Record<string, number>> = { lb: 453.6, lbs: 453.6, pound: 453.6, pounds: 453.6, oz: 28.35, ounce: 28.35, ounces: 28.35, kg: 1000, kgs: 1000, kilogram: 1000, kilograms: 1000, g: 1, gram: 1, grams: 1 };
const WEIGHT_CUE_RE = new RegExp(String.raw`\b(?:(?:item|product|net|unit|total)\s+(?:net\s+)?weight|weight|weighs?|weighing|net wt\.?)\s*(?:is|of|:|-|about|approx\.?|approximately|only|just|around|under)*\s*${NUM}\s*(lbs?|pounds?|oz|ounces?|kgs?|kilograms?|grams?|g)\b`, 'i');
/** A load the product carries ("holds up to 300 lbs", "can withstand a weight of 10 pounds") is not its weight. */
const LOAD_RE = /\b(hold|holds|support|supports|capacity|withstand|bear|bears|load|up to|max(imum)?|basis)\b[^.]{0,25}$/i;
/** "5 lb dumbbell" in a title: the product is sold by weight. */
const WEIGHT_TITLE_RE = new RegExp(String.raw`\b${NUM}\s*-?\s*(lbs?|pounds?|kgs?|kilograms?)\b`, 'i');

const LENGTH_UNITS: Readonly<Record<string, number>> = { '"': 2.54, '”': 2.54, "''": 2.54, in: 2.54, inch: 2.54, inches: 2.54, ft: 30.48, feet: 30.48, cm: 1, mm: 0.1, m: 100 };
const LEN_UNIT = String.raw`("|”|''|in\b|inch(?:es)?\b|ft\b|feet\b|cm\b|mm\b|m\b)`;
const SIDE = String.raw`${NUM}\s*${LEN_UNIT}?\s*(?:\(?[LWHD]\)?\s*)?`;
const DIMENSIONS_RE = new RegExp(String.raw`${SIDE}[x×*]\s*${SIDE}(?:[x×*]\s*${SIDE})?`, 'i');
const CAPACITY_UNITS: Readonly<Record<string, number>> = { ml: 1, l: 1000, liter: 1000, liters: 1000, litre: 1000, litres: 1000, qt: 946, quart: 946, quarts: 946, gallon: 3785, gallons: 3785, gal: 3785, 'fl oz': 29.57, 'fl. oz': 29.57, 'fl.oz': 29.57, cups: 237, cup: 237 };
const CAPACITY_RE = /(\d+(?:\.\d+)?)\s*(fl\.? ?oz|ml|liters?|litres?|l|quarts?|qt|gallons?|gal|cups?)\b/i;
/** A screen, blade or bag measured by one length: "55 inch", "12-Inch", "15.6\"". */
const LENGTH_RE = /(?<![\d/.-])(\d+(?:\.\d+)?)\s*-?\s*(inch(?:es)?|in\b|"|”|cm\b|mm\b|ft\b|feet\b)/i;

/** The words around a match, at most `radius` characters either side, cut at word boundaries. */
function around(s: string, index: number, length: number, radius = 60): string {
  if (s.length <= 2 * radius + length) return s;
  const start = Math.max(0, s.lastIndexOf(' ', Math.max(0, index - radius)) + 1);
  const endAt = s.indexOf(' ', Math.min(s.length, index + length + radius));
  const end = endAt < 0 ? s.length : endAt;
  return `${start > 0 ? '…' : ''}${s.slice(start, end).trim()}${end < s.length ? '…' : ''}`;
}

/** The weight the listing states, or undefined when it states none. */
export function weightOf(p: Product): Measured | undefined {
  for (const s of listingSentences(p)) {
    const m = WEIGHT_CUE_RE.exec(s);
    if (m && !LOAD_RE.test(s.slice(0, m.index + m[0].indexOf(m[1]!)))) {
      const factor = WEIGHT_UNITS[m[2]!.toLowerCase()];
      if (factor) return { value: Number(m[1]) * factor, unit: 'g', quote: around(s, m.index, m[0].length) };
    }
  }
  const t = WEIGHT_TITLE_RE.exec(p.title);
  const factor = t ? WEIGHT_UNITS[t[2]!.toLowerCase()] : undefined;
  return t && factor ? { value: Number(t[1]) * factor, unit: 'g', quote: around(p.title, t.index, t[0].length) } : undefined;
}

/** The size the listing states: dimensions first (volume or area), then a capacity, then a single length. */
export function sizeOf(p: Product): Measured | undefined {
  const sentences = listingSentences(p);
  for (const s of sentences) {
    const m = DIMENSIONS_RE.exec(s);
    if (!m) continue;
    const sides = [m[1], m[3], m[5]].filter((x): x is string => x !== undefined).map(Number);
    // A side without its own unit takes the unit written after the last side ("10 x 5 x 3 inches").
    const unit = [m[6], m[4], m[2]].find((u) => u !== undefined)?.toLowerCase().replace(/es$/, 'es');
    const factor = unit ? LENGTH_UNITS[unit] ?? LENGTH_UNITS[unit.replace(/\s/g, '')] : undefined;
    if (!factor || sides.some((x) => !(x > 0))) continue;
    const cm = sides.map((x) => x * factor);
    return { value: cm.reduce((a, b) => a * b, 1), unit: cm.length === 3 ? 'cm3' : 'cm2', quote: around(s, m.index, m[0].length) };
  }
  for (const s of sentences) {
    const m = CAPACITY_RE.exec(s);
    const factor = m ? CAPACITY_UNITS[m[2]!.toLowerCase().replace(/\s+/g, ' ')] ?? CAPACITY_UNITS[m[2]!.toLowerCase().replace(/s$/, '')] : undefined;
    if (m && factor) return { value: Number(m[1]) * factor, unit: 'ml', quote: around(s, m.index, m[0].length) };
  }
  const m = LENGTH_RE.exec(p.title);
  const factor = m ? LENGTH_UNITS[m[2]!.toLowerCase()] : undefined;
  return m && factor ? { value: Number(m[1]) * factor, unit: 'cm', quote: around(p.title, m.index, m[0].length) } : undefined;
}

export type AttributeAnswer = { readonly answer: 'yes' | 'no'; readonly quote: string } | { readonly answer: 'unknown' };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A word or phrase as a whole word, a trailing s allowed ("pocket" finds "pockets"). */
const termRx = (t: string) => new RegExp(`(^|[^\\p{L}\\p{N}])${escape(t)}(s|es)?($|[^\\p{L}\\p{N}])`, 'iu');
/** A negation that governs the term: right before it, or with "a/any/have/come with" between ("does not have a lid", "non-slip" is not "slip"). */
const NEGATED = /\b(not|no|without|never|isn'?t|aren'?t|doesn'?t|don'?t|cannot|can'?t|nor)\s+(?:(?:a|an|any|the|have|has|include|includes|come|comes|with|need|needs|require|requires|built-in)\s+){0,3}$/i;

/**
 * Whether the listing says the product has an attribute: a sentence naming the attribute
 * ("IPX7 Water Resistant") is a yes, the same words right after a negation ("no snooze button")
 * a no, and no such sentence is "the listing does not say". `concepts` (product-question.ts):
 * each is the spellings any one of which names it; a sentence must name every concept, or all but
 * one when there are three or more. The sentence naming most wins; the title first among equals.
 */
export function attributeAnswer(p: Product, concepts: readonly (readonly string[])[]): AttributeAnswer {
  if (!concepts.length) return { answer: 'unknown' };
  const needed = concepts.length >= 3 ? concepts.length - 1 : concepts.length;
  let best: { quote: string; score: number; negated: boolean } | undefined;
  for (const s of listingSentences(p)) {
    let score = 0;
    let first: { at: number; len: number } | undefined;
    let negated = false;
    for (const spellings of concepts) {
      let hit: { at: number; len: number } | undefined;
      for (const sp of spellings) {
        const m = termRx(sp).exec(s);
        if (m && (!hit || m.index < hit.at)) hit = { at: m.index + m[1]!.length, len: sp.length };
      }
      if (!hit) continue;
      score++;
      if (NEGATED.test(s.slice(0, hit.at))) negated = true;
      if (!first || hit.at < first.at) first = hit;
    }
    if (score < needed || !first) continue;
    if (!best || score > best.score) best = { quote: around(s, first.at, first.len), score, negated };
  }
  if (!best) return { answer: 'unknown' };
  return { answer: best.negated ? 'no' : 'yes', quote: best.quote };
}

/** The sentence of the listing that shares most words with the question (a question of no known kind). */
export function bestPassage(p: Product, question: string): string | undefined {
  const q = new Set(question.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []);
  // Words of asking and pointing, which every sentence could "match": only the subject of the question counts.
  for (const w of ['does', 'this', 'that', 'have', 'what', 'with', 'the', 'and', 'for', 'how', 'can', 'are', 'you', 'its', 'will', 'come', 'one', 'first', 'second', 'third', 'fourth', 'fifth', 'last', 'more', 'info', 'information', 'details', 'detail', 'tell', 'about', 'looks', 'look', 'nice', 'good', 'like', 'want', 'know', 'please', 'any', 'there', 'they', 'them', 'about', 'also']) q.delete(w);
  if (q.size === 0) return undefined;
  let best: string | undefined;
  let bestScore = 0;
  for (const s of listingSentences(p).slice(1)) {
    const words = new Set(s.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []);
    let score = 0;
    for (const w of q) if (words.has(w) || (w.length >= 5 && [...words].some((x) => x.startsWith(w.slice(0, 5))))) score++;
    if (score > bestScore) (bestScore = score), (best = s);
  }
  return best;
}
