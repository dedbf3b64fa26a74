/**
 * The channels the server carries, in the order they open: the widget's socket gateway, Teams and
 * Slack (mounted when their credentials are set), the web agent console and the merchant dashboard.
 */
import type { ServerChannel } from '../src/server/index.js';
import { chatChannels } from './chat.js';
import { agentConsoleChannel, merchantDashboardChannel, webChannel } from './web/index.js';

export { chatChannels, mountChatChannels, type ChatChannels } from './chat.js';
export { agentConsoleChannel, merchantDashboardChannel, webChannel } from './web/index.js';

export function serverChannels(): ServerChannel[] {
  return [webChannel, (http) => chatChannels(http), agentConsoleChannel, merchantDashboardChannel];
}
