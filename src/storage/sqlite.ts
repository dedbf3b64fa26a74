/**
 * The embedded database: one SQLite file in the data directory, WAL mode, versioned migrations.
 * Migrations are the numbered `.sql` files beside this module; each runs once, in order, inside a
 * transaction, and `PRAGMA user_version` records the last one applied.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShopbotError } from '../errors.js';

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
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

/** Opens (creating if needed) `<dataDir>/shopbot.db`, or an in-memory database for ':memory:'. */
export function openSqlite(dataDir: string, file = 'shopbot.db'): SqliteDb {
  let db: SqliteDb;
  if (dataDir === ':memory:') {
    db = new Database(':memory:');
  } else {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(path.join(dataDir, file));
    db.pragma('journal_mode = WAL');
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}
