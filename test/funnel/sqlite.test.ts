import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';
import { SqliteFunnelStore } from '../../src/funnel/sqlite.js';
import { FunnelWriter } from '../../src/funnel/writer.js';
import type { FunnelEvent, FunnelEventInput } from '../../src/funnel/events.js';

const T0 = Date.UTC(2026, 10, 1, 12);
const silent = { info() {}, warn() {}, error() {} };

function ev(id: string, type: 'impression' | 'click', ts = T0): FunnelEventInput {
  return type === 'impression'
    ? { id, type, ts, channel: 'web', conversationId: 'c1', productId: 'p1', position: 0, query: 'q', policyId: 'relevance', slateId: 's1' }
    : { id, type, ts, channel: 'web', conversationId: 'c1', productId: 'p1' };
}

describe('SqliteFunnelStore', () => {
  let db: SqliteDb;
  let store: SqliteFunnelStore;
  beforeEach(() => {
    db = openSqlite(':memory:');
    store = new SqliteFunnelStore(db);
  });
  afterEach(() => db.close());

  it('stores a retried event once (idempotency key)', async () => {
    expect(await store.append([ev('a', 'impression'), ev('b', 'click')])).toBe(2);
    expect(await store.append([ev('a', 'impression')])).toBe(0);
    const all: FunnelEvent[] = [];
    for await (const e of store.query({})) all.push(e);
    expect(all.map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('refuses an invalid event and stores nothing of its batch', async () => {
    await expect(store.append([ev('ok', 'click'), { id: 'bad', type: 'purchase', ts: T0, channel: 'web' } as unknown as FunnelEventInput])).rejects.toThrow();
    let n = 0;
    for await (const _ of store.query({})) n++;
    expect(n).toBe(0);
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
  });
});

describe('FunnelWriter', () => {
  it('batches writes off the caller and flushes on close', async () => {
    const db = openSqlite(':memory:');
    const store = new SqliteFunnelStore(db);
    const writer = new FunnelWriter(store, { flushIntervalMs: 10_000, flushBatchSize: 100, log: silent });
    const flushed: number[] = [];
    writer.onFlushed((batch) => flushed.push(batch.length));
    writer.log(ev('a', 'click'), ev('b', 'click'));
    expect(writer.pending).toBe(2);
    await writer.close();
    expect(flushed).toEqual([2]);
    expect((await store.stages({}))[0]!.counts.click).toBe(2);
    db.close();
  });

  it('keeps events when the store fails and writes them on the next flush', async () => {
    const db = openSqlite(':memory:');
    const real = new SqliteFunnelStore(db);
    let failNext = true;
    const flaky = {
      append: async (events: readonly FunnelEventInput[]) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        return real.append(events);
      },
      query: real.query.bind(real),
      stages: real.stages.bind(real),
      close: async () => {},
    };
    const writer = new FunnelWriter(flaky, { flushIntervalMs: 10_000, flushBatchSize: 100, log: silent });
    writer.log(ev('a', 'click'));
    await writer.flush();
    expect(writer.pending).toBe(1);
    expect(writer.failedFlushes).toBe(1);
    await writer.close();
    expect(writer.pending).toBe(0);
    expect((await real.stages({}))[0]!.counts.click).toBe(1);
    db.close();
  });
});
