/**
 * The dialogue stage's public surface: the conversation state and its stores (SQLite, Redis), and
 * the policy, a pure function from (state, the message's understanding) to actions.
 */
export * from './state.js';
export { decide, awaitOrderId, newSearch, searchConstraints, searchFilters, searchText, type Action, type Decision, type PolicyInput, type PolicyTopic } from './policy.js';
export { isReturnReason, orderIdsIn, type TaskAction } from './tasks.js';
export { SqliteStateStore } from './sqlite-state.js';
export { RedisStateStore } from './redis-state.js';
