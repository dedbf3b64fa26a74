import type { SqliteDb } from '../storage/index.js';
import { ConversationStateSchema, type ConversationState, type ConversationsDeleted, type StateStore, type TranscriptRow } from './state.js';

// A conversation saved long ago can still be live: while an agent owns it, shopper messages are appended without a save.
const INACTIVE = `SELECT id FROM conversations c WHERE c.updated_at < @cutoff AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.ts >= @cutoff)`;

export class SqliteStateStore implements StateStore {
  // Prepared once: compiling SQL on every turn's load, save and append was a measurable share of a turn.
  private readonly statements;
  private readonly appendRows;

  constructor(private readonly db: SqliteDb) {
    this.statements = {
      load: db.prepare<[string], { state: string }>('SELECT state FROM conversations WHERE id = ?'),
      save: db.prepare(
        `INSERT INTO conversations (id, user_id, channel, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      ),
      insertMessage: db.prepare('INSERT INTO messages (conversation_id, role, text, payload, ts) VALUES (?, ?, ?, ?, ?)'),
      transcript: db.prepare<[string, number], { role: TranscriptRow['role']; text: string; payload: string | null; ts: number }>(
        'SELECT role, text, payload, ts FROM (SELECT seq, role, text, payload, ts FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq',
      ),
    };
    this.appendRows = db.transaction((conversationId: string, rows: readonly TranscriptRow[]) => {
      for (const r of rows) this.statements.insertMessage.run(conversationId, r.role, r.text, r.payload === undefined ? null : JSON.stringify(r.payload), r.ts);
    });
  }

  async load(conversationId: string): Promise<ConversationState | undefined> {
    const row = this.statements.load.get(conversationId);
    return row ? ConversationStateSchema.parse(JSON.parse(row.state)) : undefined;
  }

  async save(state: ConversationState, nowMs: number): Promise<void> {
    this.statements.save.run(state.conversationId, state.userId, state.channel, JSON.stringify(state), nowMs, nowMs);
  }

  /**
   * A turn's state (when it changed) and transcript rows, as one synchronous write for a caller's
   * transaction on the same database (the funnel writer's, so the turn's events commit with them).
   */
  turnWrite(conversationId: string, state: ConversationState | undefined, nowMs: number, rows: readonly TranscriptRow[]): () => void {
    const json = state ? JSON.stringify(state) : undefined;
    return () => {
      if (state) this.statements.save.run(state.conversationId, state.userId, state.channel, json, nowMs, nowMs);
      this.appendRows(conversationId, rows);
    };
  }

  async appendTranscript(conversationId: string, rows: readonly TranscriptRow[]): Promise<void> {
    this.appendRows(conversationId, rows);
  }

  async transcript(conversationId: string, limit = 200): Promise<TranscriptRow[]> {
    const rows = this.statements.transcript.all(conversationId, limit);
    return rows.map((r) => ({ role: r.role, text: r.text, ts: r.ts, ...(r.payload ? { payload: JSON.parse(r.payload) as unknown } : {}) }));
  }

  async deleteInactive(cutoffMs: number): Promise<ConversationsDeleted> {
    return this.deleteWhere(INACTIVE, { cutoff: cutoffMs });
  }

  async deleteUser(userId: string): Promise<ConversationsDeleted> {
    return this.deleteWhere('SELECT id FROM conversations WHERE user_id = @userId', { userId });
  }

  /** Messages first: they reference their conversation. */
  private deleteWhere(ids: string, params: Record<string, unknown>): ConversationsDeleted {
    return this.db.transaction(() => {
      const messages = this.db.prepare(`DELETE FROM messages WHERE conversation_id IN (${ids})`).run(params).changes;
      const conversations = this.db.prepare(`DELETE FROM conversations WHERE id IN (${ids})`).run(params).changes;
      return { conversations, messages };
    })();
  }

  async close(): Promise<void> {}
}
