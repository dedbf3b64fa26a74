/**
 * On the embedded engines a turn's state, transcript and funnel events are one SQLite
 * transaction: when the events cannot be stored, the turn fails unanswered and its state and
 * transcript are not stored either (a separate state commit would leave them ahead of the events).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from './helpers/app.js';

describe('the turn commit (embedded engines)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
  });

  it('stores state, transcript and events together, or none of them', async () => {
    t = await openTestApp({ coupons: { enabled: false } });
    const { conversationId, userId } = await t.app.sessions.start({ channel: 'web' });
    await t.app.handleTurn({ conversationId, userId, channel: 'web', text: 'ugg slipper' });
    expect((await t.app.states.load(conversationId))?.turn).toBe(1);

    // The disk refuses funnel rows from now on (a second connection to the app's file adds a trigger).
    const side = new Database(path.join(t.dataDir, 'shopbot.db'));
    try {
      side.exec("CREATE TRIGGER refuse_events BEFORE INSERT ON funnel_events BEGIN SELECT RAISE(ABORT, 'disk refuses'); END");
      await expect(t.app.handleTurn({ conversationId, userId, channel: 'web', text: 'cheaper' })).rejects.toThrow(/disk refuses/);
      expect((await t.app.states.load(conversationId))?.turn).toBe(1);
      expect(await t.app.history(conversationId)).toHaveLength(2);
      // The store recovers: the retried batch brings the turn's state and transcript with its events.
      side.exec('DROP TRIGGER refuse_events');
    } finally {
      side.close();
    }
    await t.app.funnel.flush();
    expect((await t.app.states.load(conversationId))?.turn).toBe(2);
    expect(await t.app.history(conversationId)).toHaveLength(4);
    expect(await t.app.funnel.count({ conversationId, types: ['message'] })).toBe(4);
  });
});
