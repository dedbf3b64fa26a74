/**
 * A local JSON HTTP server on port 0 for the fakes of outside APIs (Bot Connector, Slack): each
 * request goes to `handle`, whose answer is written back as JSON.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JsonReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

export interface JsonServer {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startJsonServer(handle: (req: IncomingMessage) => Promise<JsonReply>): Promise<JsonServer> {
  const server = createServer((req, res) => {
    void handle(req).then(({ status, headers, body }) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
