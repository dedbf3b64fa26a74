import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteFunnelStore } from '../../src/funnel/sqlite.js';
import { computeNoResultQueries, computeOpenEscalations, parsePeriod } from '../../src/reports/index.js';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';

const NOW = Date.UTC(2026, 10, 28, 12);
let db: SqliteDb;
let store: SqliteFunnelStore;
beforeEach(() => {
  db = openSqlite(':memory:');
  store = new SqliteFunnelStore(db);
});
afterEach(async () => {
  await store.close();
  db.close();
});

describe('no-result queries', () => {
  it('ranks zero-result searches, normalized, ignoring searches with results', async () => {
    await store.append([
      { id: '1', ts: NOW - 1000, channel: 'web', type: 'search', query: 'Red  Shoes', results: 0 },
      { id: '2', ts: NOW - 900, channel: 'slack', type: 'search', query: 'red shoes', results: 0 },
      { id: '3', ts: NOW - 800, channel: 'web', type: 'search', query: 'blue hat', results: 0 },
      { id: '4', ts: NOW - 700, channel: 'web', type: 'search', query: 'green scarf', results: 4 },
    ]);
    const top = await computeNoResultQueries(store, parsePeriod('week', NOW));
    expect(top.map((q) => [q.query, q.count])).toEqual([['red shoes', 2], ['blue hat', 1]]);
  });
});

describe('open escalations', () => {
  it('keeps conversations whose last handoff is still open', async () => {
    await store.append([
      { id: 'h1', ts: NOW - 5000, channel: 'web', type: 'handoff', conversationId: 'c1', status: 'requested', reason: 'refund', team: 'billing' },
      { id: 'h2', ts: NOW - 4000, channel: 'web', type: 'handoff', conversationId: 'c1', status: 'assigned', reason: '', agentId: 'ann' },
      { id: 'h3', ts: NOW - 3000, channel: 'web', type: 'handoff', conversationId: 'c2', status: 'queued', reason: 'damaged item' },
      { id: 'h4', ts: NOW - 2000, channel: 'web', type: 'handoff', conversationId: 'c2', status: 'resolved', reason: '' },
      { id: 'h5', ts: NOW - 1000, channel: 'slack', type: 'handoff', conversationId: 'c3', status: 'queued', reason: 'order lost' },
    ]);
    const open = await computeOpenEscalations(store, NOW);
    expect(open.map((e) => [e.conversationId, e.status, e.reason, e.team, e.agentId])).toEqual([
      ['c1', 'assigned', 'refund', 'billing', 'ann'],
      ['c3', 'queued', 'order lost', undefined, undefined],
    ]);
    expect(open[0]!.sinceTs).toBe(NOW - 5000);
  });
});
