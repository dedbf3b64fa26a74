/**
 * Why a product got its place: the features that moved its predicted purchase probability
 * (pCTR x pCVR) most, by ablation: each feature is removed in turn and the models asked again.
 * Deterministic for a model version, bounded (shown items only, a few features each), and computed
 * at slate time so the explanation is the one that held when the shopper saw the slate.
 */
import type { Features } from './features.js';
import type { ScoringModels } from './rank.js';

export interface FeatureContribution {
  /** Feature name (as logged: brand, cat, price, rating, ...). */
  readonly f: string;
  readonly v: string | number;
  /** pCTR x pCVR with the feature minus without it: positive lifted the product. */
  readonly d: number;
}

/** The features whose removal changes pCTR x pCVR most, largest effect first. */
export function topContributions(models: ScoringModels, features: Features, k = 3): FeatureContribution[] {
  const base = models.predict(features);
  const full = base.ctr * base.cvr;
  const out: FeatureContribution[] = [];
  for (const [f, v] of Object.entries(features)) {
    const { [f]: _removed, ...rest } = features;
    const p = models.predict(rest);
    const d = full - p.ctr * p.cvr;
    if (Number.isFinite(d) && d !== 0) out.push({ f, v: typeof v === 'string' ? v.slice(0, 80) : v, d });
  }
  return out.sort((a, b) => Math.abs(b.d) - Math.abs(a.d) || a.f.localeCompare(b.f)).slice(0, k);
}
