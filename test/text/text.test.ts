import { describe, expect, it } from 'vitest';
import { understand, type NluResult } from '../../src/nlu/index.js';
import { extractEntities } from '../../src/nlu/index.js';
import { amountToCents, bm25Idf, bm25Term, createStemmer, fieldTf, foldCase, orderIdsIn, parseMoney, sameOrderId } from '../../src/text/index.js';

describe('order ids: one rule for the NLU, the policy and the tasks', () => {
  it('reads prefixed and hashed ids the same way everywhere', () => {
    expect(orderIdsIn('where is sb100101, and SB-100102? also #1001')).toEqual(['SB-100101', 'SB-100102', '#1001']);
    expect(orderIdsIn('a 20-pack')).toEqual([]);
    // The NLU claims the same prefixed ids (so "SB-100101" is never read as money or a quantity).
    expect(extractEntities('cancel ab-123456 please').orderIds).toEqual(['AB-123456']);
    expect(sameOrderId('SB-100101', 'sb100101')).toBe(true);
    expect(sameOrderId('#1001', '1001')).toBe(true);
    expect(sameOrderId('SB-100101', 'SB-100102')).toBe(false);
  });
});

describe('money', () => {
  it('parses amounts to cents one way for feeds and for shoppers', () => {
    expect(amountToCents('1,299.5')).toBe(129950);
    expect(amountToCents('12.99')).toBe(1299);
    expect(amountToCents('12,34')).toBeUndefined();
    expect(parseMoney('USD 1,299.00')).toEqual({ cents: 129900, currency: 'USD' });
    expect(parseMoney('$12.99')).toEqual({ cents: 1299 });
    expect(() => parseMoney('12.99 USD EUR')).toThrow(/not a price/);
    expect(extractEntities('a lamp under $1,299.5').priceRange).toEqual({ maxCents: 129950 });
  });
});

const parsed = (lang: 'en' | 'zh', entities: NluResult['entities']): NluResult => ({ lang, intent: 'product_search', confidence: 1, ranking: [], entities, engine: 'test' });

describe('negation: the NLU and the search words read the same negation words', () => {
  it('takes a negated phrase out of the search words whenever the NLU read it as excluded', () => {
    for (const message of ['cat treats without chicken', 'cat treats, avoid chicken', "cat treats, i don't want chicken", 'cat treats, non-chicken']) {
      const e = extractEntities(message);
      expect(e.excludeTerms, message).toEqual(['chicken']);
      expect(understand(parsed('en', e), message).constraints.product, message).not.toMatch(/chicken/);
    }
    const zh = extractEntities('猫粮不要鸡肉的', { lang: 'zh' });
    expect(zh.excludeTerms).toEqual(['鸡肉']);
    expect(understand(parsed('zh', zh), '猫粮不要鸡肉的').constraints.product).toBe('猫粮');
  });
});

describe('stemming and weighting', () => {
  it('shares one memoised stemmer', () => {
    const stem = createStemmer(2);
    expect(stem('running')).toBe('run');
    expect(stem('running')).toBe('run');
    expect(['shoes', 'boots', 'belts'].map(stem)).toEqual(['shoe', 'boot', 'belt']);
    expect(foldCase('Crème BRÛLÉE')).toBe('creme brulee');
  });

  it('weighs a term by BM25: rarer terms and shorter fields count more, frequency saturates', () => {
    expect(bm25Idf(100, 1)).toBeGreaterThan(bm25Idf(100, 50));
    expect(bm25Idf(100, 100)).toBeGreaterThan(0);
    expect(fieldTf(1, 1, 0.75, 5, 1 / 10)).toBeGreaterThan(fieldTf(1, 1, 0.75, 20, 1 / 10));
    const idf = bm25Idf(100, 10);
    expect(bm25Term(idf, 100, 1.2)).toBeLessThan(idf);
    expect(bm25Term(idf, 2, 1.2) - bm25Term(idf, 1, 1.2)).toBeGreaterThan(bm25Term(idf, 3, 1.2) - bm25Term(idf, 2, 1.2));
  });
});
