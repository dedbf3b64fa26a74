/** What the server's channels plug into. */
import type { FastifyInstance } from 'fastify';
import type { Server } from 'socket.io';
import type { ChannelPlugin } from '../channel.js';
import type { Config } from '../config.js';
import type { ApiRoutes } from './openapi.js';

type Handshake = { address: string; headers: Readonly<Record<string, string | string[] | undefined>> };

/** What a channel plugs into: the server's fastify and socket.io, before either listens. */
export interface HttpServer {
  readonly config: Config;
  readonly fastify: FastifyInstance;
  readonly io: Server;
  /** The REST routes with their OpenAPI description: every channel's `/v1` routes are added here, so /openapi.json lists them all. */
  readonly api: ApiRoutes;
  /** Routes registered so far (fastify's onRoute). */
  readonly routes: readonly { readonly method: string; readonly url: string }[];
  /** The client address of a socket (behind `security.trustProxyHops` proxies). */
  addressOf(handshake: Handshake): string;
}

/** A channel that needs the server's pieces (its routes, its socket namespace). */
export type ServerChannel = (http: HttpServer) => ChannelPlugin;
