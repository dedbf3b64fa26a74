import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../cli/ingest.js';
import { openSqlite } from '../../src/storage/sqlite.js';
import { FIXTURES } from '../catalog/helpers.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'shopbot-cli-ingest-'));
  dirs.push(d);
  return d;
}

describe('shopbot ingest', () => {
  it('imports into the data directory and prints a summary', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const dataDir = tempDir();
    const code = await run([path.join(FIXTURES, 'products.csv'), '--format', 'csv', '--data-dir', dataDir], {});
    expect(code).toBe(0);
    const out = log.mock.calls.map((c) => String(c[0])).join('\n');
    expect(out).toMatch(/inserted: 5 .*bad rows: 4/);
    expect(out).toMatch(/row 5: price: not a price/);
    const db = openSqlite(dataDir);
    try {
      expect((db.prepare('SELECT COUNT(*) AS n FROM products').get() as { n: number }).n).toBe(5);
    } finally {
      db.close();
    }
  });

  it('exits 1 when every row fails', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const dir = tempDir();
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'id,title,price\na,Mug,nope\nb,,1.00\n');
    expect(await run([file, '--format', 'csv', '--data-dir', path.join(dir, 'data')], {})).toBe(1);
  });

  it('refuses an unknown format', async () => {
    await expect(run(['x.csv', '--format', 'xlsx'], {})).rejects.toThrow(/--format/);
  });
});
