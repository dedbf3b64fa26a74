/**
 * The embedded database: one SQLite file in the data directory, WAL mode, versioned migrations.
 * Migrations are the numbered `.sql` files beside this module; each runs once, in order, inside a
 * transaction, and `PRAGMA user_version` records the last one applied. WAL checkpoints run in a
 * worker thread (checkpointer.ts), not in the commits of turns.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShopbotError } from '../errors.js';
import { startCheckpointer, type CheckpointLog } from './checkpointer.js';

export type SqliteDb = Database.Database;

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 3)), name: file.slice(4, -4), sql: readFileSync(path.join(dir, file), 'utf8') }));
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new ShopbotError('INTERNAL', `migration ${m.name}: expected version ${i + 1}, found ${m.version}`);
  });
  return migrations;
}

export function migrate(db: SqliteDb, migrations = loadMigrations()): number {
  for (const m of migrations) {
    if (m.version <= (db.pragma('user_version', { simple: true }) as number)) continue;
    // The version is read again under the write lock: another process on the same file may have
    // applied this migration while this one waited for the lock.
    db.transaction(() => {
      if (m.version <= (db.pragma('user_version', { simple: true }) as number)) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

/** Distinct SQL texts kept compiled; dynamic IN (...) lists make more texts than the stores write by hand. */
const STATEMENT_CACHE_SIZE = 512;

/**
 * Memoizes `db.prepare` by SQL text, for every store on this database: compiling the same
 * statement on every call was a measurable share of a turn. A cached statement still iterating
 * (`busy`: a replay in progress) is not shared; that caller gets a fresh one.
 */
function cacheStatements(db: SqliteDb): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    const hit = cache.get(sql);
    if (hit && !hit.busy) return hit;
    const statement = compile(sql);
    if (!hit) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
    }
    return statement;
  }) as SqliteDb['prepare'];
}

/**
 * Every transaction on this database begins IMMEDIATE (takes the write lock first): several
 * server processes share the file (`serve --workers N`), and two DEFERRED transactions that each
 * read and then write deadlock on the upgrade, where SQLite returns SQLITE_BUSY at once without
 * waiting out busy_timeout. Taking the lock up front makes the second writer wait its turn.
 * Nested calls are savepoints whatever the variant, so this changes only the outermost BEGIN.
 */
function beginImmediate(db: SqliteDb): void {
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const t = transaction(fn);
    return Object.assign((...args: unknown[]) => t.immediate(...args), { default: t.immediate, deferred: t.deferred, immediate: t.immediate, exclusive: t.exclusive });
  }) as SqliteDb['transaction'];
}

/** Stops the checkpoint worker before the connection closes, then closes as better-sqlite3 does. */
function stopOnClose(db: SqliteDb, stop: () => void): void {
  const close = db.close.bind(db);
  db.close = () => {
    stop();
    return close();
  };
}

/** Opens (creating if needed) `<dataDir>/shopbot.db`, or an in-memory database for ':memory:'. */
export function openSqlite(dataDir: string, file = 'shopbot.db', options: { log?: CheckpointLog } = {}): SqliteDb {
  let db: SqliteDb;
  const onDisk = dataDir !== ':memory:';
  if (!onDisk) {
    db = new Database(':memory:');
  } else {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(path.join(dataDir, file));
    db.pragma('journal_mode = WAL');
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  cacheStatements(db);
  beginImmediate(db);
  migrate(db);
  if (onDisk) {
    const checkpointer = startCheckpointer(db, db.name, undefined, options.log);
    stopOnClose(db, () => checkpointer.stop());
  }
  return db;
}
