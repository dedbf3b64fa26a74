/**
 * WAL checkpoints off the turn path. By default SQLite checkpoints inside the commit that takes the
 * WAL past 1000 frames: that turn copies the WAL's pages into the database file and syncs it before
 * its transaction returns, and those turns were the p99 tail of `shopbot bench turn`. Here the
 * app's connection never checkpoints (`wal_autocheckpoint = 0`); a worker thread with its own
 * connection to the same file does, PASSIVE every 200 ms (it never waits for or blocks a writer),
 * and RESTART when the WAL has grown past 10,000 frames, to start it over.
 *
 * Several processes on one file (`serve --workers N`) each run one; that is harmless: concurrent
 * PASSIVE checkpoints do not wait, the one that finds another running just reports busy.
 */
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointOptions {
  readonly intervalMs: number;
  /**
   * WAL frames past which the worker starts the WAL over with RESTART. Needed: with the checkpoints
   * in another thread the app's writer was never seen to restart the WAL by itself, even with every
   * frame checkpointed, and the WAL grew with every commit. RESTART holds the write lock while it
   * copies and syncs what PASSIVE left (a commit waited 100 ms behind it under steady writes), so
   * up to `catchUpPasses` more PASSIVE passes, each shorter, run first and leave it little to do.
   */
  readonly restartFrames: number;
  readonly catchUpPasses: number;
  /**
   * The worker's busy_timeout. RESTART holds the write lock while it waits for readers of old
   * snapshots, so a writer on the turn path waits as long: short, and the next tick tries again.
   */
  readonly busyTimeoutMs: number;
  /** What the WAL file is truncated to when it is reset, instead of keeping its largest size. */
  readonly journalSizeLimitBytes: number;
}

export const DEFAULT_CHECKPOINT_OPTIONS: CheckpointOptions = {
  intervalMs: 200,
  restartFrames: 10_000,
  catchUpPasses: 4,
  busyTimeoutMs: 10,
  journalSizeLimitBytes: 64 * 2 ** 20,
};

/** SQLite's own default, restored when the worker is not there to checkpoint. */
const SQLITE_AUTOCHECKPOINT_FRAMES = 1000;

export interface CheckpointLog {
  warn(obj: unknown, msg?: string): void;
}

/**
 * Plain JavaScript evaluated in the worker: a TypeScript file would need the tsx loader, which
 * worker threads do not inherit (under vitest either). The driver comes by absolute path.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = ' + Number(workerData.busyTimeoutMs));
db.pragma('journal_size_limit = ' + Number(workerData.journalSizeLimitBytes));
const passive = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
const timer = setInterval(() => {
  let r = passive();
  if (r.log < workerData.restartFrames) return;
  for (let i = 0; i < workerData.catchUpPasses && r.checkpointed < r.log; i++) r = passive();
  db.pragma('wal_checkpoint(RESTART)');
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the worker (without waiting for it) and checkpoints what is left without waiting for locks. */
  stop(): void;
}

/**
 * Starts the checkpoint worker for `file`, which `db` has open in WAL mode, and turns off `db`'s
 * own checkpoints. If the worker cannot start, or stops by itself, `db` goes back to SQLite's
 * autocheckpoint, so the WAL never grows unchecked.
 */
export function startCheckpointer(db: Database.Database, file: string, options: CheckpointOptions = DEFAULT_CHECKPOINT_OPTIONS, log?: CheckpointLog): Checkpointer {
  db.pragma(`journal_size_limit = ${options.journalSizeLimitBytes}`);
  let worker: Worker | undefined;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), file, ...options } });
  } catch (err) {
    log?.warn({ err }, 'the WAL checkpoint worker did not start: SQLite checkpoints on commit');
  }
  let stopped = false;
  if (worker) {
    // Not a reason to keep the process alive: exiting without close leaves a WAL the next open replays.
    worker.unref();
    db.pragma('wal_autocheckpoint = 0');
    const fallBack = (err: unknown) => {
      if (stopped) return;
      stopped = true;
      log?.warn({ err }, 'the WAL checkpoint worker stopped: SQLite checkpoints on commit');
      restoreAutocheckpoint(db);
    };
    worker.on('error', fallBack);
    worker.on('exit', (code) => fallBack(new Error(`checkpoint worker exited with code ${code}`)));
  }
  return {
    stop() {
      if (!stopped) worker?.postMessage('stop');
      stopped = true;
      if (!db.open) return;
      // Leaves a short WAL behind, but never waits: a reader or another process's checkpoint in
      // the way makes this report busy, and the next open or the other process carries on.
      db.pragma('busy_timeout = 0');
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (err) {
        log?.warn({ err }, 'closing checkpoint failed; the WAL is replayed on the next open');
      }
    },
  };
}

/** Retried on a timer while a statement of `db` is mid-iteration (a replay), when no pragma can run. */
function restoreAutocheckpoint(db: Database.Database): void {
  if (!db.open) return;
  try {
    db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_FRAMES}`);
  } catch {
    setTimeout(() => restoreAutocheckpoint(db), 50).unref();
  }
}
