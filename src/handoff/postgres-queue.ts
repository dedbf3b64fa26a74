/**
 * The handoff queue in PostgreSQL (storage.backend = postgres), for several servers sharing one
 * desk: the same contract as SqliteHandoffQueue (queue.ts), with the state changes made by single
 * conditional UPDATEs so two servers cannot both take one ticket.
 */
import pg from 'pg';
import { pgEnsureSchema } from '../storage/index.js';
import { ShopbotError } from '../errors.js';
import { cleanTags, toNote, toTicket, type HandoffQueue, type NewTicket, type PgRow, type ThreadStore, type Ticket, type TicketNote } from './queue.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS handoff_tickets (
  id                 TEXT PRIMARY KEY,
  conversation_id    TEXT NOT NULL,
  user_id            TEXT NOT NULL,
  channel            TEXT NOT NULL,
  team               TEXT NOT NULL,
  priority           INTEGER NOT NULL,
  reason             TEXT NOT NULL,
  lang               TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('queued', 'assigned', 'resolved', 'returned')),
  agent_id           TEXT,
  summary            TEXT NOT NULL,
  requested_at       BIGINT NOT NULL,
  assigned_at        BIGINT,
  closed_at          BIGINT,
  topic              TEXT,
  tags               TEXT NOT NULL DEFAULT '[]',
  snoozed_until      BIGINT,
  first_response_at  BIGINT,
  resolution         TEXT,
  breach_alerted     TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS handoff_tickets_open ON handoff_tickets (status, team, priority, requested_at);
CREATE INDEX IF NOT EXISTS handoff_tickets_conversation ON handoff_tickets (conversation_id, status);
CREATE TABLE IF NOT EXISTS handoff_notes (
  id               TEXT PRIMARY KEY,
  ticket_id        TEXT NOT NULL,
  conversation_id  TEXT NOT NULL,
  user_id          TEXT NOT NULL,
  agent_id         TEXT NOT NULL,
  text             TEXT NOT NULL,
  ts               BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS handoff_notes_ticket ON handoff_notes (ticket_id, ts);
CREATE TABLE IF NOT EXISTS handoff_threads (
  desk             TEXT NOT NULL,
  conversation_id  TEXT NOT NULL,
  thread_ref       TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  PRIMARY KEY (desk, conversation_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS handoff_threads_ref ON handoff_threads (desk, thread_ref);
`;

const OPEN = "status IN ('queued', 'assigned')";

export class PostgresHandoffQueue implements HandoffQueue {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
  ) {}

  static async open(options: { url?: string; pool?: pg.Pool }): Promise<PostgresHandoffQueue> {
    const pool = options.pool ?? new pg.Pool({ connectionString: options.url, max: 5 });
    await pgEnsureSchema(pool, 7246017, SCHEMA);
    return new PostgresHandoffQueue(pool, !options.pool);
  }

  private async one(sql: string, params: unknown[]): Promise<Ticket | undefined> {
    const r = await this.pool.query<PgRow>(sql, params);
    return r.rows[0] ? toTicket(r.rows[0]) : undefined;
  }

  private async changed(sql: string, params: unknown[], conflict: string): Promise<Ticket> {
    const t = await this.one(`${sql} RETURNING *`, params);
    if (!t) throw new ShopbotError('CONFLICT', conflict);
    return t;
  }

  async create(t: NewTicket): Promise<Ticket> {
    return (await this.one(
      `INSERT INTO handoff_tickets (id, conversation_id, user_id, channel, team, priority, reason, lang, status, summary, requested_at, topic)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10, $11) RETURNING *`,
      [t.id, t.conversationId, t.userId, t.channel, t.team, t.priority, t.reason, t.lang, t.summary, t.requestedAt, t.topic ?? null],
    ))!;
  }

  get(id: string): Promise<Ticket | undefined> {
    return this.one('SELECT * FROM handoff_tickets WHERE id = $1', [id]);
  }

  openFor(conversationId: string): Promise<Ticket | undefined> {
    return this.one(`SELECT * FROM handoff_tickets WHERE conversation_id = $1 AND ${OPEN} ORDER BY requested_at DESC LIMIT 1`, [conversationId]);
  }

  async position(t: Ticket): Promise<number> {
    const r = await this.pool.query<{ n: string }>(
      "SELECT COUNT(*) AS n FROM handoff_tickets WHERE status = 'queued' AND team = $1 AND (priority > $2 OR (priority = $2 AND (requested_at < $3 OR (requested_at = $3 AND id < $4))))",
      [t.team, t.priority, t.requestedAt, t.id],
    );
    return Number(r.rows[0]!.n) + 1;
  }

  async list(teams: readonly string[] | undefined, limit = 200): Promise<Ticket[]> {
    const r = await this.pool.query<PgRow>(`SELECT * FROM handoff_tickets WHERE ${OPEN} ORDER BY status DESC, priority DESC, requested_at, id LIMIT $1`, [limit]);
    return r.rows.map(toTicket).filter((t) => !teams || teams.includes(t.team));
  }

  async load(): Promise<Map<string, number>> {
    const r = await this.pool.query<{ team: string; n: string }>(`SELECT team, COUNT(*) AS n FROM handoff_tickets WHERE ${OPEN} GROUP BY team`);
    return new Map(r.rows.map((x) => [x.team, Number(x.n)]));
  }

  async assignedCount(agentId: string): Promise<number> {
    const r = await this.pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM handoff_tickets WHERE status = 'assigned' AND agent_id = $1", [agentId]);
    return Number(r.rows[0]!.n);
  }

  assign(id: string, agentId: string, nowMs: number): Promise<Ticket> {
    return this.changed("UPDATE handoff_tickets SET status = 'assigned', agent_id = $1, assigned_at = $2 WHERE id = $3 AND status = 'queued'", [agentId, nowMs, id], `ticket ${id} is not waiting in the queue`);
  }

  close(id: string, status: 'resolved' | 'returned', nowMs: number, resolution?: string): Promise<Ticket> {
    return this.changed(`UPDATE handoff_tickets SET status = $1, closed_at = $2, resolution = $3 WHERE id = $4 AND ${OPEN}`, [status, nowMs, resolution ?? null, id], `ticket ${id} is already closed`);
  }

  transfer(id: string, to: { team: string } | { agentId: string; team?: string }, nowMs: number): Promise<Ticket> {
    return 'agentId' in to
      ? this.changed(`UPDATE handoff_tickets SET status = 'assigned', agent_id = $1, team = COALESCE($2, team), assigned_at = $3, snoozed_until = NULL WHERE id = $4 AND ${OPEN}`, [to.agentId, to.team ?? null, nowMs, id], `ticket ${id} is closed`)
      : this.changed(`UPDATE handoff_tickets SET status = 'queued', agent_id = NULL, team = $1, assigned_at = NULL, snoozed_until = NULL WHERE id = $2 AND ${OPEN}`, [to.team, id], `ticket ${id} is closed`);
  }

  async setTags(id: string, tags: readonly string[]): Promise<Ticket> {
    return this.changed('UPDATE handoff_tickets SET tags = $1 WHERE id = $2', [JSON.stringify(cleanTags(tags)), id], `no ticket ${id}`);
  }

  async snooze(id: string, untilMs: number | undefined): Promise<Ticket> {
    return this.changed('UPDATE handoff_tickets SET snoozed_until = $1 WHERE id = $2', [untilMs ?? null, id], `no ticket ${id}`);
  }

  async markFirstResponse(id: string, nowMs: number): Promise<void> {
    await this.pool.query('UPDATE handoff_tickets SET first_response_at = $1 WHERE id = $2 AND first_response_at IS NULL', [nowMs, id]);
  }

  async markBreachAlerted(id: string, kind: string): Promise<boolean> {
    // One statement, so two servers checking the same breach record it once.
    const r = await this.pool.query(
      `UPDATE handoff_tickets SET breach_alerted = (breach_alerted::jsonb || to_jsonb($1::text))::text WHERE id = $2 AND NOT (breach_alerted::jsonb ? $1)`,
      [kind, id],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async addNote(n: TicketNote & { userId: string }): Promise<void> {
    await this.pool.query('INSERT INTO handoff_notes (id, ticket_id, conversation_id, user_id, agent_id, text, ts) VALUES ($1, $2, $3, $4, $5, $6, $7)', [n.id, n.ticketId, n.conversationId, n.userId, n.agentId, n.text, n.ts]);
  }

  async notes(ticketId: string): Promise<TicketNote[]> {
    const r = await this.pool.query('SELECT * FROM handoff_notes WHERE ticket_id = $1 ORDER BY ts, id LIMIT 500', [ticketId]);
    return r.rows.map(toNote);
  }

  threads(desk: string): ThreadStore {
    const pool = this.pool;
    return {
      async set(conversationId, threadRef) {
        await pool.query(
          'INSERT INTO handoff_threads (desk, conversation_id, thread_ref, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (desk, conversation_id) DO UPDATE SET thread_ref = EXCLUDED.thread_ref, created_at = EXCLUDED.created_at',
          [desk, conversationId, threadRef, Date.now()],
        );
      },
      async byConversation(conversationId) {
        return (await pool.query<{ thread_ref: string }>('SELECT thread_ref FROM handoff_threads WHERE desk = $1 AND conversation_id = $2', [desk, conversationId])).rows[0]?.thread_ref;
      },
      async byThread(threadRef) {
        return (await pool.query<{ conversation_id: string }>('SELECT conversation_id FROM handoff_threads WHERE desk = $1 AND thread_ref = $2', [desk, threadRef])).rows[0]?.conversation_id;
      },
      async remove(conversationId) {
        await pool.query('DELETE FROM handoff_threads WHERE desk = $1 AND conversation_id = $2', [desk, conversationId]);
      },
    };
  }

  async deleteClosedBefore(cutoffMs: number): Promise<number> {
    await this.pool.query("DELETE FROM handoff_notes WHERE ticket_id IN (SELECT id FROM handoff_tickets WHERE status IN ('resolved', 'returned') AND closed_at < $1)", [cutoffMs]);
    return (await this.pool.query("DELETE FROM handoff_tickets WHERE status IN ('resolved', 'returned') AND closed_at < $1", [cutoffMs])).rowCount ?? 0;
  }

  async deleteUser(userId: string): Promise<number> {
    await this.pool.query('DELETE FROM handoff_notes WHERE user_id = $1', [userId]);
    return (await this.pool.query('DELETE FROM handoff_tickets WHERE user_id = $1', [userId])).rowCount ?? 0;
  }

  async end(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
