import type { ChannelPlugin } from '../../../src/channel.js';
import { isDemoStore } from '../../../src/config.js';
import type { HttpServer } from '../../../src/server/index.js';
import { createAgentAuth } from './auth.js';
import { mountAgentConsole } from './namespace.js';

/** The agent console: login, page and the `/agents` socket.io namespace. */
export { createAgentAuth, hashPassword, parseAgentUsers, parsePasswordHash, passwordProblem, MIN_PASSWORD_CHARS, type AgentAuth, type AgentAuthOptions, type AgentUserEntry, type PasswordHash } from './auth.js';
export { mountAgentConsole, passwordLogin, AGENTS_NAMESPACE, type AgentConsoleDeps, type AgentToServerEvents, type ServerToAgentEvents } from './namespace.js';

/**
 * The web agent console (`/console`, namespace `/agents`), when `agents.users` lists logins. A bad
 * entry or a missing session secret outside the demo stops start-up here.
 */
export function agentConsoleChannel(http: HttpServer): ChannelPlugin {
  return async (app) => {
    const { config } = app;
    if (!config.agents.users) return { close() {} };
    const auth = await createAgentAuth({
      users: config.agents.users,
      ...(config.security.sessionSecret ? { secret: config.security.sessionSecret } : {}),
      allowEphemeralKey: isDemoStore(config),
      now: Date.now,
    });
    const console = mountAgentConsole(http.fastify, http.io, { service: app.handoff, auth, handoff: app.handoffConfig, limits: app.limits, addressOf: http.addressOf, log: app.log });
    return { close: () => console.close() };
  };
}
