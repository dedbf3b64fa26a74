export { describeChannels, type ChannelStatus } from './describe.js';
export { agentThreadMessage, MemoryThreadDirectory, refusedAgentAction, tryAgentAction, type Escalation, type SupportCallbacks, type SupportDesk, type ThreadDirectory } from './support.js';
export { OutboundQueue, realClock, backoffMs, parseRetryAfter, type OutboundClock, type OutboundStats, type RetryDecision } from './rate-limit.js';
export { parseMerchantCommand, runMerchantCommand, isMerchant, ChartStore, MERCHANT_HELP, stageLabel, type MerchantCommand, type MerchantResult } from './merchant.js';
export { couponValue, escapeSlack, escapeCardMarkdown, escapeTeamsText, formatMoney, formatPercent, truncate } from './escape.js';
export type { ChannelDeps, ChannelHandle, ChannelLogger, HandleTurn } from './types.js';

export { endsConversation, FEEDBACK_REPLY_CHARS, RATING_PROMPT, ratingSubject } from './feedback.js';
export { sponsoredNote, SPONSORED_LABEL, SPONSORED_WHY } from './sponsored.js';
