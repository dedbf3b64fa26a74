export * from './types.js';
export { DEMO_CUSTOMER, DemoStore, type DemoStoreOptions, type SeedOrder } from './demo.js';
export { ShopifyStore, type ShopifyStoreOptions } from './shopify.js';
export { accessTo, GRANT_TTL_MS, sameOrderId, VerificationRequiredError, withGrant, type OrderGrant, type Requester } from './access.js';
