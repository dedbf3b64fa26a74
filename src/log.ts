/** The process logger (pino), with the keys that can carry personal data or credentials redacted. */
import pino from 'pino';
import type { Config } from './config.js';
import type { Logger } from './funnel/index.js';

/**
 * Log keys that can carry shopper text, contact details or credentials. Code logs ids and counts,
 * not messages; this is the net for an object logged whole (a request, an error's context).
 */
export const LOG_REDACT_PATHS = [
  ...['text', 'email', 'phone', 'password', 'token', 'accessToken', 'secret', 'query', 'lastMessage', 'authorization', 'cookie'].flatMap((k) => [k, `*.${k}`]),
  ...['req.headers', 'request.headers', 'headers', 'res.headers'].flatMap((h) => [`${h}.authorization`, `${h}.cookie`, `${h}["set-cookie"]`, `${h}["x-api-key"]`]),
  'violations[*].text',
];

export function createLogger(config: Config, destination?: pino.DestinationStream): Logger {
  const options = { level: config.logLevel, base: undefined, redact: { paths: LOG_REDACT_PATHS } };
  return destination ? pino(options, destination) : pino(options);
}
