/**
 * Deterministic vectors and payloads for the ProductIndex contract: clustered unit vectors from a
 * seeded RNG, payloads cycling through brands, colors, categories, prices and stock states.
 */
import type { IndexItem, IndexPayload } from '../../src/retrieval/product-index.js';
import { negationTokens } from '../../src/text/index.js';
import { compileFilters } from '../../src/retrieval/filters.js';
import type { SearchFilters } from '../../src/retrieval/types.js';
import { createRng } from '../../src/maths/index.js';

export const mulberry32 = createRng;

export function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const inv = n ? 1 / Math.sqrt(n) : 0;
  return v.map((x) => x * inv);
}

export function randomUnit(rng: () => number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = rng() * 2 - 1;
  return unit(v);
}

const BRANDS = ['acme', 'zenith', 'orbit', 'nova'];
const COLORS = ['black', 'red', 'blue'];
const CATEGORIES = [['home', 'kitchen'], ['sports', 'running'], ['electronics', 'audio']];
const WORDS = ['leather', 'belt', 'buckles', 'mug', 'steel', 'insulated', 'headphones', 'wireless'];

export function contractPayload(i: number): IndexPayload {
  return {
    ...(i % 7 === 0 ? {} : { priceCents: 500 + ((i * 397) % 10_000) }),
    brand: BRANDS[i % BRANDS.length]!,
    colors: [COLORS[i % COLORS.length]!],
    categories: CATEGORIES[i % CATEGORIES.length]!,
    ...(i % 5 === 0 ? {} : { rating: 1 + (i % 5) }),
    availability: i % 4 === 0 ? 'out_of_stock' : 'in_stock',
    text: negationTokens(`${WORDS[i % WORDS.length]} ${WORDS[(i * 3 + 1) % WORDS.length]} item ${i}`).join(' '),
  };
}

export function contractItems(n: number, dim: number, seed = 7): IndexItem[] {
  const rng = mulberry32(seed);
  const centers = Array.from({ length: 8 }, () => randomUnit(rng, dim));
  return Array.from({ length: n }, (_, i) => {
    const c = centers[i % centers.length]!;
    const noise = randomUnit(rng, dim);
    return { id: `p-${i}`, vector: unit(c.map((x, j) => x + 0.6 * noise[j]!)), payload: contractPayload(i) };
  });
}

/** Brute-force reference: the ids the index must return, best first. */
export function bruteForce(items: readonly IndexItem[], query: Float32Array, k: number, filters?: SearchFilters): string[] {
  const accept = filters ? compileFilters(filters) : () => true;
  const q = unit(query);
  return items
    .filter((it) => accept(it.id, it.payload))
    .map((it) => {
      const v = unit(it.vector);
      let s = 0;
      for (let j = 0; j < v.length; j++) s += v[j]! * q[j]!;
      return { id: it.id, s };
    })
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}
