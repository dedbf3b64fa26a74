import { dispatch } from './subcommands.js';

export function run(argv: string[]): Promise<number> {
  return dispatch('train', {
    intent: () => import('./train-intent.js'),
    ranking: () => import('./train-ranking.js'),
  }, argv);
}
