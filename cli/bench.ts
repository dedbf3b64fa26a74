import { dispatch, type SubcommandTable } from './subcommands.js';

export const BENCHES: SubcommandTable = {
  turn: { load: () => import('../bench/turn.js'), summary: 'in-process turn latency and peak memory on the demo catalog' },
  retrieval: { load: () => import('../bench/retrieval.js'), summary: 'vector search at scale beside python hnswlib and faiss, and the retrieval step of a turn' },
  models: { load: () => import('../bench/models.js'), summary: 'inference speed of the shipped models, fp32 and int8' },
  ranking: { load: () => import('../bench/ranking.js'), summary: 'FTRL training throughput and ranking cost per turn' },
  load: { load: () => import('../bench/load/index.js'), summary: 'socket.io shoppers from separate processes against a server: turns/s, latency, failures, events vs acknowledged turns' },
  soak: { load: () => import('../bench/soak.js'), summary: 'a long steady load: the server RSS over time, failing when it still grows after warm-up' },
  architecture: { load: () => import('../bench/architecture.js'), summary: 'import cycles, deep cross-stage imports and the largest files' },
};

export const run = (argv: string[]): Promise<number> => dispatch('bench', BENCHES, argv);
