/**
 * `shopbot train reranker [--queries FILE --judgments FILE] [--catalog FILE] [--out FILE] [--json OUT]`:
 * trains the learned re-ranker (LambdaMART over the fused candidates) on the development queries of
 * the frozen ESCI split (train + valid; its settings were chosen by cross-validation over them, which
 * `--cv K` reproduces), and writes the checkpoint retrieval loads. The report queries are never
 * read: they are dropped before any candidate is retrieved.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ndcgAtK } from '../evals/metrics/ranking.js';
import { printTable, requireFile, writeJson } from '../evals/report.js';
import { ESCI_DEV_JUDGMENTS, ESCI_DEV_QUERIES, ESCI_SPLIT_FILE, queryRole, readEsciSplit } from '../evals/retrieval-protocol.js';
import { DEPTH, loadCatalog, loadJudgedQueries, openTrainedEncoder, rerankGroups } from '../evals/retrieval.js';
import { CandidateRecorder, RERANK_FEATURES, RERANK_OFFSET_SCALE, RERANK_PARAMS, RERANKER_FORMAT, rerankerPath, RerankFeaturizer, retrievalEvalSystems, trainRerankModel, LearnedReranker, type RerankGroup, type RerankerCheckpoint } from '../src/retrieval/index.js';
import { flag, parseFlags } from './args.js';
import { configFromCli } from './common.js';

export const USAGE = `usage: shopbot train reranker [--queries FILE --judgments FILE] [--catalog FILE] [--split FILE] [--out FILE] [--cv K] [--seed N] [--json OUT]

Trains the learned re-ranker (LambdaMART: the tree learner's lambdarank objective) over the
hybrid retriever's fused candidates, on the development queries (train + valid) of the frozen
ESCI split; the report queries are dropped before anything is retrieved. First measures K-fold
cross-validated NDCG@10 over the development queries (--cv K, folds by query), the figure its
settings were chosen on: the checkpoint is marked shipped (the app re-ranks with it) only when the
re-ranked order beats the fused one there. Writes the checkpoint the retriever loads (default
models/reranker/model.json).

options:
  --queries FILE   (default ${ESCI_DEV_QUERIES})
  --judgments FILE   (default ${ESCI_DEV_JUDGMENTS})
  --catalog FILE   (default evals/data/esci/ubi_ecommerce_products.json.gz)
  --split FILE   (default evals/data/esci/report-split.json)
  --out FILE   (default models/reranker/model.json)
  --cv VALUE   (default 6)
  --seed VALUE   (default 11)
  --config FILE
  --json OUT`;

function meanNdcg10(groups: readonly RerankGroup[], order: (g: RerankGroup) => readonly string[]): number {
  return groups.length ? groups.reduce((s, g) => s + ndcgAtK(g.gains, order(g), 10), 0) / groups.length : Number.NaN;
}

/**
 * K-fold cross-validation by query (a query's raw and understood forms stay in one fold): NDCG@10
 * of the fused order and of the re-ranked one on each held-out fold's raw queries, averaged.
 */
function crossValidate(featurizer: RerankFeaturizer, groups: readonly RerankGroup[], folds: number, params: typeof RERANK_PARAMS): Record<string, number> {
  const sources = [...new Set(groups.map((g) => g.source))];
  let fused = 0, reranked = 0, n = 0;
  for (let f = 0; f < folds; f++) {
    const held = new Set(sources.filter((_, i) => i % folds === f));
    const model = trainRerankModel(featurizer, groups.filter((g) => !held.has(g.source)), [], RERANK_OFFSET_SCALE, params);
    const r = new LearnedReranker({ offsetScale: RERANK_OFFSET_SCALE, model: model.toJSON() } as RerankerCheckpoint, featurizer);
    const test = groups.filter((g) => held.has(g.source) && g.query === g.source);
    fused += meanNdcg10(test, (g) => g.candidates.map((c) => c.id)) * test.length;
    reranked += meanNdcg10(test, (g) => r.rerank(g.query, g.candidates).map((h) => h.id)) * test.length;
    n += test.length;
  }
  return { [`cv${folds}_fused_ndcg@10`]: fused / n, [`cv${folds}_reranked_ndcg@10`]: reranked / n };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: {
      queries: { type: 'string', default: ESCI_DEV_QUERIES },
      judgments: { type: 'string', default: ESCI_DEV_JUDGMENTS },
      catalog: { type: 'string', default: 'evals/data/esci/ubi_ecommerce_products.json.gz' },
      split: { type: 'string', default: ESCI_SPLIT_FILE },
      out: { type: 'string' },
      seed: { type: 'string', default: '11' },
      cv: { type: 'string', default: '6' },
      config: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const config = configFromCli(values);
  const seed = flag('seed', z.coerce.number().int(), values.seed);
  const folds = flag('cv', z.coerce.number().int().min(2).max(20), values.cv);
  const split = readEsciSplit(requireFile(values.split, '--split'));
  const { judged } = loadJudgedQueries(requireFile(values.queries, '--queries'), requireFile(values.judgments, '--judgments'));
  // The report queries leave here, before any retrieval, feature or label is computed for them.
  const train = judged.filter((q) => queryRole(split, q.query) === 'train');
  const valid = judged.filter((q) => queryRole(split, q.query) === 'valid');
  if (train.length === 0) throw new Error('no judged query is in the train split');
  const { products } = await loadCatalog(requireFile(values.catalog, '--catalog'), 'esci');
  const encoder = await openTrainedEncoder(config);
  try {
    const recorder = new CandidateRecorder();
    const { systems } = await retrievalEvalSystems(products, DEPTH, encoder, { rerank: recorder });
    const trainGroups = await rerankGroups(systems['hybrid+rerank']!, recorder, products, train);
    const validGroups = await rerankGroups(systems['hybrid+rerank']!, recorder, products, valid);
    const byId = new Map(products.map((p) => [p.id, p]));
    const featurizer = new RerankFeaturizer((id) => byId.get(id));
    const params = { ...RERANK_PARAMS, seed };
    const devGroups = [...trainGroups, ...validGroups];
    const cvFigures = crossValidate(featurizer, devGroups, folds, params);
    const ship = cvFigures[`cv${folds}_reranked_ndcg@10`]! > cvFigures[`cv${folds}_fused_ndcg@10`]!;
    const started = performance.now();
    const model = trainRerankModel(featurizer, devGroups, [], RERANK_OFFSET_SCALE, params);
    const seconds = (performance.now() - started) / 1000;
    const checkpoint: RerankerCheckpoint = {
      format: RERANKER_FORMAT,
      encoderModelId: encoder.modelId,
      offsetScale: RERANK_OFFSET_SCALE,
      features: [...RERANK_FEATURES],
      trainedOn: { source: `${path.basename(values.queries!)} + ${path.basename(values.judgments!)}, split ${path.basename(values.split!)}`, trainQueries: train.map((q) => q.query), validQueries: valid.map((q) => q.query) },
      valid: cvFigures,
      ship,
      model: model.toJSON(),
    };
    const reranker = new LearnedReranker(checkpoint, featurizer);
    const inSample = {
      'dev_fused_ndcg@10': meanNdcg10(devGroups, (g) => g.candidates.map((c) => c.id)),
      'dev_reranked_ndcg@10 (in-sample)': meanNdcg10(devGroups, (g) => reranker.rerank(g.query, g.candidates).map((h) => h.id)),
    };
    const out = values.out ?? rerankerPath(config.models.dir);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(checkpoint) + '\n');
    const metrics = {
      queries: train.length + valid.length,
      groups: devGroups.length,
      rows: devGroups.reduce((s, g) => s + g.candidates.length, 0),
      trees: model.trees.length,
      ...cvFigures,
      ...inSample,
      seconds,
    };
    printTable(`train reranker (LambdaMART over the fused candidates of ${train.length} train + ${valid.length} valid queries; wrote ${out})`, { lambdamart: metrics });
    const importance = Object.entries(model.importance()).sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(ship ? 'shipped: it beats the fused order out of fold' : 'not shipped: out of fold it does not beat the fused order, so the app keeps the fused order (the eval still measures it)');
    console.log(`most used features: ${importance.map(([f, g]) => `${f} ${g.toFixed(1)}`).join(', ')}`);
    writeJson(values.json, metrics);
    return 0;
  } finally {
    await encoder.encoder.close();
  }
}
