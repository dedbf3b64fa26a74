/**
 * The pieces of `serve --workers N` that need no process: routing a request line to the worker
 * that named its session, and the socket caps the primary keeps for all the workers (over a fake
 * IPC pair). test/server/workers.test.ts runs the real process tree.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ClusterConnectionCounter, ConnectionCountsPrimary, type IpcPort } from '../../src/limits/index.js';
import { sessionIdFor, workerOfRequestLine } from '../../src/server/cluster.js';

/** Both ends of an IPC channel in one process; messages are delivered on a later tick, as by IPC. */
class FakeIpcPort extends EventEmitter implements IpcPort {
  peer?: FakeIpcPort;
  send(message: unknown): boolean {
    const copy = JSON.parse(JSON.stringify(message)) as unknown;
    setImmediate(() => this.peer!.emit('message', copy));
    return true;
  }
}
function pair(): [FakeIpcPort, FakeIpcPort] {
  const a = new FakeIpcPort();
  const b = new FakeIpcPort();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

describe('sticky routing', () => {
  it('sends a request carrying a session id to the worker that made it, anything else to any worker', () => {
    const sid = sessionIdFor(2);
    expect(sid).toMatch(/^w2-[A-Za-z0-9_-]{20}$/);
    expect(workerOfRequestLine(`GET /socket.io/?EIO=4&transport=polling&t=abc&sid=${sid} HTTP/1.1`)).toBe(2);
    expect(workerOfRequestLine(`POST /socket.io/?sid=${sessionIdFor(13)}&EIO=4&transport=polling HTTP/1.1`)).toBe(13);
    expect(workerOfRequestLine('GET /socket.io/?EIO=4&transport=polling&t=abc HTTP/1.1')).toBeUndefined();
    expect(workerOfRequestLine('GET /socket.io/?EIO=4&transport=websocket HTTP/1.1')).toBeUndefined();
    expect(workerOfRequestLine('GET /api/products?q=shoes HTTP/1.1')).toBeUndefined();
    // Only the query's own sid parameter counts, not one inside another value or the path.
    expect(workerOfRequestLine('GET /socket.io/?EIO=4&xsid=w2-abc HTTP/1.1')).toBeUndefined();
    expect(workerOfRequestLine('GET /sid=w2-abc HTTP/1.1')).toBeUndefined();
  });
});

describe('socket caps across workers', () => {
  it('counts every worker in the primary, per address and in total, and frees a dead worker’s slots', async () => {
    const primary = new ConnectionCountsPrimary({ maxPerKey: 2, maxTotal: 3 });
    const workers = [1, 2].map((id) => {
      const [workerEnd, primaryEnd] = pair();
      primaryEnd.on('message', (m: unknown) => primary.handle(id, m, (reply) => primaryEnd.send(reply)));
      return new ClusterConnectionCounter(workerEnd);
    });
    const [one, two] = workers as [ClusterConnectionCounter, ClusterConnectionCounter];
    expect(await one.acquire('10.0.0.1')).toBe('ok');
    expect(await two.acquire('10.0.0.1')).toBe('ok');
    // The address's third socket is refused whichever worker it reaches.
    expect(await one.acquire('10.0.0.1')).toBe('per_key');
    expect(await two.acquire('10.0.0.2')).toBe('ok');
    expect(await one.acquire('10.0.0.3')).toBe('total');
    expect(await two.count()).toBe(3);
    // Worker 2 dies holding two sockets: they no longer count.
    primary.dropWorker(2);
    expect(await one.count()).toBe(1);
    expect(await one.count('10.0.0.1')).toBe(1);
    await one.release('10.0.0.1');
    expect(await one.count()).toBe(0);
    // A release the worker does not hold changes nothing.
    await one.release('10.0.0.9');
    expect(primary.count()).toBe(0);
    await Promise.all(workers.map((w) => w.close()));
  });
});
