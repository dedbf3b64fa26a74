/**
 * Text analysis for lexical search, shared by the index and the query side so both see the same
 * terms. English and other Latin-script text: Unicode-folded (NFKD, accents dropped), lower-cased,
 * split on non-alphanumerics (decimals like "1.75" kept whole), stopwords dropped, Porter-stemmed.
 * Chinese (Han) runs are segmented with jieba in search mode (words plus their sub-words), so a
 * query's short words meet a title's long compounds. Mixed text is split into script runs first.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { foldCase, HAN, isAscii } from './normalize.js';
import { createStemmer, type Stemmer } from './stem.js';
import { CHINESE_STOPWORDS, ENGLISH_STOPWORDS } from './stopwords.js';

const RUNS = /(\p{Script=Han}+)|([\p{L}\p{N}]+(?:[.'’][\p{L}\p{N}]+)*)/gu;
/** Most catalog text is ASCII; this narrower pattern tokenizes it several times faster. */
const ASCII_RUNS = /()([a-z0-9]+(?:['.][a-z0-9]+)*)/g;
const MAX_TERM_CHARS = 64;

export interface Analyzer {
  /** Terms in text order, duplicates kept (term frequency matters for BM25). */
  analyze(text: string): string[];
}

export interface AnalyzerOptions {
  readonly stem?: boolean;
  readonly stopwords?: boolean;
  /** The stemmer to share (its memo); a fresh one otherwise. */
  readonly stemmer?: Stemmer;
}

function latinTerms(token: string, out: string[], options: AnalyzerOptions, stem: (t: string) => string): void {
  // Fast path: most tokens have no apostrophe or dot.
  if (token.indexOf("'") < 0 && token.indexOf('’') < 0 && token.indexOf('.') < 0) {
    latinTerm(token, out, options, stem);
    return;
  }
  // "men's" -> "men"; "u.s" -> "u", "s"; but "1.75" stays a number.
  const t = token.replace(/['’]s$/, '').replace(/['’]/g, '');
  if (t.indexOf('.') < 0 || /^\d+(?:\.\d+)+$/.test(t)) latinTerm(t, out, options, stem);
  else for (const part of t.split('.')) latinTerm(part, out, options, stem);
}

function latinTerm(t: string, out: string[], options: AnalyzerOptions, stem: (t: string) => string): void {
  if (t.length === 0 || t.length > MAX_TERM_CHARS) return;
  if (options.stopwords !== false && ENGLISH_STOPWORDS.has(t)) return;
  out.push(options.stem !== false && t.length > 2 && /^[a-z]+$/.test(t) ? stem(t) : t);
}

/**
 * One analyzer owns one jieba instance, created on the first Han text it sees (loading the
 * dictionary takes a moment, and an English-only catalog never needs it).
 */
export function createAnalyzer(options: AnalyzerOptions = {}): Analyzer {
  let jieba: Jieba | undefined;
  const segment = (han: string): string[] => {
    jieba ??= Jieba.withDict(dict);
    return jieba.cutForSearch(han, true);
  };
  const stem = options.stemmer ?? createStemmer();
  return {
    analyze(text: string): string[] {
      const out: string[] = [];
      const ascii = isAscii(text);
      const folded = foldCase(text);
      const re = ascii ? ASCII_RUNS : RUNS;
      re.lastIndex = 0;
      for (let m = re.exec(folded); m !== null; m = re.exec(folded)) {
        if (m[1]) {
          for (const w of segment(m[1])) {
            if (w.length <= MAX_TERM_CHARS && HAN.test(w) && !(options.stopwords !== false && CHINESE_STOPWORDS.has(w))) out.push(w);
          }
        } else if (m[2]) {
          latinTerms(m[2], out, options, stem);
        }
      }
      return out;
    },
  };
}
