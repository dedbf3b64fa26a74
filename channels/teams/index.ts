export { registerTeamsRoutes, classifyTeamsError, type TeamsChannelHandle, type TeamsChannelOptions } from './routes.js';
export { TeamsSupportDesk } from './support.js';
export { renderOutbound as renderTeamsMessage, renderMerchant as renderTeamsMerchant, renderEscalation as renderTeamsEscalation, productCard } from './cards.js';
export { teamsConversationId, teamsUserId, cleanTeamsText } from './inbound.js';
