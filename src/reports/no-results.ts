/** The most frequent shopper searches that found nothing: catalog gaps a merchant can fill. */
import type { FunnelEvent, FunnelReader } from '../funnel/index.js';
import type { Period } from './period.js';

export interface NoResultQuery {
  readonly query: string;
  readonly count: number;
  readonly lastTs: number;
}

export function normalizeQuery(q: string): string {
  return q.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ').slice(0, 200);
}

export function topNoResultQueries(events: Iterable<FunnelEvent>, limit = 10): NoResultQuery[] {
  const byQuery = new Map<string, { count: number; lastTs: number }>();
  for (const e of events) {
    if (e.type !== 'search' || e.results !== 0) continue;
    const q = normalizeQuery(e.query);
    if (!q) continue;
    const prev = byQuery.get(q) ?? { count: 0, lastTs: 0 };
    byQuery.set(q, { count: prev.count + 1, lastTs: Math.max(prev.lastTs, e.ts) });
  }
  return [...byQuery.entries()]
    .map(([query, v]) => ({ query, ...v }))
    .sort((a, b) => b.count - a.count || b.lastTs - a.lastTs || a.query.localeCompare(b.query))
    .slice(0, limit);
}

export async function computeNoResultQueries(store: FunnelReader, period: Period, limit = 10): Promise<NoResultQuery[]> {
  const events: FunnelEvent[] = [];
  for await (const e of store.query({ types: ['search'], fromTs: period.fromTs, toTs: period.toTs })) {
    if (e.type === 'search' && e.results === 0) events.push(e);
  }
  return topNoResultQueries(events, limit);
}
