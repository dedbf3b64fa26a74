/**
 * Joins funnel events into labelled impressions: a slate (or a bare impression) opens one entry
 * per shown product; clicks and add-to-carts mark it clicked; a purchase in the same conversation
 * that contains the product marks it converted. An entry is released for training once its
 * attribution window has passed (or when the joiner is flushed), so negatives are only trained
 * after a click or purchase had the chance to arrive.
 */
import type { FunnelEvent } from '../funnel/index.js';
import { POSITION_KEY } from './esmm.js';
import type { FeatureRecord } from './encoder.js';

export interface LabelledImpression {
  readonly features: FeatureRecord;
  readonly clicked: boolean;
  readonly converted: boolean;
  readonly propensity: number | undefined;
  readonly ts: number;
}

interface Pending {
  features: FeatureRecord;
  ts: number;
  conversationId: string | undefined;
  productId: string;
  clicked: boolean;
  converted: boolean;
  propensity: number | undefined;
}

export interface JoinerOptions {
  readonly attributionWindowMs: number;
  /** Oldest entries are released early past this many, so memory stays bounded. */
  readonly maxPending: number;
}

export class ImpressionJoiner {
  private readonly pending = new Map<string, Pending>();
  private readonly byConversation = new Map<string, string[]>();

  constructor(private readonly options: JoinerOptions) {}

  get size(): number {
    return this.pending.size;
  }

  private open(key: string, p: Pending): void {
    if (this.pending.has(key)) return;
    this.pending.set(key, p);
    if (p.conversationId) {
      const list = this.byConversation.get(p.conversationId) ?? [];
      list.push(key);
      this.byConversation.set(p.conversationId, list);
    }
  }

  private find(e: { slateId?: string | undefined; productId: string; conversationId?: string | undefined }): Pending | undefined {
    if (e.slateId) {
      const hit = this.pending.get(`${e.slateId}|${e.productId}`);
      if (hit) return hit;
    }
    const keys = e.conversationId ? this.byConversation.get(e.conversationId) : undefined;
    if (!keys) return undefined;
    for (let i = keys.length - 1; i >= 0; i--) {
      const p = this.pending.get(keys[i]!);
      if (p && p.productId === e.productId) return p;
    }
    return undefined;
  }

  /** Feeds one event; returns impressions released because the pending set overflowed. */
  ingest(e: FunnelEvent): LabelledImpression[] {
    switch (e.type) {
      case 'slate': {
        const byId = new Map(e.candidates.map((c) => [c.productId, c.features]));
        for (const s of e.shown) {
          const features = byId.get(s.productId) ?? { item: s.productId, q: e.query };
          this.open(`${e.slateId}|${s.productId}`, {
            features: { ...features, [POSITION_KEY]: s.position },
            ts: e.ts,
            conversationId: e.conversationId,
            productId: s.productId,
            clicked: false,
            converted: false,
            propensity: s.propensity,
          });
        }
        break;
      }
      case 'impression':
        // Impressions from a known slate are already open; these come from stores that log no slate.
        this.open(`${e.slateId}|${e.productId}`, {
          features: { item: e.productId, q: e.query, [POSITION_KEY]: e.position },
          ts: e.ts,
          conversationId: e.conversationId,
          productId: e.productId,
          clicked: false,
          converted: false,
          propensity: e.propensity,
        });
        break;
      case 'click':
      case 'add_to_cart': {
        const p = this.find(e);
        if (p) p.clicked = true;
        break;
      }
      case 'purchase': {
        const keys = e.conversationId ? this.byConversation.get(e.conversationId) : undefined;
        if (keys) {
          const bought = new Set(e.productIds);
          for (const k of keys) {
            const p = this.pending.get(k);
            // A purchase of a shown product implies it was looked at, even if the click went unlogged.
            if (p && bought.has(p.productId)) (p.clicked = true), (p.converted = true);
          }
        }
        break;
      }
      default:
        break;
    }
    const out: LabelledImpression[] = [];
    while (this.pending.size > this.options.maxPending) this.releaseFirst(out);
    return out;
  }

  /** Releases every entry whose window ended at or before `nowTs`. */
  advance(nowTs: number): LabelledImpression[] {
    const out: LabelledImpression[] = [];
    for (const [, p] of this.pending) {
      if (p.ts + this.options.attributionWindowMs > nowTs) break;
      this.releaseFirst(out);
    }
    return out;
  }

  /** Releases everything (end of a replay, shutdown). */
  flush(): LabelledImpression[] {
    const out: LabelledImpression[] = [];
    while (this.pending.size > 0) this.releaseFirst(out);
    return out;
  }

  private releaseFirst(out: LabelledImpression[]): void {
    const first = this.pending.keys().next();
    if (first.done) return;
    const key = first.value;
    const p = this.pending.get(key)!;
    this.pending.delete(key);
    if (p.conversationId) {
      const list = this.byConversation.get(p.conversationId);
      if (list) {
        const i = list.indexOf(key);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.byConversation.delete(p.conversationId);
      }
    }
    out.push({ features: p.features, clicked: p.clicked, converted: p.converted, propensity: p.propensity, ts: p.ts });
  }
}
