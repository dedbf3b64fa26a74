import { describe, expect, it } from 'vitest';
import { MicroBatcher } from '../../src/models/batcher.js';

function recordingRunner() {
  const calls: number[][] = [];
  const runner = async (items: readonly number[]) => {
    calls.push([...items]);
    return items.map((x) => x * 10);
  };
  return { calls, runner };
}

describe('MicroBatcher', () => {
  it('runs concurrent submissions as one batch and routes outputs back in order', async () => {
    const { calls, runner } = recordingRunner();
    const b = new MicroBatcher(runner, { maxBatchSize: 8, maxWaitMs: 1000 });
    // 3 + 2 + 3 = 8 items fills the batch, so it runs without waiting for the timer.
    const [a, c, d] = await Promise.all([b.submit([1, 2, 3]), b.submit([4, 5]), b.submit([6, 7, 8])]);
    expect(a).toEqual([10, 20, 30]);
    expect(c).toEqual([40, 50]);
    expect(d).toEqual([60, 70, 80]);
    expect(calls).toEqual([[1, 2, 3, 4, 5, 6, 7, 8]]);
    await b.close();
  });

  it('with no wait, runs an idle request at once and batches what arrives while a batch runs', async () => {
    const calls: number[][] = [];
    let release: (() => void) | undefined;
    const b = new MicroBatcher(
      async (items: readonly number[]) => {
        calls.push([...items]);
        if (calls.length === 1) await new Promise<void>((r) => (release = r));
        return items.map((x) => x * 10);
      },
      { maxBatchSize: 8, maxWaitMs: 0 },
    );
    const first = b.submit([1]);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1]]);
    // The first batch is still running: these two queue up and run together after it.
    const later = Promise.all([b.submit([2]), b.submit([3, 4])]);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1]]);
    release!();
    expect(await first).toEqual([10]);
    expect(await later).toEqual([[20], [30, 40]]);
    expect(calls).toEqual([[1], [2, 3, 4]]);
    await b.close();
  });

  it('never exceeds the maximum batch size, splitting large requests', async () => {
    const { calls, runner } = recordingRunner();
    const b = new MicroBatcher(runner, { maxBatchSize: 4, maxWaitMs: 0 });
    const out = await b.submit([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(Math.max(...calls.map((c) => c.length))).toBeLessThanOrEqual(4);
    expect(calls.flat().sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await b.close();
  });

  it('drops an aborted request that is still queued and rejects with the reason', async () => {
    const { calls, runner } = recordingRunner();
    const b = new MicroBatcher(runner, { maxBatchSize: 100, maxWaitMs: 50 });
    const ctrl = new AbortController();
    const aborted = b.submit([1], ctrl.signal);
    const kept = b.submit([2]);
    ctrl.abort(new Error('client went away'));
    await expect(aborted).rejects.toThrow('client went away');
    expect(await kept).toEqual([20]);
    expect(calls).toEqual([[2]]);
    await b.close();
  });

  it('rejects every caller of a failed batch, then keeps serving', async () => {
    let fail = true;
    const b = new MicroBatcher(
      async (items: readonly number[]) => {
        if (fail) throw new Error('session failed');
        return items.map((x) => x + 1);
      },
      { maxBatchSize: 2, maxWaitMs: 0 },
    );
    await expect(Promise.all([b.submit([1]), b.submit([2])])).rejects.toThrow('session failed');
    fail = false;
    expect(await b.submit([3])).toEqual([4]);
    await b.close();
  });

  it('finishes queued work on close and refuses new work after', async () => {
    const { runner } = recordingRunner();
    const b = new MicroBatcher(runner, { maxBatchSize: 10, maxWaitMs: 10_000 });
    const pending = b.submit([7]);
    await b.close();
    expect(await pending).toEqual([70]);
    await expect(b.submit([1])).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
