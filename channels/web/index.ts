/**
 * The web channel's public surface: the socket.io gateway, its protocol, and where the widget's
 * static files live (the HTTP server serves them at `/` and `/widget/*`).
 */
import { fileURLToPath } from 'node:url';

export { attachWebGateway, conversationRoom } from './gateway.js';
export type { GatewayLog, PushMessage, WebGateway, WebGatewayDeps } from './gateway.js';
export * from './protocol.js';
export { createAgentAuth, hashPassword, mountAgentConsole, passwordProblem, type AgentAuth } from './console/index.js';

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
