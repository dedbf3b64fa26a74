/**
 * The handoff queue: one open ticket per conversation, ordered by priority then age, with what
 * agents add to it (internal notes, tags, snooze, transfers, the resolution) and the mapping of a
 * conversation to its Slack/Teams thread. SQLite here (embedded); PostgreSQL in postgres-queue.ts,
 * chosen by storage.backend. Both survive restarts and are shared by every server on the database.
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
  /** The routing topic (billing, shipping, ...): src/handoff/routing.ts. */
  readonly topic?: string;
  readonly tags: readonly string[];
  /** Hidden from the queue until then (a snoozed ticket keeps its holder). */
  readonly snoozedUntil?: number;
  /** The first agent reply to the shopper: the first-response service level stops here. */
  readonly firstResponseAt?: number;
  /** Why it was resolved (resolved tickets only). */
  readonly resolution?: string;
  /** Service-level targets already alerted on ('first_response', 'resolution'). */
  readonly breachAlerted: readonly string[];
}

export interface TicketNote {
  readonly id: string;
  readonly ticketId: string;
  readonly conversationId: string;
  readonly agentId: string;
  readonly text: string;
  readonly ts: number;
}

export type NewTicket = Omit<Ticket, 'status' | 'agentId' | 'assignedAt' | 'closedAt' | 'tags' | 'snoozedUntil' | 'firstResponseAt' | 'resolution' | 'breachAlerted'>;

/** Which support thread belongs to which conversation, for one desk (the shape channels/shared's ThreadDirectory asks for). */
export interface ThreadStore {
  set(conversationId: string, threadRef: string): Promise<void>;
  byConversation(conversationId: string): Promise<string | undefined>;
  byThread(threadRef: string): Promise<string | undefined>;
  remove(conversationId: string): Promise<void>;
}

export interface HandoffQueue {
  create(t: NewTicket): Promise<Ticket>;
  get(id: string): Promise<Ticket | undefined>;
  openFor(conversationId: string): Promise<Ticket | undefined>;
  position(t: Ticket): Promise<number>;
  /** Open tickets of the teams (all teams when undefined): assigned first, then by priority and age. */
  list(teams: readonly string[] | undefined, limit?: number): Promise<Ticket[]>;
  load(): Promise<Map<string, number>>;
  assignedCount(agentId: string): Promise<number>;
  assign(id: string, agentId: string, nowMs: number): Promise<Ticket>;
  close(id: string, status: 'resolved' | 'returned', nowMs: number, resolution?: string): Promise<Ticket>;
  /** To another team (back in its queue, no holder) or to another agent of any team (assigned to them). */
  transfer(id: string, to: { team: string } | { agentId: string; team?: string }, nowMs: number): Promise<Ticket>;
  setTags(id: string, tags: readonly string[]): Promise<Ticket>;
  snooze(id: string, untilMs: number | undefined): Promise<Ticket>;
  markFirstResponse(id: string, nowMs: number): Promise<void>;
  markBreachAlerted(id: string, kind: string): Promise<boolean>;
  addNote(note: TicketNote & { userId: string }): Promise<void>;
  notes(ticketId: string): Promise<TicketNote[]>;
  threads(desk: string): ThreadStore;
  deleteClosedBefore(cutoffMs: number): Promise<number>;
  deleteUser(userId: string): Promise<number>;
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
  topic: string | null;
  tags: string;
  snoozed_until: number | null;
  first_response_at: number | null;
  resolution: string | null;
  breach_alerted: string;
}

const jsonList = (s: string): string[] => {
  const v: unknown = JSON.parse(s);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
};
const num = (v: number | string | null): number | undefined => (v === null ? undefined : Number(v));

/** A database row (SQLite or PostgreSQL: BIGINT columns arrive as strings there) as a Ticket. */
export function toTicket(r: Row | PgRow): Ticket {
  const assignedAt = num(r.assigned_at);
  const closedAt = num(r.closed_at);
  const snoozedUntil = num(r.snoozed_until);
  const firstResponseAt = num(r.first_response_at);
  return {
    id: r.id,
    conversationId: r.conversation_id,
    userId: r.user_id,
    channel: r.channel,
    team: r.team,
    priority: Number(r.priority),
    reason: r.reason,
    lang: r.lang,
    status: r.status,
    summary: r.summary,
    requestedAt: Number(r.requested_at),
    tags: jsonList(r.tags),
    breachAlerted: jsonList(r.breach_alerted),
    ...(r.agent_id ? { agentId: r.agent_id } : {}),
    ...(assignedAt !== undefined ? { assignedAt } : {}),
    ...(closedAt !== undefined ? { closedAt } : {}),
    ...(r.topic ? { topic: r.topic } : {}),
    ...(snoozedUntil !== undefined ? { snoozedUntil } : {}),
    ...(firstResponseAt !== undefined ? { firstResponseAt } : {}),
    ...(r.resolution ? { resolution: r.resolution } : {}),
  };
}

/** The same row from PostgreSQL, where BIGINT arrives as a string. */
export type PgRow = { [K in keyof Row]: Row[K] extends number ? number | string : Row[K] extends number | null ? number | string | null : Row[K] };

export const toNote = (r: { id: string; ticket_id: string; conversation_id: string; agent_id: string; text: string; ts: number | string }): TicketNote => ({
  id: r.id,
  ticketId: r.ticket_id,
  conversationId: r.conversation_id,
  agentId: r.agent_id,
  text: r.text,
  ts: Number(r.ts),
});

/** The tags a ticket may carry: trimmed, lower-cased, deduplicated, at most 20 of 40 characters. */
export function cleanTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase().slice(0, 40)).filter((t) => /^[\p{L}\p{N}_ -]+$/u.test(t)))].slice(0, 20);
}

export class SqliteHandoffQueue implements HandoffQueue {
  constructor(private readonly db: SqliteDb) {}

  async create(t: NewTicket): Promise<Ticket> {
    this.db
      .prepare(
        `INSERT INTO handoff_tickets (id, conversation_id, user_id, channel, team, priority, reason, lang, status, agent_id, summary, requested_at, assigned_at, closed_at, topic)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', NULL, ?, ?, NULL, NULL, ?)`,
      )
      .run(t.id, t.conversationId, t.userId, t.channel, t.team, t.priority, t.reason, t.lang, t.summary, t.requestedAt, t.topic ?? null);
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
    this.db.prepare("DELETE FROM handoff_notes WHERE ticket_id IN (SELECT id FROM handoff_tickets WHERE status IN ('resolved', 'returned') AND closed_at < ?)").run(cutoffMs);
    return this.db.prepare("DELETE FROM handoff_tickets WHERE status IN ('resolved', 'returned') AND closed_at < ?").run(cutoffMs).changes;
  }

  /** A forget request: every ticket of the user, open ones too (their conversation is deleted with them). */
  async deleteUser(userId: string): Promise<number> {
    this.db.prepare('DELETE FROM handoff_notes WHERE user_id = ?').run(userId);
    return this.db.prepare('DELETE FROM handoff_tickets WHERE user_id = ?').run(userId).changes;
  }

  async close(id: string, status: 'resolved' | 'returned', nowMs: number, resolution?: string): Promise<Ticket> {
    const changed = this.db.prepare("UPDATE handoff_tickets SET status = ?, closed_at = ?, resolution = ? WHERE id = ? AND status IN ('queued', 'assigned')").run(status, nowMs, resolution ?? null, id).changes;
    if (!changed) throw new ShopbotError('CONFLICT', `ticket ${id} is already closed`);
    return (await this.get(id))!;
  }

  async transfer(id: string, to: { team: string } | { agentId: string; team?: string }, nowMs: number): Promise<Ticket> {
    const changed =
      'agentId' in to
        ? this.db.prepare("UPDATE handoff_tickets SET status = 'assigned', agent_id = ?, team = COALESCE(?, team), assigned_at = ?, snoozed_until = NULL WHERE id = ? AND status IN ('queued', 'assigned')").run(to.agentId, to.team ?? null, nowMs, id).changes
        : this.db.prepare("UPDATE handoff_tickets SET status = 'queued', agent_id = NULL, team = ?, assigned_at = NULL, snoozed_until = NULL WHERE id = ? AND status IN ('queued', 'assigned')").run(to.team, id).changes;
    if (!changed) throw new ShopbotError('CONFLICT', `ticket ${id} is closed`);
    return (await this.get(id))!;
  }

  async setTags(id: string, tags: readonly string[]): Promise<Ticket> {
    this.db.prepare('UPDATE handoff_tickets SET tags = ? WHERE id = ?').run(JSON.stringify(cleanTags(tags)), id);
    return this.mustGet(id);
  }

  async snooze(id: string, untilMs: number | undefined): Promise<Ticket> {
    this.db.prepare('UPDATE handoff_tickets SET snoozed_until = ? WHERE id = ?').run(untilMs ?? null, id);
    return this.mustGet(id);
  }

  async markFirstResponse(id: string, nowMs: number): Promise<void> {
    this.db.prepare('UPDATE handoff_tickets SET first_response_at = ? WHERE id = ? AND first_response_at IS NULL').run(nowMs, id);
  }

  /** True for the caller that records the alert first (one alert per target, across servers). */
  async markBreachAlerted(id: string, kind: string): Promise<boolean> {
    return this.db.transaction(() => {
      const r = this.db.prepare('SELECT breach_alerted FROM handoff_tickets WHERE id = ?').get(id) as { breach_alerted: string } | undefined;
      if (!r) return false;
      const done = jsonList(r.breach_alerted);
      if (done.includes(kind)) return false;
      this.db.prepare('UPDATE handoff_tickets SET breach_alerted = ? WHERE id = ?').run(JSON.stringify([...done, kind]), id);
      return true;
    })();
  }

  async addNote(n: TicketNote & { userId: string }): Promise<void> {
    this.db.prepare('INSERT INTO handoff_notes (id, ticket_id, conversation_id, user_id, agent_id, text, ts) VALUES (?, ?, ?, ?, ?, ?, ?)').run(n.id, n.ticketId, n.conversationId, n.userId, n.agentId, n.text, n.ts);
  }

  async notes(ticketId: string): Promise<TicketNote[]> {
    return (this.db.prepare('SELECT * FROM handoff_notes WHERE ticket_id = ? ORDER BY ts, id LIMIT 500').all(ticketId) as Parameters<typeof toNote>[0][]).map(toNote);
  }

  threads(desk: string): ThreadStore {
    const db = this.db;
    return {
      async set(conversationId, threadRef) {
        db.prepare('INSERT INTO handoff_threads (desk, conversation_id, thread_ref, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (desk, conversation_id) DO UPDATE SET thread_ref = excluded.thread_ref, created_at = excluded.created_at').run(desk, conversationId, threadRef, Date.now());
      },
      async byConversation(conversationId) {
        return (db.prepare('SELECT thread_ref FROM handoff_threads WHERE desk = ? AND conversation_id = ?').get(desk, conversationId) as { thread_ref: string } | undefined)?.thread_ref;
      },
      async byThread(threadRef) {
        return (db.prepare('SELECT conversation_id FROM handoff_threads WHERE desk = ? AND thread_ref = ?').get(desk, threadRef) as { conversation_id: string } | undefined)?.conversation_id;
      },
      async remove(conversationId) {
        db.prepare('DELETE FROM handoff_threads WHERE desk = ? AND conversation_id = ?').run(desk, conversationId);
      },
    };
  }

  private async mustGet(id: string): Promise<Ticket> {
    const t = await this.get(id);
    if (!t) throw new ShopbotError('NOT_FOUND', `no ticket ${id}`);
    return t;
  }
}
