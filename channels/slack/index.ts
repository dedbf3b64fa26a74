export { registerSlackRoutes, classifySlackError, type SlackChannelHandle, type SlackChannelOptions } from './routes.js';
export { SlackSupportDesk } from './support.js';
export { renderOutbound as renderSlackMessage, renderMerchant as renderSlackMerchant, renderEscalation as renderSlackEscalation, ACTION as SLACK_ACTIONS } from './blocks.js';
export { verifySlackRequest, signSlackRequest } from './verify.js';
export { slackConversationId, parseSlackConversationId } from './inbound.js';
export { slackAlerts, type SlackAlerts } from './alerts.js';
