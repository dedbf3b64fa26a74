/** Dense vector maths for embeddings: dot products (cosine on unit vectors) and L2 normalisation. */

/** Σ a[i]·b[i] over the shorter of the two. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length && i < b.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Σ a[aOff + j]·b[j] for j < dim: a row of a slot-major matrix against a query. Unrolled by four:
 * V8 keeps the accumulators in registers, about twice a plain loop in the index's exact scan.
 */
export function dotAt(a: Float32Array, aOff: number, b: Float32Array, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    s0 += a[aOff + j]! * b[j]!;
    s1 += a[aOff + j + 1]! * b[j + 1]!;
    s2 += a[aOff + j + 2]! * b[j + 2]!;
    s3 += a[aOff + j + 3]! * b[j + 3]!;
  }
  for (; j < dim; j++) s0 += a[aOff + j]! * b[j]!;
  return s0 + s1 + s2 + s3;
}

/** Scales `v` to unit length in place; a zero vector stays zero. Returns `v`. */
export function normalizeInPlace(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  if (n === 0) return v;
  const inv = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
}

/** `v` scaled to unit length, as a new array; a zero vector gives zeros. */
export function normalized(v: Float32Array): Float32Array {
  return normalizeInPlace(Float32Array.from(v));
}
