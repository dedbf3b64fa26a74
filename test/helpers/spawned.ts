/**
 * A real `shopbot serve` in its own process (bench/load/server.ts starts it, as the load bench
 * does), on the fixture catalog in a fresh data dir, and socket.io shoppers to talk to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { startBenchServer, type StartedServer } from '../../bench/load/server.js';
import { REPO_ROOT } from '../../src/app.js';
import { FIXTURE_CATALOG } from './app.js';

export interface SpawnedServer extends StartedServer {
  /** Kills what is left of the server and removes its data dir. */
  cleanup(): Promise<void>;
}

export async function spawnServer(options: { workers?: number; startTimeoutMs?: number; port?: number } = {}): Promise<SpawnedServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'shopbot-spawned-'));
  try {
    const server = await startBenchServer({ root: REPO_ROOT, dataDir, catalog: FIXTURE_CATALOG, startTimeoutMs: options.startTimeoutMs ?? 90_000, ...(options.workers !== undefined ? { workers: options.workers } : {}), ...(options.port !== undefined ? { port: options.port } : {}) });
    return {
      ...server,
      async cleanup() {
        await server.kill();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

export type Transport = 'websocket' | 'polling';

/** A connected widget socket on one transport only (no upgrade), so polling stays polling. */
export async function connectShopper(url: string, transport: Transport, timeoutMs = 20_000): Promise<Socket> {
  const s = connect(url, { transports: [transport], upgrade: false, reconnection: false, forceNew: true, timeout: timeoutMs });
  await new Promise<void>((resolve, reject) => (s.once('connect', resolve), s.once('connect_error', reject)));
  return s;
}

/** Emits with an ack; rejects after `timeoutMs` (a lost reply fails the test instead of hanging it). */
export function emitWithAck<T>(s: Socket, event: string, payload: unknown, timeoutMs = 20_000): Promise<T> {
  return s.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
}
