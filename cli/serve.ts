import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { serverChannels } from '../channels/index.js';
import { createLogger } from '../src/app.js';
import { joinCluster, type IpcPort } from '../src/cluster/index.js';
import type { Config } from '../src/config.js';
import { reportReady, runPrimary, startServer } from '../src/server/index.js';
import { configFromCli } from './common.js';
import { z } from 'zod';
import { flag, parseFlags } from './args.js';

export const USAGE = `usage: shopbot serve [--port N] [--host H] [--workers N] [--config FILE] [--data-dir DIR]

The chat server, widget, demo store page, REST API and channel webhooks.

options:
  --port VALUE
  --host VALUE
  --workers N     server processes on the one port (default: one per core, here ${availableParallelism()});
                  1 runs the server in this process alone
  --config FILE
  --data-dir DIR`;

const stopped = () =>
  new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: { port: { type: 'string' }, host: { type: 'string' }, workers: { type: 'string' }, config: { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  const workers = values.workers === undefined ? availableParallelism() : flag('workers', z.coerce.number().int().min(1).max(64), values.workers, USAGE);
  const config = configFromCli(values, {
    server: { ...(values.port ? { port: flag('port', z.coerce.number().int().min(0).max(65_535), values.port) } : {}), ...(values.host ? { host: values.host } : {}) },
  });
  if (cluster.isWorker) return runWorker(config);
  if (workers === 1) return runAlone(config);
  const log = createLogger(config);
  const primary = await runPrimary(config, { workers, log });
  log.info({ url: primary.url, dataDir: config.dataDir, workers, pids: Object.fromEntries(primary.pids()) }, `shopbot is serving the demo store at ${primary.url}/ with ${workers} workers`);
  await stopped();
  log.info({}, 'shutting down: draining the workers');
  await primary.close();
  return 0;
}

/** Today's single process: the server listens itself. */
async function runAlone(config: Config): Promise<number> {
  const server = await startServer(config, { channels: serverChannels() });
  const { app } = server;
  app.log.info({ url: server.url, dataDir: config.dataDir }, `shopbot is serving the demo store at ${server.url}/`);
  await stopped();
  app.log.info({}, 'shutting down');
  await server.close();
  return 0;
}

/** One of the primary's workers: the same server, on connections the primary hands over. */
async function runWorker(config: Config): Promise<number> {
  const index = flag('SHOPBOT_WORKER_INDEX', z.coerce.number().int().min(1), process.env.SHOPBOT_WORKER_INDEX);
  const workers = flag('SHOPBOT_WORKERS', z.coerce.number().int().min(1), process.env.SHOPBOT_WORKERS);
  const primary = process as unknown as IpcPort;
  const member = joinCluster({ index, workers, primary });
  const server = await startServer(config, { channels: serverChannels(), cluster: member });
  const log = server.app.log;
  // A send on the IPC channel after the primary is gone is an 'error' on the worker, fatal unless handled.
  cluster.worker?.on('error', (err) => log.warn({ err }, 'IPC with the primary failed'));
  log.info({ worker: index, pid: process.pid, leader: member.isLeader }, `worker ${index} of ${workers} serving${member.isLeader ? ' (leader: learns and runs the schedules)' : ''}`);
  // The primary asks for the drain; a terminal's Ctrl-C reaches the whole process group at once.
  await Promise.race([reportReady(primary), stopped()]);
  await server.close();
  // The IPC channel would keep the process alive; a handle still open does not stop the exit.
  cluster.worker?.disconnect();
  setTimeout(() => process.exit(0), 2000).unref();
  return 0;
}
