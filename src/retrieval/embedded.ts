/**
 * The embedded (default) engine: vectors in one growable Float32Array in process, persisted to the
 * data directory on `snapshot()`/`close()`. Exact search below `annThreshold` live products (a
 * 6.7k-product catalog scans in well under a millisecond and exact has perfect recall); an HNSW
 * graph (hnswlib-node) above it. Filters run inside the search: a pre-filter in the exact scan,
 * hnswlib's label filter in the graph, and an exact scan whenever the filter is so selective that
 * the graph could miss matches.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ShopbotError } from '../errors.js';
import { dotAt, normalized, TopK } from '../maths/index.js';
import { DEFAULT_HNSW, HnswGraph, type HnswParams } from './hnsw.js';
import { compileFilterStages, hasFilters } from './filters.js';
import {
  checkItems,
  checkQuery,
  silentLog,
  type IndexItem,
  type IndexPayload,
  type ProductIndex,
  type RetrievalLog,
  type VectorQuery,
} from './product-index.js';
import type { SearchHit } from './types.js';

export interface EmbeddedIndexOptions {
  readonly dim: number;
  /** At or above this many live vectors the index searches an HNSW graph instead of scanning. */
  readonly annThreshold: number;
  /** Persistence directory; omitted = in memory only. */
  readonly dir?: string;
  readonly hnsw?: Partial<HnswParams>;
  readonly log?: RetrievalLog;
}

/** Below this estimated share of matching products a filtered query scans exactly instead of walking the graph. */
const SELECTIVE_SHARE = 0.02;
const SELECTIVITY_SAMPLE = 256;
/** At or above this estimated share of matching products the exact scan tests field filters after scoring. */
const BROAD_SHARE = 0.5;

const MetaSchema = z.object({
  format: z.literal(1),
  dim: z.number().int().min(1).max(65_536),
  used: z.number().int().min(0),
  hasGraph: z.boolean(),
});

/** One hidden class for every stored payload keeps the filter loop's property reads monomorphic. */
function shaped(p: IndexPayload): IndexPayload {
  return {
    priceCents: p.priceCents,
    brand: p.brand,
    colors: p.colors,
    categories: p.categories,
    rating: p.rating,
    availability: p.availability,
    text: p.text,
  } as IndexPayload;
}

export class EmbeddedProductIndex implements ProductIndex {
  readonly dim: number;
  private readonly annThreshold: number;
  private readonly dir: string | undefined;
  private hnswParams: HnswParams;
  private readonly log: RetrievalLog;
  /** Slot-major unit vectors. */
  private store: Float32Array;
  private ids: (string | undefined)[] = [];
  private payloads: (IndexPayload | undefined)[] = [];
  private readonly slotOf = new Map<string, number>();
  private free: number[] = [];
  private used = 0;
  private graph: HnswGraph | undefined;
  private dirty = false;
  private closed = false;

  private constructor(opts: EmbeddedIndexOptions) {
    this.dim = opts.dim;
    this.annThreshold = opts.annThreshold;
    this.dir = opts.dir;
    this.hnswParams = { ...DEFAULT_HNSW, ...opts.hnsw };
    this.log = opts.log ?? silentLog;
    this.store = new Float32Array(1024 * this.dim);
  }

  static async open(opts: EmbeddedIndexOptions): Promise<EmbeddedProductIndex> {
    if (!Number.isInteger(opts.dim) || opts.dim < 1) throw new ShopbotError('CONFIG_INVALID', `vector dim must be a positive integer, got ${opts.dim}`);
    const index = new EmbeddedProductIndex(opts);
    if (opts.dir) index.load(opts.dir);
    return index;
  }

  /** Sets HNSW's query-time candidate list size (recall against speed), now and for later graphs. */
  setEfSearch(ef: number): void {
    if (!Number.isInteger(ef) || ef < 1) throw new ShopbotError('BAD_REQUEST', `efSearch must be a positive integer, got ${ef}`);
    this.hnswParams = { ...this.hnswParams, efSearch: ef };
    if (this.graph) this.graph.efSearch = ef;
  }

  /** 'hnsw' once the live count has reached annThreshold (for the bench and readiness). */
  get mode(): 'exact' | 'hnsw' {
    return this.graph ? 'hnsw' : 'exact';
  }

  async upsert(items: readonly IndexItem[]): Promise<void> {
    this.assertOpen();
    checkItems(items, this.dim);
    for (const item of items) {
      let slot = this.slotOf.get(item.id);
      if (slot === undefined) {
        slot = this.free.pop() ?? this.used++;
        this.ensureCapacity(slot + 1);
        this.slotOf.set(item.id, slot);
        this.ids[slot] = item.id;
      }
      const v = normalized(item.vector);
      this.store.set(v, slot * this.dim);
      this.payloads[slot] = shaped(item.payload);
      this.graph?.set(slot, v);
    }
    if (items.length) this.dirty = true;
    this.maybeSwitchMode();
  }

  async delete(ids: readonly string[]): Promise<void> {
    this.assertOpen();
    for (const id of ids) {
      const slot = this.slotOf.get(id);
      if (slot === undefined) continue;
      this.graph?.remove(slot);
      this.slotOf.delete(id);
      this.ids[slot] = undefined;
      this.payloads[slot] = undefined;
      this.free.push(slot);
      this.dirty = true;
    }
    this.maybeSwitchMode();
  }

  async search(query: VectorQuery): Promise<SearchHit[]> {
    this.assertOpen();
    checkQuery(query, this.dim);
    const q = normalized(query.vector);
    const stages = hasFilters(query.filters) ? compileFilterStages(query.filters) : {};
    const bySlot = (pred: ((id: string, p: IndexPayload | undefined) => boolean) | undefined) => (pred ? (slot: number) => pred(this.ids[slot]!, this.payloads[slot]) : undefined);
    const pre = bySlot(stages.fields);
    const post = bySlot(stages.terms);
    const accept = pre && post ? (slot: number) => pre(slot) && post(slot) : (pre ?? post);
    const want = Math.min(query.k, this.slotOf.size);
    if (!this.graph) {
      // A filter most products pass ("under $78") is cheaper to test only on would-be top-k hits,
      // after the dot product, like the term stage; the filtered top k is the same either way.
      if (pre && this.estimateShare(pre) >= BROAD_SHARE) return this.toHits(this.exact(q, query.k, undefined, accept));
      return this.toHits(this.exact(q, query.k, pre, post));
    }
    if (accept && this.estimateShare(accept) < SELECTIVE_SHARE) return this.toHits(this.exact(q, query.k, pre, post));
    const approx = this.graph.search(q, query.k, this.slotOf.size, accept);
    // The graph may return fewer than k under a filter; only an exact scan can say how many match.
    if (accept && approx.length < want) return this.toHits(this.exact(q, query.k, pre, post));
    return this.toHits(approx);
  }

  /**
   * Exact scan. `pre` (field filters) runs before the dot product; `post` (negated terms, a text
   * scan) only for a product that would enter the top k, which after the first few hundred
   * products is rare. Both are filters inside the search: the result is the filtered top k.
   */
  exact(q: Float32Array, k: number, pre?: (slot: number) => boolean, post?: (slot: number) => boolean): { slot: number; score: number }[] {
    const top = new TopK(k);
    const { dim, store: vectors, ids } = this;
    for (let s = 0; s < this.used; s++) {
      if (ids[s] === undefined) continue;
      if (pre && !pre(s)) continue;
      const score = dotAt(vectors, s * dim, q, dim);
      if (score <= top.min) continue;
      if (post && !post(s)) continue;
      top.push(s, score);
    }
    return top.sorted().map(({ id, score }) => ({ slot: id, score }));
  }

  async vectors(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    this.assertOpen();
    const out = new Map<string, Float32Array>();
    for (const id of ids) {
      const slot = this.slotOf.get(id);
      if (slot !== undefined) out.set(id, this.store.slice(slot * this.dim, (slot + 1) * this.dim));
    }
    return out;
  }

  async count(): Promise<number> {
    return this.slotOf.size;
  }

  async snapshot(): Promise<void> {
    this.assertOpen();
    if (!this.dir || !this.dirty) return;
    this.write(this.dir);
    this.dirty = false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.snapshot();
    this.closed = true;
    this.graph = undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw new ShopbotError('INTERNAL', 'embedded product index is closed');
  }

  private toHits(found: { slot: number; score: number }[]): SearchHit[] {
    return found.map(({ slot, score }) => ({ id: this.ids[slot]!, score }));
  }

  /** Share of live products a filter accepts, from an evenly spaced sample (deterministic). */
  private estimateShare(accept: (slot: number) => boolean): number {
    const step = Math.max(1, Math.floor(this.used / SELECTIVITY_SAMPLE));
    let seen = 0;
    let hit = 0;
    for (let s = 0; s < this.used; s += step) {
      if (this.ids[s] === undefined) continue;
      seen++;
      if (accept(s)) hit++;
    }
    return seen ? hit / seen : 0;
  }

  private ensureCapacity(slots: number): void {
    if (slots * this.dim <= this.store.length) return;
    const grown = new Float32Array(Math.max(slots, Math.ceil((this.store.length / this.dim) * 1.5)) * this.dim);
    grown.set(this.store);
    this.store = grown;
  }

  /** Hysteresis (build at the threshold, drop at half of it) so a catalog hovering near it does not rebuild repeatedly. */
  private maybeSwitchMode(): void {
    const live = this.slotOf.size;
    if (!this.graph && live >= this.annThreshold) {
      const started = Date.now();
      const graph = HnswGraph.create(this.dim, Math.max(this.used, 1024), this.hnswParams);
      for (let s = 0; s < this.used; s++) {
        if (this.ids[s] !== undefined) graph.set(s, this.store.subarray(s * this.dim, (s + 1) * this.dim));
      }
      this.graph = graph;
      this.log.info({ live, buildMs: Date.now() - started }, 'vector index switched to HNSW');
    } else if (this.graph && live < this.annThreshold / 2) {
      this.graph = undefined;
      this.log.info({ live }, 'vector index switched to exact search');
    }
  }

  /** Writes to a sibling temp dir and swaps it in, so a crash never leaves a half-written index. */
  private write(dir: string): void {
    const tmp = `${dir}.tmp`;
    const old = `${dir}.old`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const vec = this.store.subarray(0, this.used * this.dim);
    writeFileSync(path.join(tmp, 'vectors.f32'), new Uint8Array(vec.buffer, vec.byteOffset, vec.byteLength));
    const lines: string[] = [];
    for (let s = 0; s < this.used; s++) {
      const id = this.ids[s];
      lines.push(id === undefined ? 'null' : JSON.stringify([id, this.payloads[s]]));
    }
    writeFileSync(path.join(tmp, 'items.jsonl'), lines.join('\n'));
    if (this.graph) this.graph.write(path.join(tmp, 'hnsw.bin'));
    const meta: z.infer<typeof MetaSchema> = { format: 1, dim: this.dim, used: this.used, hasGraph: !!this.graph };
    writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(meta));
    rmSync(old, { recursive: true, force: true });
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
    rmSync(old, { recursive: true, force: true });
  }

  private load(dir: string): void {
    // A crash between the two renames in write() leaves only the previous copy at `.old`.
    const from = existsSync(path.join(dir, 'meta.json')) ? dir : existsSync(path.join(`${dir}.old`, 'meta.json')) ? `${dir}.old` : undefined;
    if (!from) return;
    let meta: z.infer<typeof MetaSchema>;
    try {
      meta = MetaSchema.parse(JSON.parse(readFileSync(path.join(from, 'meta.json'), 'utf8')));
    } catch (cause) {
      throw new ShopbotError('INTERNAL', `vector index at ${from} is unreadable`, { cause });
    }
    if (meta.dim !== this.dim) {
      throw new ShopbotError('CONFIG_INVALID', `vector index at ${from} has ${meta.dim} dimensions but the embedding model has ${this.dim}; remove it to re-index`);
    }
    const raw = readFileSync(path.join(from, 'vectors.f32'));
    if (raw.byteLength !== meta.used * meta.dim * 4) throw new ShopbotError('INTERNAL', `vector index at ${from}: vectors.f32 has the wrong size`);
    this.store = new Float32Array(Math.max(meta.used, 1024) * this.dim);
    this.store.set(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
    const lines = meta.used ? readFileSync(path.join(from, 'items.jsonl'), 'utf8').split('\n') : [];
    if (lines.length !== meta.used) throw new ShopbotError('INTERNAL', `vector index at ${from}: items.jsonl has ${lines.length} rows, expected ${meta.used}`);
    this.used = meta.used;
    lines.forEach((line, s) => {
      const row = JSON.parse(line) as [string, IndexPayload] | null;
      if (row === null) {
        this.free.push(s);
        return;
      }
      this.ids[s] = row[0];
      this.payloads[s] = shaped(row[1]);
      this.slotOf.set(row[0], s);
    });
    // Reuse low slots first, like a fresh index would.
    this.free.reverse();
    if (meta.hasGraph) this.graph = HnswGraph.read(path.join(from, 'hnsw.bin'), this.dim, this.hnswParams);
    this.maybeSwitchMode();
    this.log.info({ dir: from, count: this.slotOf.size, mode: this.mode }, 'vector index loaded');
  }
}
