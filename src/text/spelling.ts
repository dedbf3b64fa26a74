/**
 * Spelling tolerance against a known vocabulary (the catalog's words), symmetric-delete style:
 * every known word is indexed under itself and its one-character deletions; a typed word is
 * looked up the same way, and each candidate is checked with the true (Damerau) edit distance,
 * so "headphnes", "matress", "sunglases", "polarised" and "blak" find "headphones", "mattress",
 * "sunglasses", "polarized" and "black". One edit only: two edits on short words turn ordinary
 * words into other ones ("lid" -> "kid"). The most frequent candidate wins.
 */

export interface Speller {
  /** The known word this word is a typo of, or undefined when the word is known or nothing is close. */
  correct(word: string): string | undefined;
  /** Is the word in the vocabulary as typed? */
  has(word: string): boolean;
  readonly size: number;
}

export interface SpellerOptions {
  /** Words shorter than this are never corrected ("teh", "wat" are left to the reader). */
  readonly minLength?: number;
  /** A known word must have at least this frequency to be suggested. */
  readonly minCount?: number;
}

function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** Damerau-Levenshtein (optimal string alignment) distance, stopping early past `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push(new Array<number>(b.length + 1).fill(0));
  for (let i = 0; i <= a.length; i++) rows[i]![0] = i;
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
  }
  return rows[a.length]![b.length]!;
}

/** A speller over `counts` (word -> frequency, lower-case). */
export function createSpeller(counts: ReadonlyMap<string, number>, options: SpellerOptions = {}): Speller {
  const minLength = options.minLength ?? 4;
  const minCount = options.minCount ?? 2;
  const index = new Map<string, string[]>();
  const add = (key: string, word: string) => {
    const list = index.get(key);
    if (list) list.push(word);
    else index.set(key, [word]);
  };
  for (const [word, count] of counts) {
    if (count < minCount || word.length < minLength - 1 || !/^[a-z]+$/.test(word)) continue;
    add(word, word);
    for (const d of deletions(word)) add(d, word);
  }
  const memo = new Map<string, string | undefined>();
  return {
    size: counts.size,
    has: (word) => counts.has(word),
    correct(word: string): string | undefined {
      const w = word.toLowerCase();
      if (w.length < minLength || !/^[a-z]+$/.test(w) || counts.has(w)) return undefined;
      if (memo.has(w)) return memo.get(w);
      let best: string | undefined;
      let bestCount = 0;
      for (const key of [w, ...deletions(w)]) {
        for (const candidate of index.get(key) ?? []) {
          const c = counts.get(candidate) ?? 0;
          if (c <= bestCount || editDistance(w, candidate, 1) > 1) continue;
          best = candidate;
          bestCount = c;
        }
      }
      if (memo.size > 10_000) memo.clear();
      memo.set(w, best);
      return best;
    },
  };
}
