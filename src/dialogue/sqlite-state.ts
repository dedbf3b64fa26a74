import type { SqliteDb } from '../storage/sqlite.js';
import { ConversationStateSchema, type ConversationState, type StateStore, type TranscriptRow } from './state.js';

export class SqliteStateStore implements StateStore {
  constructor(private readonly db: SqliteDb) {}

  async load(conversationId: string): Promise<ConversationState | undefined> {
    const row = this.db.prepare('SELECT state FROM conversations WHERE id = ?').get(conversationId) as { state: string } | undefined;
    return row ? ConversationStateSchema.parse(JSON.parse(row.state)) : undefined;
  }

  async save(state: ConversationState, nowMs: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO conversations (id, user_id, channel, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      )
      .run(state.conversationId, state.userId, state.channel, JSON.stringify(state), nowMs, nowMs);
  }

  async appendTranscript(conversationId: string, rows: readonly TranscriptRow[]): Promise<void> {
    const insert = this.db.prepare('INSERT INTO messages (conversation_id, role, text, payload, ts) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const r of rows) insert.run(conversationId, r.role, r.text, r.payload === undefined ? null : JSON.stringify(r.payload), r.ts);
    })();
  }

  async transcript(conversationId: string, limit = 200): Promise<TranscriptRow[]> {
    const rows = this.db
      .prepare('SELECT role, text, payload, ts FROM (SELECT seq, role, text, payload, ts FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq')
      .all(conversationId, limit) as { role: TranscriptRow['role']; text: string; payload: string | null; ts: number }[];
    return rows.map((r) => ({ role: r.role, text: r.text, ts: r.ts, ...(r.payload ? { payload: JSON.parse(r.payload) as unknown } : {}) }));
  }

  async close(): Promise<void> {}
}
