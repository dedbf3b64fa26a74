/**
 * In-memory BM25F over title, brand, bullet points and description (Robertson & Zaragoza's
 * BM25F: per-field length-normalised term frequencies are weighted and summed before the single
 * saturation). Postings are typed arrays per term; statistics (N, df, average field lengths) are
 * kept live, so upsert and delete are incremental and scores match a fresh rebuild.
 *
 * Filters are compiled once per query and evaluated the first time a posting touches a product,
 * inside the scoring loop: a filtered search returns k hits whenever k matching products exist.
 * `options.lang` is not needed here: the analyzer splits mixed English/Chinese text by script.
 */
import type { Product } from '../catalog/index.js';
import { LruCache, TopK } from '../maths/index.js';
import { bm25Idf, bm25Term, createAnalyzer, fieldTf, type Analyzer } from '../text/index.js';
import { compileFilters, filterFields, hasFilters, type FilterFields } from './filters.js';
import type { LexicalIndex, LexicalSearchOptions, SearchFilters, SearchHit } from './types.js';

export interface FieldParams {
  readonly weight: number;
  /** Length normalisation, 0 (none) to 1 (full). */
  readonly b: number;
}

export interface Bm25Params {
  readonly k1: number;
  readonly title: FieldParams;
  readonly brand: FieldParams;
  readonly bullets: FieldParams;
  readonly description: FieldParams;
}

/** Titles carry the product's identity; descriptions are long and noisy, so they count least. */
export const DEFAULT_BM25: Bm25Params = {
  k1: 1.2,
  title: { weight: 3, b: 0.75 },
  brand: { weight: 2, b: 0.5 },
  bullets: { weight: 1, b: 0.75 },
  description: { weight: 0.5, b: 0.75 },
};

const FIELDS = ['title', 'brand', 'bullets', 'description'] as const;
const NF = FIELDS.length;
const TITLE = FIELDS.indexOf('title');
export const MAX_K = 1000;
const MAX_QUERY_CHARS = 2000;
const MAX_TF = 0xffff;

class Postings {
  docs = new Int32Array(4);
  /** NF term frequencies per posting, in FIELDS order. */
  tf = new Uint16Array(4 * NF);
  n = 0;
  /** Live documents containing the term (dead postings stay until compaction). */
  df = 0;

  push(slot: number, tfs: readonly number[], offset: number): void {
    if (this.n === this.docs.length) {
      const docs = new Int32Array(this.n * 2);
      docs.set(this.docs);
      this.docs = docs;
      const tf = new Uint16Array(this.n * 2 * NF);
      tf.set(this.tf);
      this.tf = tf;
    }
    this.docs[this.n] = slot;
    for (let f = 0; f < NF; f++) this.tf[this.n * NF + f] = Math.min(tfs[offset + f]!, MAX_TF);
    this.n++;
  }
}

function fieldTexts(p: Product): readonly string[] {
  return [p.title, p.brand ?? '', p.bullets.join('\n'), p.description];
}

export interface LexicalIndexOptions {
  readonly params?: Bm25Params;
  readonly analyzer?: Analyzer;
}

export class Bm25LexicalIndex implements LexicalIndex {
  readonly #params: Bm25Params;
  readonly #weights: Float64Array;
  readonly #b: Float64Array;
  readonly #analyzer: Analyzer;
  readonly #postings = new Map<string, Postings>();
  readonly #slotOf = new Map<string, number>();
  #products: (Product | undefined)[] = [];
  /** Each slot's filter fields (filters.ts), computed once at upsert. */
  #fields: (FilterFields | undefined)[] = [];
  #terms: (readonly string[] | undefined)[] = [];
  #fieldLen = new Float32Array(16 * NF);
  readonly #sumLen = new Float64Array(NF);
  #live = 0;
  #dead = 0;
  /** A query's distinct terms (Chinese segmentation is most of a short query's cost; shoppers repeat queries). */
  readonly #queryTerms = new LruCache<string, readonly string[]>(1024);
  // Per-query scratch, reused so a search allocates almost nothing.
  #scores = new Float64Array(16);
  #state = new Uint8Array(16);
  #touched = new Int32Array(16);

  constructor(options: LexicalIndexOptions = {}) {
    this.#params = options.params ?? DEFAULT_BM25;
    this.#weights = Float64Array.from(FIELDS.map((f) => this.#params[f].weight));
    this.#b = Float64Array.from(FIELDS.map((f) => this.#params[f].b));
    this.#analyzer = options.analyzer ?? createAnalyzer();
  }

  get size(): number {
    return this.#live;
  }

  #grow(slots: number): void {
    if (slots <= this.#scores.length) return;
    let cap = this.#scores.length;
    while (cap < slots) cap *= 2;
    const fieldLen = new Float32Array(cap * NF);
    fieldLen.set(this.#fieldLen);
    this.#fieldLen = fieldLen;
    this.#scores = new Float64Array(cap);
    this.#state = new Uint8Array(cap);
    this.#touched = new Int32Array(cap);
  }

  upsert(products: readonly Product[]): void {
    for (const p of products) {
      this.#remove(p.id);
      this.#add(p);
    }
    this.#maybeCompact();
  }

  delete(ids: readonly string[]): void {
    for (const id of ids) this.#remove(id);
    this.#maybeCompact();
  }

  #add(p: Product): void {
    const slot = this.#products.length;
    this.#grow(slot + 1);
    // Term -> its row in a flat [term][field] frequency table (no allocation per term).
    const rowOf = new Map<string, number>();
    const tfs: number[] = [];
    fieldTexts(p).forEach((text, f) => {
      const terms = this.#analyzer.analyze(text);
      this.#fieldLen[slot * NF + f] = terms.length;
      this.#sumLen[f]! += terms.length;
      for (const t of terms) {
        let row = rowOf.get(t);
        if (row === undefined) {
          rowOf.set(t, (row = rowOf.size));
          for (let g = 0; g < NF; g++) tfs.push(0);
        }
        tfs[row * NF + f]!++;
      }
    });
    for (const [term, row] of rowOf) {
      let postings = this.#postings.get(term);
      if (!postings) this.#postings.set(term, (postings = new Postings()));
      postings.push(slot, tfs, row * NF);
      postings.df++;
    }
    this.#products.push(p);
    this.#fields.push(filterFields(p));
    this.#terms.push([...rowOf.keys()]);
    this.#slotOf.set(p.id, slot);
    this.#live++;
  }

  #remove(id: string): void {
    const slot = this.#slotOf.get(id);
    if (slot === undefined) return;
    this.#slotOf.delete(id);
    for (const t of this.#terms[slot]!) this.#postings.get(t)!.df--;
    for (let f = 0; f < NF; f++) this.#sumLen[f]! -= this.#fieldLen[slot * NF + f]!;
    this.#products[slot] = undefined;
    this.#fields[slot] = undefined;
    this.#terms[slot] = undefined;
    this.#live--;
    this.#dead++;
  }

  /** Drops dead postings and renumbers slots once they outnumber the live ones. */
  #maybeCompact(): void {
    if (this.#dead < 1024 || this.#dead < this.#live) return;
    const remap = new Int32Array(this.#products.length).fill(-1);
    const products: (Product | undefined)[] = [];
    const fields: (FilterFields | undefined)[] = [];
    const terms: (readonly string[] | undefined)[] = [];
    const fieldLen = new Float32Array(Math.max(16, this.#live) * NF);
    this.#products.forEach((p, old) => {
      if (!p) return;
      remap[old] = products.length;
      fieldLen.set(this.#fieldLen.subarray(old * NF, old * NF + NF), products.length * NF);
      this.#slotOf.set(p.id, products.length);
      products.push(p);
      fields.push(this.#fields[old]);
      terms.push(this.#terms[old]);
    });
    for (const [term, postings] of this.#postings) {
      if (postings.df === 0) {
        this.#postings.delete(term);
        continue;
      }
      let w = 0;
      for (let r = 0; r < postings.n; r++) {
        const slot = remap[postings.docs[r]!]!;
        if (slot < 0) continue;
        postings.docs[w] = slot;
        postings.tf.copyWithin(w * NF, r * NF, r * NF + NF);
        w++;
      }
      postings.n = w;
    }
    this.#products = products;
    this.#fields = fields;
    this.#terms = terms;
    this.#fieldLen = fieldLen;
    this.#scores = new Float64Array(16);
    this.#state = new Uint8Array(16);
    this.#touched = new Int32Array(16);
    this.#grow(Math.max(16, products.length));
    this.#dead = 0;
  }

  search(query: string, options: LexicalSearchOptions): SearchHit[] {
    const k = Math.max(0, Math.min(Math.floor(options.k), MAX_K));
    if (k === 0 || this.#live === 0) return [];
    const text = query.slice(0, MAX_QUERY_CHARS);
    let terms = this.#queryTerms.get(text);
    if (!terms) this.#queryTerms.set(text, (terms = [...new Set(this.#analyzer.analyze(text))]));
    const accept = this.#compile(options.filters);
    if (terms.length === 0) return hasFilters(options.filters) ? this.#browse(k, accept) : [];

    const n = this.#live;
    const { k1 } = this.#params;
    const weights = this.#weights;
    const b = this.#b;
    // Per-field length-normalisation denominators depend only on the document: 1 - b + b*len/avg.
    const invAvg = new Float64Array(NF);
    for (let f = 0; f < NF; f++) invAvg[f] = this.#sumLen[f]! > 0 ? n / this.#sumLen[f]! : 0;
    const scores = this.#scores;
    const state = this.#state;
    const touched = this.#touched;
    const fieldLen = this.#fieldLen;
    const products = this.#products;
    let nTouched = 0;

    // Each query term's postings; a term the catalog lacks may be a closed compound of two that it
    // has ("ecloth" for "E-Cloth", "firestick" for "Fire TV Stick"): its parts score, but only in
    // products that contain both.
    const scored: { postings: Postings; within?: ReadonlySet<number> }[] = [];
    for (const term of terms) {
      const postings = this.#postings.get(term);
      if (postings && postings.df > 0) scored.push({ postings });
      else {
        const split = this.#decompound(term);
        if (split) for (const part of split.parts) scored.push({ postings: part, within: split.docs });
      }
    }

    for (const { postings, within } of scored) {
      const idf = bm25Idf(n, postings.df);
      const { docs, tf } = postings;
      for (let i = 0; i < postings.n; i++) {
        const slot = docs[i]!;
        if (within && !within.has(slot)) continue;
        let st = state[slot]!;
        if (st === 0) {
          const p = products[slot];
          st = p !== undefined && accept(p, slot) ? 1 : 2;
          state[slot] = st;
          touched[nTouched++] = slot;
        }
        if (st !== 1) continue;
        let tfw = 0;
        for (let f = 0; f < NF; f++) {
          const t = tf[i * NF + f]!;
          if (t === 0) continue;
          tfw += fieldTf(t, weights[f]!, b[f]!, fieldLen[slot * NF + f]!, invAvg[f]!);
        }
        scores[slot]! += bm25Term(idf, tfw, k1);
      }
    }

    const heap = new TopK(k);
    for (let i = 0; i < nTouched; i++) {
      const slot = touched[i]!;
      if (state[slot] === 1) heap.push(slot, scores[slot]!);
      scores[slot] = 0;
      state[slot] = 0;
    }
    return heap.sorted().map(({ id: slot, score }) => ({ id: products[slot]!.id, score }));
  }

  /**
   * The best split of `term` into two indexed terms that occur in the same products, by the number
   * of such products (ties: the more even split). Only lower-case ASCII words of 5+ letters.
   */
  #decompound(term: string): { parts: [Postings, Postings]; docs: ReadonlySet<number> } | undefined {
    if (term.length < 5 || term.length > 32 || !/^[a-z]+$/.test(term)) return undefined;
    let best: { parts: [Postings, Postings]; docs: Set<number>; balance: number } | undefined;
    for (let i = 1; i < term.length - 1; i++) {
      const left = this.#analyzer.analyze(term.slice(0, i));
      const right = this.#analyzer.analyze(term.slice(i));
      if (left.length !== 1 || right.length !== 1) continue;
      const a = this.#postings.get(left[0]!);
      const b = this.#postings.get(right[0]!);
      if (!a || !b || a.df === 0 || b.df === 0) continue;
      const docs = intersect(a, b, this.#products);
      const balance = Math.min(i, term.length - i);
      if (docs.size > 0 && (!best || docs.size > best.docs.size || (docs.size === best.docs.size && balance > best.balance))) best = { parts: [a, b], docs, balance };
    }
    return best;
  }

  /**
   * The filter predicate for one query. A negated term excludes by the title's words
   * (negation.ts), so only products whose title has each term's rarest analyzed word (a superset
   * of those it excludes) are checked, once, before scoring.
   */
  #compile(filters: SearchFilters | undefined): (p: Product, slot: number) => boolean {
    const excludeTerms = filters?.excludeTerms ?? [];
    const fields = this.#fields;
    if (excludeTerms.length === 0) {
      const accept = compileFilters(filters);
      return (p, slot) => accept(p.id, fields[slot]);
    }
    const acceptFields = compileFilters({ ...filters, excludeTerms: undefined });
    const keepFields = compileFilters({ excludeTerms });
    const accept = (p: Product, slot: number) => acceptFields(p.id, fields[slot]);
    const keep = (p: Product, slot: number) => keepFields(p.id, fields[slot]);
    const excluded = new Set<number>();
    for (const term of excludeTerms) {
      const words = this.#analyzer.analyze(term);
      // Only stopwords: no postings to narrow by, so test every product.
      if (words.length === 0) return (p, slot) => accept(p, slot) && keep(p, slot);
      let rarest: Postings | undefined;
      let absent = false;
      for (const w of words) {
        const postings = this.#postings.get(w);
        if (!postings || postings.df === 0) absent = true;
        else if (!rarest || postings.df < rarest.df) rarest = postings;
      }
      if (absent || !rarest) continue;
      for (let i = 0; i < rarest.n; i++) {
        if (rarest.tf[i * NF + TITLE]! === 0) continue;
        const slot = rarest.docs[i]!;
        const p = this.#products[slot];
        if (p !== undefined && !keep(p, slot)) excluded.add(slot);
      }
    }
    return (p, slot) => !excluded.has(slot) && accept(p, slot);
  }

  /**
   * A query with no searchable words but with filters ("something from Nike under $50") lists the
   * matching products, most-rated first, with score 0.
   */
  #browse(k: number, accept: (p: Product, slot: number) => boolean): SearchHit[] {
    const heap = new TopK(k);
    this.#products.forEach((p, slot) => {
      if (p && accept(p, slot)) heap.push(slot, Math.log1p(p.ratingCount ?? 0) * (p.rating ?? 0));
    });
    return heap.sorted().map(({ id: slot }) => ({ id: this.#products[slot]!.id, score: 0 }));
  }
}

/** Live slots in both postings lists (postings are in ascending slot order). */
function intersect(a: Postings, b: Postings, products: readonly (Product | undefined)[]): Set<number> {
  const out = new Set<number>();
  let i = 0;
  let j = 0;
  while (i < a.n && j < b.n) {
    const x = a.docs[i]!;
    const y = b.docs[j]!;
    if (x < y) i++;
    else if (y < x) j++;
    else {
      if (products[x] !== undefined) out.add(x);
      i++;
      j++;
    }
  }
  return out;
}

export function createLexicalIndex(options: LexicalIndexOptions = {}): LexicalIndex {
  return new Bm25LexicalIndex(options);
}
