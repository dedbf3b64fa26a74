/**
 * Model results by input text, for inputs seen before: the models are pure functions of the text,
 * so a hit is what a fresh run would give (a batch of one; batched runs differ only in float
 * rounding). Used in front of the micro-batcher, so only misses reach the ONNX session.
 */
import { LruCache } from '../maths/index.js';

export class ModelCache<O> {
  readonly #lru: LruCache<string, O>;

  constructor(capacity: number) {
    this.#lru = new LruCache(capacity);
  }

  /** One result per key, in order; `compute` runs once on the distinct keys not cached. */
  async through(keys: readonly string[], compute: (missing: readonly string[]) => Promise<O[]>): Promise<O[]> {
    const out = new Array<O | undefined>(keys.length);
    const missing = new Map<string, number[]>();
    keys.forEach((key, i) => {
      const hit = this.#lru.get(key);
      if (hit !== undefined) out[i] = hit;
      else {
        const at = missing.get(key);
        if (at) at.push(i);
        else missing.set(key, [i]);
      }
    });
    if (missing.size) {
      const fresh = await compute([...missing.keys()]);
      let k = 0;
      for (const [key, at] of missing) {
        const value = fresh[k++]!;
        this.#lru.set(key, value);
        for (const i of at) out[i] = value;
      }
    }
    return out as O[];
  }
}
