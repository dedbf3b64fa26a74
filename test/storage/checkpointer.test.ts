/**
 * WAL checkpoints in a worker thread: the app's connection never checkpoints in a commit, the
 * worker copies the WAL into the database file, close never waits for a lock, and a worker that
 * cannot run hands checkpoints back to SQLite.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDb } from '../../src/storage/index.js';
import { DEFAULT_CHECKPOINT_OPTIONS, startCheckpointer } from '../../src/storage/checkpointer.js';

const dirs: string[] = [];
const open: SqliteDb[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'shopbot-ckpt-'));
  dirs.push(d);
  return d;
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

/** About 4 MB of new pages: four times SQLite's default autocheckpoint threshold (1000 pages of 4 KB). */
function writeMegabytes(db: SqliteDb): void {
  db.exec('CREATE TABLE IF NOT EXISTS filler (blob BLOB)');
  const insert = db.prepare('INSERT INTO filler (blob) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 64; i++) insert.run(Buffer.alloc(64 * 1024, i));
  })();
}

describe('WAL checkpoints off the turn path', () => {
  it('leaves checkpoints to the worker: the commit only appends to the WAL, the worker copies it into the file', async () => {
    const dir = dataDir();
    const db = openSqlite(dir);
    open.push(db);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    expect(db.pragma('journal_size_limit', { simple: true })).toBe(DEFAULT_CHECKPOINT_OPTIONS.journalSizeLimitBytes);
    const file = path.join(dir, 'shopbot.db');
    const before = statSync(file).size;
    writeMegabytes(db);
    // Right after the commit the pages are only in the WAL (SQLite's default would have checkpointed in it).
    expect(statSync(file).size).toBe(before);
    expect(await until(() => statSync(file).size > before + 4 * 2 ** 20, 5000)).toBe(true);
  });

  it('starts the WAL over under steady writes, instead of letting it grow with every commit', async () => {
    const dir = dataDir();
    const file = path.join(dir, 'app.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE filler (blob BLOB)');
    // Small thresholds so the test writes little: RESTART past 100 frames (400 KB), every 20 ms.
    const checkpointer = startCheckpointer(db, file, { ...DEFAULT_CHECKPOINT_OPTIONS, intervalMs: 20, restartFrames: 100 });
    const insert = db.prepare('INSERT INTO filler (blob) VALUES (?)');
    let walMax = 0;
    const end = Date.now() + 1500;
    // A turn-like stream: a few pages per commit, with gaps, for 1.5 s (about 12 MB in all).
    for (let i = 0; Date.now() < end; i++) {
      db.transaction(() => insert.run(Buffer.alloc(12 * 1024, i % 256)))();
      if (existsSync(`${file}-wal`)) walMax = Math.max(walMax, statSync(`${file}-wal`).size);
      await new Promise((r) => setTimeout(r, 1));
    }
    const written = (db.prepare('SELECT COUNT(*) AS n FROM filler').get() as { n: number }).n * 12 * 1024;
    expect(written).toBeGreaterThan(4 * 2 ** 20);
    expect(walMax).toBeLessThan(written / 4);
    checkpointer.stop();
    db.close();
  });

  it('closes without waiting when a reader holds an old snapshot', () => {
    const dir = dataDir();
    const db = openSqlite(dir);
    open.push(db);
    const reader = new Database(path.join(dir, 'shopbot.db'));
    reader.exec('BEGIN');
    reader.prepare('SELECT COUNT(*) FROM learning_checkpoints').get();
    writeMegabytes(db);
    const t0 = performance.now();
    db.close();
    // busy_timeout is 5 s on the app's connection; the closing TRUNCATE checkpoint must not wait it out.
    expect(performance.now() - t0).toBeLessThan(1000);
    reader.exec('COMMIT');
    reader.close();
  });

  it('hands checkpoints back to SQLite when the worker cannot run', async () => {
    const dir = dataDir();
    const db = new Database(path.join(dir, 'app.db'));
    db.pragma('journal_mode = WAL');
    const warnings: unknown[] = [];
    // A file that does not exist: the worker's connection fails as it starts.
    const checkpointer = startCheckpointer(db, path.join(dir, 'missing.db'), DEFAULT_CHECKPOINT_OPTIONS, { warn: (obj) => warnings.push(obj) });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    expect(await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 1000, 5000)).toBe(true);
    expect(warnings).toHaveLength(1);
    checkpointer.stop();
    db.close();
  });

  it('keeps two processes on one file correct, each with its own checkpointer', async () => {
    const dir = dataDir();
    const first = openSqlite(dir);
    const second = openSqlite(dir);
    open.push(first, second);
    first.exec('CREATE TABLE IF NOT EXISTS counter (n INTEGER)');
    const add = (db: SqliteDb) => db.transaction(() => db.prepare('INSERT INTO counter (n) VALUES (1)').run())();
    for (let i = 0; i < 2000; i++) add(i % 2 ? first : second);
    await new Promise((r) => setTimeout(r, 3 * DEFAULT_CHECKPOINT_OPTIONS.intervalMs));
    first.close();
    second.close();
    const reopened = openSqlite(dir);
    open.push(reopened);
    expect(reopened.prepare('SELECT COUNT(*) AS n FROM counter').get()).toEqual({ n: 2000 });
    expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
