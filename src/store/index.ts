/**
 * The store connector: carts, orders, returns and refunds, against the embedded demo store or a
 * real store's API (Shopify), chosen by `store.backend`; carts stay embedded for every backend.
 */
import type { Config } from '../config.js';
import { ShopbotError } from '../errors.js';
import type { DemoStore } from './demo.js';
import { ShopifyStore } from './shopify.js';
import type { StoreConnector } from './types.js';

export * from './types.js';
export { DEMO_CUSTOMER, DemoStore, type DemoStoreOptions, type SeedOrder } from './demo.js';
export { ShopifyStore, type ShopifyStoreOptions } from './shopify.js';
export { accessTo, GRANT_TTL_MS, sameOrderId, VerificationRequiredError, withGrant, type OrderGrant, type Requester } from './access.js';

export function openStoreConnector(config: Pick<Config, 'store'>, deps: { readonly carts: DemoStore; readonly now: () => number }): StoreConnector {
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
