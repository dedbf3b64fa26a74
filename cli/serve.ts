import { parseArgs } from 'node:util';
import { serverChannels } from '../channels/index.js';
import { startServer } from '../src/server/index.js';
import { configFromCli } from './common.js';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string' }, config: { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  const config = configFromCli(values, {
    server: { ...(values.port ? { port: Number(values.port) } : {}), ...(values.host ? { host: values.host } : {}) },
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
