/**
 * Text analysis for lexical search, shared by the index and the query side so both see the same
 * terms. English and other Latin-script text: Unicode-folded (NFKD, accents dropped), lower-cased,
 * split on non-alphanumerics (decimals like "1.75" kept whole), stopwords dropped, Porter-stemmed.
 * Chinese (Han) runs are segmented with jieba in search mode (words plus their sub-words), so a
 * query's short words meet a title's long compounds. Mixed text is split into script runs first.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { stemmer } from 'stemmer';

export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be but by for from has have i if in into is it its me my of on or our so such than that the their ' +
    'then there these they this to was were will with you your we us do does did can could would should am been being ' +
    'any some very just also please want need looking show find get buy'
  ).split(' '),
);

/** Function words and shopping filler that carry no product meaning. */
export const CHINESE_STOPWORDS: ReadonlySet<string> = new Set(
  '的 了 和 与 及 是 在 我 你 他 她 它 们 我们 吗 呢 吧 啊 呀 也 都 就 还 要 想 请 给 帮 一个 一些 有 没有 这 那 这个 那个 个 买 找 看看 推荐 一下'.split(' '),
);

const HAN = /\p{Script=Han}/u;
const RUNS = /(\p{Script=Han}+)|([\p{L}\p{N}]+(?:[.'’][\p{L}\p{N}]+)*)/gu;
/** Most catalog text is ASCII; this narrower pattern tokenizes it several times faster. */
const ASCII_RUNS = /()([a-z0-9]+(?:['.][a-z0-9]+)*)/g;
const NON_ASCII = /[^\x00-\x7f]/;
const MAX_TERM_CHARS = 64;
/** Stems are memoised per analyzer (Porter stemming dominates indexing time); bounded. */
const MAX_STEM_CACHE = 200_000;

export interface Analyzer {
  /** Terms in text order, duplicates kept (term frequency matters for BM25). */
  analyze(text: string): string[];
}

export interface AnalyzerOptions {
  readonly stem?: boolean;
  readonly stopwords?: boolean;
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
  const stems = new Map<string, string>();
  const stem = (t: string): string => {
    let s = stems.get(t);
    if (s === undefined) {
      if (stems.size >= MAX_STEM_CACHE) stems.clear();
      stems.set(t, (s = stemmer(t)));
    }
    return s;
  };
  return {
    analyze(text: string): string[] {
      const out: string[] = [];
      const isAscii = !NON_ASCII.test(text);
      const folded = isAscii ? text.toLowerCase() : text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
      const re = isAscii ? ASCII_RUNS : RUNS;
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
