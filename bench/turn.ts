/**
 * `shopbot bench turn`: in-process turn latency (p50/p95/p99) over a mix of shopper messages
 * against the demo catalog, and peak memory. Not a test: it prints a table and writes JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { openApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { InboundMessage } from '../src/messages.js';
import { printTable, writeJson } from '../evals/report.js';
import { percentile } from './stats.js';
import { TURN_STAGES, type TurnStage } from '../src/metrics/index.js';
import { parseFlags } from '../cli/args.js';

export const USAGE = `usage: shopbot bench turn [--turns N] [--data-dir DIR] [--json OUT]

In-process turn latency (p50/p95/p99) over a mix of shopper messages, and peak memory.

options:
  --turns VALUE   (default 1000)
  --json OUT
  --data-dir DIR`;

/** The mix: searches, refinements, references, cart, service and small talk, English and Chinese. */
const SCRIPT: readonly string[] = [
  'running shoes for women',
  'cheaper',
  'in black',
  'show more',
  'the second one',
  'add it to my cart',
  'show my cart',
  'wireless earbuds under $50',
  'kindle paperwhite',
  'how long does shipping take?',
  'what is your return policy',
  'where is my order',
  'hi',
  'thanks',
  '我想买跑步耳机',
  '退货运费谁出',
  'do you have a queen memory foam mattress',
  'dewalt drill',
  'cordless band saw without battery',
  'my payment was declined',
];

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: { turns: { type: 'string', default: '1000' }, json: { type: 'string' }, 'data-dir': { type: 'string' } } });
  const turns = Number(values.turns);
  const dataDir = values['data-dir'] ?? mkdtempSync(path.join(tmpdir(), 'shopbot-bench-'));
  const app = await openApp(loadConfig({ env: process.env, overrides: { dataDir, logLevel: 'warn' } }));
  try {
    const latencies: number[] = [];
    let cpuAtWarm = process.cpuUsage();
    let stagesAtWarm = stageTotals(await app.metrics.render());
    let peakRss = process.memoryUsage().rss;
    const warmup = 20;
    for (let i = 0; i < turns + warmup; i++) {
      // A new conversation every script round, so refinements refer to fresh results.
      const round = Math.floor(i / SCRIPT.length);
      const msg: InboundMessage = { conversationId: `bench-${round}`, userId: `bench-user-${round}`, channel: 'cli', text: SCRIPT[i % SCRIPT.length]! };
      const t0 = performance.now();
      await app.handleTurn(msg);
      const ms = performance.now() - t0;
      if (i >= warmup) latencies.push(ms);
      if (i === warmup - 1) {
        stagesAtWarm = stageTotals(await app.metrics.render());
        cpuAtWarm = process.cpuUsage();
      }
      if (i % 50 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    await app.funnel.flush();
    const cpu = process.cpuUsage(cpuAtWarm);
    const stagesAtEnd = stageTotals(await app.metrics.render());
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const products = await app.catalog.count();
    const sorted = [...latencies].sort((a, b) => a - b);
    const metrics = {
      turns,
      products,
      p50_ms: percentile(sorted, 50),
      p95_ms: percentile(sorted, 95),
      p99_ms: percentile(sorted, 99),
      mean_ms: latencies.reduce((s, x) => s + x, 0) / latencies.length,
      // CPU time of the process (every thread: ONNX runs its own) per turn; on a busy machine it moves less than latency does.
      cpu_ms_per_turn: (cpu.user + cpu.system) / 1000 / turns,
      peak_rss_mb: peakRss / 2 ** 20,
    };
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; engine: ${app.config.retrieval.mode} retrieval`);
    printTable(`In-process turn latency, ${turns} mixed messages, ${products} products`, { turn: metrics });
    // Where a turn's time goes (the pipeline's own stage timer, src/turn.ts): mean ms per turn.
    const stages = Object.fromEntries(TURN_STAGES.map((s) => [`${s}_ms`, (stagesAtEnd[s] - stagesAtWarm[s]) / turns]));
    printTable('Mean ms per turn by stage', { turn: stages });
    writeJson(values.json, { ...metrics, ...Object.fromEntries(Object.entries(stages).map(([k, v]) => [`stage_${k}`, v])) });
    return 0;
  } finally {
    await app.close();
    if (!values['data-dir']) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Seconds summed per stage so far, from the app's own Prometheus histogram (turn_stage_seconds). */
function stageTotals(text: string): Record<TurnStage, number> {
  const out = Object.fromEntries(TURN_STAGES.map((s) => [s, 0])) as Record<TurnStage, number>;
  for (const m of text.matchAll(/^\w*turn_stage_seconds_sum\{stage="(\w+)"\} (\S+)$/gm)) {
    if ((TURN_STAGES as readonly string[]).includes(m[1]!)) out[m[1] as TurnStage] = Number(m[2]) * 1000;
  }
  return out;
}
