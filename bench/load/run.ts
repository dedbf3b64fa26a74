/**
 * One load run: forks the client processes, hands each its share of the sockets (interleaved, so
 * every process ramps over the whole ramp), starts them at one agreed time and gathers their results.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ShopbotError } from '../../src/errors.js';
import type { Script, ThinkDistribution } from './mix.js';
import type { RunWindow } from './report.js';
import type { ShopperPlan, ShopperResult } from './shoppers.js';

export interface LoadRunOptions {
  readonly root: string;
  readonly url: string;
  readonly sockets: number;
  readonly processes: number;
  readonly scripts: readonly Script[];
  readonly thinkMs: number;
  readonly thinkDist: ThinkDistribution;
  readonly rampS: number;
  readonly durationS: number;
  readonly maxTurns: number;
  readonly replyTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly seed: number;
  /** Called this many seconds after the first socket opens (the kill -9 mode). */
  readonly at?: { readonly afterS: number; run(): Promise<void> | void };
}

export interface LoadRun {
  readonly window: RunWindow;
  readonly results: ShopperResult[];
}

type WorkerMessage = { type: 'ready' } | { type: 'result'; result: ShopperResult } | { type: 'failed'; message: string };

/** Spreads the sockets over the processes and the ramp, and --max-turns over the processes. */
export function planShoppers(o: Omit<LoadRunOptions, 'root' | 'at'>, startAt: number): ShopperPlan[] {
  const endAt = startAt + o.durationS * 1000;
  const plans: ShopperPlan[] = [];
  for (let p = 0; p < o.processes; p++) {
    const sockets: { index: number; openAt: number }[] = [];
    for (let i = p; i < o.sockets; i += o.processes) sockets.push({ index: i, openAt: startAt + Math.round((i / o.sockets) * o.rampS * 1000) });
    const maxTurns = Math.floor(o.maxTurns / o.processes) + (p < o.maxTurns % o.processes ? 1 : 0);
    plans.push({
      url: o.url,
      sockets,
      scripts: o.scripts,
      thinkMs: o.thinkMs,
      thinkDist: o.thinkDist,
      seed: o.seed,
      endAt,
      maxTurns,
      replyTimeoutMs: o.replyTimeoutMs,
      connectTimeoutMs: o.connectTimeoutMs,
    });
  }
  return plans;
}

function forkWorker(root: string): ChildProcess {
  // tsx as a loader, resolved from the repository, so the worker runs the TypeScript sources as the CLI does.
  return fork(path.join(root, 'bench', 'load', 'worker.ts'), [], { cwd: root, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

export async function runLoad(o: LoadRunOptions): Promise<LoadRun> {
  const workers = Array.from({ length: o.processes }, () => forkWorker(o.root));
  const done: Promise<ShopperResult>[] = [];
  try {
    // All processes load first (tsx, socket.io-client), so none starts late.
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('message', (m: WorkerMessage) => (m.type === 'ready' ? resolve() : reject(new ShopbotError('INTERNAL', 'client process did not start'))));
            w.once('exit', (code) => reject(new ShopbotError('INTERNAL', `client process exited during start-up (code ${code})`)));
          }),
      ),
    );
    const startAt = Date.now() + 500;
    const plans = planShoppers(o, startAt);
    const window: RunWindow = { startAt, rampEndAt: startAt + Math.round(((o.sockets - 1) / o.sockets) * o.rampS * 1000), endAt: startAt + o.durationS * 1000 };
    // Every shopper's last wait: a connect that times out, or a reply that does, plus a margin.
    const deadlineMs = window.endAt - Date.now() + o.connectTimeoutMs + o.replyTimeoutMs + 30_000;
    workers.forEach((w, i) => {
      done.push(
        new Promise<ShopperResult>((resolve, reject) => {
          const timer = setTimeout(() => {
            w.kill('SIGKILL');
            reject(new ShopbotError('INTERNAL', `client process ${i} did not finish within ${Math.round(deadlineMs / 1000)} s`));
          }, deadlineMs);
          w.on('message', (m: WorkerMessage) => {
            if (m.type === 'result') (clearTimeout(timer), resolve(m.result));
            if (m.type === 'failed') (clearTimeout(timer), reject(new ShopbotError('INTERNAL', `client process ${i} failed: ${m.message}`)));
          });
          w.once('exit', (code) => (clearTimeout(timer), reject(new ShopbotError('INTERNAL', `client process ${i} exited (code ${code}) before reporting`))));
        }),
      );
      w.send(plans[i]!);
    });
    let atTimer: NodeJS.Timeout | undefined;
    let atDone: Promise<void> = Promise.resolve();
    if (o.at) {
      const at = o.at;
      atDone = new Promise((resolve, reject) => {
        atTimer = setTimeout(() => Promise.resolve(at.run()).then(resolve, reject), Math.max(0, startAt + at.afterS * 1000 - Date.now()));
      });
    }
    try {
      const results = await Promise.all(done);
      if (o.at && atTimer) await atDone;
      return { window, results };
    } finally {
      if (atTimer) clearTimeout(atTimer);
    }
  } finally {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  }
}
