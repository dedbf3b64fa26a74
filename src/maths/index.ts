/** Numeric primitives shared by the stages: a seeded random source. */
export { createRng, shuffle, type Rng } from './rng.js';
