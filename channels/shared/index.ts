export { describeChannels, type ChannelStatus } from './describe.js';
export { MemoryThreadDirectory, type Escalation, type SupportCallbacks, type SupportDesk, type ThreadDirectory } from './support.js';
export { OutboundQueue, realClock, backoffMs, parseRetryAfter, type OutboundClock, type OutboundStats, type RetryDecision } from './rate-limit.js';
export { parseMerchantCommand, runMerchantCommand, isMerchant, ChartStore, type MerchantCommand, type MerchantResult } from './merchant.js';
export { escapeSlack, escapeCardMarkdown, escapeTeamsText } from './escape.js';
export type { ChannelDeps, ChannelHandle, ChannelLogger, HandleTurn } from './types.js';
export { mountChatChannels, type ChatChannels } from './mount.js';
