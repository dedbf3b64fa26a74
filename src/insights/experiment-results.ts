/**
 * Results of an experiment from the funnel events since it started. Per variant: the exposed
 * shoppers (ranking: whose slates it ranked; coupon and reply: their exposure events), what the
 * variant changes (ranking: cards shown, opened, CTR; coupon: offers, redemptions, discount per
 * shopper; reply: rated replies, thumbs-up share), then the shared outcomes after each shopper's
 * first exposure: conversion, revenue per shopper, and the guardrails (thumbs-down share,
 * escalation rate). Each variant is compared with the control (the first) with a 95% interval; a
 * guardrail is breached when the variant is worse with its whole interval.
 *
 * Before a ranking variant goes live, its policy can be estimated off-policy on the logged slates
 * (IPS and SNIPS with the logging propensities, src/maths/ope.ts) where the candidate is
 * deterministic: relevance order, from the candidates' logged relevance scores.
 */
import type { FunnelEvent, FunnelEventType } from '../funnel/index.js';
import { bootstrapCi, createRng, differenceOfMeans, differenceOfProportions, meanWithInterval, snips, type LoggedRow } from '../maths/index.js';
import { variantOf, type Experiment } from './experiments.js';
import type { Metric, MetricTable, MetricUnit } from './metrics.js';

/** The funnel event types the results read. */
export const EXPERIMENT_EVENT_TYPES = ['slate', 'click', 'purchase', 'reply_feedback', 'handoff', 'experiment_exposure', 'coupon_offered', 'coupon_redeemed'] as const satisfies readonly FunnelEventType[];

interface VariantTotals {
  readonly shoppers: Map<string, number>; // userId -> first exposure ts
  impressions: number;
  clicks: number;
}

interface Outcomes {
  revenue: number;
  bought: boolean;
  offered: boolean;
  redeemed: boolean;
  discount: number;
  escalated: boolean;
  up: number;
  down: number;
}

const KIND_COLUMNS: Record<Experiment['kind'], { columns: string[]; units: (MetricUnit | null)[]; what: string }> = {
  ranking: { columns: ['shown', 'opened', 'ctr'], units: ['count', 'count', 'ratio'], what: 'shoppers whose slates it ranked, cards shown and opened, CTR' },
  coupon: { columns: ['offered', 'redeemed', 'discount/shopper'], units: ['count', 'count', 'cents'], what: 'shoppers who reached an offer decision under it, how many were offered a code and redeemed one, the discount per exposed shopper' },
  reply: { columns: ['rated replies', 'thumbs-up share'], units: ['count', 'ratio'], what: 'shoppers whose replies it worded, their rated replies and the thumbs-up share' },
};

function exposures(experiment: Experiment, events: readonly FunnelEvent[]): { totals: Map<string, VariantTotals>; slateVariant: Map<string, string> } {
  const totals = new Map<string, VariantTotals>(experiment.variants.map((v) => [v.name, { shoppers: new Map(), impressions: 0, clicks: 0 }]));
  const slateVariant = new Map<string, string>();
  const userVariant = new Map<string, string>();
  const expose = (userId: string, variant: string, ts: number): VariantTotals | undefined => {
    const t = totals.get(variant);
    // A shopper counts in their first variant only (a reassignment would mix the arms).
    if (!t || (userVariant.has(userId) && userVariant.get(userId) !== variant)) return undefined;
    userVariant.set(userId, variant);
    if (!t.shoppers.has(userId) || t.shoppers.get(userId)! > ts) t.shoppers.set(userId, ts);
    return t;
  };
  for (const e of events) {
    if (!e.userId) continue;
    if (experiment.kind === 'ranking' && e.type === 'slate') {
      const v = variantOf(e.policyId, experiment.id);
      const t = v ? expose(e.userId, v, e.ts) : undefined;
      if (!t) continue;
      slateVariant.set(e.slateId, v!);
      t.impressions += e.shown.length;
    } else if (e.type === 'experiment_exposure' && e.experimentId === experiment.id) {
      expose(e.userId, e.variant, e.ts);
    }
  }
  const clicked = new Set<string>();
  for (const e of events) {
    if (e.type !== 'click' || !e.slateId || !slateVariant.has(e.slateId) || clicked.has(`${e.slateId}:${e.productId}`)) continue;
    clicked.add(`${e.slateId}:${e.productId}`);
    totals.get(slateVariant.get(e.slateId)!)!.clicks += 1;
  }
  return { totals, slateVariant };
}

function outcomes(totals: Map<string, VariantTotals>, events: readonly FunnelEvent[]): Map<string, Outcomes> {
  const since = new Map<string, number>();
  for (const t of totals.values()) for (const [u, ts] of t.shoppers) since.set(u, ts);
  const out = new Map<string, Outcomes>();
  for (const e of events) {
    const from = e.userId ? since.get(e.userId) : undefined;
    if (from === undefined || e.ts < from) continue;
    let o = out.get(e.userId!);
    if (!o) out.set(e.userId!, (o = { revenue: 0, bought: false, offered: false, redeemed: false, discount: 0, escalated: false, up: 0, down: 0 }));
    if (e.type === 'purchase') (o.bought = true), (o.revenue += e.revenueCents);
    else if (e.type === 'coupon_offered' && e.decision === 'offered') o.offered = true;
    else if (e.type === 'coupon_redeemed') (o.redeemed = true), (o.discount += e.discountCents);
    else if (e.type === 'reply_feedback') e.vote === 'down' ? (o.down += 1) : (o.up += 1);
    else if (e.type === 'handoff' && e.status === 'requested') o.escalated = true;
  }
  return out;
}

const NONE: Outcomes = { revenue: 0, bought: false, offered: false, redeemed: false, discount: 0, escalated: false, up: 0, down: 0 };

/** Results of an experiment as dashboard metrics and a table. */
export function experimentResults(experiment: Experiment, events: readonly FunnelEvent[]): { metrics: Metric[]; tables: MetricTable[] } {
  const section = `experiment ${experiment.id}`;
  const { totals } = exposures(experiment, events);
  const byUser = outcomes(totals, events);
  const of = (u: string) => byUser.get(u) ?? NONE;
  const control = experiment.variants[0]!.name;
  const users = (variant: string) => [...totals.get(variant)!.shoppers.keys()];
  const count = (variant: string, f: (o: Outcomes) => boolean) => users(variant).filter((u) => f(of(u))).length;
  const votes = (variant: string) => users(variant).reduce((a, u) => ({ up: a.up + of(u).up, down: a.down + of(u).down }), { up: 0, down: 0 });
  const rows: (string | number | null)[][] = [];
  const metrics: Metric[] = [];
  const ratio = (a: number, b: number) => (b ? a / b : null);
  for (const variant of experiment.variants) {
    const t = totals.get(variant.name)!;
    const us = users(variant.name);
    const n = us.length;
    const v = votes(variant.name);
    const extra: (number | null)[] =
      experiment.kind === 'ranking'
        ? [t.impressions, t.clicks, ratio(t.clicks, t.impressions)]
        : experiment.kind === 'coupon'
          ? [count(variant.name, (o) => o.offered), count(variant.name, (o) => o.redeemed), n ? us.reduce((s, u) => s + of(u).discount, 0) / n : null]
          : [v.up + v.down, ratio(v.up, v.up + v.down)];
    rows.push([variant.name, n, ...extra, ratio(count(variant.name, (o) => o.bought), n), meanWithInterval(us.map((u) => of(u).revenue))?.mean ?? null, ratio(v.down, v.up + v.down), ratio(count(variant.name, (o) => o.escalated), n)]);
    if (variant.name === control) continue;

    const c = totals.get(control)!;
    const cUsers = users(control);
    const cv = votes(control);
    const vs = `${variant.name} vs ${control}`;
    const key = (k: string) => `experiment.${experiment.id}.${variant.name}.${k}`;
    const withCi = (d: { difference: number; ci95: readonly [number, number] } | undefined) => ({ value: d?.difference ?? null, ...(d ? { ci95: d.ci95 } : {}) });
    const conv = differenceOfProportions(count(variant.name, (o) => o.bought), n, count(control, (o) => o.bought), cUsers.length);
    const revenue = differenceOfMeans(us.map((u) => of(u).revenue), cUsers.map((u) => of(u).revenue));
    metrics.push(
      { key: key('conversion_diff'), section, label: `${vs}: conversion`, ...withCi(conv), unit: 'ratio', definition: 'Difference in the share of exposed shoppers who bought after their first exposure, with a 95% interval.' },
      { key: key('revenue_diff'), section, label: `${vs}: revenue per shopper`, ...withCi(revenue), unit: 'cents', definition: 'Difference in revenue (orders as placed, after any discount) per exposed shopper after their first exposure, with a 95% Welch interval.' },
    );
    if (experiment.kind === 'ranking') {
      const ctr = differenceOfProportions(t.clicks, t.impressions, c.clicks, c.impressions);
      metrics.push({ key: key('ctr_diff'), section, label: `${vs}: CTR`, ...withCi(ctr), unit: 'ratio', definition: 'Difference in cards opened per card shown, with a 95% interval (impressions treated as independent).' });
    } else if (experiment.kind === 'coupon') {
      const discount = differenceOfMeans(us.map((u) => of(u).discount), cUsers.map((u) => of(u).discount));
      metrics.push({ key: key('discount_diff'), section, label: `${vs}: discount cost per shopper`, ...withCi(discount), unit: 'cents', definition: 'Difference in coupon discount given per exposed shopper: what the variant costs, to weigh against its revenue difference.' });
    } else {
      const up = differenceOfProportions(v.up, v.up + v.down, cv.up, cv.up + cv.down);
      metrics.push({ key: key('thumbs_up_diff'), section, label: `${vs}: thumbs-up share`, ...withCi(up), unit: 'ratio', definition: "Difference in the share of rated replies rated up (each rating counted as independent), with a 95% interval." });
    }
    const down = differenceOfProportions(v.down, v.up + v.down, cv.down, cv.up + cv.down);
    const esc = differenceOfProportions(count(variant.name, (o) => o.escalated), n, count(control, (o) => o.escalated), cUsers.length);
    const breached = (d: typeof down) => (d && d.ci95[0] > 0 ? 'YES' : 'no');
    metrics.push(
      { key: key('guardrail_thumbs_down'), section, label: `Guardrail: thumbs-down share (${variant.name} − ${control})`, ...withCi(down), unit: 'ratio', definition: `Guardrail. Breached (${breached(down)}) when the variant's thumbs-down share is higher with its whole 95% interval above zero.` },
      { key: key('guardrail_escalation'), section, label: `Guardrail: escalation rate (${variant.name} − ${control})`, ...withCi(esc), unit: 'ratio', definition: `Guardrail. Breached (${breached(esc)}) when exposed shoppers ask for a person more often, the whole 95% interval above zero.` },
    );
  }
  const status = experiment.status === 'running' ? `running since ${new Date(experiment.startedAt).toISOString()}` : `stopped ${new Date(experiment.stoppedAt!).toISOString()}`;
  const kind = KIND_COLUMNS[experiment.kind];
  return {
    metrics,
    tables: [
      {
        key: `experiment.${experiment.id}`,
        section,
        title: `${experiment.id}: ${experiment.description || `${experiment.kind} experiment`} (${status})`,
        definition: `Per variant (the first, ${control}, is the control): ${kind.what}; then, after each shopper's first exposure, the share who bought, revenue per exposed shopper, the thumbs-down share and the escalation rate.`,
        columns: ['variant', 'shoppers', ...kind.columns, 'conversion', 'revenue/shopper', 'thumbs-down share', 'escalation rate'],
        units: [null, 'count', ...kind.units, 'ratio', 'cents', 'ratio', 'ratio'],
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
