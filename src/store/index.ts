export * from './types.js';
export { DemoStore, type DemoStoreOptions, type SeedOrder } from './demo.js';
export { ShopifyStore, type ShopifyStoreOptions } from './shopify.js';
