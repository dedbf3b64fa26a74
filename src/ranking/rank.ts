/**
 * Pure slate ranking: expected value, relevance floor, diversity, exploration with logged
 * propensities, and sponsored slots by eCPM auction. No I/O; the RNG is injected so a seed
 * replays a slate exactly and the logged propensities are the ones that were used.
 */
import { effectivePriceCents, type Product } from '../catalog/index.js';
import { slateEvent, type SlateEvent } from '../funnel/index.js';
import type { Channel } from '../messages.js';
import { runAuction, type AuctionResult } from './auction.js';
import { candidateFeatures, type Features, type ShopperContext } from './features.js';

export interface RankCandidate {
  readonly product: Product;
  /** Retrieval score; higher is more relevant. */
  readonly relevance: number;
  /** Advertiser's maximum cost per click, in cents; present only for sponsored-eligible products. */
  readonly bidCpcCents?: number;
}

/** What the ranker needs from the learner (src/learning implements it). */
export interface ScoringModels {
  predict(features: Features): { readonly ctr: number; readonly cvr: number };
  readonly version: string;
}

export interface RankPolicy {
  readonly slateSize: number;
  readonly explorationRate: number;
  readonly explorationMode: 'epsilon-greedy' | 'softmax';
  readonly explorationPool: number;
  readonly relevanceFloor: number;
  readonly maxPerBrand: number;
  readonly maxPerCategory: number;
  readonly sponsoredSlots: number;
  readonly sponsoredReserveCpm: number;
}

export interface RankOptions extends RankPolicy {
  readonly slateId: string;
  readonly policyId: string;
  readonly ts: number;
  readonly channel: Channel;
  readonly context: ShopperContext;
  readonly conversationId?: string;
}

export interface ScoredCandidate {
  readonly product: Product;
  readonly relevance: number;
  readonly features: Features;
  readonly ctr: number;
  readonly cvr: number;
  /** pCTR x pCVR x value x relevance share: what organic slots are ordered by. */
  readonly score: number;
  readonly bidCpcCents?: number;
}

export interface RankedItem {
  readonly product: Product;
  readonly position: number;
  readonly propensity: number;
  readonly sponsored: boolean;
  readonly explored: boolean;
  readonly score: number;
  readonly ctr: number;
  readonly cvr: number;
  /** Second-price cost per click for a sponsored slot. */
  readonly priceCpcCents?: number;
}

export type { SlateEvent } from '../funnel/index.js';

export interface RankResult {
  readonly items: RankedItem[];
  readonly scored: readonly ScoredCandidate[];
  readonly event: SlateEvent;
}

const MAX_LOGGED_CANDIDATES = 200;

function valueCents(p: Product, fallback: number): number {
  // Margin is what the merchant earns; price is the stand-in when the catalog has no margin.
  if (p.marginCents !== undefined && p.marginCents > 0) return p.marginCents;
  return effectivePriceCents(p) ?? fallback;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 1;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function scoreCandidates(candidates: readonly RankCandidate[], models: ScoringModels | undefined, ctx: ShopperContext, relevanceFloor: number): ScoredCandidate[] {
  if (candidates.length === 0) return [];
  const maxRel = Math.max(...candidates.map((c) => c.relevance));
  // The floor is relative to the best candidate, so it works for any retriever's score scale.
  const eligible = maxRel > 0 ? candidates.filter((c) => c.relevance >= relevanceFloor * maxRel) : [...candidates];
  const fallback = median(eligible.map((c) => effectivePriceCents(c.product)).filter((x): x is number => x !== undefined));
  return eligible.map((c) => {
    const features = candidateFeatures(c.product, ctx);
    const relShare = maxRel > 0 ? c.relevance / maxRel : 1;
    if (!models) return { product: c.product, relevance: c.relevance, features, ctr: Number.NaN, cvr: Number.NaN, score: relShare, ...(c.bidCpcCents ? { bidCpcCents: c.bidCpcCents } : {}) };
    const { ctr, cvr } = models.predict(features);
    // Relevance multiplies in so that an untrained model (equal scores) falls back to relevance order, not to price order.
    const score = ctr * cvr * valueCents(c.product, fallback) * relShare;
    return { product: c.product, relevance: c.relevance, features, ctr, cvr, score, ...(c.bidCpcCents ? { bidCpcCents: c.bidCpcCents } : {}) };
  });
}

function diversityKey(p: Product): { brand: string | undefined; cat: string | undefined } {
  return { brand: p.brand?.toLowerCase(), cat: p.category.at(-1)?.toLowerCase() };
}

/** Picks the organic slots one at a time; each pick's probability given the earlier picks is its logged propensity. */
function fillOrganic(pool: ScoredCandidate[], slots: number, policy: RankPolicy, rng: () => number, taken: RankedItem[]): void {
  const brandCount = new Map<string, number>();
  const catCount = new Map<string, number>();
  for (const it of taken) {
    const k = diversityKey(it.product);
    if (k.brand) brandCount.set(k.brand, (brandCount.get(k.brand) ?? 0) + 1);
    if (k.cat) catCount.set(k.cat, (catCount.get(k.cat) ?? 0) + 1);
  }
  const remaining = [...pool].sort((a, b) => b.score - a.score || b.relevance - a.relevance);
  for (let s = 0; s < slots && remaining.length > 0; s++) {
    const diverse = remaining.filter((c) => {
      const k = diversityKey(c.product);
      return (!k.brand || (brandCount.get(k.brand) ?? 0) < policy.maxPerBrand) && (!k.cat || (catCount.get(k.cat) ?? 0) < policy.maxPerCategory);
    });
    // Diversity is a preference: when only repeats remain, a repeat is better than an empty slot.
    const options = (diverse.length > 0 ? diverse : remaining).slice(0, Math.max(1, policy.explorationPool));
    const { index, propensity, explored } = choose(options, policy, rng);
    const chosen = options[index]!;
    remaining.splice(remaining.indexOf(chosen), 1);
    const k = diversityKey(chosen.product);
    if (k.brand) brandCount.set(k.brand, (brandCount.get(k.brand) ?? 0) + 1);
    if (k.cat) catCount.set(k.cat, (catCount.get(k.cat) ?? 0) + 1);
    taken.push({ product: chosen.product, position: taken.length, propensity, sponsored: false, explored, score: chosen.score, ctr: chosen.ctr, cvr: chosen.cvr });
  }
}

/** Returns the chosen index among `options` (sorted best first) and its probability. */
export function choose(options: readonly ScoredCandidate[], policy: Pick<RankPolicy, 'explorationRate' | 'explorationMode'>, rng: () => number): { index: number; propensity: number; explored: boolean } {
  const n = options.length;
  const eps = policy.explorationRate;
  if (n === 1 || eps <= 0) return { index: 0, propensity: 1, explored: false };
  if (policy.explorationMode === 'softmax') {
    // Boltzmann over scores relative to the best, temperature = explorationRate.
    const top = options[0]!.score > 0 ? options[0]!.score : 1;
    const w = options.map((o) => Math.exp((o.score / top - 1) / eps));
    const total = w.reduce((a, b) => a + b, 0);
    let r = rng() * total;
    let index = n - 1;
    for (let i = 0; i < n; i++) {
      r -= w[i]!;
      if (r < 0) {
        index = i;
        break;
      }
    }
    return { index, propensity: w[index]! / total, explored: index !== 0 };
  }
  const explore = rng() < eps;
  const index = explore ? Math.floor(rng() * n) : 0;
  return { index, propensity: (index === 0 ? 1 - eps : 0) + eps / n, explored: index !== 0 };
}

export function rank(candidates: readonly RankCandidate[], models: ScoringModels | undefined, rng: () => number, options: RankOptions): RankResult {
  const scored = scoreCandidates(candidates, models, options.context, options.relevanceFloor);
  const items: RankedItem[] = [];
  let auction: AuctionResult<ScoredCandidate> = { winners: [] };
  if (options.sponsoredSlots > 0 && models) {
    auction = runAuction(scored, Math.min(options.sponsoredSlots, options.slateSize), options.sponsoredReserveCpm);
    for (const w of auction.winners) {
      items.push({ product: w.candidate.product, position: items.length, propensity: 1, sponsored: true, explored: false, score: w.candidate.score, ctr: w.candidate.ctr, cvr: w.candidate.cvr, priceCpcCents: w.priceCpcCents });
    }
  }
  const sponsoredIds = new Set(items.map((i) => i.product.id));
  fillOrganic(scored.filter((c) => !sponsoredIds.has(c.product.id)), options.slateSize - items.length, options, rng, items);

  const logged = [...scored].sort((a, b) => b.score - a.score).slice(0, MAX_LOGGED_CANDIDATES);
  for (const it of items) if (!logged.some((c) => c.product.id === it.product.id)) logged.push(scored.find((c) => c.product.id === it.product.id)!);
  const event = slateEvent({
    base: { ts: options.ts, channel: options.channel, ...(options.conversationId ? { conversationId: options.conversationId } : {}), ...(options.context.userId ? { userId: options.context.userId } : {}) },
    slateId: options.slateId,
    policyId: options.policyId,
    policyVersion: models?.version ?? 'none',
    query: options.context.query.slice(0, 2000),
    candidates: logged.map((c) => ({ productId: c.product.id, score: Number.isFinite(c.score) ? c.score : 0, features: c.features })),
    shown: items.map((it) => ({ productId: it.product.id, position: it.position, propensity: it.propensity, sponsored: it.sponsored })),
  });
  return { items, scored, event };
}
