/**
 * The web channel's public surface: the socket.io gateway, its protocol, and where the widget's
 * static files live (the HTTP server serves them at `/` and `/widget/*`).
 */
import { fileURLToPath } from 'node:url';
import type { Server } from 'socket.io';
import type { ChannelPlugin } from '../../src/channel.js';
import type { HttpServer } from '../../src/server/index.js';
import { attachWebGateway } from './gateway.js';
import type { ClientToServerEvents, ServerToClientEvents } from './protocol.js';

export { attachWebGateway, conversationRoom } from './gateway.js';
export type { GatewayLog, PushMessage, WebGateway, WebGatewayDeps } from './gateway.js';
export * from './protocol.js';
export { merchantDashboardChannel } from './admin/index.js';
export { agentConsoleChannel, createAgentAuth, hashPassword, mountAgentConsole, passwordProblem, type AgentAuth } from './console/index.js';

/** Absolute path of channels/web/public/ (index.html, widget/widget.js, widget/widget.css). */
export const WEB_PUBLIC_DIR: string = fileURLToPath(new URL('./public/', import.meta.url));

const STATIC_FILES: ReadonlyMap<string, { file: string; contentType: string }> = new Map([
  ['/', { file: 'index.html', contentType: 'text/html; charset=utf-8' }],
  ['/index.html', { file: 'index.html', contentType: 'text/html; charset=utf-8' }],
  ['/widget/widget.js', { file: 'widget.js', contentType: 'text/javascript; charset=utf-8' }],
  ['/widget/widget.css', { file: 'widget.css', contentType: 'text/css; charset=utf-8' }],
  ['/widget/placeholder.svg', { file: 'placeholder.svg', contentType: 'image/svg+xml' }],
  ['/widget/store.css', { file: 'store.css', contentType: 'text/css; charset=utf-8' }],
  ['/widget/store.js', { file: 'store.js', contentType: 'text/javascript; charset=utf-8' }],
]);

/**
 * Maps a request path to a file in WEB_PUBLIC_DIR. An allowlist rather than a directory mount, so
 * no request path can reach outside the folder.
 */
export function resolveWebStatic(urlPath: string): { path: string; contentType: string } | undefined {
  const entry = STATIC_FILES.get(urlPath.split('?')[0] ?? '');
  return entry ? { path: fileURLToPath(new URL(`./public/${entry.file}`, import.meta.url)), contentType: entry.contentType } : undefined;
}

/** Conversations the widget reaches: every one not on Teams or Slack (those have their own channel). */
const isWidgetConversation = (conversationId: string) => !/^(teams|slack):/.test(conversationId);

/**
 * The widget's channel: the socket.io gateway on the server's socket server. A new conversation
 * counts against the address's limit; each message against the address's and the conversation's.
 */
export function webChannel(http: HttpServer): ChannelPlugin {
  return (app) => {
    const { limits } = app;
    // The server's socket.io instance carries the widget's protocol on its main namespace.
    const io = http.io as unknown as Server<ClientToServerEvents, ServerToClientEvents>;
    const gateway = attachWebGateway(io, {
      handleTurn: (msg, opts) => app.handleTurn(msg, opts),
      history: (id) => app.history(id),
      async hello({ conversationId, token, locale, identity, address }) {
        if (conversationId) return app.sessions.resume(conversationId, token, identity);
        await limits.consume(limits.rules.conversationPerIp, address);
        return app.sessions.start({ channel: 'web', ...(locale ? { locale } : {}), ...(identity ? { identity } : {}) });
      },
      async admitMessage({ address, conversationId }) {
        await limits.consume(limits.rules.socketMessagePerIp, address);
        await limits.consume(limits.rules.turnPerConversation, conversationId);
      },
      addressOf: http.addressOf,
      maxMessageChars: app.config.server.maxMessageChars,
      log: { warn: (o, m) => app.log.warn(o, m), error: (o, m) => app.log.error(o, m), debug: (o, m) => (app.log as { debug?: (o: unknown, m?: string) => void }).debug?.(o, m) },
    });
    return { handles: isWidgetConversation, deliver: (conversationId, message) => gateway.push(conversationId, message), close: () => gateway.close() };
  };
}
