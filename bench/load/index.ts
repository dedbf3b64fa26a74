/**
 * `shopbot bench load`: many widget shoppers (socket.io over WebSocket, in separate client
 * processes) against one server, which the bench starts in its own process (default; with
 * --workers N, `serve --workers N`: a primary and N worker processes) or finds at --url. Reports turns/s, ack latency p50/p95/p99, connect failures by cause, errored turns by
 * code, lost replies, and funnel events written vs turns acknowledged; --max-rate-search steps the
 * load up until the aim (no failure, p99 <= --p99-ms) breaks; --kill-after-s kills the server with
 * SIGKILL mid-run and counts answered turns whose events never reached the store.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, writeJson, type Metrics, type SideBySide } from '../../evals/report.js';
import { compareEvents, userMessagesByConversation } from './events.js';
import { defaultMixFiles, loadMix, type Script, type ThinkDistribution } from './mix.js';
import { isSustained, mergeResults, summarize } from './report.js';
import { runLoad, type LoadRunOptions } from './run.js';
import { parseFlags, UsageError } from '../../cli/args.js';
import { processStats, RAISED_LIMITS, startBenchServer, type ServerStats, type StartedServer } from './server.js';
import type { ShopperResult } from './shoppers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MB = 2 ** 20;
const DEFAULT_SEARCH = '5,10,25,50,100,200,300,400,600,800,1000,1300,1600,2000';

export const USAGE = `usage: shopbot bench load [--start | --url URL] [--sockets N] [--think-ms MS] [--think-dist exp|uniform]
  [--ramp-s S] [--duration-s S] [--max-turns N] [--processes P] [--messages FILE]... [--json OUT]
  [--max-rate-search [--search-sockets N,N,...] [--p99-ms MS]] [--kill-after-s S]
  [--reply-timeout-ms MS] [--connect-timeout-ms MS] [--catalog FILE] [--data-dir DIR] [--workers N] [--seed N]`;

interface Flags {
  url?: string;
  sockets: number;
  thinkMs: number;
  thinkDist: ThinkDistribution;
  rampS: number;
  durationS: number;
  maxTurns: number;
  processes: number;
  messages: string[];
  json?: string;
  search?: number[];
  p99Ms: number;
  killAfterS?: number;
  replyTimeoutMs: number;
  connectTimeoutMs: number;
  catalog?: string;
  dataDir?: string;
  workers?: number;
  seed: number;
  startTimeoutMs: number;
}

function readFlags(argv: string[]): Flags | string {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      url: { type: 'string' },
      start: { type: 'boolean' },
      sockets: { type: 'string', default: '100' },
      'think-ms': { type: 'string', default: '2000' },
      'think-dist': { type: 'string', default: 'exp' },
      'ramp-s': { type: 'string', default: '10' },
      'duration-s': { type: 'string', default: '60' },
      'max-turns': { type: 'string', default: '1000000' },
      processes: { type: 'string', default: '2' },
      messages: { type: 'string', multiple: true },
      json: { type: 'string' },
      'max-rate-search': { type: 'boolean' },
      'search-sockets': { type: 'string', default: DEFAULT_SEARCH },
      'p99-ms': { type: 'string', default: '100' },
      'kill-after-s': { type: 'string' },
      'reply-timeout-ms': { type: 'string', default: '30000' },
      'connect-timeout-ms': { type: 'string', default: '20000' },
      catalog: { type: 'string' },
      'data-dir': { type: 'string' },
      workers: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'start-timeout-s': { type: 'string', default: '600' },
    },
  });
  const num = (flag: string, raw: string, min: number, max: number, isInt = true): number | string => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max || (isInt && !Number.isInteger(n))) return `--${flag} must be ${isInt ? 'an integer' : 'a number'} from ${min} to ${max}`;
    return n;
  };
  const checks = {
    sockets: num('sockets', values.sockets, 1, 20_000),
    thinkMs: num('think-ms', values['think-ms'], 0, 600_000),
    rampS: num('ramp-s', values['ramp-s'], 0, 3600, false),
    durationS: num('duration-s', values['duration-s'], 1, 3600, false),
    maxTurns: num('max-turns', values['max-turns'], 1, 100_000_000),
    processes: num('processes', values.processes, 1, 64),
    p99Ms: num('p99-ms', values['p99-ms'], 1, 600_000, false),
    replyTimeoutMs: num('reply-timeout-ms', values['reply-timeout-ms'], 100, 600_000),
    connectTimeoutMs: num('connect-timeout-ms', values['connect-timeout-ms'], 100, 600_000),
    seed: num('seed', values.seed, 0, 2 ** 31),
    workers: values.workers === undefined ? 0 : num('workers', values.workers, 1, 64),
    startTimeoutS: num('start-timeout-s', values['start-timeout-s'], 1, 3600),
  };
  for (const v of Object.values(checks)) if (typeof v === 'string') return v;
  const n = checks as Record<keyof typeof checks, number>;
  if (values.url && values.start) return '--url and --start exclude each other';
  if (values.url && (values.catalog || values['data-dir'] || values.workers)) return '--catalog, --data-dir and --workers configure the server the bench starts; not with --url';
  if (values['think-dist'] !== 'exp' && values['think-dist'] !== 'uniform') return '--think-dist must be exp or uniform';
  if (n.rampS >= n.durationS) return '--ramp-s must be shorter than --duration-s';
  let killAfterS: number | undefined;
  if (values['kill-after-s'] !== undefined) {
    const k = num('kill-after-s', values['kill-after-s'], 0.1, n.durationS, false);
    if (typeof k === 'string') return `${k} (within the run)`;
    if (values.url) return '--kill-after-s kills the server the bench started; not with --url';
    if (values['max-rate-search']) return '--kill-after-s and --max-rate-search are separate runs';
    killAfterS = k;
  }
  let search: number[] | undefined;
  if (values['max-rate-search']) {
    search = values['search-sockets'].split(',').map((s) => Number(s.trim()));
    if (search.some((s) => !Number.isInteger(s) || s < 1 || s > 20_000) || search.some((s, i) => i > 0 && s <= search![i - 1]!)) return '--search-sockets: increasing integers from 1 to 20000';
  }
  if (values.url) {
    try {
      new URL(values.url);
    } catch {
      return `--url: not a URL: ${values.url}`;
    }
  }
  return {
    ...(values.url ? { url: values.url } : {}),
    sockets: n.sockets,
    thinkMs: n.thinkMs,
    thinkDist: values['think-dist'],
    rampS: n.rampS,
    durationS: n.durationS,
    maxTurns: n.maxTurns,
    processes: Math.min(n.processes, search ? Math.max(...search) : n.sockets),
    messages: values.messages ?? defaultMixFiles(ROOT),
    ...(values.json ? { json: values.json } : {}),
    ...(search ? { search } : {}),
    p99Ms: n.p99Ms,
    ...(killAfterS !== undefined ? { killAfterS } : {}),
    replyTimeoutMs: n.replyTimeoutMs,
    connectTimeoutMs: n.connectTimeoutMs,
    ...(values.catalog ? { catalog: values.catalog } : {}),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(n.workers > 0 ? { workers: n.workers } : {}),
    seed: n.seed,
    startTimeoutMs: n.startTimeoutS * 1000,
  };
}

/** Checked before anything starts: the clients' library, the server's entry, the inputs. */
async function checkPrerequisites(f: Flags): Promise<string | undefined> {
  try {
    await import('socket.io-client');
  } catch {
    return 'socket.io-client is missing: it is a devDependency; run `npm ci` (or `npm install`) without --omit=dev';
  }
  if (!f.url && !existsSync(path.join(ROOT, 'bin', 'shopbot.js'))) return `no server entry at ${path.join(ROOT, 'bin', 'shopbot.js')}`;
  if (f.catalog && !existsSync(f.catalog)) return `--catalog: no such file: ${f.catalog}`;
  for (const m of f.messages) if (!existsSync(m)) return `--messages: no such file: ${m}`;
  return undefined;
}

/** Rows are metrics, columns runs: a run has too many figures to read across. */
function byMetric(table: SideBySide): SideBySide {
  const out: SideBySide = {};
  for (const [run, metrics] of Object.entries(table)) for (const [k, v] of Object.entries(metrics)) (out[k] ??= {})[run] = v;
  return out;
}

function serverFigures(before: ServerStats | undefined, after: ServerStats | undefined, wallS: number, acked: number): Metrics {
  if (!before || !after) return {};
  const cpuS = (after.cpuMs - before.cpuMs) / 1000;
  return {
    server_rss_before_mb: before.rssBytes / MB,
    server_rss_after_mb: after.rssBytes / MB,
    server_peak_rss_mb: after.peakRssBytes / MB,
    server_cpu_s: cpuS,
    server_cpu_cores: wallS > 0 ? cpuS / wallS : NaN,
    // Hellos included. Less sensitive to other jobs on the machine than latency is: what a turn costs, not how long it waited.
    server_cpu_ms_per_turn: acked > 0 ? (cpuS * 1000) / acked : NaN,
  };
}

interface StepOutcome {
  readonly metrics: Metrics;
  readonly merged: ShopperResult;
}

/** One run at `sockets`, with the server's memory and CPU around it. */
async function step(f: Flags, url: string, scripts: readonly Script[], sockets: number, server: StartedServer | undefined): Promise<StepOutcome & { killed: boolean }> {
  let last = server?.stats();
  const before = last;
  const sampler = setInterval(() => (last = server?.stats() ?? last), 1000);
  let killed = false;
  let killedAt: number | undefined;
  const t0 = Date.now();
  const options: LoadRunOptions = {
    root: ROOT,
    url,
    sockets,
    processes: Math.min(f.processes, sockets),
    scripts,
    thinkMs: f.thinkMs,
    thinkDist: f.thinkDist,
    rampS: f.rampS,
    durationS: f.durationS,
    maxTurns: f.maxTurns,
    replyTimeoutMs: f.replyTimeoutMs,
    connectTimeoutMs: f.connectTimeoutMs,
    seed: f.seed,
    ...(f.killAfterS !== undefined && server
      ? {
          at: {
            afterS: f.killAfterS,
            async run() {
              last = server.stats() ?? last;
              await server.kill();
              killed = true;
              killedAt = Date.now();
              console.log(`killed the server (SIGKILL, pid ${server.pid}) ${f.killAfterS} s into the run`);
            },
          },
        }
      : {}),
  };
  try {
    const run = await runLoad(options);
    const merged = mergeResults(run.results);
    const after = killed ? last : (server?.stats() ?? last);
    const summary = summarize(merged, run.window, f.thinkMs);
    const metrics = { ...summary, ...serverFigures(before, after, ((killedAt ?? Date.now()) - t0) / 1000, summary.acked!) };
    return { metrics, merged, killed };
  } finally {
    clearInterval(sampler);
  }
}

export async function run(argv: string[]): Promise<number> {
  const parsed = readFlags(argv);
  if (typeof parsed === 'string') throw new UsageError(parsed, USAGE);
  const f = parsed;
  const missing = await checkPrerequisites(f);
  if (missing) {
    console.error(`shopbot bench load: ${missing}`);
    return 1;
  }
  const scripts = loadMix(f.messages);
  const bySource = new Map<string, number>();
  for (const s of scripts) bySource.set(s.source, (bySource.get(s.source) ?? 0) + 1);
  const [load1, load5] = loadavg();
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; load average ${load1!.toFixed(2)} (1 min), ${load5!.toFixed(2)} (5 min)`);
  console.log(`clients: ${f.processes} processes; think ${f.thinkDist} mean ${f.thinkMs} ms; ramp ${f.rampS} s; duration ${f.durationS} s; max ${f.maxTurns} turns; reply timeout ${f.replyTimeoutMs} ms; connect timeout ${f.connectTimeoutMs} ms`);
  console.log(`messages: ${scripts.length} scripts, ${scripts.reduce((s, x) => s + x.turns.length, 0)} turns (${[...bySource].map(([k, v]) => `${k} ${v}`).join(', ')}), picked uniformly per conversation`);

  const ownDir = !f.url && !f.dataDir;
  const dataDir = f.url ? undefined : (f.dataDir ?? mkdtempSync(path.join(tmpdir(), 'shopbot-load-')));
  let server: StartedServer | undefined;
  try {
    if (!f.url) {
      const serve = f.workers ? `serve --workers ${f.workers}` : 'serve (its default: one worker per core)';
      console.log(`starting the server: node bin/shopbot.js ${serve}, data dir ${dataDir}, ${f.catalog ? `catalog ${f.catalog}` : 'demo catalog'}`);
      server = await startBenchServer({ root: ROOT, dataDir: dataDir!, ...(f.catalog ? { catalog: f.catalog } : {}), ...(f.workers ? { workers: f.workers } : {}), startTimeoutMs: f.startTimeoutMs });
      const workerPids = Object.entries(server.workerPids);
      console.log(`server pid ${server.pid}${workerPids.length ? ` (primary; workers ${workerPids.map(([i, p]) => `${i}: pid ${p}`).join(', ')}; memory and CPU are the sum of the process tree)` : ''} at ${server.url}; the bench's client processes share this machine's cores with it; abuse limits raised for this run (all shoppers share 127.0.0.1): ${Object.entries(RAISED_LIMITS).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      if (!processStats(server.pid)) console.log('no /proc here: server memory and CPU are not reported');
    } else {
      console.log(`target ${f.url}: its own abuse limits apply (per-address connection and message rates, open-socket caps); every shopper comes from this machine's address, so raise them there (SHOPBOT_LIMIT_*) or the run measures the limits. Server memory, CPU and funnel events are not read.`);
    }
    const url = f.url ?? server!.url;
    const table: SideBySide = {};
    const acked: Record<string, Record<string, number>> = {};
    let best: { sockets: number; metrics: Metrics } | undefined;
    let failedAt: number | undefined;
    let killed = false;
    for (const sockets of f.search ?? [f.sockets]) {
      const key = `${sockets} sockets`;
      const loadBefore = loadavg()[0]!;
      console.log(`\nrunning ${key} (load average ${loadBefore.toFixed(2)})`);
      const outcome = await step(f, url, scripts, sockets, server);
      killed = outcome.killed;
      table[key] = { ...outcome.metrics, loadavg_1m_before: loadBefore, ...(server ? { server_workers: Object.keys(server.workerPids).length || 1 } : {}) };
      acked[key] = outcome.merged.ackedByConversation;
      if (!f.search) break;
      if (isSustained(outcome.metrics, f.p99Ms)) best = { sockets, metrics: outcome.metrics };
      else {
        failedAt = sockets;
        break;
      }
    }
    if (server && !killed) {
      const code = await server.stop();
      if (code !== 0) console.log(`the server exited with code ${code} on SIGTERM`);
    }
    if (server) {
      const events = await userMessagesByConversation(server.dataDir);
      for (const [key, byConversation] of Object.entries(acked)) {
        const c = compareEvents(byConversation, events);
        Object.assign(table[key]!, { user_events: c.userEvents, acked_without_event: c.ackedWithoutEvent, events_without_ack: c.eventsWithoutAck, server_error_logs: server.errorLogs() });
        if (killed) table[key]!.killed_after_s = f.killAfterS!;
      }
    }
    const title = f.search
      ? `Load, max-rate search (think ${f.thinkMs} ms, ${f.durationS} s per step, aim: no failure and p99 <= ${f.p99Ms} ms)`
      : `Load: ${f.sockets} sockets, think ${f.thinkMs} ms, ${f.durationS} s${killed ? `, server killed (SIGKILL) after ${f.killAfterS} s` : ''}`;
    printTable(title, byMetric(table), undefined, 'metric');
    if (f.search) {
      const summary: Metrics = best ? { sockets: best.sockets, turns_per_s: best.metrics.turns_per_s!, p99_ms: best.metrics.p99_ms! } : { sockets: 0, turns_per_s: 0 };
      if (failedAt !== undefined) summary.first_failed_sockets = failedAt;
      table['max sustainable'] = summary;
      console.log(
        best
          ? `\nmax sustainable: ${best.metrics.turns_per_s!.toFixed(1)} turns/s at ${best.sockets} sockets (p99 ${best.metrics.p99_ms!.toFixed(1)} ms)${failedAt ? `; ${failedAt} sockets broke the aim` : '; the last step still held (raise --search-sockets)'}`
          : `\nmax sustainable: below the first step (${f.search[0]} sockets already broke the aim)`,
      );
    }
    writeJson(f.json, f.search ? table : table[`${f.sockets} sockets`]!);
    const answered = Object.values(table).reduce((s, m) => s + (m.acked ?? 0), 0);
    if (answered === 0) {
      console.error('shopbot bench load: no turn was answered; the figures above measure nothing');
      return 1;
    }
    return 0;
  } finally {
    if (server) await server.stop();
    if (ownDir && dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
