import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestFile, openCatalogStore } from '../../src/catalog/index.js';
import { openSqlite } from '../../src/storage/sqlite.js';
import { FIXTURES } from './helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function openStore() {
  const db = openSqlite(':memory:');
  const store = openCatalogStore(db);
  cleanups.push(() => void db.close(), () => store.close());
  return store;
}

describe('ingestFile', () => {
  it('imports in batches, calls onBatch with changed ids, and is idempotent', async () => {
    const store = openStore();
    const batches: number[] = [];
    const file = path.join(FIXTURES, 'esci-slice.jsonl');
    const first = await ingestFile(file, 'esci', store, { batchSize: 7, onBatch: (ids) => void batches.push(ids.length) });
    expect(first).toMatchObject({ rows: 30, inserted: 30, updated: 0, unchanged: 0, badRows: 0, changedIds: 30 });
    expect(batches).toEqual([7, 7, 7, 7, 2]);
    const second = await ingestFile(file, 'esci', store, {});
    expect(second).toMatchObject({ inserted: 0, unchanged: 30, changedIds: 0 });
    expect(await store.count()).toBe(30);
  });

  it('summarises bad rows and duplicate ids with row numbers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-ingest-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'c.csv');
    writeFileSync(file, 'id,title,price\na,Mug,1.00\nb,Cup,oops\na,Mug again,2.00\n');
    const store = openStore();
    const progress: number[] = [];
    const s = await ingestFile(file, 'csv', store, { onProgress: (p) => progress.push(p.rows) });
    expect(s).toMatchObject({ rows: 3, inserted: 1, badRows: 2 });
    expect(s.errors.map((e) => e.row)).toEqual([3, 4]);
    expect(s.errors[1]!.error).toMatch(/duplicate id "a" \(first at row 2\)/);
    expect(progress.at(-1)).toBe(3);
  });

  it('fails with INPUT_MISSING for a missing file', async () => {
    await expect(ingestFile('/nonexistent/catalog.csv', 'csv', openStore())).rejects.toMatchObject({ code: 'INPUT_MISSING' });
  });
});
