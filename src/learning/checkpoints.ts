/** Model checkpoints in the embedded database (table learning_checkpoints): one row per model name. */
import { z } from 'zod';
import type { SqliteDb } from '../storage/index.js';

export const CheckpointMetaSchema = z.object({
  /** Impressions (or examples) trained so far. */
  trained: z.number().int().nonnegative(),
  /** Timestamp of the newest event folded in; a restart replays the log from here. */
  lastEventTs: z.number().int().nonnegative(),
  extra: z.record(z.string(), z.number()).default({}),
});
export type CheckpointMeta = z.infer<typeof CheckpointMetaSchema>;

export interface Checkpoint {
  readonly version: number;
  readonly model: Buffer;
  readonly meta: CheckpointMeta;
  readonly updatedAt: number;
}

export function saveCheckpoint(db: SqliteDb, name: string, model: Buffer, meta: CheckpointMeta, nowMs: number): number {
  const row = db.prepare('SELECT version FROM learning_checkpoints WHERE name = ?').get(name) as { version: number } | undefined;
  const version = (row?.version ?? 0) + 1;
  db.prepare(
    `INSERT INTO learning_checkpoints (name, version, model, meta, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET version = excluded.version, model = excluded.model, meta = excluded.meta, updated_at = excluded.updated_at`,
  ).run(name, version, model, JSON.stringify(CheckpointMetaSchema.parse(meta)), nowMs);
  return version;
}

export function loadCheckpoint(db: SqliteDb, name: string): Checkpoint | undefined {
  const row = db.prepare('SELECT version, model, meta, updated_at FROM learning_checkpoints WHERE name = ?').get(name) as
    | { version: number; model: Buffer; meta: string; updated_at: number }
    | undefined;
  if (!row) return undefined;
  return { version: row.version, model: row.model, meta: CheckpointMetaSchema.parse(JSON.parse(row.meta)), updatedAt: row.updated_at };
}
