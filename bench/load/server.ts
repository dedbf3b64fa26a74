/**
 * The server under test, in its own process (`node bin/shopbot.js serve`), so the bench's clients
 * never share its event loop. It gets a data directory, a free port, the demo catalog and abuse
 * limits raised past what one load-generating address needs; every other setting is the default
 * (the environment is not inherited, so a developer's SHOPBOT_* variables cannot change the run).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ShopbotError } from '../../src/errors.js';

/**
 * Every limit the bench's shoppers would hit from 127.0.0.1 (per-address connection and message
 * rates, open-socket caps, conversations per address, turns per conversation, guest order checks),
 * at the top of each setting's allowed range.
 */
export const RAISED_LIMITS: Readonly<Record<string, string>> = {
  SHOPBOT_LIMIT_SOCKET_CONNECTIONS_PER_MINUTE_PER_IP: '1000000',
  SHOPBOT_LIMIT_SOCKET_MESSAGES_PER_MINUTE_PER_IP: '1000000',
  SHOPBOT_LIMIT_MAX_SOCKETS_PER_IP: '1000000',
  SHOPBOT_LIMIT_MAX_SOCKETS: '10000000',
  SHOPBOT_LIMIT_CONVERSATIONS_PER_HOUR_PER_IP: '1000000',
  SHOPBOT_LIMIT_TURNS_PER_MINUTE_PER_CONVERSATION: '100000',
  SHOPBOT_LIMIT_REST_TURNS_PER_MINUTE_PER_IP: '1000000',
  SHOPBOT_LIMIT_ORDER_CHECKS_PER_HOUR_PER_CONVERSATION: '10000',
  SHOPBOT_LIMIT_ORDER_CHECKS_PER_HOUR_PER_ORDER: '10000',
};

export interface ServerOptions {
  readonly root: string;
  readonly dataDir: string;
  /** Demo catalog file; default: the server's own (the full ESCI demo catalog). */
  readonly catalog?: string;
  readonly startTimeoutMs: number;
  /** `serve --workers N`; unset: the server's default (one per core). */
  readonly workers?: number;
  /** The port to listen on; default 0 (a free one, reported in the start-up line). */
  readonly port?: number;
}

export interface ServerStats {
  readonly rssBytes: number;
  /** Peak resident set since the process started (VmHWM). */
  readonly peakRssBytes: number;
  /** User + system CPU time of the process so far. */
  readonly cpuMs: number;
}

export interface StartedServer {
  /** The process the bench started: the primary, when there are workers. */
  readonly pid: number;
  readonly url: string;
  readonly dataDir: string;
  /** With workers: worker index → pid, as the primary's start-up line gave them. */
  readonly workerPids: Readonly<Record<string, number>>;
  /** Log lines at level error or above since start (pino level >= 50). */
  errorLogs(): number;
  /** The last lines it printed (stdout and stderr), for a failure's message. */
  lastLines(): readonly string[];
  /** Resolves with the first log entry printed from now on that `match` accepts; rejects after `timeoutMs`. */
  nextLog(match: (entry: Readonly<Record<string, unknown>>) => boolean, timeoutMs: number): Promise<Readonly<Record<string, unknown>>>;
  /** Of the whole process tree (the primary and its workers; peaks are summed per process). */
  stats(): ServerStats | undefined;
  /** SIGTERM, waiting for the server's own shutdown (it flushes the funnel); SIGKILL after the grace period. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL now: what a crash or an OOM kill does. */
  kill(): Promise<void>;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100; // Linux's USER_HZ on every architecture we run on.
    }
  }
  return clockTicks;
}

/** Memory and CPU of a process on this machine, from /proc; undefined where there is no /proc or no such process. */
export function processStats(pid: number): ServerStats | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM'), cpuMs: (ticks * 1000) / ticksPerSecond() };
  } catch {
    return undefined;
  }
}

/** A process and its descendants, from /proc (the children files list each thread's children). */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${out[i]}/task`)) {
        const kids = readFileSync(`/proc/${out[i]}/task/${task}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      // The process exited between the reads: it has no children to add.
    }
  }
  return out;
}

/** processStats summed over a process and its descendants (a primary and its workers). */
export function processTreeStats(pid: number): ServerStats | undefined {
  const all = processTree(pid).map(processStats).filter((s): s is ServerStats => s !== undefined);
  if (all.length === 0) return undefined;
  return all.reduce((a, b) => ({ rssBytes: a.rssBytes + b.rssBytes, peakRssBytes: a.peakRssBytes + b.peakRssBytes, cpuMs: a.cpuMs + b.cpuMs }));
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function startBenchServer(options: ServerOptions): Promise<StartedServer> {
  const env: Record<string, string> = {
    ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    ...RAISED_LIMITS,
    SHOPBOT_DATA_DIR: options.dataDir,
    HOST: '127.0.0.1',
    PORT: String(options.port ?? 0),
    // Info level: the start-up line carries the URL; the run's own logging stays at the default level.
    SHOPBOT_LOG_LEVEL: 'info',
    ...(options.catalog ? { SHOPBOT_DEMO_CATALOG_FILE: path.resolve(options.catalog) } : {}),
  };
  const args = [path.join(options.root, 'bin', 'shopbot.js'), 'serve', ...(options.workers !== undefined ? ['--workers', String(options.workers)] : [])];
  const child = spawn(process.execPath, args, { cwd: options.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  let errorLines = 0;
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > 60) tail.shift();
  };
  let workerPids: Record<string, number> = {};
  const watchers = new Set<(entry: Record<string, unknown>) => void>();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ShopbotError('INTERNAL', `the server did not start within ${options.startTimeoutMs} ms; its last lines:\n${tail.slice(-20).join('\n')}`));
    }, options.startTimeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      remember(line);
      let entry: { level?: unknown; url?: unknown; pids?: unknown } = {};
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return; // Not one of pino's lines (a dependency printing to stdout): kept in the tail only.
      }
      if (typeof entry.level === 'number' && entry.level >= 50) errorLines++;
      for (const watch of watchers) watch(entry);
      if (typeof entry.url !== 'string') return;
      if (entry.pids && typeof entry.pids === 'object') workerPids = entry.pids as Record<string, number>;
      clearTimeout(timer);
      resolve(entry.url);
    });
    createInterface({ input: child.stderr! }).on('line', remember);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new ShopbotError('INTERNAL', `the server exited during start-up (code ${code}, signal ${signal}); its last lines:\n${tail.slice(-20).join('\n')}`));
    });
  });
  const pid = child.pid!;
  return {
    pid,
    url,
    dataDir: options.dataDir,
    workerPids,
    errorLogs: () => errorLines,
    lastLines: () => [...tail],
    nextLog(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => (watchers.delete(watch), reject(new ShopbotError('INTERNAL', `no matching log line within ${timeoutMs} ms; the last lines:\n${tail.slice(-20).join('\n')}`))), timeoutMs);
        const watch = (entry: Record<string, unknown>) => {
          if (!match(entry)) return;
          watchers.delete(watch);
          clearTimeout(timer);
          resolve(entry);
        };
        watchers.add(watch);
      });
    },
    stats: () => processTreeStats(pid),
    async stop(graceMs = 60_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited(child);
      clearTimeout(timer);
      return code;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
