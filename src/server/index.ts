/** The HTTP server: REST API, static files, socket.io, security headers and origins; channels plug in. */
export { startServer, type RunningServer } from './http.js';
