/**
 * The load bench's figures from the client processes' raw results: pure arithmetic, unit-tested on
 * tiny inputs. Throughput and latency are taken over the steady window (from the end of the ramp to
 * the end of sending), so the ramp's light load does not flatter them.
 */
import type { Metrics } from '../../evals/report.js';
import { percentile } from '../stats.js';
import type { ShopperResult } from './shoppers.js';

export interface RunWindow {
  /** When the first socket opens (epoch ms). */
  readonly startAt: number;
  /** When the last socket opens. */
  readonly rampEndAt: number;
  /** When sending stops. */
  readonly endAt: number;
}

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Not push(...from): a long run's arrays exceed the engine's argument limit. */
function append(into: number[], from: readonly number[]): void {
  for (const x of from) into.push(x);
}

/** The results of several client processes as one. */
export function mergeResults(results: readonly ShopperResult[]): ShopperResult {
  const m: ShopperResult = {
    sockets: 0, connected: 0, connectMs: [], connectFailures: {}, hellos: 0, helloFailures: {}, sent: 0, sendTimes: [], sentAt: [], ackAt: [], latencyMs: [],
    errors: {}, lostTimeout: 0, lostDisconnect: 0, disconnects: 0, ackedByConversation: {}, ackedBySource: {}, cpuUserMs: 0, cpuSystemMs: 0,
  };
  for (const r of results) {
    m.sockets += r.sockets;
    m.connected += r.connected;
    append(m.connectMs, r.connectMs);
    addCounts(m.connectFailures, r.connectFailures);
    m.hellos += r.hellos;
    addCounts(m.helloFailures, r.helloFailures);
    m.sent += r.sent;
    append(m.sendTimes, r.sendTimes);
    append(m.sentAt, r.sentAt);
    append(m.ackAt, r.ackAt);
    append(m.latencyMs, r.latencyMs);
    addCounts(m.errors, r.errors);
    m.lostTimeout += r.lostTimeout;
    m.lostDisconnect += r.lostDisconnect;
    m.disconnects += r.disconnects;
    addCounts(m.ackedByConversation, r.ackedByConversation);
    addCounts(m.ackedBySource, r.ackedBySource);
    m.cpuUserMs += r.cpuUserMs;
    m.cpuSystemMs += r.cpuSystemMs;
  }
  return m;
}

const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((s, n) => s + n, 0);

/** The steady window: after the ramp and up to the end of sending (or the last reply, when --max-turns ran out first). */
export function steadyWindow(r: Pick<ShopperResult, 'ackAt'>, w: RunWindow): { fromMs: number; toMs: number } {
  const lastAck = r.ackAt.reduce((a, b) => Math.max(a, b), -Infinity);
  const toMs = Math.min(w.endAt, lastAck);
  const fromMs = w.rampEndAt < toMs ? w.rampEndAt : w.startAt;
  return { fromMs, toMs };
}

export function summarize(r: ShopperResult, w: RunWindow, thinkMs: number): Metrics {
  const { fromMs, toMs } = steadyWindow(r, w);
  const windowS = Math.max(0, toMs - fromMs) / 1000;
  const inWindow: number[] = [];
  let ackedInWindow = 0;
  for (let i = 0; i < r.ackAt.length; i++) {
    if (r.ackAt[i]! >= fromMs && r.ackAt[i]! <= toMs) ackedInWindow++;
    if (r.sentAt[i]! >= fromMs && r.sentAt[i]! <= toMs) inWindow.push(r.latencyMs[i]!);
  }
  const sentInWindow = r.sendTimes.filter((t) => t >= fromMs && t <= toMs).length;
  const latencies = inWindow.length ? inWindow : r.latencyMs;
  const sorted = [...latencies].sort((a, b) => a - b);
  const errors = sum(r.errors);
  const lost = r.lostTimeout + r.lostDisconnect;
  const m: Metrics = {
    sockets: r.sockets,
    connected: r.connected,
    connect_failures: sum(r.connectFailures),
    connect_p50_ms: percentile(r.connectMs, 50),
    connect_p99_ms: percentile(r.connectMs, 99),
    hello_failures: sum(r.helloFailures),
    conversations: Object.keys(r.ackedByConversation).length,
    // What the shoppers would send if every reply were instant; a closed loop sends less when replies slow.
    offered_per_s: thinkMs > 0 ? (r.connected * 1000) / thinkMs : NaN,
    sent: r.sent,
    acked: r.latencyMs.length,
    errors,
    lost_replies: lost,
    lost_timeout: r.lostTimeout,
    lost_disconnect: r.lostDisconnect,
    disconnects: r.disconnects,
    window_s: windowS,
    sent_per_s: windowS > 0 ? sentInWindow / windowS : NaN,
    turns_per_s: windowS > 0 ? ackedInWindow / windowS : NaN,
    p50_ms: percentile(sorted, 50),
    p95_ms: percentile(sorted, 95),
    p99_ms: percentile(sorted, 99),
    max_ms: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean_ms: sorted.length ? sorted.reduce((s, x) => s + x, 0) / sorted.length : NaN,
    client_cpu_s: (r.cpuUserMs + r.cpuSystemMs) / 1000,
  };
  for (const [code, n] of Object.entries(r.connectFailures)) m[`connect_fail_${code}`] = n;
  for (const [code, n] of Object.entries(r.helloFailures)) m[`hello_fail_${code}`] = n;
  for (const [code, n] of Object.entries(r.errors)) m[`error_${code}`] = n;
  return m;
}

/** A step passes the bench's aim: nobody refused or dropped, every turn answered, p99 within the bound. */
export function isSustained(m: Metrics, p99BoundMs: number): boolean {
  return m.connect_failures === 0 && m.hello_failures === 0 && m.errors === 0 && m.lost_replies === 0 && m.disconnects === 0 && m.acked! > 0 && m.p99_ms! <= p99BoundMs;
}
