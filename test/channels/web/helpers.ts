/** Shared helpers for the web channel tests: a gateway on a real socket.io server on port 0, and clients. */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { resolveWebStatic } from '../../../channels/web/index.js';
import { attachWebGateway, type GatewayLog, type WebGateway, type WebGatewayDeps } from '../../../channels/web/gateway.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../channels/web/protocol.js';

export type TestClient = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

export interface LogRecord {
  level: 'warn' | 'error' | 'debug';
  obj: object;
  msg?: string;
}

export function createMemoryLog(): GatewayLog & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  return {
    records,
    warn: (obj, msg) => records.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => records.push({ level: 'error', obj, msg }),
    debug: (obj, msg) => records.push({ level: 'debug', obj, msg }),
  };
}

export interface GatewayHarness {
  url: string;
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  http: HttpServer;
  gateway: WebGateway;
  client(): Promise<TestClient>;
  close(): Promise<void>;
}

export async function startGateway(
  deps: WebGatewayDeps,
  options: { onRequest?: (req: IncomingMessage, res: ServerResponse) => void } = {},
): Promise<GatewayHarness> {
  const http = options.onRequest ? createServer(options.onRequest) : createServer();
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { maxHttpBufferSize: 1_000_000 });
  const gateway = attachWebGateway(io, deps);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const clients: TestClient[] = [];
  return {
    url,
    io,
    http,
    gateway,
    async client() {
      const socket: TestClient = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
      clients.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    },
    async close() {
      for (const c of clients) c.disconnect();
      gateway.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

/** Resolves with the next `event` on the socket, or fails after timeoutMs. */
export function nextEvent<T>(socket: TestClient, event: keyof ServerToClientEvents | 'disconnect', timeoutMs = 20_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    (socket as unknown as { once(e: string, fn: (v: T) => void): void }).once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** Serves the widget's static files the way the real server does (same allowlist), for fake-backed page tests. */
export function serveWebStatic(req: IncomingMessage, res: ServerResponse): void {
  const file = resolveWebStatic(req.url ?? '/');
  if (!file) {
    res.writeHead(404).end();
    return;
  }
  readFile(file.path).then(
    (body) => res.writeHead(200, { 'content-type': file.contentType }).end(body),
    () => res.writeHead(500).end(),
  );
}
