/**
 * Events written vs turns acknowledged. Every answered text turn logs one `message` event with
 * role `user` (src/turn.ts) before the reply leaves, so after a clean stop each conversation should
 * hold as many as the shopper got answers. The funnel file is opened read-only through the app's
 * own store class, after the server has stopped (or been killed).
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ShopbotError } from '../../src/errors.js';
import { SqliteFunnelStore } from '../../src/funnel/index.js';

export async function userMessagesByConversation(dataDir: string): Promise<Map<string, number>> {
  const file = path.join(dataDir, 'shopbot.db');
  if (!existsSync(file)) throw new ShopbotError('INPUT_MISSING', `no funnel database at ${file}`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const store = new SqliteFunnelStore(db);
    const counts = new Map<string, number>();
    for await (const e of store.query({ types: ['message'] })) {
      if (e.type !== 'message' || e.role !== 'user' || !e.conversationId) continue;
      counts.set(e.conversationId, (counts.get(e.conversationId) ?? 0) + 1);
    }
    return counts;
  } finally {
    db.close();
  }
}

export interface EventsVsAcks {
  readonly ackedTurns: number;
  readonly userEvents: number;
  /** Answered turns whose event never reached the store: the shopper saw a reply the funnel does not know of. */
  readonly ackedWithoutEvent: number;
  /** Events of turns whose reply the shopper never got (lost or cut off by a disconnect). */
  readonly eventsWithoutAck: number;
}

/**
 * Per conversation, turns run one after another and the writer flushes in order, so the events
 * stored are those of the first turns: the shortfall is max(0, acked - events), the excess the other way.
 */
export function compareEvents(acked: Readonly<Record<string, number>>, events: ReadonlyMap<string, number>): EventsVsAcks {
  let ackedTurns = 0;
  let userEvents = 0;
  let ackedWithoutEvent = 0;
  let eventsWithoutAck = 0;
  for (const [conversationId, a] of Object.entries(acked)) {
    const e = events.get(conversationId) ?? 0;
    ackedTurns += a;
    userEvents += e;
    ackedWithoutEvent += Math.max(0, a - e);
    eventsWithoutAck += Math.max(0, e - a);
  }
  return { ackedTurns, userEvents, ackedWithoutEvent, eventsWithoutAck };
}
