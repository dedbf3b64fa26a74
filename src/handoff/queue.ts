/**
 * The handoff queue in SQLite: one open ticket per conversation, ordered by priority then age.
 * It survives restarts like the conversation state does.
 */
import { ShopbotError } from '../errors.js';
import type { SqliteDb } from '../storage/index.js';

export type TicketStatus = 'queued' | 'assigned' | 'resolved' | 'returned';

export interface Ticket {
  readonly id: string;
  readonly conversationId: string;
  readonly userId: string;
  readonly channel: string;
  readonly team: string;
  /** 0 low .. 3 urgent. */
  readonly priority: number;
  readonly reason: string;
  readonly lang: string;
  readonly status: TicketStatus;
  readonly agentId?: string;
  /** JSON: the brief for the agent (summary text, shopper data). */
  readonly summary: string;
  readonly requestedAt: number;
  readonly assignedAt?: number;
  readonly closedAt?: number;
}

interface Row {
  id: string;
  conversation_id: string;
  user_id: string;
  channel: string;
  team: string;
  priority: number;
  reason: string;
  lang: string;
  status: TicketStatus;
  agent_id: string | null;
  summary: string;
  requested_at: number;
  assigned_at: number | null;
  closed_at: number | null;
}

function toTicket(r: Row): Ticket {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    userId: r.user_id,
    channel: r.channel,
    team: r.team,
    priority: r.priority,
    reason: r.reason,
    lang: r.lang,
    status: r.status,
    summary: r.summary,
    requestedAt: r.requested_at,
    ...(r.agent_id ? { agentId: r.agent_id } : {}),
    ...(r.assigned_at !== null ? { assignedAt: r.assigned_at } : {}),
    ...(r.closed_at !== null ? { closedAt: r.closed_at } : {}),
  };
}

export class SqliteHandoffQueue {
  constructor(private readonly db: SqliteDb) {}

  async create(t: Omit<Ticket, 'status' | 'agentId' | 'assignedAt' | 'closedAt'>): Promise<Ticket> {
    this.db
      .prepare(
        `INSERT INTO handoff_tickets (id, conversation_id, user_id, channel, team, priority, reason, lang, status, agent_id, summary, requested_at, assigned_at, closed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', NULL, ?, ?, NULL, NULL)`,
      )
      .run(t.id, t.conversationId, t.userId, t.channel, t.team, t.priority, t.reason, t.lang, t.summary, t.requestedAt);
    return (await this.get(t.id))!;
  }

  async get(id: string): Promise<Ticket | undefined> {
    const r = this.db.prepare('SELECT * FROM handoff_tickets WHERE id = ?').get(id) as Row | undefined;
    return r ? toTicket(r) : undefined;
  }

  async openFor(conversationId: string): Promise<Ticket | undefined> {
    const r = this.db.prepare("SELECT * FROM handoff_tickets WHERE conversation_id = ? AND status IN ('queued', 'assigned') ORDER BY requested_at DESC LIMIT 1").get(conversationId) as Row | undefined;
    return r ? toTicket(r) : undefined;
  }

  /** 1-based place among the team's queued tickets: higher priority first, then older first. */
  async position(t: Ticket): Promise<number> {
    const row = this.db
      .prepare("SELECT COUNT(*) AS n FROM handoff_tickets WHERE status = 'queued' AND team = ? AND (priority > ? OR (priority = ? AND (requested_at < ? OR (requested_at = ? AND id < ?))))")
      .get(t.team, t.priority, t.priority, t.requestedAt, t.requestedAt, t.id) as { n: number };
    return row.n + 1;
  }

  async list(teams: readonly string[] | undefined, limit = 200): Promise<Ticket[]> {
    const rows = this.db
      .prepare("SELECT * FROM handoff_tickets WHERE status IN ('queued', 'assigned') ORDER BY status DESC, priority DESC, requested_at, id LIMIT ?")
      .all(limit) as Row[];
    return rows.map(toTicket).filter((t) => !teams || teams.includes(t.team));
  }

  async load(): Promise<Map<string, number>> {
    const rows = this.db.prepare("SELECT team, COUNT(*) AS n FROM handoff_tickets WHERE status IN ('queued', 'assigned') GROUP BY team").all() as { team: string; n: number }[];
    return new Map(rows.map((r) => [r.team, r.n]));
  }

  async assignedCount(agentId: string): Promise<number> {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM handoff_tickets WHERE status = 'assigned' AND agent_id = ?").get(agentId) as { n: number }).n;
  }

  /** Assigns a queued ticket; CONFLICT when someone else took it first. */
  async assign(id: string, agentId: string, nowMs: number): Promise<Ticket> {
    const changed = this.db.prepare("UPDATE handoff_tickets SET status = 'assigned', agent_id = ?, assigned_at = ? WHERE id = ? AND status = 'queued'").run(agentId, nowMs, id).changes;
    if (!changed) throw new ShopbotError('CONFLICT', `ticket ${id} is not waiting in the queue`);
    return (await this.get(id))!;
  }

  /** Retention: resolved and handed-back tickets (their briefs quote the shopper) closed before the cutoff. */
  async deleteClosedBefore(cutoffMs: number): Promise<number> {
    return this.db.prepare("DELETE FROM handoff_tickets WHERE status IN ('resolved', 'returned') AND closed_at < ?").run(cutoffMs).changes;
  }

  /** A forget request: every ticket of the user, open ones too (their conversation is deleted with them). */
  async deleteUser(userId: string): Promise<number> {
    return this.db.prepare('DELETE FROM handoff_tickets WHERE user_id = ?').run(userId).changes;
  }

  async close(id: string, status: 'resolved' | 'returned', nowMs: number): Promise<Ticket> {
    const changed = this.db.prepare("UPDATE handoff_tickets SET status = ?, closed_at = ? WHERE id = ? AND status IN ('queued', 'assigned')").run(status, nowMs, id).changes;
    if (!changed) throw new ShopbotError('CONFLICT', `ticket ${id} is already closed`);
    return (await this.get(id))!;
  }
}
