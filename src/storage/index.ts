/** The embedded database: one SQLite file per data directory, with versioned migrations. */
export { loadMigrations, migrate, openSqlite, type Migration, type SqliteDb } from './sqlite.js';
export { pgEnsureSchema, pgTransaction } from './postgres.js';
