export * from './events.js';
export * from './types.js';
export { SqliteFunnelStore } from './sqlite.js';
export { PostgresFunnelStore } from './postgres.js';
export { FunnelWriter, type Logger, type FunnelListener } from './writer.js';
export { verifyWebhook, signWebhook } from './webhook.js';
export { slateEvent, impressionEvents, type EventBase, type SlateEvent, type SlateInput } from './slate.js';
