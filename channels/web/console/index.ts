/** The agent console: login, page and the `/agents` socket.io namespace. */
export { createAgentAuth, parseAgentUsers, type AgentAuth } from './auth.js';
export { mountAgentConsole, AGENTS_NAMESPACE, type AgentConsoleDeps, type AgentToServerEvents, type ServerToAgentEvents } from './namespace.js';
