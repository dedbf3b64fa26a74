import { dispatch } from './subcommands.js';

export function run(argv: string[]): Promise<number> {
  return dispatch('eval', {
    retrieval: () => import('../../evals/retrieval.js'),
    intent: () => import('../../evals/intent.js'),
    'intent-benchmarks': () => import('../../evals/intent-benchmarks.js'),
    'intent-model': () => import('../../evals/intent-model.js'),
    'dense-retrieval': () => import('../../evals/dense-retrieval.js'),
    clicks: () => import('../../evals/clicks.js'),
    conversion: () => import('../../evals/conversion.js'),
    acceptance: () => import('../../evals/acceptance.js'),
    uplift: () => import('../../evals/uplift.js'),
    conversations: () => import('../../evals/conversations.js'),
    simulate: () => import('../../evals/simulate.js'),
  }, argv);
}
