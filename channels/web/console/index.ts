/** The agent console: login, page and the `/agents` socket.io namespace. */
export { createAgentAuth, hashPassword, parseAgentUsers, parsePasswordHash, passwordProblem, MIN_PASSWORD_CHARS, type AgentAuth, type AgentAuthOptions, type AgentUserEntry, type PasswordHash } from './auth.js';
export { mountAgentConsole, AGENTS_NAMESPACE, type AgentConsoleDeps, type AgentToServerEvents, type ServerToAgentEvents } from './namespace.js';
