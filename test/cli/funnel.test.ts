import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { funnelRows, run } from '../../cli/funnel.js';
import pg from 'pg';
import { PostgresFunnelStore } from '../../src/funnel/postgres.js';
import { SqliteFunnelStore } from '../../src/funnel/sqlite.js';
import { openSqlite } from '../../src/storage/sqlite.js';

describe('shopbot funnel', () => {
  const dirs: string[] = [];
  afterEach(() => {
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
    vi.restoreAllMocks();
  });

  it('computes stage-to-stage conversion per day and channel', () => {
    const rows = funnelRows([{ day: '2026-11-01', channel: 'web', counts: { impression: 10, click: 2, add_to_cart: 1, checkout_started: 1, purchase: 0 }, revenueCents: 0 }]);
    expect(rows['2026-11-01 web']).toMatchObject({ impression: 10, click: 2, 'impression->click': 0.2, 'click->add_to_cart': 0.5, 'checkout_started->purchase': 0, revenue: 0 });
  });

  it('reads the data directory and writes the JSON table', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'funnel-cli-'));
    dirs.push(dir);
    const db = openSqlite(dir);
    await new SqliteFunnelStore(db).append([
      { id: 'i1', type: 'impression', ts: Date.now(), channel: 'web', productId: 'p', position: 0, query: 'q', policyId: 'x', slateId: 's' },
      { id: 'p1', type: 'purchase', ts: Date.now(), channel: 'web', orderId: 'SB-1', revenueCents: 1250 },
    ]);
    db.close();
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const out = path.join(dir, 'funnel.json');
    expect(await run(['--data-dir', dir, '--days', '2', '--json', out])).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Record<string, number>>;
    const [row] = Object.values(json);
    expect(row).toMatchObject({ impression: 1, purchase: 1, revenue: 12.5 });
    await expect(run(['--data-dir', dir, '--days', 'zero'])).rejects.toThrow(/--days/);
  });

  it('reads the PostgreSQL funnel log when the config keeps the funnel there, not the empty SQLite file', async () => {
    const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `shopbot_funnel_cli_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const scoped = `${url}?options=-c%20search_path%3D${schema}`;
    try {
      const store = await PostgresFunnelStore.open({ url: scoped });
      await store.append([{ id: 'pg-p1', type: 'purchase', ts: Date.now(), channel: 'rest', orderId: 'SB-2', revenueCents: 4200 }]);
      await store.close();
      const dir = mkdtempSync(path.join(tmpdir(), 'funnel-cli-pg-'));
      dirs.push(dir);
      vi.stubEnv('SHOPBOT_STORAGE', 'postgres');
      vi.stubEnv('DATABASE_URL', scoped);
      vi.spyOn(console, 'log').mockImplementation(() => {});
      const out = path.join(dir, 'funnel.json');
      expect(await run(['--data-dir', dir, '--days', '2', '--json', out])).toBe(0);
      const rows = Object.entries(JSON.parse(readFileSync(out, 'utf8')) as Record<string, Record<string, number>>);
      expect(rows).toHaveLength(1);
      expect(rows[0]![0]).toMatch(/ rest$/);
      expect(rows[0]![1]).toMatchObject({ purchase: 1, revenue: 42 });
    } finally {
      vi.unstubAllEnvs();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });
});
