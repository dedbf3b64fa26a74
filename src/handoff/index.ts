/** The handoff stage's public surface. */
export { HandoffService, type HandoffHooks, type HandoffServiceDeps, type PushMessage, type QueueEvent, type TicketView, type SupportDesk, type SupportCallbacks, type Escalation } from './service.js';
export { SqliteHandoffQueue, type HandoffQueue, type ThreadStore, type Ticket, type TicketNote, type TicketStatus } from './queue.js';
export { PostgresHandoffQueue } from './postgres-queue.js';
export { serviceLevel, nextOpening, scheduleServiceLevelChecks, type ServiceLevel } from './service-levels.js';
export { loadHandoffFile, HandoffFileSchema, DEFAULT_HANDOFF, DEFAULT_CANNED, DEFAULT_RESOLUTIONS, type CannedReply, MANDATORY_TRIGGERS, TRIGGERS, PRIORITIES, AGENT_ROLES, type AgentRole, type HandoffFile, type Team, type Rule, type TriggerKind, type Priority } from './config.js';
export { detectTrigger, frustrationStreak, type Trigger, type TriggerInput, type TriggerOptions } from './triggers.js';
export { route, topicOf, topicsOfParse, priorityOf, isOpen, defaultPriority, type RoutingParse } from './routing.js';
export { frustrationScore } from './sentiment.js';
export type { ShopperBrief } from './summary.js';
export { parseAgentCommand, AGENT_COMMAND_HELP, type AgentCommand } from './commands.js';
