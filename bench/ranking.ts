/**
 * `shopbot bench ranking [--events 1000000] [--turns 2000] [--catalog FILE] [--json OUT]`
 *
 * 1. FTRL training throughput on one core: the ESMM pair (CTR + CVR towers, both updated per
 *    impression, hashing and crosses included) and a single FTRL tower, over synthetic impression
 *    records shaped like the ranker's (query tokens, item, brand, category, price, user, segment,
 *    position; 9 crosses). Aim: 1M events in under 5 s.
 * 2. Scoring cost per turn: rank() over 100 real candidates from the demo catalog (features,
 *    both towers, EV ordering, diversity, exploration, event payload). Aim: under 1 ms.
 * Records are generated up front (a pool of 20k distinct records, cycled) so generation is not timed.
 */
import os from 'node:os';
import { z } from 'zod';
import { loadConfig } from '../src/config.js';
import { DEFAULT_CROSSES, EsmmModel } from '../src/learning/esmm.js';
import { FeatureEncoder, type FeatureRecord } from '../src/learning/encoder.js';
import { Ftrl } from '../src/learning/ftrl.js';
import { createRng } from '../src/maths/index.js';
import { candidateFeatures, policyFromConfig, rank } from '../src/ranking/index.js';
import { loadCatalog } from '../evals/retrieval.js';
import { printTable, requireFile, writeJson, type SideBySide } from '../evals/report.js';
import { flag, parseFlags } from '../cli/args.js';

export const USAGE = `usage: shopbot bench ranking [--events 1000000] [--turns 2000] [--catalog FILE] [--json OUT]

1. FTRL training throughput on one core: the ESMM pair (CTR + CVR towers, both updated per
impression, hashing and crosses included) and a single FTRL tower, over synthetic impression
records shaped like the ranker's (query tokens, item, brand, category, price, user, segment,
position; 9 crosses). Aim: 1M events in under 5 s. 2. Scoring cost per turn: rank() over 100
real candidates from the demo catalog (features, both towers, EV ordering, diversity,
exploration, event payload). Aim: under 1 ms. Records are generated up front (a pool of 20k
distinct records, cycled) so generation is not timed.

options:
  --events VALUE   (default 1000000)
  --turns VALUE   (default 2000)
  --candidates VALUE   (default 100)
  --catalog FILE   (default evals/data/esci/ubi_ecommerce_products.json.gz)
  --json OUT`;

const WORDS = ['running', 'shoes', 'red', 'women', 'men', 'trail', 'waterproof', 'leather', 'boots', 'kids', 'wireless', 'headphones', 'cotton', 'shirt', 'lamp', 'desk', 'phone', 'case', 'usb', 'cable'];

function syntheticRecords(n: number, rng: () => number): { rec: FeatureRecord; click: boolean; buy: boolean }[] {
  const pick = (k: number) => Math.floor(rng() * k);
  return Array.from({ length: n }, () => {
    const q = Array.from({ length: 1 + pick(3) }, () => WORDS[pick(WORDS.length)]).join(' ');
    const rec = { item: `p${pick(5000)}`, q, brand: `b${pick(300)}`, cat: `c${pick(60)}`, cat0: `t${pick(8)}`, price: 5 + pick(300), rating: pick(10) / 2, user: `u${pick(2000)}`, segment: pick(2) ? 'new' : 'returning', channel: 'web', pos: pick(5) };
    const click = rng() < 0.05;
    return { rec, click, buy: click && rng() < 0.2 };
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      events: { type: 'string', default: '1000000' },
      turns: { type: 'string', default: '2000' },
      candidates: { type: 'string', default: '100' },
      catalog: { type: 'string', default: 'evals/data/esci/ubi_ecommerce_products.json.gz' },
      json: { type: 'string' },
    },
  });
  const events = flag('events', z.coerce.number().int().min(1000).max(100_000_000), values.events);
  const turns = flag('turns', z.coerce.number().int().min(10).max(1_000_000), values.turns);
  const k = flag('candidates', z.coerce.number().int().min(1).max(1000), values.candidates);
  const config = loadConfig();
  const rng = createRng(11);
  const pool = syntheticRecords(20_000, rng);
  const out: SideBySide = {};

  const esmm = new EsmmModel({ encoder: { bits: config.ranking.hashBits, crosses: DEFAULT_CROSSES, tokenKeys: ['q'] } });
  // CPU seconds beside wall seconds: on a shared machine the wall clock also counts other people's work.
  const cpuSeconds = (since: NodeJS.CpuUsage) => {
    const u = process.cpuUsage(since);
    return (u.user + u.system) / 1e6;
  };
  let t = performance.now();
  let c = process.cpuUsage();
  for (let i = 0; i < events; i++) {
    const s = pool[i % pool.length]!;
    esmm.train(s.rec, s.click, s.buy);
  }
  let sec = (performance.now() - t) / 1000;
  let cpu = cpuSeconds(c);
  out['train: esmm (ctr+cvr towers)'] = { events, seconds: sec, cpuSeconds: cpu, eventsPerSecond: events / sec, eventsPerCpuSecond: events / cpu, featuresPerEvent: esmm.encoder.encode(pool[0]!.rec).length };

  const enc = new FeatureEncoder({ bits: config.ranking.hashBits, crosses: DEFAULT_CROSSES, tokenKeys: ['q'] });
  const single = new Ftrl(enc.size);
  t = performance.now();
  c = process.cpuUsage();
  for (let i = 0; i < events; i++) {
    const s = pool[i % pool.length]!;
    single.train(enc.encode(s.rec), s.click ? 1 : 0);
  }
  sec = (performance.now() - t) / 1000;
  cpu = cpuSeconds(c);
  out['train: single ftrl tower'] = { events, seconds: sec, cpuSeconds: cpu, eventsPerSecond: events / sec, eventsPerCpuSecond: events / cpu, featuresPerEvent: enc.encode(pool[0]!.rec).length };

  const catalog = await loadCatalog(requireFile(values.catalog, '--catalog'), 'esci');
  const products = catalog.products.slice(0, Math.max(k, 1000));
  const models = { predict: (f: FeatureRecord) => esmm.predict(f), version: 'bench' };
  const policy = { ...policyFromConfig(config.ranking), sponsoredSlots: 1 };
  const lat: number[] = [];
  const scoreOnly: number[] = [];
  const prng = createRng(5);
  for (let turn = 0; turn < turns; turn++) {
    const start = Math.floor(prng() * (products.length - k));
    const candidates = products.slice(start, start + k).map((product, i) => ({ product, relevance: 1 - i / (2 * k), ...(i % 10 === 0 ? { bidCpcCents: 20 + i } : {}) }));
    const ctx = { query: WORDS[turn % WORDS.length]!, userId: `u${turn % 50}`, segment: 'returning', channel: 'web' };
    let t0 = performance.now();
    rank(candidates, models, prng, { ...policy, slateId: `s${turn}`, policyId: 'bench', ts: turn, channel: 'web', context: ctx });
    lat.push(performance.now() - t0);
    t0 = performance.now();
    for (const c of candidates) models.predict(candidateFeatures(c.product, ctx));
    scoreOnly.push(performance.now() - t0);
  }
  // The first turns pay for JIT warm-up; report steady state.
  const steady = (xs: number[]) => xs.slice(Math.floor(xs.length / 10)).sort((a, b) => a - b);
  const r = steady(lat);
  const s = steady(scoreOnly);
  out[`turn: rank() over ${k} candidates`] = { p50Ms: percentile(r, 0.5), p95Ms: percentile(r, 0.95), p99Ms: percentile(r, 0.99), turnsPerSecond: 1000 / (r.reduce((a, b) => a + b, 0) / r.length) };
  out[`turn: features + both towers, ${k} candidates`] = { p50Ms: percentile(s, 0.5), p95Ms: percentile(s, 0.95), p99Ms: percentile(s, 0.99), turnsPerSecond: 1000 / (s.reduce((a, b) => a + b, 0) / s.length) };
  const mem = process.memoryUsage();
  out.process = { loadAverage1m: os.loadavg()[0]!, rssMiB: mem.rss / 2 ** 20, heapUsedMiB: mem.heapUsed / 2 ** 20, modelMiB: (esmm.toBuffer().length) / 2 ** 20 };
  printTable(`bench ranking on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores visible, one used), node ${process.version}, hashBits ${config.ranking.hashBits}`, out);
  writeJson(values.json, out);
  return 0;
}
