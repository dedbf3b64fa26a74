/**
 * Builds evals/data/intent/train.jsonl and dev.jsonl from the public datasets plus the
 * hand-written templates (synthetic.ts). Deterministic from --seed.
 *
 *   npx tsx evals/data/intent/build.ts [--shared /work/shared/data] [--seed 13]
 *
 * Splits: Bitext Training -> train, Bitext Validation -> dev (the publisher's split; its Testing
 * CSV stays held out). CLINC150 train/oos_train -> train, val/oos_val -> dev. WANDS and ESCI
 * queries: seeded 85/15 split. Templates: split whole templates, stratified per intent and language.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { loadLabelMap, mapLabel, readBitextCsv, readClincJson, type IntentExample } from '../../../src/nlu/datasets.js';
import { createRng, shuffle, type Rng } from '../../../src/maths/index.js';
import type { Intent } from '../../../src/nlu/types.js';
import { SLOTS, TEMPLATE_SETS } from './synthetic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** CLINC150 intents that map to out_of_scope have 100 train rows each; a few per intent keep the
 * out_of_scope class varied without swamping the store intents (see README). */
const CLINC_OOS_TRAIN_PER_INTENT = 12;
const CLINC_OOS_DEV_PER_INTENT = 4;
const SENTENCES_PER_TEMPLATE = 6;

function expand(template: string, lang: 'en' | 'zh', rng: Rng, n: number): string[] {
  const out = new Set<string>();
  for (let attempt = 0; attempt < n * 4 && out.size < n; attempt++) {
    out.add(template.replace(/\{(\w+)\}/g, (_, slot: string) => {
      const values = SLOTS[lang][slot];
      if (!values) throw new Error(`unknown slot {${slot}} in "${template}"`);
      return values[Math.floor(rng() * values.length)]!;
    }));
  }
  return [...out];
}

function hashKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function main(): void {
  const { values } = parseArgs({ options: { shared: { type: 'string', default: '/work/shared/data' }, seed: { type: 'string', default: '13' } } });
  const shared = values.shared!;
  const seed = Number(values.seed);
  // One RNG stream per source and template set, so editing one set never reshuffles another's split.
  const rngFor = (key: string): Rng => createRng(seed ^ hashKey(key));
  const map = loadLabelMap(path.join(here, 'label-map.json'));
  const train: IntentExample[] = [];
  const dev: IntentExample[] = [];

  const bitextDir = path.join(shared, 'bitext-customer-service-intent');
  for (const [file, dest] of [['Bitext_Sample_Customer_Service_Training_Dataset.csv', train], ['Bitext_Sample_Customer_Service_Validation_Dataset.csv', dev]] as const) {
    for (const r of readBitextCsv(path.join(bitextDir, file))) {
      const intent = mapLabel(map, 'bitext', r.label);
      if (intent) dest.push({ text: r.text, intent, lang: 'en', source: 'bitext' });
    }
  }

  const clincFile = path.join(shared, 'clinc150', 'data_full_dev.json');
  for (const [splits, dest, cap] of [[['train', 'oos_train'], train, CLINC_OOS_TRAIN_PER_INTENT], [['val', 'oos_val'], dev, CLINC_OOS_DEV_PER_INTENT]] as const) {
    const byLabel = new Map<string, string[]>();
    for (const r of readClincJson(clincFile, splits)) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r.text]);
    for (const [label, texts] of [...byLabel].sort(([a], [b]) => a.localeCompare(b))) {
      const intent = mapLabel(map, 'clinc150', label);
      if (!intent) continue;
      // Explicitly mapped labels (and CLINC's own oos) are kept whole; the rest are sampled.
      const keepAll = label === 'oos' || Object.hasOwn(map.clinc150.labels, label);
      const kept = keepAll ? texts : shuffle([...texts], rngFor(`clinc150/${splits[0]}/${label}`)).slice(0, cap);
      for (const text of kept) dest.push({ text, intent, lang: 'en', source: 'clinc150' });
    }
  }

  const queries: { text: string; source: string }[] = [];
  const wands = readFileSync(path.join(shared, 'wands', 'query.csv'), 'utf8').split('\n').slice(1);
  for (const line of wands) {
    const q = line.split('\t')[1]?.trim();
    if (q) queries.push({ text: q, source: 'wands' });
  }
  const esci = JSON.parse(readFileSync(path.join(here, '..', 'esci', 'esci_us_queryset_dev.json'), 'utf8')) as { querySetQueries: { queryText: string }[] };
  for (const q of esci.querySetQueries) queries.push({ text: q.queryText.trim(), source: 'esci' });
  for (const q of shuffle(queries, rngFor('queries')).map((q, i) => ({ ...q, isDev: i % 7 === 0 }))) {
    (q.isDev ? dev : train).push({ text: q.text, intent: 'product_search', lang: 'en', source: q.source });
  }

  for (const set of TEMPLATE_SETS) {
    const rng = rngFor(`templates/${set.intent}/${set.lang}`);
    const order = shuffle(set.templates.map((t, i) => i), rng);
    const nDev = Math.max(1, Math.round(set.templates.length * 0.2));
    const devIdx = new Set(order.slice(0, nDev));
    set.templates.forEach((t, i) => {
      const dest = devIdx.has(i) ? dev : train;
      const n = t.includes('{') ? SENTENCES_PER_TEMPLATE : 1;
      for (const text of expand(t, set.lang, rng, n)) dest.push({ text, intent: set.intent, lang: set.lang, source: 'synthetic' });
    });
  }

  // Drop exact duplicates inside each split and any dev text that also occurs in train.
  const dedupe = (rows: IntentExample[], banned: Set<string>) => {
    const seen = new Set(banned);
    return rows.filter((r) => {
      const key = r.text.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };
  const trainOut = dedupe(train, new Set());
  const devOut = dedupe(dev, new Set(trainOut.map((r) => r.text.toLowerCase())));
  for (const [name, rows] of [['train.jsonl', trainOut], ['dev.jsonl', devOut]] as const) {
    writeFileSync(path.join(here, name), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const counts: Partial<Record<Intent, number>> = {};
    for (const r of rows) counts[r.intent] = (counts[r.intent] ?? 0) + 1;
    console.log(name, rows.length, JSON.stringify(counts));
  }
}

main();
