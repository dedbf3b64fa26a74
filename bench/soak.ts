/**
 * `shopbot bench soak`: a long, steady load (the load bench's shoppers, which start a new
 * conversation at the end of every script) against a server the bench starts, sampling the
 * server's resident memory as it goes. Prints RSS over time, and fails when RSS still grows over
 * the second half of the run by more than --max-growth-mb (warm-up, the first half, is excluded:
 * caches and the JIT fill there).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, writeJson, type SideBySide } from '../evals/report.js';
import { parseFlags, UsageError } from '../cli/args.js';
import { defaultMixFiles, loadMix } from './load/mix.js';
import { mergeResults, summarize } from './load/report.js';
import { runLoad } from './load/run.js';
import { startBenchServer, type ServerStats } from './load/server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MB = 2 ** 20;

export const USAGE = `usage: shopbot bench soak [--minutes N] [--sockets N] [--think-ms MS] [--sample-s S] [--max-growth-mb MB]
  [--processes P] [--messages FILE]... [--catalog FILE] [--json OUT]

A steady load for --minutes (default 30) against a server this command starts; prints the server's
RSS over time and exits non-zero when RSS grew more than --max-growth-mb (default 64) over the
second half of the run.

options:
  --minutes VALUE        (default 30)
  --sockets VALUE        (default 200)
  --think-ms VALUE       (default 2000)
  --sample-s VALUE       (default 60; at most a tenth of the run)
  --max-growth-mb VALUE  (default 64)
  --processes VALUE      (default 2)
  --messages FILE        conversation eval files (default evals/conversations/*.json)
  --catalog FILE
  --json OUT`;

function positive(flag: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new UsageError(`--${flag} must be a number above 0 and at most ${max}`, USAGE);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      minutes: { type: 'string', default: '30' },
      sockets: { type: 'string', default: '200' },
      'think-ms': { type: 'string', default: '2000' },
      'sample-s': { type: 'string', default: '60' },
      'max-growth-mb': { type: 'string', default: '64' },
      processes: { type: 'string', default: '2' },
      messages: { type: 'string', multiple: true },
      catalog: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const minutes = positive('minutes', values.minutes, 24 * 60);
  const sockets = Math.round(positive('sockets', values.sockets, 20_000));
  const thinkMs = positive('think-ms', values['think-ms'], 600_000);
  const durationS = minutes * 60;
  const sampleS = Math.min(positive('sample-s', values['sample-s'], 3600), durationS / 10);
  const maxGrowthMb = positive('max-growth-mb', values['max-growth-mb'], 1_000_000);
  const processes = Math.min(Math.round(positive('processes', values.processes, 64)), sockets);
  const scripts = loadMix(values.messages ?? defaultMixFiles(ROOT));

  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; load average ${loadavg()[0]!.toFixed(2)}`);
  console.log(`soak: ${sockets} sockets, think ${thinkMs} ms (exponential), ${minutes} min, RSS sampled every ${sampleS.toFixed(0)} s`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'shopbot-soak-'));
  const server = await startBenchServer({ root: ROOT, dataDir, ...(values.catalog ? { catalog: values.catalog } : {}), startTimeoutMs: 600_000 });
  const samples: { atS: number; stats: ServerStats }[] = [];
  const t0 = Date.now();
  const sample = () => {
    const stats = server.stats();
    if (!stats) return;
    const atS = (Date.now() - t0) / 1000;
    samples.push({ atS, stats });
    console.log(`  ${atS.toFixed(0).padStart(6)} s  RSS ${(stats.rssBytes / MB).toFixed(0).padStart(5)} MB  CPU ${(stats.cpuMs / 1000).toFixed(0)} s`);
  };
  try {
    sample();
    if (samples.length === 0) {
      console.error('shopbot bench soak: no /proc on this machine, so the server RSS cannot be read');
      return 1;
    }
    const timer = setInterval(sample, sampleS * 1000);
    let load;
    try {
      load = await runLoad({ root: ROOT, url: server.url, sockets, processes, scripts, thinkMs, thinkDist: 'exp', rampS: Math.min(30, durationS / 10), durationS, maxTurns: 1_000_000_000, replyTimeoutMs: 30_000, connectTimeoutMs: 20_000, seed: 1 });
    } finally {
      clearInterval(timer);
    }
    sample();
    const summary = summarize(mergeResults(load.results), load.window, thinkMs);
    const half = samples.filter((s) => s.atS >= durationS / 2);
    const first = half[0] ?? samples[0]!;
    const last = samples[samples.length - 1]!;
    const growthMb = (last.stats.rssBytes - first.stats.rssBytes) / MB;
    const table: SideBySide = {
      soak: {
        minutes,
        sockets,
        turns: summary.acked!,
        turns_per_s: summary.turns_per_s!,
        p99_ms: summary.p99_ms!,
        errors: summary.errors!,
        lost_replies: summary.lost_replies!,
        rss_start_mb: samples[0]!.stats.rssBytes / MB,
        rss_half_mb: first.stats.rssBytes / MB,
        rss_end_mb: last.stats.rssBytes / MB,
        rss_peak_mb: last.stats.peakRssBytes / MB,
        rss_growth_second_half_mb: growthMb,
      },
    };
    printTable(`Soak: ${sockets} sockets, ${minutes} min (RSS growth over the second half must stay under ${maxGrowthMb} MB)`, table);
    writeJson(values.json, table.soak!);
    if (growthMb > maxGrowthMb) {
      console.error(`shopbot bench soak: RSS grew ${growthMb.toFixed(0)} MB over the second half (floor: at most ${maxGrowthMb} MB)`);
      return 1;
    }
    return 0;
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
