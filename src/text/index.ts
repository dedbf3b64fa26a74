/**
 * The text stage: how every other stage reads words. Case and accent folding, the search analyzer
 * (tokenisation by script, jieba for Chinese, stop words, Porter stemming through one shared,
 * bounded stemmer), negation scope (which words of a title are affirmed), order-id and money
 * parsing, and the BM25 weighting both product search and policy answers use.
 */
export { createAnalyzer, type Analyzer, type AnalyzerOptions } from './analyzer.js';
export { createStemmer, MAX_STEM_CACHE, type Stemmer } from './stem.js';
export { CHINESE_STOPWORDS, ENGLISH_STOPWORDS } from './stopwords.js';
export { foldCase, HAN, isAscii } from './normalize.js';
export { affirmedTokens, compileExclusion, exclusionText, hasWord, negationPattern, negationTokens, QUERY_NEGATIONS_EN, QUERY_NEGATIONS_ZH } from './negation.js';
export { amountToCents, currencyOf, CURRENCY_BY_WORD, MONEY_NUMBER, parseMoney, type Money } from './money.js';
export { BM25_B, BM25_K1, bm25Idf, bm25Term, fieldTf } from './bm25.js';
export { orderIdsIn, PREFIXED_ORDER_ID, sameOrderId } from './order-ids.js';
export { createSpeller, editDistance, type Speller, type SpellerOptions } from './spelling.js';
