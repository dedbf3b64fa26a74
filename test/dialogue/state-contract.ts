/** One contract for every StateStore engine (SQLite embedded, Redis scale-out). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newState, type StateStore } from '../../src/dialogue/state.js';

export function stateStoreContract(name: string, open: () => Promise<{ store: StateStore; cleanup(): Promise<void> }>): void {
  describe(`StateStore contract: ${name}`, () => {
    let store: StateStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it('saves and loads a conversation, and knows nothing of unknown ones', async () => {
      expect(await store.load('nope')).toBeUndefined();
      const s = { ...newState('c1', 'u1', 'web'), lang: 'zh' as const, customer: { id: 'cust-1', email: 'a@b.co' }, sessionEpoch: 2, orderGrants: [{ orderId: 'SB-100001', level: 'status' as const, until: 5000 }], lastShown: [{ id: 'p1', position: 0, slateId: 's' }] };
      await store.save(s, 1000);
      expect(await store.load('c1')).toEqual(s);
      await store.save({ ...s, turn: 5 }, 2000);
      expect((await store.load('c1'))?.turn).toBe(5);
    });

    it('appends transcripts in order and returns the latest rows', async () => {
      await store.save(newState('c2', 'u1', 'web'), 1000);
      await store.appendTranscript('c2', [{ role: 'user', text: 'hi', ts: 1 }, { role: 'bot', text: 'hello', payload: { text: 'hello' }, ts: 2 }]);
      await store.appendTranscript('c2', [{ role: 'user', text: 'bye', ts: 3 }]);
      expect((await store.transcript('c2')).map((r) => r.text)).toEqual(['hi', 'hello', 'bye']);
      expect((await store.transcript('c2', 2)).map((r) => r.text)).toEqual(['hello', 'bye']);
      expect((await store.transcript('c2'))[1]!.payload).toEqual({ text: 'hello' });
    });

    it('deletes conversations idle since the cutoff, counting a late message as activity', async () => {
      await store.save(newState('idle', 'u1', 'web'), 1000);
      await store.appendTranscript('idle', [{ role: 'user', text: 'old', ts: 1000 }, { role: 'bot', text: 'old reply', ts: 1000 }]);
      // Saved long ago, but a shopper wrote since (an agent owns it, so nothing saved the state).
      await store.save(newState('agent-owned', 'u1', 'web'), 1000);
      await store.appendTranscript('agent-owned', [{ role: 'user', text: 'still there?', ts: 5000 }]);
      await store.save(newState('fresh', 'u2', 'web'), 5000);
      expect(await store.deleteInactive(3000)).toEqual({ conversations: 1, messages: 2 });
      expect(await store.load('idle')).toBeUndefined();
      expect(await store.transcript('idle')).toEqual([]);
      expect((await store.transcript('agent-owned')).map((r) => r.text)).toEqual(['still there?']);
      expect(await store.load('fresh')).toBeDefined();
      expect(await store.deleteInactive(3000)).toEqual({ conversations: 0, messages: 0 });
      // The forgotten conversation is gone from the user's conversations too.
      expect(await store.deleteUser('u1')).toEqual({ conversations: 1, messages: 1 });
    });

    it("deletes every conversation of one user and nobody else's", async () => {
      await store.save(newState('a1', 'u-a', 'web'), 1000);
      await store.save(newState('a2', 'u-a', 'web'), 2000);
      await store.appendTranscript('a2', [{ role: 'user', text: 'my e-mail is a@b.co', ts: 2000 }]);
      await store.save(newState('b1', 'u-b', 'web'), 2000);
      await store.appendTranscript('b1', [{ role: 'user', text: 'hi', ts: 2000 }]);
      expect(await store.deleteUser('u-a')).toEqual({ conversations: 2, messages: 1 });
      expect(await store.load('a1')).toBeUndefined();
      expect(await store.load('a2')).toBeUndefined();
      expect(await store.transcript('a2')).toEqual([]);
      expect(await store.load('b1')).toBeDefined();
      expect(await store.transcript('b1')).toHaveLength(1);
      expect(await store.deleteUser('u-a')).toEqual({ conversations: 0, messages: 0 });
      // A user's conversations that the sweep already deleted are not counted again.
      expect(await store.deleteInactive(10_000)).toEqual({ conversations: 1, messages: 1 });
      expect(await store.deleteUser('u-b')).toEqual({ conversations: 0, messages: 0 });
    });
  });
}
