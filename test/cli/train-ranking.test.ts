import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteFunnelStore } from '../../src/funnel/sqlite.js';
import { loadCheckpoint } from '../../src/learning/checkpoints.js';
import { RANKING_CHECKPOINT } from '../../src/learning/online.js';
import { run } from '../../cli/train-ranking.js';
import { openSqlite } from '../../src/storage/sqlite.js';

describe('shopbot train ranking', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-train-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('retrains from the funnel log and writes a checkpoint', async () => {
    const db = openSqlite(dir);
    const store = new SqliteFunnelStore(db);
    const t0 = 1_700_000_000_000;
    await store.append([
      { id: 's1:slate', type: 'slate', ts: t0, channel: 'web', conversationId: 'c1', slateId: 's1', policyId: 'p', policyVersion: '1', query: 'boots', candidates: [{ productId: 'a', score: 1, features: { item: 'a', q: 'boots' } }, { productId: 'b', score: 0.5, features: { item: 'b', q: 'boots' } }], shown: [{ productId: 'a', position: 0, propensity: 1, sponsored: false }, { productId: 'b', position: 1, propensity: 1, sponsored: false }] },
      { id: 'k1', type: 'click', ts: t0 + 5, channel: 'web', conversationId: 'c1', productId: 'b', slateId: 's1' },
      { id: 'p1', type: 'purchase', ts: t0 + 9, channel: 'web', conversationId: 'c1', orderId: 'o1', revenueCents: 1000, productIds: ['b'] },
    ]);
    db.close();
    const jsonOut = path.join(dir, 'out.json');
    expect(await run(['--data-dir', dir, '--quiet', '--json', jsonOut])).toBe(0);
    const check = openSqlite(dir);
    const cp = loadCheckpoint(check, RANKING_CHECKPOINT);
    check.close();
    expect(cp?.meta.trained).toBe(2);
    expect(cp?.meta.extra).toMatchObject({ clicks: 1, conversions: 1 });
  });
});
