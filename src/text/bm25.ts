/**
 * Okapi BM25, written once: product search (BM25F over title, brand, bullets and description, in
 * src/retrieval/lexical.ts) and policy answers (one field per section, src/policies) both weigh
 * terms with these functions. For BM25F the field-weighted, length-normalised frequencies are
 * summed before the single saturation (Robertson & Zaragoza).
 */

/** Term-frequency saturation and length normalisation that measured well on both corpora. */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** idf with 1 inside the log, so a term in most documents still counts a little (never negative). */
export function bm25Idf(docs: number, docFreq: number): number {
  return Math.log(1 + (docs - docFreq + 0.5) / (docFreq + 0.5));
}

/** A field's weighted, length-normalised term frequency: weight·tf / (1 − b + b·len/avgLen). */
export function fieldTf(tf: number, weight: number, b: number, len: number, invAvgLen: number): number {
  return (weight * tf) / (1 - b + b * len * invAvgLen);
}

/** One term's score: idf·tf / (k1 + tf), for a frequency already normalised (and summed over fields). */
export function bm25Term(idf: number, tf: number, k1: number): number {
  return (idf * tf) / (k1 + tf);
}
