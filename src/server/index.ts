/** The HTTP server: REST API, static files, socket.io, security headers and origins; channels plug in. */
export { createHttpServer, startServer, type HttpServer, type RunningServer, type ServerChannel, type ServerDeps } from './http.js';
export { ApiRoutes, ErrorBodySchema, type Auth, type RouteSpec } from './openapi.js';
export { reportReady, runPrimary, type PrimaryOptions, type RunningPrimary } from './cluster.js';
