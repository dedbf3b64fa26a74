/**
 * Funnel events in PostgreSQL, for several server processes writing one log. Same contract as the
 * SQLite engine: the idempotency key is the primary key (ON CONFLICT DO NOTHING).
 */
import pg from 'pg';
import { pgEnsureSchema } from '../storage/index.js';
import { FunnelEventSchema, FUNNEL_STAGES, type FunnelEvent, type FunnelEventInput, type FunnelEventType } from './events.js';
import type { FunnelQuery, FunnelStore, StageRow } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS funnel_events (
  id               TEXT PRIMARY KEY,
  type             TEXT NOT NULL,
  ts               BIGINT NOT NULL,
  channel          TEXT NOT NULL,
  conversation_id  TEXT,
  user_id          TEXT,
  product_id       TEXT,
  data             JSONB NOT NULL
);
CREATE INDEX IF NOT EXISTS funnel_events_type_ts ON funnel_events (type, ts);
CREATE INDEX IF NOT EXISTS funnel_events_conversation ON funnel_events (conversation_id);
CREATE INDEX IF NOT EXISTS funnel_events_user ON funnel_events (user_id);
CREATE TABLE IF NOT EXISTS webhook_nonces (signature TEXT PRIMARY KEY, seen_at BIGINT NOT NULL);
`;

/** Rows fetched per round trip when replaying the log. */
const PAGE = 5000;

function whereOf(q: Omit<FunnelQuery, 'limit'>): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => (params.push(v), `$${params.length}`);
  if (q.types?.length) where.push(`type = ANY(${p(q.types)})`);
  if (q.fromTs !== undefined) where.push(`ts >= ${p(q.fromTs)}`);
  if (q.toTs !== undefined) where.push(`ts < ${p(q.toTs)}`);
  if (q.conversationId !== undefined) where.push(`conversation_id = ${p(q.conversationId)}`);
  return { where, params };
}

export class PostgresFunnelStore implements FunnelStore {
  private constructor(private readonly pool: pg.Pool, private readonly ownsPool: boolean) {}

  static async open(options: { url?: string; pool?: pg.Pool }): Promise<PostgresFunnelStore> {
    const pool = options.pool ?? new pg.Pool({ connectionString: options.url, max: 5 });
    await pgEnsureSchema(pool, 7246001, SCHEMA);
    return new PostgresFunnelStore(pool, !options.pool);
  }

  async append(events: readonly FunnelEventInput[]): Promise<number> {
    return this.appendValidated(events.map((e) => FunnelEventSchema.parse(e)));
  }

  async appendValidated(parsed: readonly FunnelEvent[]): Promise<number> {
    if (parsed.length === 0) return 0;
    const values: unknown[] = [];
    const rows = parsed.map((e, i) => {
      values.push(e.id, e.type, e.ts, e.channel, e.conversationId ?? null, e.userId ?? null, 'productId' in e ? e.productId : null, JSON.stringify(e));
      const o = i * 8;
      return `($${o + 1},$${o + 2},$${o + 3},$${o + 4},$${o + 5},$${o + 6},$${o + 7},$${o + 8})`;
    });
    const r = await this.pool.query(
      `INSERT INTO funnel_events (id, type, ts, channel, conversation_id, user_id, product_id, data) VALUES ${rows.join(',')} ON CONFLICT (id) DO NOTHING`,
      values,
    );
    return r.rowCount ?? 0;
  }

  async *query(q: FunnelQuery): AsyncIterable<FunnelEvent> {
    const { where, params } = whereOf(q);
    let remaining = q.limit ?? Number.POSITIVE_INFINITY;
    let after: [number, string] | undefined;
    // Keyset pagination on (ts, id): constant memory however long the log is.
    while (remaining > 0) {
      const local = [...params];
      const conds = [...where];
      if (after) {
        local.push(after[0], after[1]);
        conds.push(`(ts, id) > ($${local.length - 1}, $${local.length})`);
      }
      local.push(Math.min(PAGE, remaining));
      const sql = `SELECT ts, id, data FROM funnel_events ${conds.length ? 'WHERE ' + conds.join(' AND ') : ''} ORDER BY ts, id LIMIT $${local.length}`;
      const { rows } = await this.pool.query<{ ts: string; id: string; data: FunnelEvent }>(sql, local);
      for (const row of rows) yield row.data;
      if (rows.length < Math.min(PAGE, remaining)) return;
      remaining -= rows.length;
      const last = rows[rows.length - 1]!;
      after = [Number(last.ts), last.id];
    }
  }

  async count(q: Omit<FunnelQuery, 'limit'>): Promise<number> {
    const { where, params } = whereOf(q);
    const { rows } = await this.pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM funnel_events ${where.length ? 'WHERE ' + where.join(' AND ') : ''}`, params);
    return Number(rows[0]?.n ?? 0);
  }

  async stages(q: { fromTs?: number; toTs?: number }): Promise<StageRow[]> {
    const { rows } = await this.pool.query<{ day: string; channel: string; type: string; n: string; revenue: string | null }>(
      `SELECT to_char(to_timestamp(ts / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, channel, type, COUNT(*) AS n,
              SUM(CASE WHEN type = 'purchase' THEN (data->>'revenueCents')::bigint ELSE 0 END) AS revenue
       FROM funnel_events WHERE ts >= $1 AND ts < $2 AND type = ANY($3)
       GROUP BY day, channel, type ORDER BY day, channel`,
      [q.fromTs ?? 0, q.toTs ?? Number.MAX_SAFE_INTEGER, FUNNEL_STAGES],
    );
    const byKey = new Map<string, { day: string; channel: string; counts: Record<string, number>; revenueCents: number }>();
    for (const r of rows) {
      const key = `${r.day}\u0000${r.channel}`;
      const row = byKey.get(key) ?? { day: r.day, channel: r.channel, counts: Object.fromEntries(FUNNEL_STAGES.map((s) => [s, 0])), revenueCents: 0 };
      row.counts[r.type] = Number(r.n);
      row.revenueCents += Number(r.revenue ?? 0);
      byKey.set(key, row);
    }
    return [...byKey.values()];
  }

  async rememberNonce(signature: string, nowMs: number, toleranceMs: number): Promise<boolean> {
    // seen_at holds when the row may be forgotten (see FunnelStore.rememberNonce).
    await this.pool.query('DELETE FROM webhook_nonces WHERE seen_at < $1', [nowMs]);
    const r = await this.pool.query('INSERT INTO webhook_nonces (signature, seen_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [signature, nowMs + 2 * toleranceMs]);
    return r.rowCount === 1;
  }

  async deleteBefore(cutoffMs: number, types: readonly FunnelEventType[]): Promise<number> {
    if (types.length === 0) return 0;
    return (await this.pool.query('DELETE FROM funnel_events WHERE ts < $1 AND type = ANY($2)', [cutoffMs, types])).rowCount ?? 0;
  }

  async deleteUser(userId: string): Promise<number> {
    return (await this.pool.query('DELETE FROM funnel_events WHERE user_id = $1', [userId])).rowCount ?? 0;
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
