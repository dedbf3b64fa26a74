/**
 * The handoff store's contract on both engines: SQLite (a file: a restart reopens it, a second
 * server opens it beside the first) and the real PostgreSQL on this machine and CI (two pools are
 * two servers), each PostgreSQL run in a schema of its own.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresHandoffQueue, SqliteHandoffQueue, type HandoffQueue } from '../../src/handoff/index.js';
import { openSqlite } from '../../src/storage/index.js';

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Engine {
  /** A server on the store; every call is another server (or the same one after a restart). */
  server(): Promise<HandoffQueue>;
  stop(): Promise<void>;
}

const ticket = (id: string, conversationId: string, team = 'returns', priority = 1, requestedAt = 1000) => ({
  id, conversationId, userId: `u-${conversationId}`, channel: 'web', team, priority, reason: 'complaint', lang: 'en', summary: '{}', requestedAt, topic: 'returns',
});

function contract(name: string, open: () => Promise<Engine>): void {
  describe(`handoff store on ${name}`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await open();
    });
    afterAll(async () => {
      await engine.stop();
    });

    it('keeps tickets, holders, notes, tags and the thread mapping for the next server', async () => {
      const a = await engine.server();
      await a.create(ticket('T-1', 'c-1'));
      await a.assign('T-1', 'alice', 2000);
      await a.addNote({ id: 'N-1', ticketId: 'T-1', conversationId: 'c-1', userId: 'u-c-1', agentId: 'alice', text: 'asked the warehouse', ts: 2100 });
      await a.setTags('T-1', ['VIP', 'late parcel', 'vip', '<b>']);
      await a.threads('slack').set('c-1', 'C1:171.1');
      await a.threads('teams').set('c-1', 'teams-thread-9');

      const b = await engine.server();
      const t = await b.openFor('c-1');
      expect(t).toMatchObject({ id: 'T-1', status: 'assigned', agentId: 'alice', assignedAt: 2000, topic: 'returns', tags: ['vip', 'late parcel'] });
      expect(await b.notes('T-1')).toEqual([{ id: 'N-1', ticketId: 'T-1', conversationId: 'c-1', agentId: 'alice', text: 'asked the warehouse', ts: 2100 }]);
      expect(await b.threads('slack').byConversation('c-1')).toBe('C1:171.1');
      expect(await b.threads('slack').byThread('C1:171.1')).toBe('c-1');
      expect(await b.threads('teams').byThread('C1:171.1')).toBeUndefined();
      await b.threads('slack').remove('c-1');
      expect(await a.threads('slack').byConversation('c-1')).toBeUndefined();
    });

    it('lets one server take a queued ticket and refuses the second', async () => {
      const a = await engine.server();
      const b = await engine.server();
      await a.create(ticket('T-2', 'c-2'));
      const results = await Promise.allSettled([a.assign('T-2', 'alice', 3000), b.assign('T-2', 'bob', 3000)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
    });

    it('transfers to a team (queued again, no holder) or to an agent, and records the resolution', async () => {
      const a = await engine.server();
      await a.create(ticket('T-3', 'c-3'));
      await a.assign('T-3', 'alice', 4000);
      expect(await a.transfer('T-3', { team: 'billing' }, 4100)).toMatchObject({ status: 'queued', team: 'billing' });
      expect((await a.get('T-3'))?.agentId).toBeUndefined();
      expect(await a.transfer('T-3', { agentId: 'bob' }, 4200)).toMatchObject({ status: 'assigned', team: 'billing', agentId: 'bob', assignedAt: 4200 });
      await a.snooze('T-3', 9000);
      expect((await a.get('T-3'))?.snoozedUntil).toBe(9000);
      await a.markFirstResponse('T-3', 4300);
      await a.markFirstResponse('T-3', 4400);
      expect(await a.markBreachAlerted('T-3', 'resolution')).toBe(true);
      expect(await (await engine.server()).markBreachAlerted('T-3', 'resolution')).toBe(false);
      const closed = await a.close('T-3', 'resolved', 5000, 'refund issued');
      expect(closed).toMatchObject({ status: 'resolved', resolution: 'refund issued', firstResponseAt: 4300, breachAlerted: ['resolution'], closedAt: 5000 });
      await expect(a.transfer('T-3', { team: 'sales' }, 5100)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('forgets a shopper with their notes', async () => {
      const a = await engine.server();
      await a.create(ticket('T-4', 'c-4'));
      await a.addNote({ id: 'N-4', ticketId: 'T-4', conversationId: 'c-4', userId: 'u-c-4', agentId: 'alice', text: 'x', ts: 1 });
      expect(await a.deleteUser('u-c-4')).toBe(1);
      expect(await a.notes('T-4')).toEqual([]);
    });
  });
}

contract('SQLite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-queue-'));
  const dbs: ReturnType<typeof openSqlite>[] = [];
  return {
    async server() {
      const db = openSqlite(dir);
      dbs.push(db);
      return new SqliteHandoffQueue(db);
    },
    async stop() {
      for (const db of dbs) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

contract('PostgreSQL', async () => {
  const schema = `shopbot_handoff_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pools: pg.Pool[] = [];
  return {
    async server() {
      const pool = new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema}` });
      pools.push(pool);
      return PostgresHandoffQueue.open({ pool });
    },
    async stop() {
      await pools[0]?.query(`DROP SCHEMA ${schema} CASCADE`);
      for (const p of pools) await p.end();
    },
  };
});
