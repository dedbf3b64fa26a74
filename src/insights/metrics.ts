/**
 * The merchant dashboard's numbers, computed from the funnel log for one period and channel. Every
 * figure carries its definition (shown beside it on /admin, in the JSON and in the CSV), so a
 * number never has to be guessed at. One pass over the period's events; nothing is sampled.
 */
import { EXPOSURE_FEATURES, exposureReport } from './exposure.js';
import type { Cell, Metric, MetricTable, MetricUnit } from './report-types.js';
import { FUNNEL_STAGES, type FunnelEvent, type FunnelReader } from '../funnel/index.js';
import { differenceOfProportions, quantile } from '../maths/index.js';
import { normalizeQuery, summarizeCoupons, type Period } from '../reports/index.js';

export type { Cell, Metric, MetricTable, MetricUnit } from './report-types.js';

export interface MerchantMetrics {
  readonly period: Period;
  /** A channel name, or 'all'. */
  readonly channel: string;
  readonly metrics: readonly Metric[];
  readonly tables: readonly MetricTable[];
}

/** Bot outcomes that did not answer the shopper (src/actions result types). */
const NON_ANSWERS = new Set(['out_of_scope', 'policy_unknown', 'unavailable', 'order_not_found', 'clarify', 'which_product']);
const TABLE_ROWS = 20;
/** ranking.maxPerBrand's default (src/config.ts), for callers that do not pass the configured one. */
const DEFAULT_MAX_PER_BRAND = 2;

/** Turn id of an event whose id is `<conversation>:<turn>:<suffix>` (the turn handler's scheme). */
function turnOf(id: string, suffix: string): string | undefined {
  return id.endsWith(suffix) ? id.slice(0, -suffix.length) : undefined;
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

class Builder {
  readonly metrics: Metric[] = [];
  readonly tables: MetricTable[] = [];
  constructor(private section: string) {}
  in(section: string): this {
    this.section = section;
    return this;
  }
  add(key: string, label: string, value: number | null | undefined, unit: MetricUnit, definition: string, ci95?: readonly [number, number] | null): this {
    this.metrics.push({ key, section: this.section, label, value: value ?? null, unit, definition, ...(ci95 ? { ci95 } : {}) });
    return this;
  }
  table(key: string, title: string, definition: string, columns: readonly string[], rows: readonly (readonly Cell[])[]): this {
    this.tables.push({ key, section: this.section, title, definition, columns, rows });
    return this;
  }
}

export interface MetricsOptions {
  /** The configured cap on one brand's cards in a slate (ranking.maxPerBrand), shown beside the exposure report. */
  readonly maxPerBrand?: number;
}

export function merchantMetrics(events: Iterable<FunnelEvent>, period: Period, channel = 'all', options: MetricsOptions = {}): MerchantMetrics {
  const all: FunnelEvent[] = [];
  for (const e of events) if (channel === 'all' || e.channel === channel) all.push(e);
  const b = new Builder('funnel');

  // ---- Funnel ----
  // The assistant's funnel: events inside conversations (the store's own orders are counted under assisted/unassisted).
  const stageCounts = new Map<string, number>(FUNNEL_STAGES.map((s) => [s, 0]));
  for (const e of all) if (e.conversationId && stageCounts.has(e.type)) stageCounts.set(e.type, stageCounts.get(e.type)! + 1);
  FUNNEL_STAGES.forEach((stage, i) => {
    const count = stageCounts.get(stage)!;
    b.add(`funnel.${stage}`, `${stage} events`, count, 'count', `Number of ${stage} events in conversations with the assistant in the period.`);
    if (i > 0) {
      const prev = FUNNEL_STAGES[i - 1]!;
      b.add(`funnel.${stage}.conversion`, `${prev} → ${stage}`, ratio(count, stageCounts.get(prev)!), 'ratio', `${stage} events divided by ${prev} events in the period (stage-to-stage conversion).`);
    }
  });

  // ---- Who used the assistant ----
  const conversations = new Map<string, { firstTs: number; userId?: string; handoff: boolean }>();
  const assistedUsers = new Map<string, number>(); // userId -> first assistant message ts
  const shoppers = new Set<string>();
  for (const e of all) {
    if (e.userId) shoppers.add(e.userId);
    if (e.type === 'message' && e.role === 'user' && e.conversationId) {
      const c = conversations.get(e.conversationId);
      if (!c) conversations.set(e.conversationId, { firstTs: e.ts, ...(e.userId ? { userId: e.userId } : {}), handoff: false });
      if (e.userId && !assistedUsers.has(e.userId)) assistedUsers.set(e.userId, e.ts);
    }
  }
  const purchases = all.filter((e): e is Extract<FunnelEvent, { type: 'purchase' }> => e.type === 'purchase');
  const isAssisted = (p: Extract<FunnelEvent, { type: 'purchase' }>) =>
    (p.conversationId !== undefined && conversations.has(p.conversationId)) || (p.userId !== undefined && (assistedUsers.get(p.userId) ?? Infinity) <= p.ts);
  const buyers = { assisted: new Set<string>(), unassisted: new Set<string>() };
  let assistedRevenue = 0, unassistedRevenue = 0, assistedOrders = 0;
  for (const p of purchases) {
    if (isAssisted(p)) {
      assistedRevenue += p.revenueCents;
      assistedOrders += 1;
      if (p.userId) buyers.assisted.add(p.userId);
    } else {
      unassistedRevenue += p.revenueCents;
      if (p.userId) buyers.unassisted.add(p.userId);
    }
  }
  const assistedN = assistedUsers.size;
  const unassistedN = [...shoppers].filter((u) => !assistedUsers.has(u)).length;
  const conv = differenceOfProportions(buyers.assisted.size, assistedN, buyers.unassisted.size, unassistedN);
  b.in('assisted')
    .add('assisted.revenue', 'Assisted revenue', assistedRevenue, 'cents', 'Revenue of purchases in a conversation with the assistant, or by a shopper after their first message to it (store webhook and in-chat checkout).')
    .add('unassisted.revenue', 'Unassisted revenue', unassistedRevenue, 'cents', 'Revenue of the other purchases in the period.')
    .add('assisted.orders', 'Assisted orders', assistedOrders, 'count', 'Purchases counted in assisted revenue.')
    .add('assisted.shoppers', 'Shoppers who used the assistant', assistedN, 'count', 'Distinct shoppers (user ids) who sent the assistant at least one message.')
    .add('unassisted.shoppers', 'Shoppers who did not', unassistedN, 'count', 'Distinct shoppers seen in any event of the period (visits from the store webhook, purchases...) who never messaged the assistant.')
    .add('assisted.conversion', 'Conversion, assisted', conv?.rateA ?? ratio(buyers.assisted.size, assistedN), 'ratio', 'Assisted shoppers with an assisted purchase / assisted shoppers.')
    .add('unassisted.conversion', 'Conversion, unassisted', conv?.rateB ?? ratio(buyers.unassisted.size, unassistedN), 'ratio', 'Unassisted shoppers with a purchase / unassisted shoppers.')
    .add('assisted.conversion_difference', 'Conversion difference', conv?.difference, 'ratio', 'Assisted minus unassisted conversion, with a 95% interval. Observational: shoppers choose to open the assistant, so this is not a causal uplift (the coupon holdout and the experiments are).', conv?.ci95);

  // ---- Automation: containment and answer rate ----
  const handoffs = all.filter((e): e is Extract<FunnelEvent, { type: 'handoff' }> => e.type === 'handoff');
  for (const h of handoffs) if (h.status === 'requested' && h.conversationId && conversations.has(h.conversationId)) conversations.get(h.conversationId)!.handoff = true;
  const contained = [...conversations.values()].filter((c) => !c.handoff).length;
  const zeroResultTurns = new Set<string>();
  for (const e of all) if (e.type === 'search' && e.results === 0) zeroResultTurns.add(turnOf(e.id, ':search') ?? e.id);
  let botReplies = 0, answered = 0;
  for (const e of all) {
    if (e.type !== 'message' || e.role !== 'bot' || !e.outcomes) continue;
    botReplies += 1;
    const turn = turnOf(e.id, ':msg:bot');
    const failed = e.outcomes.some((o) => NON_ANSWERS.has(o)) || (turn !== undefined && zeroResultTurns.has(turn));
    if (!failed) answered += 1;
  }
  b.in('automation')
    .add('conversations', 'Conversations', conversations.size, 'count', 'Conversations with at least one shopper message in the period.')
    .add('containment', 'Containment', ratio(contained, conversations.size), 'ratio', 'Conversations never handed to a person / conversations (resolved by the assistant alone).')
    .add('answer_rate', 'Answer rate', ratio(answered, botReplies), 'ratio', 'Bot replies that answered / bot replies: a reply fails when its action found nothing the shopper asked for (out of scope, no policy passage, no product, unknown order, a clarifying question) or its search returned no results.');

  // ---- Escalations ----
  const opened = new Map<string, number>();
  const firstAgentReply: number[] = [];
  const resolution: number[] = [];
  const agentReplied = new Set<string>();
  for (const e of all) {
    if (!e.conversationId) continue;
    if (e.type === 'handoff' && e.status === 'requested' && !opened.has(e.conversationId)) opened.set(e.conversationId, e.ts);
    else if (e.type === 'message' && e.role === 'agent' && opened.has(e.conversationId) && !agentReplied.has(e.conversationId)) {
      agentReplied.add(e.conversationId);
      firstAgentReply.push(e.ts - opened.get(e.conversationId)!);
    } else if (e.type === 'handoff' && (e.status === 'resolved' || e.status === 'returned') && opened.has(e.conversationId)) {
      resolution.push(e.ts - opened.get(e.conversationId)!);
      opened.delete(e.conversationId);
      agentReplied.delete(e.conversationId);
    }
  }
  const escalations = handoffs.filter((h) => h.status === 'requested').length;
  b.in('escalations')
    .add('escalations', 'Escalations', escalations, 'count', 'Handoffs to a person requested in the period.')
    .add('escalation_rate', 'Escalation rate', ratio(escalations, conversations.size), 'ratio', 'Escalations / conversations.')
    .add('escalations.first_reply_median', 'Time to first agent reply (median)', quantile(firstAgentReply, 0.5), 'ms', 'Median time from the handoff request to the first message a person sent the shopper.')
    .add('escalations.first_reply_p90', 'Time to first agent reply (90th pct.)', quantile(firstAgentReply, 0.9), 'ms', '90th percentile of the same.')
    .add('escalations.resolution_median', 'Time to resolution (median)', quantile(resolution, 0.5), 'ms', 'Median time from the handoff request to resolved or handed back to the bot.')
    .add('escalations.open', 'Still open at the end of the period', opened.size, 'count', 'Requested escalations not resolved or handed back by the end of the period.');

  // ---- Shopper feedback ----
  const votes = all.filter((e): e is Extract<FunnelEvent, { type: 'reply_feedback' }> => e.type === 'reply_feedback');
  const ratings = all.filter((e): e is Extract<FunnelEvent, { type: 'conversation_rating' }> => e.type === 'conversation_rating');
  const up = votes.filter((v) => v.vote === 'up').length;
  const mean = (rs: readonly { rating: number }[]): number | null => (rs.length ? rs.reduce((s, r) => s + r.rating, 0) / rs.length : null);
  const meanRating = mean(ratings);
  // Events stored before ratings had a subject rated the assistant.
  const agentRatings = ratings.filter((r) => r.subject === 'agent');
  const botRatings = ratings.filter((r) => r.subject !== 'agent');
  const byAgent = new Map<string, typeof agentRatings>();
  for (const r of agentRatings) byAgent.set(r.agentId ?? 'unknown', [...(byAgent.get(r.agentId ?? 'unknown') ?? []), r]);
  b.in('feedback')
    .add('feedback.thumbs_up', 'Thumbs up', up, 'count', 'Replies a shopper rated up.')
    .add('feedback.thumbs_down', 'Thumbs down', votes.length - up, 'count', 'Replies a shopper rated down (listed for review below).')
    .add('feedback.thumbs_up_share', 'Thumbs-up share', ratio(up, votes.length), 'ratio', 'Thumbs up / all thumbs.')
    .add('feedback.ratings', 'Conversation ratings', ratings.length, 'count', 'End-of-conversation ratings given.')
    .add('feedback.mean_rating', 'Mean rating (1-5)', meanRating, 'score', 'Mean of the 1-5 conversation ratings.')
    .add('feedback.csat', 'CSAT', ratio(ratings.filter((r) => r.rating >= 4).length, ratings.length), 'ratio', 'Ratings of 4 or 5 / all ratings (the usual CSAT definition).')
    .add('feedback.rating_rate', 'Rating rate', ratio(ratings.length, conversations.size), 'ratio', 'Ratings / conversations.')
    .add('feedback.mean_rating_bot', 'Mean rating of the assistant', mean(botRatings), 'score', 'Mean 1-5 rating of conversations the assistant handled (subject bot).')
    .add('feedback.mean_rating_agent', 'Mean rating of human help', mean(agentRatings), 'score', 'Mean 1-5 rating the shopper gave the person who helped, asked when they handed back or resolved (subject agent).')
    .add('feedback.csat_bot', 'CSAT of the assistant', ratio(botRatings.filter((r) => r.rating >= 4).length, botRatings.length), 'ratio', 'Ratings of 4 or 5 / ratings of the assistant.')
    .add('feedback.csat_agent', 'CSAT of human help', ratio(agentRatings.filter((r) => r.rating >= 4).length, agentRatings.length), 'ratio', 'Ratings of 4 or 5 / ratings of the people who helped.')
    .table(
      'feedback.ratings_by_agent',
      'Ratings by agent',
      'Ratings of human help per agent (console name or Slack/Teams id), most rated first.',
      ['agent', 'ratings', 'mean', 'csat'],
      [...byAgent].sort((x, y) => y[1].length - x[1].length || x[0].localeCompare(y[0])).slice(0, TABLE_ROWS).map(([agent, rs]) => [agent, rs.length, mean(rs), ratio(rs.filter((r) => r.rating >= 4).length, rs.length)]),
    )
    .table('feedback.ratings_distribution', 'Ratings', 'How many conversations got each rating.', ['rating', 'count'], [1, 2, 3, 4, 5].map((r) => [r, ratings.filter((x) => x.rating === r).length]))
    .table(
      'feedback.review',
      'Replies rated down',
      'Every reply a shopper rated down, newest first, with its conversation (open it from the dashboard to read the transcript).',
      ['time', 'channel', 'conversation', 'intent', 'reply'],
      votes.filter((v) => v.vote === 'down').sort((x, y) => y.ts - x.ts).slice(0, 100).map((v) => [new Date(v.ts).toISOString(), v.channel, v.conversationId ?? null, v.intent ?? null, v.reply]),
    )
    .table('feedback.comments', 'Rating comments', 'Comments left with a rating, newest first.', ['time', 'rating', 'conversation', 'comment'], ratings.filter((r) => r.comment).sort((x, y) => y.ts - x.ts).slice(0, 50).map((r) => [new Date(r.ts).toISOString(), r.rating, r.conversationId ?? null, r.comment!]));

  // ---- Searches ----
  const searches = all.filter((e): e is Extract<FunnelEvent, { type: 'search' }> => e.type === 'search');
  const clickedSlates = new Set<string>();
  for (const e of all) if (e.type === 'click' && e.slateId) clickedSlates.add(e.slateId);
  const slateOfTurn = new Map<string, string>();
  for (const e of all) if (e.type === 'slate') slateOfTurn.set(turnOf(e.id, ':slate') ?? '', e.slateId);
  // A search is poor when it found something, nothing it showed was opened, and the shopper's next
  // message in the conversation was another search: they reformulated instead of choosing.
  const poorQueries: string[] = [];
  const byConversation = new Map<string, Extract<FunnelEvent, { type: 'search' }>[]>();
  for (const s of searches) if (s.conversationId) byConversation.set(s.conversationId, [...(byConversation.get(s.conversationId) ?? []), s]);
  for (const list of byConversation.values()) {
    list.forEach((s, i) => {
      if (s.results === 0 || i + 1 >= list.length) return;
      const slateId = s.id.endsWith(':search') ? slateOfTurn.get(s.id.slice(0, -':search'.length)) : undefined;
      if (slateId && !clickedSlates.has(slateId)) poorQueries.push(s.query);
    });
  }
  const top = (queries: readonly string[]) => {
    const counts = new Map<string, number>();
    for (const q of queries) {
      const n = normalizeQuery(q);
      if (n) counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    return [...counts].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, TABLE_ROWS);
  };
  const zero = searches.filter((s) => s.results === 0);
  b.in('search')
    .add('search.count', 'Searches', searches.length, 'count', 'Product searches the assistant ran.')
    .add('search.zero_results', 'Searches with no results', zero.length, 'count', 'Searches that found no product.')
    .add('search.zero_result_rate', 'No-result rate', ratio(zero.length, searches.length), 'ratio', 'Searches with no results / searches.')
    .add('search.poor', 'Poor-result searches', poorQueries.length, 'count', 'Searches that showed products, none opened, followed by another search in the same conversation (the shopper reformulated).')
    .table('search.top', 'Top searches', 'Most frequent searches (case and spacing folded).', ['query', 'count'], top(searches.map((s) => s.query)))
    .table('search.no_results', 'Searches with no results', 'Most frequent searches that found nothing: catalog gaps.', ['query', 'count'], top(zero.map((s) => s.query)))
    .table('search.poor_results', 'Poor-result searches', 'Most frequent searches the shopper reformulated without opening a result.', ['query', 'count'], top(poorQueries));

  // ---- Recommendations: CTR by position and policy ----
  const impressionOf = new Map<string, Extract<FunnelEvent, { type: 'impression' }>>();
  const impressionOfProduct = new Map<string, Extract<FunnelEvent, { type: 'impression' }>>();
  for (const e of all) {
    if (e.type !== 'impression') continue;
    impressionOf.set(`${e.slateId}:${e.position}`, e);
    impressionOfProduct.set(`${e.slateId}:${e.productId}`, e);
  }
  const byPosition = new Map<number, { shown: number; clicks: number }>();
  const byPolicy = new Map<string, { shown: number; clicks: number; carts: number }>();
  for (const imp of impressionOf.values()) {
    const p = byPosition.get(imp.position) ?? { shown: 0, clicks: 0 };
    p.shown += 1;
    byPosition.set(imp.position, p);
    const q = byPolicy.get(imp.policyId) ?? { shown: 0, clicks: 0, carts: 0 };
    q.shown += 1;
    byPolicy.set(imp.policyId, q);
  }
  let attributedClicks = 0;
  const clickedKeys = new Set<string>();
  for (const e of all) {
    if ((e.type !== 'click' && e.type !== 'add_to_cart') || !e.slateId) continue;
    const imp = impressionOfProduct.get(`${e.slateId}:${e.productId}`);
    if (!imp) continue;
    if (e.type === 'click') {
      const key = `${imp.slateId}:${imp.position}`;
      if (clickedKeys.has(key)) continue; // a second click on the same card is not a second click-through
      clickedKeys.add(key);
      attributedClicks += 1;
      byPosition.get(imp.position)!.clicks += 1;
      byPolicy.get(imp.policyId)!.clicks += 1;
    } else byPolicy.get(imp.policyId)!.carts += 1;
  }
  b.in('recommendations')
    .add('recommendations.impressions', 'Recommended products shown', impressionOf.size, 'count', 'Product cards shown in slates.')
    .add('recommendations.ctr', 'Recommendation CTR', ratio(attributedClicks, impressionOf.size), 'ratio', 'Cards opened (once per card) / cards shown.')
    .table('recommendations.by_position', 'CTR by position', 'Cards shown and opened at each slate position (0 = first).', ['position', 'shown', 'clicks', 'ctr'], [...byPosition].sort((x, y) => x[0] - y[0]).map(([pos, v]) => [pos, v.shown, v.clicks, ratio(v.clicks, v.shown)]))
    .table('recommendations.by_policy', 'CTR by ranking policy', 'Cards shown, opened and added to the cart per ranking policy id (experiments and exploration show up here).', ['policy', 'shown', 'clicks', 'ctr', 'cart adds'], [...byPolicy].sort((x, y) => y[1].shown - x[1].shown).map(([policy, v]) => [policy, v.shown, v.clicks, ratio(v.clicks, v.shown), v.carts]));

  // ---- Coupons ----
  const coupons = summarizeCoupons(all);
  b.in('coupons')
    .add('coupons.offered', 'Offered', coupons.treated, 'count', 'Shoppers offered a coupon (first decision per conversation or shopper).')
    .add('coupons.holdout', 'Held out', coupons.holdout, 'count', 'Eligible shoppers randomly kept without an offer, to measure the uplift.')
    .add('coupons.redeemed', 'Redeemed', coupons.redeemed, 'count', 'Coupon codes used at checkout.')
    .add('coupons.cost', 'Discount cost', coupons.costCents, 'cents', 'Sum of discounts given at checkout.')
    .add('coupons.offered_conversion', 'Conversion with an offer', coupons.treatedRate, 'ratio', 'Offered shoppers who bought after the offer / offered shoppers.')
    .add('coupons.holdout_conversion', 'Conversion in the holdout', coupons.holdoutRate, 'ratio', 'Held-out shoppers who bought / held-out shoppers.')
    .add('coupons.uplift', 'Measured uplift', coupons.uplift, 'ratio', 'Conversion with an offer minus conversion in the random holdout, with a 95% interval: the causal effect of offering.', coupons.upliftCi95)
    .add('coupons.cost_per_incremental_order', 'Cost per incremental order', coupons.uplift && coupons.uplift > 0 ? coupons.costCents / (coupons.uplift * coupons.treated) : null, 'cents', 'Discount cost / (uplift × offered shoppers); empty unless the uplift is positive.');

  // ---- Sponsored ----
  const sponsoredClicked = new Map<string, Set<string>>(); // conversation -> products opened from sponsored cards
  let sponsoredShown = 0, sponsoredClicks = 0;
  for (const imp of impressionOf.values()) if (imp.sponsored) sponsoredShown += 1;
  for (const key of clickedKeys) {
    const imp = impressionOf.get(key)!;
    if (!imp.sponsored) continue;
    sponsoredClicks += 1;
    if (imp.conversationId) sponsoredClicked.set(imp.conversationId, (sponsoredClicked.get(imp.conversationId) ?? new Set()).add(imp.productId));
  }
  let sponsoredRevenue = 0;
  for (const p of purchases) {
    const opened = p.conversationId ? sponsoredClicked.get(p.conversationId) : undefined;
    if (opened && p.productIds.some((id) => opened.has(id))) sponsoredRevenue += p.revenueCents;
  }
  b.in('sponsored')
    .add('sponsored.impressions', 'Sponsored cards shown', sponsoredShown, 'count', 'Cards shown in a sponsored slot.')
    .add('sponsored.ctr', 'Sponsored CTR', ratio(sponsoredClicks, sponsoredShown), 'ratio', 'Sponsored cards opened / shown.')
    .add('sponsored.revenue', 'Sponsored-slot revenue', sponsoredRevenue, 'cents', 'Revenue of purchases that include a product the shopper opened from a sponsored card in the same conversation.');

  const exposure = exposureReport(all, { maxPerBrand: options.maxPerBrand ?? DEFAULT_MAX_PER_BRAND });
  return { period, channel, metrics: [...b.metrics, ...exposure.metrics], tables: [...b.tables, ...exposure.tables] };
}

/** Reads the period's events from the log (one replay) and computes the dashboard. */
export async function computeMerchantMetrics(store: Pick<FunnelReader, 'query'>, period: Period, channel = 'all', signal?: AbortSignal, options: MetricsOptions = {}): Promise<MerchantMetrics> {
  const events: FunnelEvent[] = [];
  for await (const e of store.query({ fromTs: period.fromTs, toTs: period.toTs })) {
    signal?.throwIfAborted();
    if (e.type !== 'slate') events.push(e);
    // Candidates' features are for learners; the dashboard keeps the few the exposure report reads.
    else events.push({ ...e, candidates: e.candidates.map((c) => ({ productId: c.productId, score: c.score, features: pickFeatures(c.features) })) });
  }
  return merchantMetrics(events, period, channel, options);
}

function pickFeatures(f: Record<string, string | number> | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (f) for (const k of EXPOSURE_FEATURES) if (f[k] !== undefined) out[k] = f[k];
  return out;
}

function csvCell(v: Cell | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  // Spreadsheet formula injection: text starting with = + - @ is prefixed so it stays text.
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Every metric, then every table, as one CSV: metrics with their definitions, tables as rows under a header line. */
export function metricsCsv(m: MerchantMetrics): string {
  const lines: string[] = [['section', 'key', 'label', 'value', 'unit', 'ci95_low', 'ci95_high', 'definition'].join(',')];
  for (const x of m.metrics) lines.push([x.section, x.key, x.label, x.value, x.unit, x.ci95?.[0] ?? null, x.ci95?.[1] ?? null, x.definition].map(csvCell).join(','));
  for (const t of m.tables) {
    lines.push('', [t.section, t.key, t.title, '', '', '', '', t.definition].map(csvCell).join(','));
    lines.push(t.columns.map(csvCell).join(','));
    for (const row of t.rows) lines.push(row.map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
