import { describe, expect, it } from 'vitest';
import { FunnelEventSchema, type FunnelEvent, type FunnelEventInput } from '../../src/funnel/index.js';
import { merchantMetrics, metricsCsv } from '../../src/insights/index.js';

const period = { label: 'test', fromTs: 0, toTs: 1e13 };
const ev = (e: FunnelEventInput): FunnelEvent => FunnelEventSchema.parse(e);
const value = (m: ReturnType<typeof merchantMetrics>, key: string) => m.metrics.find((x) => x.key === key)?.value;
const table = (m: ReturnType<typeof merchantMetrics>, key: string) => m.tables.find((x) => x.key === key)!.rows;

/** Two conversations (one escalated), a shopper who never used the assistant, searches, a slate, feedback. */
function log(): FunnelEvent[] {
  const web = { channel: 'web' as const };
  return [
    // c1: searched "boots", opened the first card (sponsored), bought it; rated the reply up and the chat 5.
    ev({ ...web, id: 'c1:1:msg:user', ts: 1000, type: 'message', role: 'user', chars: 5, conversationId: 'c1', userId: 'u1' }),
    ev({ ...web, id: 'c1:1:search', ts: 1000, type: 'search', query: 'Boots', results: 12, conversationId: 'c1', userId: 'u1' }),
    ev({ ...web, id: 's1:imp:0', ts: 1000, type: 'impression', productId: 'p1', position: 0, policyId: 'esmm', slateId: 's1', sponsored: true, conversationId: 'c1', userId: 'u1' }),
    ev({ ...web, id: 's1:imp:1', ts: 1000, type: 'impression', productId: 'p2', position: 1, policyId: 'esmm', slateId: 's1', conversationId: 'c1', userId: 'u1' }),
    ev({ ...web, id: 'c1:1:msg:bot', ts: 1001, type: 'message', role: 'bot', chars: 40, outcomes: ['search'], conversationId: 'c1', userId: 'u1' }),
    ev({ ...web, id: 'c1:2:click', ts: 1100, type: 'click', productId: 'p1', slateId: 's1', position: 0, conversationId: 'c1', userId: 'u1' }),
    ev({ ...web, id: 'c1:2:click-again', ts: 1150, type: 'click', productId: 'p1', slateId: 's1', position: 0, conversationId: 'c1', userId: 'u1' }),
    ev({ ...web, id: 'o1', ts: 2000, type: 'purchase', orderId: 'o1', revenueCents: 5000, productIds: ['p1'], conversationId: 'c1', userId: 'u1' }),
    ev({ ...web, id: 'v1', ts: 1200, type: 'reply_feedback', vote: 'up', reply: 'Here are boots', conversationId: 'c1', userId: 'u1' }),
    ev({ ...web, id: 'r1', ts: 2100, type: 'conversation_rating', rating: 5, conversationId: 'c1', userId: 'u1' }),
    // c2: asked something out of scope, searched for nothing, escalated, an agent replied after 60 s, resolved after 10 min.
    ev({ ...web, id: 'c2:1:msg:user', ts: 3000, type: 'message', role: 'user', chars: 5, conversationId: 'c2', userId: 'u2' }),
    ev({ ...web, id: 'c2:1:msg:bot', ts: 3001, type: 'message', role: 'bot', chars: 20, outcomes: ['out_of_scope'], conversationId: 'c2', userId: 'u2' }),
    ev({ ...web, id: 'c2:2:msg:user', ts: 3100, type: 'message', role: 'user', chars: 5, conversationId: 'c2', userId: 'u2' }),
    ev({ ...web, id: 'c2:2:search', ts: 3100, type: 'search', query: 'unicorn saddle', results: 0, conversationId: 'c2', userId: 'u2' }),
    ev({ ...web, id: 'c2:2:msg:bot', ts: 3101, type: 'message', role: 'bot', chars: 20, outcomes: ['search'], conversationId: 'c2', userId: 'u2' }),
    ev({ ...web, id: 'v2', ts: 3200, type: 'reply_feedback', vote: 'down', reply: 'No luck', intent: 'product_search', conversationId: 'c2', userId: 'u2' }),
    ev({ ...web, id: 'h1', ts: 4000, type: 'handoff', status: 'requested', reason: 'asked', conversationId: 'c2', userId: 'u2' }),
    ev({ ...web, id: 'a1', ts: 64_000, type: 'message', role: 'agent', chars: 10, conversationId: 'c2', userId: 'u2' }),
    ev({ ...web, id: 'h2', ts: 604_000, type: 'handoff', status: 'resolved', reason: 'asked', conversationId: 'c2', userId: 'u2' }),
    ev({ ...web, id: 'r2', ts: 605_000, type: 'conversation_rating', rating: 2, comment: '=HYPERLINK("x")', conversationId: 'c2', userId: 'u2' }),
    // u3 and u4 visited the store without the assistant; u3 bought.
    ev({ ...web, id: 'visit3', ts: 500, type: 'visit', userId: 'u3' }),
    ev({ ...web, id: 'visit4', ts: 600, type: 'visit', userId: 'u4' }),
    ev({ ...web, id: 'o3', ts: 900, type: 'purchase', orderId: 'o3', revenueCents: 2000, productIds: ['p9'], userId: 'u3' }),
    // A Slack conversation, filtered out when the channel is web.
    ev({ channel: 'slack', id: 'sl:1:msg:user', ts: 1000, type: 'message', role: 'user', chars: 3, conversationId: 'sl', userId: 'u9' }),
  ];
}

describe('merchantMetrics', () => {
  const m = merchantMetrics(log(), period, 'web');

  it('splits revenue and conversion by whether the shopper used the assistant', () => {
    expect(value(m, 'assisted.revenue')).toBe(5000);
    expect(value(m, 'unassisted.revenue')).toBe(2000);
    expect(value(m, 'assisted.shoppers')).toBe(2);
    expect(value(m, 'unassisted.shoppers')).toBe(2);
    expect(value(m, 'assisted.conversion')).toBe(0.5);
    expect(value(m, 'unassisted.conversion')).toBe(0.5);
  });

  it('counts containment, answers, escalation times and feedback', () => {
    expect(value(m, 'conversations')).toBe(2);
    expect(value(m, 'containment')).toBe(0.5);
    // c1's reply answered; c2's out-of-scope reply and its zero-result search did not.
    expect(value(m, 'answer_rate')).toBeCloseTo(1 / 3);
    expect(value(m, 'escalations.first_reply_median')).toBe(60_000);
    expect(value(m, 'escalations.resolution_median')).toBe(600_000);
    expect(value(m, 'feedback.thumbs_down')).toBe(1);
    expect(value(m, 'feedback.mean_rating')).toBe(3.5);
    expect(value(m, 'feedback.csat')).toBe(0.5);
    expect(table(m, 'feedback.review')).toEqual([[new Date(3200).toISOString(), 'web', 'c2', 'product_search', 'No luck']]);
  });

  it('reports CTR by position once per card, sponsored revenue and no-result searches', () => {
    expect(value(m, 'recommendations.ctr')).toBe(0.5);
    expect(table(m, 'recommendations.by_position')).toEqual([[0, 1, 1, 1], [1, 1, 0, 0]]);
    expect(table(m, 'recommendations.by_policy')).toEqual([['esmm', 2, 1, 0.5, 0]]);
    expect(value(m, 'sponsored.revenue')).toBe(5000);
    expect(table(m, 'search.no_results')).toEqual([['unicorn saddle', 1]]);
    expect(value(m, 'funnel.click.conversion')).toBe(1); // two clicks events over two impressions
  });

  it('filters by channel', () => {
    expect(value(merchantMetrics(log(), period, 'slack'), 'conversations')).toBe(1);
    expect(value(merchantMetrics(log(), period, 'all'), 'conversations')).toBe(3);
  });

  it('writes every metric with its definition to CSV, formulas neutralised', () => {
    const csv = metricsCsv(m);
    expect(csv.split('\r\n')[0]).toBe('section,key,label,value,unit,ci95_low,ci95_high,definition');
    expect(csv).toContain('assisted,assisted.revenue,Assisted revenue,5000,cents,,,');
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    for (const metric of m.metrics) expect(metric.definition.length).toBeGreaterThan(10);
  });
});
