import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { FunnelEventSchema, type FunnelEventInput } from '../../src/funnel/events.js';
import { SqliteFunnelStore } from '../../src/funnel/sqlite.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/learning/checkpoints.js';
import { openLearning, RANKING_CHECKPOINT } from '../../src/learning/online.js';
import { createRng } from '../../src/maths/index.js';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';

const silent = { info() {}, warn() {}, error() {} };
const config = loadConfig({ overrides: { ranking: { hashBits: 14, attributionWindowMs: 60_000, checkpointEvery: 1000 } } });

/** Slates of two products; "good" is clicked and bought far more often than "meh". */
function traffic(n: number, seed: number, t0: number): FunnelEventInput[] {
  const rng = createRng(seed);
  const out: FunnelEventInput[] = [];
  for (let i = 0; i < n; i++) {
    const ts = t0 + i * 1000;
    const conversationId = `c${seed}-${i}`;
    const slateId = `s${seed}-${i}`;
    const order = rng() < 0.5 ? ['good', 'meh'] : ['meh', 'good'];
    out.push({
      id: `${slateId}:slate`, type: 'slate', ts, channel: 'web', conversationId, slateId, policyId: 'test', policyVersion: '1', query: 'running shoes',
      candidates: order.map((p) => ({ productId: p, score: 0, features: { item: p, q: 'running shoes', cat: 'shoes' } })),
      shown: order.map((p, position) => ({ productId: p, position, propensity: 0.5, sponsored: false })),
    });
    for (const [position, p] of order.entries()) {
      const ctr = (p === 'good' ? 0.4 : 0.1) * (position === 0 ? 1.5 : 0.7);
      if (rng() < ctr) {
        out.push({ id: `${slateId}:click:${p}`, type: 'click', ts: ts + 10, channel: 'web', conversationId, productId: p, slateId, position });
        if (rng() < (p === 'good' ? 0.5 : 0.1)) {
          out.push({ id: `${slateId}:buy:${p}`, type: 'purchase', ts: ts + 20, channel: 'web', conversationId, orderId: `o-${slateId}-${p}`, revenueCents: 5000, productIds: [p] });
        }
      }
    }
  }
  return out;
}

describe('openLearning', () => {
  let dir: string;
  let db: SqliteDb;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-learning-'));
    db = openSqlite(dir);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains from observed events off the reply path, checkpoints, and restores after a restart', async () => {
    let now = 1_700_000_000_000;
    const learning = openLearning({ db, config, clock: () => now, log: silent });
    const events = traffic(3000, 1, now);
    now += 3000 * 1000 + 120_000; // past every attribution window
    learning.observe(events.map((e) => FunnelEventSchema.parse(e)));
    expect(learning.stats().queued).toBeGreaterThan(0); // nothing trained synchronously
    await learning.drain();
    const stats = learning.stats();
    expect(stats.impressions).toBe(6000);
    expect(stats.clicks).toBeGreaterThan(0);
    expect(stats.conversions).toBeGreaterThan(0);
    const good = learning.models.predict({ item: 'good', q: 'running shoes', cat: 'shoes' });
    const meh = learning.models.predict({ item: 'meh', q: 'running shoes', cat: 'shoes' });
    expect(good.ctcvr).toBeGreaterThan(meh.ctcvr * 3);
    expect(loadCheckpoint(db, RANKING_CHECKPOINT)).toBeDefined(); // checkpointEvery = 1000 impressions
    await learning.close();

    const again = openLearning({ db, config, clock: () => now, log: silent });
    expect(again.models.predict({ item: 'good', q: 'running shoes', cat: 'shoes' })).toEqual(good);
    expect(again.stats().impressions).toBe(6000);
    await again.close();
  });

  it('catches up from the funnel log after the last checkpoint', async () => {
    const funnel = new SqliteFunnelStore(db);
    const t0 = 1_700_000_000_000;
    await funnel.append(traffic(500, 2, t0));
    const now = t0 + 500 * 1000 + 120_000;
    const learning = openLearning({ db, funnel, config, clock: () => now, log: silent });
    const read = await learning.catchUp();
    expect(read).toBeGreaterThan(500); // 500 slates plus their clicks and purchases
    expect(learning.stats().impressions).toBe(1000);
    await learning.close();
    await funnel.close();
  });

  it('starts from a fresh model, with a warning, when the checkpoint is unreadable', async () => {
    saveCheckpoint(db, RANKING_CHECKPOINT, Buffer.from('not a model'), { trained: 5, lastEventTs: 1, extra: {} }, 0);
    const warnings: unknown[] = [];
    const learning = openLearning({ db, config, clock: () => 0, log: { ...silent, warn: (o) => warnings.push(o) } });
    expect(warnings).toHaveLength(1);
    expect(learning.stats().impressions).toBe(0);
    await learning.close();
  });

  it('ignores events of other types', async () => {
    const learning = openLearning({ db, config, clock: () => 0, log: silent });
    learning.observe([{ id: 'm1', type: 'message', ts: 1, channel: 'web', role: 'user', chars: 3 }]);
    await learning.drain();
    expect(learning.stats().events).toBe(0);
    await learning.close();
  });
});
