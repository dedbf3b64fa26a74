/**
 * A/B tests of ranking policies. A shopper is assigned by a hash of the experiment id and their
 * user id, so they see the same variant on every turn, channel and server process. The variant is
 * logged with every slate it ranked (its policy id carries `~<experiment>:<variant>`), which is the
 * exposure record the results read. Results per variant: exposed shoppers, CTR, conversion and
 * revenue per shopper, each against the control (the first variant) with a 95% interval, and the
 * guardrails (thumbs-down share, escalation rate), flagged when the variant is worse beyond its
 * interval. Fixed horizon: read the results once the planned sample is reached, not at every peek.
 *
 * Before a variant goes live, its policy can be estimated off-policy on the logged slates (IPS and
 * SNIPS with the logging propensities, src/maths/ope.ts) where the candidate is deterministic:
 * relevance order, from the candidates' logged relevance scores.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ShopbotError } from '../errors.js';
import type { FunnelEvent } from '../funnel/index.js';
import { bootstrapCi, createRng, differenceOfProportions, meanWithInterval, snips, type LoggedRow } from '../maths/index.js';
import type { SlateRanker } from '../ranking/index.js';
import type { SqliteDb } from '../storage/index.js';
import type { Metric, MetricTable } from './metrics.js';

/** What a ranking variant changes in the configured policy. */
export const RankingVariantPolicySchema = z.strictObject({
  explorationRate: z.number().min(0).max(1).optional(),
  maxPerBrand: z.number().int().min(1).max(50).optional(),
  /** Order by retrieval relevance alone (no learned model). */
  relevanceOnly: z.boolean().optional(),
});
export type RankingVariantPolicy = z.infer<typeof RankingVariantPolicySchema>;

export const ExperimentSpecSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes'),
  kind: z.literal('ranking'),
  description: z.string().max(500).default(''),
  /** The first variant is the control. */
  variants: z
    .array(z.strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,29}$/), weight: z.number().positive().max(100).default(1), policy: RankingVariantPolicySchema.default({}) }))
    .min(2)
    .max(5)
    .refine((v) => new Set(v.map((x) => x.name)).size === v.length, 'variant names must differ'),
});
export type ExperimentSpec = z.infer<typeof ExperimentSpecSchema>;

export interface Experiment extends ExperimentSpec {
  readonly status: 'running' | 'stopped';
  readonly startedAt: number;
  readonly stoppedAt?: number;
}

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
    const running = this.list().find((e) => e.status === 'running' && e.kind === spec.kind);
    // One ranking experiment at a time: two would split the same slates and confound each other.
    if (running) throw new ShopbotError('CONFLICT', `experiment ${running.id} is already running; stop it first`);
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

  running(kind: Experiment['kind']): Experiment | undefined {
    return this.list().find((e) => e.status === 'running' && e.kind === kind);
  }
}

/** The shopper's variant: a hash of experiment and user into [0, 1), cut by the variants' weights. */
export function assignVariant(experiment: Pick<ExperimentSpec, 'id' | 'variants'>, userId: string): ExperimentSpec['variants'][number] {
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
function variantOf(policyId: string, experimentId: string): string | undefined {
  const i = policyId.lastIndexOf(`${TAG}${experimentId}:`);
  return i < 0 ? undefined : policyId.slice(i + TAG.length + experimentId.length + 1);
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

interface VariantTotals {
  shoppers: Map<string, number>; // userId -> first exposure ts
  impressions: number;
  clicks: number;
}

/** Results of an experiment from the funnel events since it started, as dashboard metrics and a table. */
export function experimentResults(experiment: Experiment, events: readonly FunnelEvent[]): { metrics: Metric[]; tables: MetricTable[] } {
  const section = `experiment ${experiment.id}`;
  const totals = new Map<string, VariantTotals>(experiment.variants.map((v) => [v.name, { shoppers: new Map(), impressions: 0, clicks: 0 }]));
  const slateVariant = new Map<string, string>();
  const userVariant = new Map<string, string>();
  for (const e of events) {
    if (e.type !== 'slate' || !e.userId) continue;
    const v = variantOf(e.policyId, experiment.id);
    const t = v ? totals.get(v) : undefined;
    if (!v || !t) continue;
    slateVariant.set(e.slateId, v);
    userVariant.set(e.userId, v);
    if (!t.shoppers.has(e.userId)) t.shoppers.set(e.userId, e.ts);
    t.impressions += e.shown.length;
  }
  const clicked = new Set<string>();
  const converted = new Map<string, number>(); // userId -> revenue after exposure
  const downVotes = new Map<string, { down: number; all: number }>();
  const escalated = new Set<string>();
  for (const e of events) {
    const v = e.userId ? userVariant.get(e.userId) : undefined;
    const since = v && e.userId ? totals.get(v)!.shoppers.get(e.userId)! : undefined;
    if (e.type === 'click' && e.slateId && slateVariant.has(e.slateId) && !clicked.has(`${e.slateId}:${e.productId}`)) {
      clicked.add(`${e.slateId}:${e.productId}`);
      totals.get(slateVariant.get(e.slateId)!)!.clicks += 1;
    }
    if (!v || since === undefined || e.ts < since) continue;
    if (e.type === 'purchase') converted.set(e.userId!, (converted.get(e.userId!) ?? 0) + e.revenueCents);
    else if (e.type === 'reply_feedback') {
      const d = downVotes.get(v) ?? { down: 0, all: 0 };
      d.all += 1;
      if (e.vote === 'down') d.down += 1;
      downVotes.set(v, d);
    } else if (e.type === 'handoff' && e.status === 'requested') escalated.add(e.userId!);
  }
  const control = experiment.variants[0]!.name;
  const c = totals.get(control)!;
  const rows: (string | number | null)[][] = [];
  const metrics: Metric[] = [];
  for (const variant of experiment.variants) {
    const t = totals.get(variant.name)!;
    const users = [...t.shoppers.keys()];
    const buyers = users.filter((u) => converted.has(u)).length;
    const revenue = users.map((u) => converted.get(u) ?? 0);
    const rev = meanWithInterval(revenue);
    const votes = downVotes.get(variant.name) ?? { down: 0, all: 0 };
    const esc = users.filter((u) => escalated.has(u)).length;
    rows.push([variant.name, users.length, t.impressions, t.clicks, t.impressions ? t.clicks / t.impressions : null, users.length ? buyers / users.length : null, rev?.mean ?? null, votes.all ? votes.down / votes.all : null, users.length ? esc / users.length : null]);
    if (variant.name === control) continue;
    const cUsers = [...c.shoppers.keys()];
    const conv = differenceOfProportions(buyers, users.length, cUsers.filter((u) => converted.has(u)).length, cUsers.length);
    const ctr = differenceOfProportions(t.clicks, t.impressions, c.clicks, c.impressions);
    const cVotes = downVotes.get(control) ?? { down: 0, all: 0 };
    const down = differenceOfProportions(votes.down, votes.all, cVotes.down, cVotes.all);
    const escDiff = differenceOfProportions(esc, users.length, cUsers.filter((u) => escalated.has(u)).length, cUsers.length);
    const breached = (d: typeof down) => (d && d.ci95[0] > 0 ? 1 : 0);
    metrics.push(
      { key: `experiment.${experiment.id}.${variant.name}.conversion_diff`, section, label: `${variant.name} vs ${control}: conversion`, value: conv?.difference ?? null, unit: 'ratio', definition: 'Difference in the share of exposed shoppers who bought after their first exposure, with a 95% interval.', ...(conv ? { ci95: conv.ci95 } : {}) },
      { key: `experiment.${experiment.id}.${variant.name}.ctr_diff`, section, label: `${variant.name} vs ${control}: CTR`, value: ctr?.difference ?? null, unit: 'ratio', definition: 'Difference in cards opened per card shown, with a 95% interval (impressions treated as independent).', ...(ctr ? { ci95: ctr.ci95 } : {}) },
      { key: `experiment.${experiment.id}.${variant.name}.guardrail_thumbs_down`, section, label: `Guardrail: thumbs-down share (${variant.name} − ${control})`, value: down?.difference ?? null, unit: 'ratio', definition: `Guardrail. Breached (${breached(down) ? 'YES' : 'no'}) when the variant's thumbs-down share is higher with its whole 95% interval above zero.`, ...(down ? { ci95: down.ci95 } : {}) },
      { key: `experiment.${experiment.id}.${variant.name}.guardrail_escalation`, section, label: `Guardrail: escalation rate (${variant.name} − ${control})`, value: escDiff?.difference ?? null, unit: 'ratio', definition: `Guardrail. Breached (${breached(escDiff) ? 'YES' : 'no'}) when exposed shoppers ask for a person more often, the whole 95% interval above zero.`, ...(escDiff ? { ci95: escDiff.ci95 } : {}) },
    );
  }
  const status = experiment.status === 'running' ? `running since ${new Date(experiment.startedAt).toISOString()}` : `stopped ${new Date(experiment.stoppedAt!).toISOString()}`;
  return {
    metrics,
    tables: [
      {
        key: `experiment.${experiment.id}`,
        section,
        title: `${experiment.id}: ${experiment.description || 'ranking experiment'} (${status})`,
        definition: `Per variant (the first, ${control}, is the control): shoppers whose slates it ranked, cards shown and opened, CTR, the share who bought after their first exposure, revenue per exposed shopper, the thumbs-down share and the escalation rate after exposure.`,
        columns: ['variant', 'shoppers', 'shown', 'opened', 'ctr', 'conversion', 'revenue/shopper', 'thumbs-down share', 'escalation rate'],
        units: [null, 'count', 'count', 'count', 'ratio', 'ratio', 'cents', 'ratio', 'ratio'],
        rows,
      },
    ],
  };
}

/**
 * Off-policy CTR of ordering by relevance, estimated on logged slates: per shown card, the click
 * weighted by 1 / its logging propensity where the candidate policy would have put the same product
 * in the same position (IPS), self-normalised (SNIPS), with a bootstrap 95% interval; beside the
 * logged policy's own CTR.
 */
export function relevanceOffPolicy(events: readonly FunnelEvent[], seed = 7): Metric[] {
  const clicks = new Set<string>();
  for (const e of events) if (e.type === 'click' && e.slateId) clicks.add(`${e.slateId}:${e.productId}`);
  const rows: LoggedRow[] = [];
  let shown = 0, clicked = 0;
  for (const e of events) {
    if (e.type !== 'slate' || e.candidates.length === 0) continue;
    const order = [...e.candidates].sort((a, b) => b.score - a.score);
    for (const s of e.shown) {
      const reward = clicks.has(`${e.slateId}:${s.productId}`) ? 1 : 0;
      shown += 1;
      clicked += reward;
      rows.push({ reward, propensity: Math.max(s.propensity, 1e-3), targetProb: order[s.position]?.productId === s.productId ? 1 : 0 });
    }
  }
  const ipsTerms = rows.map((r) => (r.targetProb / r.propensity) * r.reward);
  const ips = ipsTerms.length ? ipsTerms.reduce((a, b) => a + b, 0) / ipsTerms.length : null;
  const ci = rows.length ? bootstrapCi(rows, (sample) => snips(sample), createRng(seed), { samples: 300 }) : undefined;
  const matched = rows.filter((r) => r.targetProb > 0).length;
  const section = 'off-policy';
  return [
    { key: 'ope.logged_ctr', section, label: 'Logged policy CTR', value: shown ? clicked / shown : null, unit: 'ratio', definition: 'Cards opened / cards shown by the policies that actually served, on the slates logged in the period.' },
    { key: 'ope.relevance_snips', section, label: 'Relevance-only ranking, estimated CTR (SNIPS)', value: rows.length && matched ? snips(rows) : null, unit: 'ratio', definition: `Off-policy estimate of the CTR had slates been ordered by relevance alone: clicks on cards that policy would also have shown there, weighted by 1 / logging propensity and self-normalised; 95% bootstrap interval. ${matched} of ${rows.length} logged cards match the candidate's order.`, ...(ci && Number.isFinite(ci.low) ? { ci95: [ci.low, ci.high] as const } : {}) },
    { key: 'ope.relevance_ips', section, label: 'Relevance-only ranking, estimated CTR (IPS)', value: ips, unit: 'ratio', definition: 'The same estimate without self-normalisation (unbiased, higher variance).' },
  ];
}
