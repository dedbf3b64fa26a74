/**
 * The catalog's own vocabulary of brands, colors and categories, and a matcher that finds them in
 * a shopper's message ("red nike running shoes under $50" -> brand nike, color red, the rest as
 * query text). Matching is case- and accent-insensitive on whole words, longest phrase first.
 * Categories also match singular/plural forms (Porter stems).
 *
 * To keep ordinary words from becoming filters: entries shorter than 3 characters are skipped
 * (a 2-letter brand like "HP" matches only when the shopper writes it in capitals), stopwords and
 * placeholder brands ("Generic", "Unknown") are skipped, and a one-word brand that appears as a
 * word in the titles of many other brands' products, more often than in its own ("Simple",
 * "Classic"), is treated as generic. A single stopword or chat word ("can", "hello") never matches.
 */
import type { Product } from '../catalog/index.js';
import { EN_ATTRIBUTE_WORDS, EN_COLORS, EN_NOT_PRODUCT_WORDS, type CatalogTerms } from '../nlu/index.js';
import { createSpeller, createStemmer, ENGLISH_STOPWORDS, foldCase, type Speller, type Stemmer } from '../text/index.js';
import { translateQuery } from './glossary.js';

export type VocabularyKind = 'brand' | 'color' | 'category';

export interface VocabularyMatch {
  readonly kind: VocabularyKind;
  /** Lower-cased catalog values this phrase stands for (SearchFilters values). */
  readonly values: readonly string[];
  /** Character offsets in the message. */
  readonly start: number;
  readonly end: number;
}

export interface VocabularyExtraction extends CatalogTerms {
  readonly brands: readonly string[];
  readonly colors: readonly string[];
  readonly categories: readonly string[];
  /**
   * The message without the brand and color phrases (those become exact filters). Category words
   * stay: they describe the product and help ranking inside the category.
   */
  readonly residual: string;
  readonly matches: readonly VocabularyMatch[];
}

export interface CatalogVocabulary {
  extract(text: string): VocabularyExtraction;
  readonly sizes: Readonly<Record<VocabularyKind, number>>;
  /** Spelling tolerance against the words of the catalog's titles (shared with lexical search). */
  readonly speller: Speller;
}

export interface VocabularyOptions {
  /** A one-word brand found in titles of more than this share of other brands' products is generic. */
  readonly genericBrandShare?: number;
  /** A color must be the color of at least this many products. */
  readonly minColorProducts?: number;
  /**
   * When given, a catalog color counts only if one of its words is a color word: feeds put nouns
   * in the color field ("coffee", "wine", "china tea") that would turn a need into a filter.
   */
  readonly isColorWord?: (word: string) => boolean;
  /** The stemmer to share (its memo) with the other analyzers; a fresh one otherwise. */
  readonly stemmer?: Stemmer;
  /** A title word in at least this many products names something the store sells. */
  readonly minProductWordProducts?: number;
}

const MAX_PHRASE_WORDS = 6;
const MAX_WORDS_CORRECTED = 8;
const MAX_MESSAGE_CHARS = 4000;
const PLACEHOLDER_BRANDS = new Set(['generic', 'unknown', 'unbranded', 'no brand', 'none', 'n a', 'na', 'other', 'various', 'brand']);
/** Values ESCI and feeds put in the color field that are not colors a shopper would ask for. */
const NOT_COLORS = new Set(['multi', 'multicolor', 'multicolored', 'assorted', 'natural', 'clear', 'standard', 'default', 'original', 'as shown', 'one size', 'small', 'medium', 'large', 'pack', 'set', 'mixed', 'random', 'various', 'transparent', 'classic', 'plain']);
/** Chat words that are also somebody's brand ("Hello" toothpaste) but almost never mean it in a chat. */
const CHAT_WORDS = new Set(['hello', 'hi', 'hey', 'thanks', 'thank', 'please', 'yes', 'no', 'ok', 'okay', 'sure', 'great', 'good', 'best', 'love', 'nice', 'cool', 'help', 'order', 'cart', 'gift', 'sale', 'new', 'free', 'cheap', 'more', 'other', 'again', 'one', 'first', 'second', 'last', 'next', 'today', 'now']);
/** Han runs and Latin words apart: "不要Champion的" has the word "champion". */
const WORD = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+(?:['’](?:(?!\p{Script=Han})[\p{L}\p{N}])+)*|&/gu;
const HAN = /\p{Script=Han}/u;

function fold(word: string): string {
  const lower = foldCase(word);
  const w = lower.includes("'") || lower.includes('’') ? lower.replace(/['’]/g, '') : lower;
  return w === '&' ? 'and' : w;
}

interface Word {
  readonly key: string;
  readonly stem: string;
  readonly start: number;
  readonly end: number;
  readonly raw: string;
}

/** The message's words; `stem` (the shared stemmer) gives each its stem, without it the stem is the word. */
function words(text: string, stem?: Stemmer): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(WORD)) {
    const key = fold(m[0]);
    if (key.length === 0) continue;
    const stemmed = stem && /^[a-z]+$/.test(key) ? stem(key) : key;
    out.push({ key, stem: stemmed, start: m.index, end: m.index + m[0].length, raw: m[0] });
  }
  return out;
}

interface Entry {
  readonly values: Set<string>;
  /** Two-letter entries need the shopper to write them in capitals. */
  readonly upperOnly: boolean;
}

class PhraseTable {
  readonly map = new Map<string, Entry>();
  /** Han phrases have no word boundaries: matched as substrings. */
  readonly han = new Map<string, Entry>();

  constructor(private readonly stem: Stemmer) {}

  add(phrase: string, value: string, stemmed: boolean): void {
    if (HAN.test(phrase)) {
      if (phrase.trim().length < 2) return;
      const e = this.han.get(phrase.trim()) ?? { values: new Set<string>(), upperOnly: false };
      e.values.add(value);
      this.han.set(phrase.trim(), e);
      return;
    }
    const ws = words(phrase, this.stem);
    if (ws.length === 0 || ws.length > MAX_PHRASE_WORDS) return;
    if (ws.every((w) => ENGLISH_STOPWORDS.has(w.key) || w.key === 'and')) return;
    const key = ws.map((w) => (stemmed ? w.stem : w.key)).join(' ');
    const chars = ws.map((w) => w.key).join('').length;
    if (chars < 2) return;
    const e = this.map.get(key) ?? { values: new Set<string>(), upperOnly: chars < 3 };
    e.values.add(value);
    this.map.set(key, e);
  }
}

export function createCatalogVocabulary(products: Iterable<Product>, options: VocabularyOptions = {}): CatalogVocabulary {
  const genericShare = options.genericBrandShare ?? 0.002;
  const minColorProducts = options.minColorProducts ?? 2;
  const stem = options.stemmer ?? createStemmer();
  const brands = new PhraseTable(stem);
  const colors = new PhraseTable(stem);
  const categories = new PhraseTable(stem);

  const brandNames = new Map<string, string>(); // lower-cased brand -> as written
  const colorCounts = new Map<string, number>();
  const categoryLevels = new Set<string>();
  const titleWordProducts = new Map<string, Map<string, number>>(); // word -> brand -> products
  let n = 0;
  for (const p of products) {
    n++;
    const brand = p.brand?.trim().toLowerCase() ?? '';
    if (brand) brandNames.set(brand, p.brand!.trim());
    for (const w of new Set(words(p.title).map((x) => x.key))) {
      let per = titleWordProducts.get(w);
      if (!per) titleWordProducts.set(w, (per = new Map()));
      per.set(brand, (per.get(brand) ?? 0) + 1);
    }
    if (p.color) {
      for (const part of p.color.toLowerCase().split(/\s*(?:[/,&+;|]|\band\b|\bwith\b)\s*/)) {
        const c = part.trim();
        if (/^[\p{L} ]+$/u.test(c) && c.split(' ').length <= 3) colorCounts.set(c, (colorCounts.get(c) ?? 0) + 1);
      }
    }
    for (const level of p.category) categoryLevels.add(level.trim());
  }
  for (const c of categoryLevels) if (c) categories.add(c, c.toLowerCase(), true);
  const titleWordCounts = new Map<string, number>();
  for (const [w, per] of titleWordProducts) {
    let total = 0;
    for (const c of per.values()) total += c;
    titleWordCounts.set(w, total);
  }
  const speller = createSpeller(titleWordCounts);
  // Plurals and other forms count with their stem ("mattresses" with "mattress").
  const titleStemCounts = new Map<string, number>();
  for (const [w, c] of titleWordCounts) if (/^[a-z]+$/.test(w)) titleStemCounts.set(stem(w), (titleStemCounts.get(stem(w)) ?? 0) + c);
  const minProductWord = options.minProductWordProducts ?? 3;
  /** A catalog word as a product or attribute term, or undefined (function words, chat, too rare). */
  const termKind = (w: string): 'product' | 'attribute' | undefined => {
    if (ENGLISH_STOPWORDS.has(w) || EN_NOT_PRODUCT_WORDS.has(w) || CHAT_WORDS.has(w) || !/^[a-z]{3,}$/.test(w)) return undefined;
    if (EN_ATTRIBUTE_WORDS.has(w) || Object.hasOwn(EN_COLORS, w)) return 'attribute';
    return Math.max(titleWordCounts.get(w) ?? 0, titleStemCounts.get(stem(w)) ?? 0) >= minProductWord ? 'product' : undefined;
  };

  const genericLimit = Math.max(3, genericShare * n);
  for (const [lower, written] of brandNames) {
    const ws = words(written, stem);
    const key = ws.map((w) => w.key).join(' ');
    if (PLACEHOLDER_BRANDS.has(key)) continue;
    if (ws.length === 1) {
      // Generic when the word is common in other brands' titles and commoner there than in its own.
      let elsewhere = 0;
      let own = 0;
      for (const [b, count] of titleWordProducts.get(key) ?? []) {
        if (b === lower) own += count;
        else elsewhere += count;
      }
      if (elsewhere > genericLimit && elsewhere > own) continue;
    }
    brands.add(written, lower, false);
  }
  for (const [c, count] of colorCounts) {
    if (count < minColorProducts || NOT_COLORS.has(c)) continue;
    if (options.isColorWord && !c.split(' ').some(options.isColorWord)) continue;
    colors.add(c, c, false);
  }

  const tables: readonly [VocabularyKind, PhraseTable][] = [
    ['color', colors],
    ['brand', brands],
    ['category', categories],
  ];

  return {
    speller,
    sizes: { brand: brands.map.size + brands.han.size, color: colors.map.size + colors.han.size, category: categories.map.size + categories.han.size },
    extract(text: string): VocabularyExtraction {
      const message = text.slice(0, MAX_MESSAGE_CHARS);
      const ws = words(message, stem);
      const matches: VocabularyMatch[] = [];
      for (let i = 0; i < ws.length; ) {
        let found: { kind: VocabularyKind; entry: Entry; len: number } | undefined;
        for (let len = Math.min(MAX_PHRASE_WORDS, ws.length - i); len >= 1 && !found; len--) {
          const span = ws.slice(i, i + len);
          // A lone stopword or chat word never starts a filter ("can" must not find "Canning").
          if (len === 1 && (ENGLISH_STOPWORDS.has(span[0]!.key) || CHAT_WORDS.has(span[0]!.key))) continue;
          for (const [kind, table] of tables) {
            const entry = table.map.get(span.map((w) => (kind === 'category' ? w.stem : w.key)).join(' '));
            if (!entry) continue;
            if (entry.upperOnly && span.some((w) => w.raw !== w.raw.toUpperCase())) continue;
            found = { kind, entry, len };
            break;
          }
        }
        if (found) {
          matches.push({ kind: found.kind, values: [...found.entry.values], start: ws[i]!.start, end: ws[i + found.len - 1]!.end });
          i += found.len;
        } else {
          i++;
        }
      }
      for (const [kind, table] of tables) {
        for (const [phrase, entry] of table.han) {
          const at = message.indexOf(phrase);
          if (at >= 0) matches.push({ kind, values: [...entry.values], start: at, end: at + phrase.length });
        }
      }
      matches.sort((a, b) => a.start - b.start);
      const valuesOf = (kind: VocabularyKind) => [...new Set(matches.filter((m) => m.kind === kind).flatMap((m) => m.values))];
      let residual = '';
      let at = 0;
      for (const m of matches) {
        if (m.kind === 'category' || m.start < at) continue;
        residual += message.slice(at, m.start) + ' ';
        at = m.end;
      }
      residual = (residual + message.slice(at)).replace(/\s+/g, ' ').trim();
      // Product and attribute words: the message's words outside brand and colour phrases, typos
      // corrected against the titles' words; Chinese terms through the glossary's English words.
      const productTerms: string[] = [];
      const attributeTerms: string[] = [];
      const corrections: { from: string; to: string }[] = [];
      const inPhrase = (w: Word) => matches.some((m) => m.kind !== 'category' && w.start >= m.start && w.end <= m.end);
      const take = (w: string) => {
        const kind = termKind(w);
        if (kind === 'product') productTerms.push(w);
        else if (kind === 'attribute') attributeTerms.push(w);
        return kind;
      };
      // Typos are read in short messages, where they are the whole query; a long message's unknown words are mostly real words the titles lack.
      const correcting = ws.length <= MAX_WORDS_CORRECTED;
      for (const w of ws) {
        if (inPhrase(w) || !/^[a-z]+$/.test(w.key)) continue;
        if (titleWordCounts.has(w.key) || titleStemCounts.has(w.stem) || ENGLISH_STOPWORDS.has(w.key) || EN_NOT_PRODUCT_WORDS.has(w.key)) {
          take(w.key);
          continue;
        }
        const fixed = correcting ? speller.correct(w.key) : undefined;
        if (fixed && take(fixed)) corrections.push({ from: w.key, to: fixed });
      }
      if (HAN.test(message)) for (const w of translateQuery(message).split(' ')) if (w) take(w);
      const uniq = (xs: string[]) => [...new Set(xs)];
      return {
        brands: valuesOf('brand'),
        colors: valuesOf('color'),
        categories: valuesOf('category'),
        residual,
        matches,
        productTerms: uniq(productTerms),
        attributeTerms: uniq(attributeTerms),
        corrections,
      };
    },
  };
}

/** The vocabulary a turn reads messages with: catalog colors count only when they are color words. */
export function createShopperVocabulary(products: Iterable<Product>, options: Pick<VocabularyOptions, 'stemmer'> = {}): CatalogVocabulary {
  return createCatalogVocabulary(products, { ...options, isColorWord: (w) => Object.hasOwn(EN_COLORS, w) });
}
