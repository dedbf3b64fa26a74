import { dispatch } from './subcommands.js';

export function run(argv: string[]): Promise<number> {
  return dispatch('bench', {
    turn: () => import('../../bench/turn.js'),
    retrieval: () => import('../../bench/retrieval.js'),
    models: () => import('../../bench/models.js'),
    ranking: () => import('../../bench/ranking.js'),
    load: () => import('../../bench/load/index.js'),
  }, argv);
}
