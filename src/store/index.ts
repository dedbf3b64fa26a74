export * from './types.js';
export { DemoStore } from './demo.js';
