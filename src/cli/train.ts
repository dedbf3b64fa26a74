import { dispatch } from './subcommands.js';

export function run(argv: string[]): Promise<number> {
  return dispatch('train', {
    intent: () => import('../nlu/train-cli.js'),
    ranking: () => import('../learning/train-cli.js'),
    uplift: () => import('../coupons/train-cli.js'),
  }, argv);
}
