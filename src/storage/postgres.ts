/** PostgreSQL helpers shared by the scale-out engines (shop, coupons). */
import type pg from 'pg';

/**
 * Runs `fn` between BEGIN and COMMIT on one client of the pool; ROLLBACK when it throws (the
 * error is rethrown with the rollback's own failure, if any, as its cause chain intact).
 */
export async function pgTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      // A client that cannot roll back is not given back to the pool for reuse.
      broken = true;
      throw new AggregateError([err, rollbackErr], 'transaction failed and could not be rolled back');
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * Runs an engine's CREATE ... IF NOT EXISTS script. Servers starting together race on it (two
 * CREATE INDEX IF NOT EXISTS can still collide), so a session advisory lock, one key per engine,
 * serialises them.
 */
export async function pgEnsureSchema(pool: pg.Pool, lockKey: number, sql: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [lockKey]);
    try {
      await client.query(sql);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [lockKey]);
    }
  } finally {
    client.release();
  }
}
