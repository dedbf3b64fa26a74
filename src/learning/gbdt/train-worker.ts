/**
 * Trains tree models in a worker thread, so a retrain (seconds of CPU) never blocks a reply.
 * The sources run through tsx (bin/shopbot.js registers it), and a worker does not inherit the
 * parent's module hooks, so the worker starts from a tiny bootstrap that registers tsx first.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ShopbotError } from '../../errors.js';
import type { TreeJob, TreeJobResult } from './jobs.js';

const require = createRequire(import.meta.url);

function bootstrap(): string {
  const entry = new URL('./worker.ts', import.meta.url).href;
  // The ESM build of tsx's API (require.resolve would give the CommonJS one, which cannot register hooks here).
  const tsx = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
}

export interface WorkerHandle<T> {
  readonly result: Promise<T>;
  /** Stops the training (shutdown); the result promise rejects. */
  cancel(): Promise<void>;
}

export function startTreeJob<J extends TreeJob>(job: J): WorkerHandle<TreeJobResult<J>> {
  const worker = new Worker(bootstrap(), { eval: true, workerData: job });
  let settled = false;
  const result = new Promise<TreeJobResult<J>>((resolve, reject) => {
    worker.once('message', (m: TreeJobResult<J>) => {
      settled = true;
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', (cause) => {
      settled = true;
      reject(new ShopbotError('INTERNAL', `tree training worker failed: ${cause.message}`, { cause }));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new ShopbotError('INTERNAL', `tree training worker exited (code ${code}) before returning a model`));
    });
  });
  return {
    result,
    async cancel() {
      await worker.terminate();
    },
  };
}

export function trainInWorker<J extends TreeJob>(job: J): Promise<TreeJobResult<J>> {
  return startTreeJob(job).result;
}
