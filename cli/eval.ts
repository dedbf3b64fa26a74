import { dispatch, type SubcommandTable } from './subcommands.js';

export const EVALS: SubcommandTable = {
  retrieval: { load: () => import('../evals/retrieval.js'), summary: 'product search on ESCI queries and judgements: BM25, dense, hybrid side by side' },
  intent: { load: () => import('../evals/intent.js'), summary: 'the linear intent model on a labelled file (jsonl, Bitext, CLINC150, BANKING77, CSV)' },
  'intent-benchmarks': { load: () => import('../evals/intent-benchmarks.js'), summary: 'the transformer recipe beside fastText on CLINC150 and BANKING77 (trains; needs PyTorch and fasttext)' },
  'intent-model': { load: () => import('../evals/intent-model.js'), summary: 'the shipped transformer intent model beside the linear baseline' },
  nlu: { load: () => import('../evals/nlu.js'), summary: 'the NLU engines (linear, joint transformer, the shipped ensemble) on intents and spans, frozen report split' },
  'dense-retrieval': { load: () => import('../evals/dense-retrieval.js'), summary: 'the embedding model alone as a retriever, beside BM25' },
  clicks: { load: () => import('../evals/clicks.js'), summary: 'the click model and off-policy values on the Open Bandit Dataset' },
  conversion: { load: () => import('../evals/conversion.js'), summary: 'the conversion model on UCI online shoppers, beside XGBoost and logistic regression' },
  acceptance: { load: () => import('../evals/acceptance.js'), summary: 'coupon acceptance on the UCI in-vehicle data: trees, trees+FTRL, FTRL beside XGBoost and logistic regression' },
  uplift: { load: () => import('../evals/uplift.js'), summary: 'coupon targeting on Hillstrom: T/X/DR-learners over trees beside class transformation, two-model and random' },
  routing: { load: () => import('../evals/routing.js'), summary: 'escalation routing to teams on Bitext categories and ABCD flows, beside the majority-team baseline' },
  conversations: { load: () => import('../evals/conversations.js'), summary: 'end-to-end conversations: shopper conversations on the demo catalog (report/dev splits) and the scripted set' },
  simulate: { load: () => import('../evals/simulate.js'), summary: 'the funnel simulator: revenue per conversation under each policy' },
  'demo-traffic': { load: () => import('../evals/demo-traffic.js'), summary: 'demo data for the merchant dashboard: simulated shoppers play the conversation evals against the demo store in a data dir' },
};

export const run = (argv: string[]): Promise<number> => dispatch('eval', EVALS, argv);
