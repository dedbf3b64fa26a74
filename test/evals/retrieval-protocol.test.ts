import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { devQueryTexts, esciSplit, inSplit, queryRole, readEsciSplit } from '../../evals/retrieval-protocol.js';
import { rerankerPath, RerankerCheckpointSchema } from '../../src/retrieval/index.js';

const split = readEsciSplit();
const report = new Set(split.report);

describe('the frozen report split of the ESCI development queries', () => {
  it('is what the rule gives, written down in report-split.json', () => {
    expect(esciSplit()).toEqual(split);
  });

  it('partitions the development queries, about 30% of them reported on', () => {
    const all = [...split.train, ...split.valid, ...split.report];
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual([...devQueryTexts()].sort());
    expect(split.report.length).toBeGreaterThanOrEqual(15);
    expect(split.train.length).toBeGreaterThan(split.valid.length);
  });

  it('counts a query outside the development file as report (a held-back set is evaluated whole)', () => {
    expect(queryRole(split, 'a query nobody has judged yet')).toBe('report');
    expect(inSplit(split, 'dev', split.train[0]!)).toBe(true);
    expect(inSplit(split, 'dev', split.report[0]!)).toBe(false);
    expect(inSplit(split, 'all', split.report[0]!)).toBe(true);
  });

  it('the shipped re-ranker checkpoint was trained and tuned on no report query', () => {
    const checkpoint = RerankerCheckpointSchema.parse(JSON.parse(readFileSync(rerankerPath('models'), 'utf8')));
    const { trainQueries, validQueries } = checkpoint.trainedOn;
    expect(trainQueries.length).toBeGreaterThan(0);
    for (const q of [...trainQueries, ...validQueries]) expect(report.has(q)).toBe(false);
    expect(trainQueries.every((q) => split.train.includes(q))).toBe(true);
    expect(validQueries.every((q) => split.valid.includes(q))).toBe(true);
  });

  it("the embedding recipe's training texts hold no report query (its exclusion list covers them all)", () => {
    // The recipe's own readers, on the recipe's default inputs: what pre-training and the
    // contrastive pairs would read, minus what it excludes.
    const script = `
import json, random, sys
from pathlib import Path
sys.path.insert(0, "models/recipes")
from shopbot_models import data
judged = data.read_judged_queries(Path("evals/data/esci/esci_us_queryset_dev.json"))
rows = data.read_intents(Path("evals/data/intent/train.jsonl"))
kept = [r["text"] for r in rows if r["text"].strip().lower() not in judged]
products = data.read_catalog(Path("evals/data/esci/ubi_ecommerce_products.json.gz"))
texts = data.pretraining_texts(products, kept, [])
pairs = data.embedding_pairs(products, random.Random(13))
report = [q.strip().lower() for q in json.load(open("evals/data/esci/report-split.json"))["report"]]
print(json.dumps({"notExcluded": [q for q in report if q not in judged], "inTexts": [q for q in report if q in set(t.strip().lower() for t in texts)], "inPairs": [q for q in report if q in set(a.strip().lower() for a, _ in pairs)]}))
`;
    const out = spawnSync('/usr/bin/python3', ['-c', script], { cwd: path.resolve('.'), encoding: 'utf8', timeout: 120_000 });
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout.trim().split('\n').at(-1)!)).toEqual({ notExcluded: [], inTexts: [], inPairs: [] });
    // The default the recipe runs with is that exclusion file.
    expect(readFileSync('models/recipes/train.py', 'utf8')).toMatch(/"--exclude-queries", default=str\(ROOT \/ "evals\/data\/esci\/esci_us_queryset_dev\.json"\)/);
  });
});
