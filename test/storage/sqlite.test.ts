/**
 * The data dir's database as several processes share it (`serve --workers N`): every transaction
 * takes the write lock when it begins, so two writers queue under busy_timeout instead of both
 * reading and then failing to upgrade (SQLITE_BUSY at once, which busy_timeout does not cover).
 * A second connection on the same file stands in for the other process.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, openSqlite, type SqliteDb } from '../../src/storage/index.js';

const dirs: string[] = [];
const open: SqliteDb[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'shopbot-sqlite-'));
  dirs.push(d);
  return d;
}

/** Another process's connection: no wait for locks, so a held lock shows at once. */
function other(dir: string): SqliteDb {
  const db = new Database(path.join(dir, 'shopbot.db'));
  db.pragma('busy_timeout = 0');
  open.push(db);
  return db;
}

describe('openSqlite shared by processes', () => {
  it('begins every transaction IMMEDIATE: another connection cannot take the write lock meanwhile', () => {
    const dir = dataDir();
    const db = openSqlite(dir);
    open.push(db);
    const second = other(dir);
    let refused: unknown;
    // A transaction that has only read so far: a DEFERRED one would hold no write lock yet.
    db.transaction(() => {
      db.prepare('SELECT COUNT(*) FROM learning_checkpoints').get();
      try {
        second.exec('BEGIN IMMEDIATE');
        second.exec('ROLLBACK');
      } catch (err) {
        refused = err;
      }
    })();
    expect((refused as { code?: string } | undefined)?.code).toBe('SQLITE_BUSY');
    // Released at commit; the variants stay available, and a nested call is a savepoint.
    second.exec('BEGIN IMMEDIATE');
    second.exec('ROLLBACK');
    const deferred = db.transaction(() => {
      second.exec('BEGIN IMMEDIATE');
      second.exec('ROLLBACK');
      return db.transaction(() => 'nested')();
    });
    expect(deferred.deferred()).toBe('nested');
  });

  it('applies a migration once when another process applied it first', () => {
    const dir = dataDir();
    const db = openSqlite(dir);
    open.push(db);
    const all = loadMigrations();
    const version = db.pragma('user_version', { simple: true }) as number;
    expect(version).toBe(all.length);
    // A process that read the old version before this one migrated re-checks under the lock.
    expect(migrate(db, all)).toBe(all.length);
  });
});
