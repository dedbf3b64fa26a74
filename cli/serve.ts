import { serverChannels } from '../channels/index.js';
import { startServer } from '../src/server/index.js';
import { configFromCli } from './common.js';
import { z } from 'zod';
import { flag, parseFlags } from './args.js';

export const USAGE = `usage: shopbot serve [--port N] [--host H] [--config FILE] [--data-dir DIR]

The chat server, widget, demo store page, REST API and channel webhooks.

options:
  --port VALUE
  --host VALUE
  --config FILE
  --data-dir DIR`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: { port: { type: 'string' }, host: { type: 'string' }, config: { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  const config = configFromCli(values, {
    server: { ...(values.port ? { port: flag('port', z.coerce.number().int().min(0).max(65_535), values.port) } : {}), ...(values.host ? { host: values.host } : {}) },
  });
  const server = await startServer(config, { channels: serverChannels() });
  const { app } = server;
  app.log.info({ url: server.url, dataDir: config.dataDir }, `shopbot is serving the demo store at ${server.url}/`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  app.log.info({}, 'shutting down');
  await server.close();
  return 0;
}
