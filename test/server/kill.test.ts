/**
 * No acknowledged turn loses its funnel events: a real server process (`shopbot serve`) answers
 * socket shoppers, is killed with SIGKILL mid-load, and its SQLite file must then hold a user
 * message event for every reply a shopper got. (At most one more per socket: a turn committed
 * whose reply died with the process, which the shopper will send again.) The turn's state and
 * transcript are committed in the same SQLite transaction as its events, so after the kill every
 * conversation's saved turn count, transcript and events agree exactly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { compareEvents, userMessagesByConversation } from '../../bench/load/events.js';
import { startBenchServer, type StartedServer } from '../../bench/load/server.js';
import { REPO_ROOT } from '../../src/app.js';
import { FIXTURE_CATALOG } from '../helpers/app.js';

const MESSAGES = ['running shoes for women', 'cheaper', 'in black', 'show more', 'add it to my cart', 'how long does shipping take?', 'hi', 'where is my order'];
const SOCKETS = 12;
const KILL_AFTER_ACKS = 120;

const dataDir = mkdtempSync(path.join(tmpdir(), 'shopbot-kill-'));
let server: StartedServer | undefined;
afterAll(async () => {
  await server?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

type Reply = { text?: string; error?: { code: string } };
const emit = <T>(s: Socket, event: string, payload: unknown) => new Promise<T>((resolve) => s.emit(event, payload, (r: T) => resolve(r)));

describe('kill -9 mid-load', () => {
  it('leaves an event row for every acknowledged turn', async () => {
    server = await startBenchServer({ root: REPO_ROOT, dataDir, catalog: FIXTURE_CATALOG, startTimeoutMs: 90_000 });
    const acked: Record<string, number> = {};
    let total = 0;
    let killed: Promise<void> | undefined;
    const shopper = async (i: number) => {
      const s = connect(server!.url, { transports: ['websocket'], reconnection: false, forceNew: true });
      await new Promise<void>((resolve, reject) => (s.once('connect', resolve), s.once('connect_error', reject)));
      const hello = await emit<{ conversationId?: string }>(s, 'hello', {});
      const id = hello.conversationId!;
      acked[id] = 0;
      // Turns run until the kill cuts the socket; a reply lost with the process never resolves its ack.
      const closed = new Promise<void>((resolve) => s.once('disconnect', () => resolve()));
      for (let n = 0; !killed; n++) {
        const reply = await Promise.race([emit<Reply>(s, 'message', { text: MESSAGES[(i + n) % MESSAGES.length] }), closed.then(() => undefined)]);
        if (!reply) break;
        expect(reply.error).toBeUndefined();
        acked[id]!++;
        if (++total === KILL_AFTER_ACKS) killed = server!.kill();
      }
      s.disconnect();
    };
    await Promise.all(Array.from({ length: SOCKETS }, (_, i) => shopper(i)));
    await killed;
    const result = compareEvents(acked, await userMessagesByConversation(dataDir));
    expect(result.ackedTurns).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(result.ackedWithoutEvent).toBe(0);
    expect(result.eventsWithoutAck).toBeLessThanOrEqual(SOCKETS);

    // State, transcript and events of a turn are one transaction: none is ever ahead of another.
    const db = new Database(path.join(dataDir, 'shopbot.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db
        .prepare(
          `SELECT c.id, json_extract(c.state, '$.turn') AS turns,
                  (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.role = 'bot') AS replies,
                  (SELECT COUNT(*) FROM funnel_events f WHERE f.conversation_id = c.id AND f.type = 'message' AND json_extract(f.data, '$.role') = 'bot') AS botEvents
           FROM conversations c`,
        )
        .all() as { id: string; turns: number; replies: number; botEvents: number }[];
      const talked = rows.filter((r) => r.id in acked);
      expect(talked.length).toBe(SOCKETS);
      for (const r of talked) expect({ id: r.id, replies: r.replies, botEvents: r.botEvents }).toEqual({ id: r.id, replies: r.turns, botEvents: r.turns });
    } finally {
      db.close();
    }
  }, 180_000);
});
