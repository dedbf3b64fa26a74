import { describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../src/text/index.js';

describe('analyzer', () => {
  const analyzer = createAnalyzer();

  it('lower-cases, drops stopwords and stems English', () => {
    expect(analyzer.analyze("The Men's Running Shoes for Women")).toEqual(['men', 'run', 'shoe', 'women']);
    expect(analyzer.analyze('slippers')).toEqual(analyzer.analyze('Slipper'));
  });

  it('folds accents and keeps decimals whole', () => {
    expect(analyzer.analyze('Crème Brûlée 1.75 inch')).toEqual(analyzer.analyze('creme brulee 1.75 inch'));
    expect(analyzer.analyze('1.75')).toEqual(['1.75']);
  });

  it('segments Chinese and drops Chinese function words', () => {
    const terms = analyzer.analyze('我想买一个红色的手机壳');
    expect(terms).toContain('手机');
    expect(terms).toContain('红色');
    expect(terms).not.toContain('的');
    expect(terms).not.toContain('我');
  });

  it('handles mixed scripts in one text', () => {
    const terms = analyzer.analyze('Nike 跑步鞋 size 42');
    expect(terms).toEqual(expect.arrayContaining(['nike', 'size', '42']));
    expect(terms.some((t) => /\p{Script=Han}/u.test(t))).toBe(true);
  });

  it('can turn stemming and stopwords off', () => {
    expect(createAnalyzer({ stem: false, stopwords: false }).analyze('The slippers')).toEqual(['the', 'slippers']);
  });
});
