/**
 * English (Porter) stemming with a bounded memo. Stemming dominates BM25 indexing time and the
 * same words recur across the catalog, the policy documents and the shopper vocabulary, so one
 * stemmer (made by the composition root) is shared by every analyzer that is handed it.
 */
import { stemmer } from 'stemmer';

export type Stemmer = (word: string) => string;

/** Entries kept before the memo starts over (a catalog's vocabulary fits many times). */
export const MAX_STEM_CACHE = 200_000;

export function createStemmer(maxEntries = MAX_STEM_CACHE): Stemmer {
  const stems = new Map<string, string>();
  return (word) => {
    let s = stems.get(word);
    if (s === undefined) {
      if (stems.size >= maxEntries) stems.clear();
      stems.set(word, (s = stemmer(word)));
    }
    return s;
  };
}
