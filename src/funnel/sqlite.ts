import type { SqliteDb } from '../storage/index.js';
import { FunnelEventSchema, FUNNEL_STAGES, type FunnelEvent, type FunnelEventInput, type FunnelEventType } from './events.js';
import type { FunnelQuery, FunnelStore, StageRow } from './types.js';

function whereOf(q: Omit<FunnelQuery, 'limit'>): { where: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (q.types?.length) {
    where.push(`type IN (${q.types.map((_, i) => `@t${i}`).join(',')})`);
    q.types.forEach((t, i) => (params[`t${i}`] = t));
  }
  if (q.fromTs !== undefined) (where.push('ts >= @fromTs'), (params.fromTs = q.fromTs));
  if (q.toTs !== undefined) (where.push('ts < @toTs'), (params.toTs = q.toTs));
  if (q.conversationId !== undefined) (where.push('conversation_id = @cid'), (params.cid = q.conversationId));
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** Funnel events in the embedded SQLite database. `INSERT OR IGNORE` on the idempotency key. */
export class SqliteFunnelStore implements FunnelStore {
  private readonly insert;
  constructor(private readonly db: SqliteDb) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO funnel_events (id, type, ts, channel, conversation_id, user_id, product_id, data)
       VALUES (@id, @type, @ts, @channel, @conversationId, @userId, @productId, @data)`,
    );
  }

  async append(events: readonly FunnelEventInput[]): Promise<number> {
    return this.appendWith(events.map((e) => FunnelEventSchema.parse(e)), []);
  }

  async appendValidated(events: readonly FunnelEvent[]): Promise<number> {
    return this.appendWith(events, []);
  }

  async appendWith(events: readonly FunnelEvent[], alongside: readonly (() => void)[]): Promise<number> {
    const run = this.db.transaction((rows: readonly FunnelEvent[]) => {
      for (const write of alongside) write();
      let added = 0;
      for (const e of rows) {
        added += this.insert.run({
          id: e.id,
          type: e.type,
          ts: e.ts,
          channel: e.channel,
          conversationId: e.conversationId ?? null,
          userId: e.userId ?? null,
          productId: 'productId' in e ? e.productId : null,
          data: JSON.stringify(e),
        }).changes;
      }
      return added;
    });
    return run(events);
  }

  async *query(q: FunnelQuery): AsyncIterable<FunnelEvent> {
    const { where, params } = whereOf(q);
    const sql = `SELECT data FROM funnel_events ${where} ORDER BY ts, rowid ${q.limit ? 'LIMIT @limit' : ''}`;
    for (const row of this.db.prepare(sql).iterate(q.limit ? { ...params, limit: q.limit } : params) as Iterable<{ data: string }>) {
      yield JSON.parse(row.data) as FunnelEvent;
    }
  }

  async count(q: Omit<FunnelQuery, 'limit'>): Promise<number> {
    const { where, params } = whereOf(q);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM funnel_events ${where}`).get(params) as { n: number }).n;
  }

  async stages(q: { fromTs?: number; toTs?: number }): Promise<StageRow[]> {
    const rows = this.db
      .prepare(
        `SELECT strftime('%Y-%m-%d', ts / 1000, 'unixepoch') AS day, channel, type, COUNT(*) AS n,
                SUM(CASE WHEN type = 'purchase' THEN json_extract(data, '$.revenueCents') ELSE 0 END) AS revenue
         FROM funnel_events WHERE ts >= @from AND ts < @to AND type IN (${FUNNEL_STAGES.map((s) => `'${s}'`).join(',')})
         GROUP BY day, channel, type ORDER BY day, channel`,
      )
      .all({ from: q.fromTs ?? 0, to: q.toTs ?? Number.MAX_SAFE_INTEGER }) as { day: string; channel: string; type: string; n: number; revenue: number }[];
    const byKey = new Map<string, { day: string; channel: string; counts: Record<string, number>; revenueCents: number }>();
    for (const r of rows) {
      const key = `${r.day}\u0000${r.channel}`;
      const row = byKey.get(key) ?? { day: r.day, channel: r.channel, counts: Object.fromEntries(FUNNEL_STAGES.map((s) => [s, 0])), revenueCents: 0 };
      row.counts[r.type] = r.n;
      row.revenueCents += r.revenue ?? 0;
      byKey.set(key, row);
    }
    return [...byKey.values()];
  }

  async rememberNonce(signature: string, nowMs: number, toleranceMs: number): Promise<boolean> {
    // seen_at holds when the row may be forgotten (see FunnelStore.rememberNonce).
    this.db.prepare('DELETE FROM webhook_nonces WHERE seen_at < ?').run(nowMs);
    return this.db.prepare('INSERT OR IGNORE INTO webhook_nonces (signature, seen_at) VALUES (?, ?)').run(signature, nowMs + 2 * toleranceMs).changes === 1;
  }

  async deleteBefore(cutoffMs: number, types: readonly FunnelEventType[]): Promise<number> {
    if (types.length === 0) return 0;
    return this.db.prepare(`DELETE FROM funnel_events WHERE ts < ? AND type IN (${types.map(() => '?').join(',')})`).run(cutoffMs, ...types).changes;
  }

  async deleteUser(userId: string): Promise<number> {
    return this.db.prepare('DELETE FROM funnel_events WHERE user_id = ?').run(userId).changes;
  }

  async close(): Promise<void> {
    // The database handle is owned by the app, which closes it last.
  }
}
