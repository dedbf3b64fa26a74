/**
 * Why a slate looks the way it does, for the merchant: the recent slates of a period, and for one
 * slate each shown product's relevance, predicted click and purchase probability, the features
 * that moved it most, and whether it was sponsored or explored. Everything is read from the slate
 * event, which keeps what the ranker knew when the shopper saw it (src/ranking/explain.ts).
 */
import type { FunnelEvent } from '../funnel/index.js';
import type { MetricTable } from './metrics.js';

type Slate = Extract<FunnelEvent, { type: 'slate' }>;

const SECTION = 'explanations';

/** The latest slates, newest first. */
export function recentSlates(events: readonly FunnelEvent[], limit = 30): MetricTable {
  const slates = events.filter((e): e is Slate => e.type === 'slate').sort((a, b) => b.ts - a.ts).slice(0, limit);
  return {
    key: 'explanations.slates',
    section: SECTION,
    title: 'Recent recommendation slates',
    definition: 'The latest slates shown to shoppers: open one to see why each product was placed.',
    columns: ['slate', 'time', 'channel', 'query', 'policy', 'shown', 'sponsored', 'explored'],
    units: [null, null, null, null, null, 'count', 'count', 'count'],
    rows: slates.map((s) => [s.slateId, new Date(s.ts).toISOString(), s.channel, s.query, s.policyId, s.shown.length, s.shown.filter((x) => x.sponsored).length, s.shown.filter((x) => x.explanation?.explored).length]),
  };
}

const fmtFeature = (c: { f: string; v: string | number; d: number }) => `${c.f}=${String(c.v)} (${c.d >= 0 ? '+' : ''}${c.d.toExponential(1)})`;

/** One slate, product by product. */
export function slateExplanation(slate: Slate, titles: ReadonlyMap<string, string>): MetricTable {
  const relevance = new Map(slate.candidates.map((c) => [c.productId, c.score]));
  const best = Math.max(0, ...slate.candidates.map((c) => c.score));
  // With warm models every scored card has a pCTR; a card without one in such a slate was filled in
  // below the relevance floor (src/ranking/ranker.ts), not ordered by relevance for want of models.
  const isWarm = slate.shown.some((s) => s.explanation?.ctr !== undefined);
  const unscored = isWarm ? 'below the relevance floor (filled in relevance order)' : 'relevance order (models cold)';
  return {
    key: 'explanations.slate',
    section: SECTION,
    title: `Slate ${slate.slateId} for "${slate.query}" (${slate.policyId}, model ${slate.policyVersion})`,
    definition:
      'Per shown product: relevance as a share of the best candidate; pCTR and pCVR, the models\' click and purchase-after-click probabilities (blank while the models were cold and the slate was ordered by relevance, and for cards filled in below the relevance floor); the features whose removal changes pCTR x pCVR most (positive: lifted it); sponsored (won an ad auction) or organic; explored (picked at random for learning, with the logged probability) or the best remaining option.',
    columns: ['position', 'product', 'title', 'relevance', 'pCTR', 'pCVR', 'pCTR x pCVR', 'top features', 'sponsored', 'explored', 'propensity'],
    units: ['count', null, null, 'ratio', 'ratio', 'ratio', 'ratio', null, null, null, 'ratio'],
    rows: [...slate.shown]
      .sort((a, b) => a.position - b.position)
      .map((s) => {
        const x = s.explanation;
        const rel = x?.relevance ?? (best > 0 ? (relevance.get(s.productId) ?? 0) / best : null);
        return [s.position, s.productId, titles.get(s.productId) ?? null, rel, x?.ctr ?? null, x?.cvr ?? null, x?.ctr !== undefined && x.cvr !== undefined ? x.ctr * x.cvr : null, x?.why.length ? x.why.map(fmtFeature).join('; ') : x ? (x.ctr === undefined ? unscored : 'no feature moved it') : null, s.sponsored ? 'yes' : 'no', x ? (x.explored ? 'yes' : 'no') : null, s.propensity];
      }),
  };
}
