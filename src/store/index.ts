/**
 * The store connector: carts, orders, returns and refunds, against the demo store or a real
 * store's API (Shopify), chosen by `store.backend`; carts stay in the demo store for every backend.
 * The demo store's rows are in SQLite in the data dir or in PostgreSQL, chosen by `storage.backend`.
 */
import type pg from 'pg';
import type { Config } from '../config.js';
import { ShopbotError } from '../errors.js';
import type { SqliteDb } from '../storage/index.js';
import { DemoStore, type DemoShop, type DemoStoreOptions } from './demo.js';
import { PostgresDemoStore } from './postgres.js';
import { ShopifyStore } from './shopify.js';
import type { StoreConnector } from './types.js';

export * from './types.js';
export { DEMO_CUSTOMER, DemoStore, type DemoShop, type DemoStoreOptions, type SeedOrder } from './demo.js';
export { PostgresDemoStore } from './postgres.js';

/** The demo store's engine: SQLite in `db`, or PostgreSQL on the shop's pool when storage.backend is postgres. */
export async function openDemoShop(config: Pick<Config, 'storage'>, deps: { readonly db: SqliteDb; readonly pool?: pg.Pool; readonly options: DemoStoreOptions }): Promise<DemoShop> {
  if (config.storage.backend === 'sqlite') return new DemoStore(deps.db, deps.options);
  if (!deps.pool) throw new ShopbotError('CONFIG_INVALID', 'storage.postgresUrl (DATABASE_URL) is required for the postgres demo store');
  return PostgresDemoStore.open(deps.pool, deps.options);
}
export { ShopifyStore, type ShopifyStoreOptions } from './shopify.js';
export { accessTo, GRANT_TTL_MS, sameOrderId, VerificationRequiredError, withGrant, type OrderGrant, type Requester } from './access.js';

export function openStoreConnector(config: Pick<Config, 'store'>, deps: { readonly carts: DemoShop; readonly now: () => number }): StoreConnector {
  switch (config.store.backend) {
    case 'demo':
      return deps.carts;
    case 'shopify':
      if (!config.store.baseUrl || !config.store.accessToken) {
        throw new ShopbotError('CONFIG_INVALID', 'store.baseUrl (SHOPBOT_STORE_URL) and store.accessToken (SHOPBOT_STORE_TOKEN) are required for the shopify store');
      }
      return new ShopifyStore({ baseUrl: config.store.baseUrl, accessToken: config.store.accessToken, carts: deps.carts, now: deps.now });
    case 'woocommerce':
      throw new ShopbotError('CONFIG_INVALID', 'store.backend woocommerce is not implemented yet: use demo or shopify');
  }
}
