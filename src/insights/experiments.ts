/**
 * A/B tests of the three policies the assistant runs on shoppers: ranking, coupons and reply
 * wording. One mechanism for all three: a spec (the first variant is the control), one table,
 * assignment by a hash of the experiment id and the user id (the same variant on every turn,
 * channel and server process), and an exposure record per shopper. A ranking variant's exposure is
 * the slate it ranked (its policy id carries `~<experiment>:<variant>`); a coupon variant's is the
 * shopper reaching an offer decision, a reply variant's the first reply it worded, both logged as
 * `experiment_exposure` funnel events. Results (experiment-results.ts) compare each variant with
 * the control from exposure on, with 95% intervals and guardrails. Fixed horizon: read them once
 * the planned sample is reached, not at every peek.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ShopbotError } from '../errors.js';
import type { FunnelEventInput } from '../funnel/index.js';
import type { SlateRanker } from '../ranking/index.js';
import type { SqliteDb } from '../storage/index.js';

/** What a ranking variant changes in the configured policy. */
export const RankingVariantPolicySchema = z.strictObject({
  explorationRate: z.number().min(0).max(1).optional(),
  maxPerBrand: z.number().int().min(1).max(50).optional(),
  /** Order by retrieval relevance alone (no learned model). */
  relevanceOnly: z.boolean().optional(),
});
export type RankingVariantPolicy = z.infer<typeof RankingVariantPolicySchema>;

/**
 * What a coupon variant does at an offer decision: the uplift targeter (with its holdout), an
 * offer to everyone eligible, or no offer at all; optionally only from some campaigns (campaigns
 * with different discounts make a discount-level test).
 */
export const CouponVariantPolicySchema = z.strictObject({
  mode: z.enum(['targeter', 'always', 'never']).default('targeter'),
  campaigns: z.array(z.string().min(1).max(100)).min(1).max(20).optional(),
});
export type CouponVariantPolicy = z.infer<typeof CouponVariantPolicySchema>;

/**
 * How a reply variant words the reply: the response model's choice among template variants, the
 * per-turn rotation, or always the first variant; and whether the LLM (when configured) may rewrite it.
 */
export const ReplyVariantPolicySchema = z.strictObject({
  chooser: z.enum(['model', 'rotation', 'first']).optional(),
  generator: z.boolean().optional(),
});
export type ReplyVariantPolicy = z.infer<typeof ReplyVariantPolicySchema>;

const VARIANT_NAME = z.string().regex(/^[a-z0-9][a-z0-9-]{0,29}$/);
const WEIGHT = z.number().positive().max(100).default(1);
const distinctNames = (v: readonly { name: string }[]) => new Set(v.map((x) => x.name)).size === v.length;
const rankingVariants = z.array(z.strictObject({ name: VARIANT_NAME, weight: WEIGHT, policy: RankingVariantPolicySchema.prefault({}) })).min(2).max(5).refine(distinctNames, 'variant names must differ');
const couponVariants = z.array(z.strictObject({ name: VARIANT_NAME, weight: WEIGHT, policy: CouponVariantPolicySchema.prefault({}) })).min(2).max(5).refine(distinctNames, 'variant names must differ');
const replyVariants = z.array(z.strictObject({ name: VARIANT_NAME, weight: WEIGHT, policy: ReplyVariantPolicySchema.prefault({}) })).min(2).max(5).refine(distinctNames, 'variant names must differ');
const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes'),
  description: z.string().max(500).default(''),
};

export const ExperimentSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...common, kind: z.literal('ranking'), variants: rankingVariants }),
  z.strictObject({ ...common, kind: z.literal('coupon'), variants: couponVariants }),
  z.strictObject({ ...common, kind: z.literal('reply'), variants: replyVariants }),
]);
export type ExperimentSpec = z.infer<typeof ExperimentSpecSchema>;
export type ExperimentKind = ExperimentSpec['kind'];
export const EXPERIMENT_KINDS = ['ranking', 'coupon', 'reply'] as const satisfies readonly ExperimentKind[];

interface ExperimentState {
  readonly status: 'running' | 'stopped';
  readonly startedAt: number;
  readonly stoppedAt?: number;
}
export type Experiment = ExperimentSpec & ExperimentState;
type SpecOf<K extends ExperimentKind> = Extract<ExperimentSpec, { kind: K }>;
export type VariantPolicyOf<K extends ExperimentKind> = SpecOf<K>['variants'][number]['policy'];

/** Experiments in the data dir's database (one table of their own). */
export class SqliteExperimentStore {
  constructor(private readonly db: SqliteDb) {
    db.exec(`CREATE TABLE IF NOT EXISTS experiments (
      id TEXT PRIMARY KEY, spec TEXT NOT NULL, status TEXT NOT NULL, started_at INTEGER NOT NULL, stopped_at INTEGER
    )`);
  }

  start(input: unknown, nowMs: number): Experiment {
    const parsed = ExperimentSpecSchema.safeParse(input);
    if (!parsed.success) throw new ShopbotError('BAD_REQUEST', `experiment: ${z.prettifyError(parsed.error).slice(0, 400)}`);
    const spec = parsed.data;
    const running = this.running(spec.kind);
    // One experiment per kind at a time: two would split the same decisions and confound each other.
    if (running) throw new ShopbotError('CONFLICT', `${spec.kind} experiment ${running.id} is already running; stop it first`);
    if (this.get(spec.id)) throw new ShopbotError('CONFLICT', `an experiment named ${spec.id} exists; pick another id`);
    this.db.prepare('INSERT INTO experiments (id, spec, status, started_at) VALUES (?, ?, ?, ?)').run(spec.id, JSON.stringify(spec), 'running', nowMs);
    return this.get(spec.id)!;
  }

  stop(id: string, nowMs: number): Experiment {
    const r = this.db.prepare("UPDATE experiments SET status = 'stopped', stopped_at = ? WHERE id = ? AND status = 'running'").run(nowMs, id);
    if (r.changes === 0) throw new ShopbotError('NOT_FOUND', `no running experiment ${id}`);
    return this.get(id)!;
  }

  get(id: string): Experiment | undefined {
    const row = this.db.prepare('SELECT spec, status, started_at, stopped_at FROM experiments WHERE id = ?').get(id) as { spec: string; status: Experiment['status']; started_at: number; stopped_at: number | null } | undefined;
    return row ? { ...ExperimentSpecSchema.parse(JSON.parse(row.spec)), status: row.status, startedAt: row.started_at, ...(row.stopped_at !== null ? { stoppedAt: row.stopped_at } : {}) } : undefined;
  }

  list(): Experiment[] {
    const ids = this.db.prepare('SELECT id FROM experiments ORDER BY started_at DESC').all() as { id: string }[];
    return ids.map((r) => this.get(r.id)!);
  }

  running<K extends ExperimentKind>(kind: K): (SpecOf<K> & ExperimentState) | undefined {
    const row = this.db.prepare("SELECT id FROM experiments WHERE status = 'running' AND json_extract(spec, '$.kind') = ? ORDER BY started_at DESC LIMIT 1").get(kind) as { id: string } | undefined;
    return row ? (this.get(row.id) as SpecOf<K> & ExperimentState) : undefined;
  }
}

/** The shopper's variant: a hash of experiment and user into [0, 1), cut by the variants' weights. */
export function assignVariant<E extends { readonly id: string; readonly variants: readonly { readonly name: string; readonly weight: number }[] }>(experiment: E, userId: string): E['variants'][number] {
  const h = createHash('sha256').update(`${experiment.id}\u0000${userId}`).digest();
  const u = h.readUInt32BE(0) / 2 ** 32;
  const total = experiment.variants.reduce((s, v) => s + v.weight, 0);
  let acc = 0;
  for (const v of experiment.variants) {
    acc += v.weight / total;
    if (u < acc) return v;
  }
  return experiment.variants.at(-1)!;
}

const TAG = '~';
export const variantPolicyId = (basePolicyId: string, experimentId: string, variant: string) => `${basePolicyId}${TAG}${experimentId}:${variant}`;

/** The variant a logged policy id names for this experiment, if any. */
export function variantOf(policyId: string, experimentId: string): string | undefined {
  const i = policyId.lastIndexOf(`${TAG}${experimentId}:`);
  return i < 0 ? undefined : policyId.slice(i + TAG.length + experimentId.length + 1);
}

/** A shopper's place in the running experiment of one kind. */
export interface ExperimentArm<K extends ExperimentKind> {
  readonly experimentId: string;
  readonly kind: K;
  readonly variant: string;
  readonly policy: VariantPolicyOf<K>;
}

/** What the turn and the coupon action ask: the shopper's arm of the running coupon or reply experiment. */
export interface ExperimentArms {
  arm<K extends 'coupon' | 'reply'>(kind: K, userId: string): ExperimentArm<K> | undefined;
}

export function experimentArms(store: Pick<SqliteExperimentStore, 'running'>): ExperimentArms {
  return {
    arm(kind, userId) {
      const experiment = store.running(kind);
      if (!experiment) return undefined;
      const spec = experiment as unknown as { readonly id: string; readonly variants: readonly { name: string; weight: number; policy: VariantPolicyOf<typeof kind> }[] };
      const chosen = assignVariant(spec, userId);
      return { experimentId: spec.id, kind, variant: chosen.name, policy: chosen.policy };
    },
  };
}

/** The exposure event of an arm; its id is the experiment and user, so the store keeps the first one only. */
export function exposureEvent(arm: { readonly experimentId: string; readonly kind: ExperimentKind; readonly variant: string }, base: { ts: number; channel: FunnelEventInput['channel']; conversationId?: string; userId: string }): FunnelEventInput {
  const digest = createHash('sha256').update(base.userId).digest('hex').slice(0, 24);
  return { ...base, id: `exposure:${arm.experimentId}:${digest}`, type: 'experiment_exposure', experimentId: arm.experimentId, kind: arm.kind, variant: arm.variant };
}

/**
 * The slate ranker with the running ranking experiment applied: each shopper's slates come from
 * their variant's ranker, tagged with the variant. `rankerFor` builds (and this caches) the ranker
 * of a variant's policy.
 */
export function experimentRanker(base: SlateRanker, store: Pick<SqliteExperimentStore, 'running'>, rankerFor: (policy: RankingVariantPolicy) => SlateRanker): SlateRanker {
  const cache = new Map<string, SlateRanker>();
  return {
    rank(input) {
      const experiment = store.running('ranking');
      if (!experiment) return base.rank(input);
      const variant = assignVariant(experiment, input.userId);
      const key = `${experiment.id}:${variant.name}`;
      let ranker = cache.get(key);
      if (!ranker) cache.set(key, (ranker = rankerFor(variant.policy)));
      const result = ranker.rank(input);
      return { ...result, policyId: variantPolicyId(result.policyId, experiment.id, variant.name) };
    },
  };
}
