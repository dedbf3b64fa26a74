/** One contract for every FunnelStore engine (SQLite embedded, PostgreSQL scale-out). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FunnelEvent, FunnelEventInput } from '../../src/funnel/events.js';
import type { FunnelStore } from '../../src/funnel/types.js';

const T0 = Date.UTC(2026, 10, 1, 12);

export function ev(id: string, type: 'impression' | 'click', ts = T0, conversationId = 'c1'): FunnelEventInput {
  return type === 'impression'
    ? { id, type, ts, channel: 'web', conversationId, productId: 'p1', position: 0, query: 'q', policyId: 'relevance', slateId: 's1' }
    : { id, type, ts, channel: 'web', conversationId, productId: 'p1' };
}

async function all(store: FunnelStore, q = {}): Promise<FunnelEvent[]> {
  const out: FunnelEvent[] = [];
  for await (const e of store.query(q)) out.push(e);
  return out;
}

export function funnelStoreContract(name: string, open: () => Promise<{ store: FunnelStore; cleanup(): Promise<void> }>): void {
  describe(`FunnelStore contract: ${name}`, () => {
    let store: FunnelStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it('stores a retried event once (idempotency key)', async () => {
      expect(await store.append([ev('a', 'impression'), ev('b', 'click', T0 + 1)])).toBe(2);
      expect(await store.append([ev('a', 'impression')])).toBe(0);
      expect((await all(store)).map((e) => e.id)).toEqual(['a', 'b']);
    });

    it('refuses an invalid event and stores nothing of its batch', async () => {
      await expect(store.append([ev('ok', 'click'), { id: 'bad', type: 'purchase', ts: T0, channel: 'web' } as unknown as FunnelEventInput])).rejects.toThrow();
      expect(await all(store)).toEqual([]);
    });

    it('replays in time order with filters and limits', async () => {
      await store.append([ev('late', 'click', T0 + 50), ev('early', 'impression', T0), ev('other', 'click', T0 + 10, 'c2')]);
      expect((await all(store)).map((e) => e.id)).toEqual(['early', 'other', 'late']);
      expect((await all(store, { types: ['click'] })).map((e) => e.id)).toEqual(['other', 'late']);
      expect((await all(store, { conversationId: 'c1', fromTs: T0 + 1 })).map((e) => e.id)).toEqual(['late']);
      expect((await all(store, { limit: 2 })).map((e) => e.id)).toEqual(['early', 'other']);
    });

    it('counts what a replay with the same filters would return', async () => {
      await store.append([ev('late', 'click', T0 + 50), ev('early', 'impression', T0), ev('other', 'click', T0 + 10, 'c2')]);
      expect(await store.count({})).toBe(3);
      expect(await store.count({ types: ['click'] })).toBe(2);
      expect(await store.count({ types: ['click'], fromTs: T0 + 20 })).toBe(1);
      expect(await store.count({ conversationId: 'c2', toTs: T0 + 10 })).toBe(0);
    });

    it('counts stages per day and channel with revenue', async () => {
      await store.append([
        ev('i1', 'impression'),
        ev('i2', 'impression'),
        ev('c1', 'click'),
        { id: 'p1', type: 'purchase', ts: T0, channel: 'web', orderId: 'SB-1', revenueCents: 1999 },
        { id: 'i3', type: 'impression', ts: T0 + 86_400_000, channel: 'rest', productId: 'p2', position: 1, query: '', policyId: 'x', slateId: 's2' },
      ]);
      const rows = await store.stages({});
      expect(rows).toHaveLength(2);
      const web = rows.find((r) => r.channel === 'web')!;
      expect(web.day).toBe('2026-11-01');
      expect(web.counts).toMatchObject({ impression: 2, click: 1, purchase: 1, add_to_cart: 0 });
      expect(web.revenueCents).toBe(1999);
      expect(await store.stages({ fromTs: T0 + 3_600_000 })).toHaveLength(1);
    });

    it('deletes old events of the given types only (retention)', async () => {
      const slate = (id: string, ts: number): FunnelEventInput => ({ id, type: 'slate', ts, channel: 'web', conversationId: 'c1', slateId: id, policyId: 'p', policyVersion: 'v', query: 'q', candidates: [{ productId: 'p1', score: 1 }], shown: [] });
      await store.append([slate('old-slate', T0), slate('new-slate', T0 + 10), ev('old-imp', 'impression', T0)]);
      expect(await store.deleteBefore(T0 + 10, ['slate'])).toBe(1);
      expect(await store.deleteBefore(T0 + 10, [])).toBe(0);
      expect((await all(store)).map((e) => e.id).sort()).toEqual(['new-slate', 'old-imp']);
    });

    it("deletes every event of one user and nobody else's", async () => {
      await store.append([
        { ...ev('a1', 'click'), userId: 'u-a' },
        { ...ev('a2', 'impression', T0 + 1), userId: 'u-a' },
        { ...ev('b1', 'click', T0 + 2), userId: 'u-b' },
        ev('anon', 'click', T0 + 3),
      ]);
      expect(await store.deleteUser('u-a')).toBe(2);
      expect(await store.deleteUser('u-a')).toBe(0);
      expect((await all(store)).map((e) => e.id)).toEqual(['b1', 'anon']);
    });

    it('remembers webhook signatures for the replay window', async () => {
      expect(await store.rememberNonce('sig1', T0, 300_000)).toBe(true);
      expect(await store.rememberNonce('sig1', T0 + 1000, 300_000)).toBe(false);
      // Long after the window the old signature is pruned (the timestamp check refuses it anyway).
      expect(await store.rememberNonce('sig1', T0 + 3_600_000, 300_000)).toBe(true);
    });

    it('keeps each key for its own window when callers with shorter windows share the table', async () => {
      expect(await store.rememberNonce('slack:1:v0=abc', T0, 300_000)).toBe(true);
      // A webhook configured with a 10 s tolerance prunes its own rows, not the Slack one.
      expect(await store.rememberNonce('sig-short', T0 + 60_000, 10_000)).toBe(true);
      expect(await store.rememberNonce('slack:1:v0=abc', T0 + 120_000, 300_000)).toBe(false);
      expect(await store.rememberNonce('sig-short', T0 + 120_000, 10_000)).toBe(true);
    });
  });
}
