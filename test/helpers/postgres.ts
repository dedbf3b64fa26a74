/**
 * A PostgreSQL schema of one test file's own on the machine's server (TEST_DATABASE_URL, default
 * the local `test` database), so parallel test files and runs never see each other's rows.
 * Register it at the top level of a file: the schema is created before its tests and dropped after.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

export const TEST_PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** `url` has the schema as its search_path; `pool()` is a small pool on it, ended with the schema. */
export function pgSchemaPerFile(prefix: string): { readonly name: string; readonly url: string; pool(): pg.Pool } {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const url = `${TEST_PG}?options=-c%20search_path%3D${name}`;
  let pool: pg.Pool | undefined;
  beforeAll(() => admin(`CREATE SCHEMA ${name}`));
  afterAll(async () => {
    await pool?.end();
    await admin(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  });
  return { name, url, pool: () => (pool ??= new pg.Pool({ connectionString: url, max: 4 })) };
}
