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
      const s = { ...newState('c1', 'u1', 'web'), lang: 'zh' as const, verifiedEmail: 'a@b.co', lastShown: [{ id: 'p1', position: 0, slateId: 's' }] };
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
  });
}
