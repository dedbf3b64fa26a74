import { dispatch, type SubcommandTable } from './subcommands.js';

export const TRAINERS: SubcommandTable = {
  intent: { load: () => import('./train-intent.js'), summary: 'the linear intent model from evals/data/intent (weights and model card in models/intent-linear)' },
  uplift: { load: () => import('./train-uplift.js'), summary: 'the coupon targeter (meta-learner over trees) from the logged coupon decisions' },
  reranker: { load: () => import('./train-reranker.js'), summary: 'the learned retrieval re-ranker (LambdaMART) on the train split of the ESCI development queries' },
  ranking: { load: () => import('./train-ranking.js'), summary: 'the CTR/CVR ranking models from the funnel log (the checkpoint the server loads)' },
};

export const run = (argv: string[]): Promise<number> => dispatch('train', TRAINERS, argv);
