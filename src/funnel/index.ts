/**
 * The funnel stage's public surface: the event union, the FunnelStore interface and its factory
 * (SQLite embedded, PostgreSQL scale-out, chosen by `storage.backend`), the batched writer, the
 * signed store webhook and the slate events.
 */
import type { Config } from '../config.js';
import { ShopbotError } from '../errors.js';
import type { SqliteDb } from '../storage/index.js';
import { SqliteFunnelStore } from './sqlite.js';
import type { FunnelStore } from './types.js';

export * from './events.js';
export * from './types.js';
export { SqliteFunnelStore } from './sqlite.js';
export { createFunnelLog, FunnelWriter, type Logger, type FunnelListener } from './writer.js';
export { verifyWebhook, signWebhook } from './webhook.js';
export { slateEvent, impressionEvents, type EventBase, type SlateEvent, type SlateInput } from './slate.js';

/** The engine named by `storage.backend`; PostgreSQL's client loads only when it is chosen. */
export async function openFunnelStore(config: Pick<Config, 'storage'>, deps: { readonly db: SqliteDb }): Promise<FunnelStore> {
  if (config.storage.backend === 'sqlite') return new SqliteFunnelStore(deps.db);
  if (!config.storage.postgresUrl) throw new ShopbotError('CONFIG_INVALID', 'storage.postgresUrl (DATABASE_URL) is required for the postgres funnel log');
  const { PostgresFunnelStore } = await import('./postgres.js');
  return PostgresFunnelStore.open({ url: config.storage.postgresUrl });
}
