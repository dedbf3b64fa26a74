import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/storage/sqlite.js';
import { SqliteFunnelStore } from '../../src/funnel/sqlite.js';
import { FunnelWriter } from '../../src/funnel/writer.js';
import { newState, SqliteStateStore } from '../../src/dialogue/index.js';
import type { FunnelEvent, FunnelEventInput } from '../../src/funnel/events.js';
import { ev, funnelStoreContract } from './contract.js';

const silent = { info() {}, warn() {}, error() {} };

funnelStoreContract('sqlite', async () => {
  const db = openSqlite(':memory:');
  return { store: new SqliteFunnelStore(db), cleanup: async () => void db.close() };
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

  it('refuses an invalid event at the door, alone: the valid ones around it are stored and handed on parsed', async () => {
    const db = openSqlite(':memory:');
    const store = new SqliteFunnelStore(db);
    const errors: unknown[] = [];
    const writer = new FunnelWriter(store, { flushIntervalMs: 10_000, flushBatchSize: 100, log: { ...silent, error: (o) => errors.push(o) } });
    const handed: string[] = [];
    writer.onFlushed((batch) => handed.push(...batch.map((e) => e.id)));
    const bad = { id: 'x', type: 'click', ts: -5, channel: 'web' } as unknown as FunnelEventInput;
    writer.log(ev('a', 'click'), bad, ev('b', 'click'));
    expect(writer.invalid).toBe(1);
    await expect(writer.commit(ev('c', 'click'), bad)).rejects.toThrow();
    await writer.flush();
    expect(writer.failedFlushes).toBe(0);
    expect(handed).toEqual(['a', 'b']);
    expect((await store.stages({}))[0]!.counts.click).toBe(2);
    expect(errors).toHaveLength(1);
    await writer.close();
    db.close();
  });

  it('commits concurrent turns in one batch and resolves each only once its events are stored', async () => {
    const db = openSqlite(':memory:');
    const store = new SqliteFunnelStore(db);
    const writer = new FunnelWriter(store, { flushIntervalMs: 10_000, flushBatchSize: 100, log: silent });
    const flushed: number[] = [];
    writer.onFlushed((batch) => flushed.push(batch.length));
    const stored = () => db.prepare('SELECT COUNT(*) AS n FROM funnel_events').get() as { n: number };
    const turns = [writer.commit(ev('a', 'click')), writer.commit(ev('b', 'click'), ev('c', 'click'))];
    expect(stored().n).toBe(0);
    await Promise.all(turns);
    expect(stored().n).toBe(3);
    expect(flushed).toEqual([3]);
    await writer.close();
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
      appendValidated: async (events: readonly FunnelEvent[]) => flaky.append(events),
      query: real.query.bind(real),
      count: real.count.bind(real),
      stages: real.stages.bind(real),
      rememberNonce: real.rememberNonce.bind(real),
      deleteBefore: real.deleteBefore.bind(real),
      deleteUser: real.deleteUser.bind(real),
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

  it("commits a turn's state and transcript in its events' transaction: all of them, or none", async () => {
    const db = openSqlite(':memory:');
    const store = new SqliteFunnelStore(db);
    const states = new SqliteStateStore(db);
    const writer = new FunnelWriter(store, { flushIntervalMs: 10_000, flushBatchSize: 100, log: silent });
    const state = { ...newState('c1', 'u1', 'web'), turn: 1 };
    await writer.commitWith([ev('m1', 'click')], states.turnWrite('c1', state, 1000, [{ role: 'user', text: 'hi', ts: 1000 }]));
    expect((await states.load('c1'))?.turn).toBe(1);
    expect(await states.transcript('c1')).toHaveLength(1);
    expect(await store.count({ conversationId: 'c1' })).toBe(1);

    // An event the store refuses (invalid) rolls the turn's state and transcript back with it.
    const bad = { id: 'm2', type: 'message', ts: 2000, channel: 'web', conversationId: 'c1', role: 'nobody' } as unknown as FunnelEventInput;
    await expect(writer.commitWith([bad], states.turnWrite('c1', { ...state, turn: 2 }, 2000, [{ role: 'user', text: 'again', ts: 2000 }]))).rejects.toThrow();
    expect((await states.load('c1'))?.turn).toBe(1);
    expect(await states.transcript('c1')).toHaveLength(1);
    await writer.close();
    db.close();
  });
});
