/**
 * Runs the FunnelStore contract against the real PostgreSQL on this machine and CI
 * (127.0.0.1:5432, database `test`), each test in a schema of its own.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresFunnelStore } from '../../src/funnel/postgres.js';
import { funnelStoreContract } from './contract.js';

const URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

funnelStoreContract('postgres', async () => {
  const schema = `shopbot_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: URL, max: 2, options: `-c search_path=${schema}` });
  const store = await PostgresFunnelStore.open({ pool });
  return {
    store,
    cleanup: async () => {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    },
  };
});
