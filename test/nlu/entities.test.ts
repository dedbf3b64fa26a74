import { describe, expect, it } from 'vitest';
import { extractEntities } from '../../src/nlu/entities.js';
import { detectLang } from '../../src/nlu/lang.js';
import { parseZhNumber } from '../../src/nlu/lexicon.js';
import type { Entities } from '../../src/nlu/types.js';

type Expect = Partial<Entities>;
const usd = (cents: number) => ({ cents, currency: 'USD' });
const cny = (cents: number) => ({ cents, currency: 'CNY' });

const CASES: readonly [string, Expect][] = [
  // order ids and e-mail
  ['where is my order #1042?', { orderIds: ['1042'] }],
  ['order 1042 has not arrived', { orderIds: ['1042'], quantities: [] }],
  ['status of bb-10420 please', { orderIds: ['BB-10420'] }],
  ['where is SB-123456', { orderIds: ['SB-123456'], quantities: [] }],
  ['order number: 55512 and order no. 77123', { orderIds: ['55512', '77123'] }],
  ['订单号：20231105 到哪了', { orderIds: ['20231105'] }],
  ['my email is Jane.Doe@Example.com', { emails: ['jane.doe@example.com'] }],
  // money and price ranges
  ['running shoes under $30', { priceRange: { maxCents: 3000 }, money: [usd(3000)] }],
  ['rugs between 20 and 50 dollars', { priceRange: { minCents: 2000, maxCents: 5000 } }],
  ['less than 30', { priceRange: { maxCents: 3000 } }],
  ['something from $20 to $50', { priceRange: { minCents: 2000, maxCents: 5000 } }],
  ['$100 or less', { priceRange: { maxCents: 10000 } }],
  ['over $40 please', { priceRange: { minCents: 4000 } }],
  ['it cost $1,299.99', { money: [usd(129999)] }],
  ['no more than $30', { priceRange: { maxCents: 3000 }, excludeTerms: [] }],
  ['30元以下的运动鞋', { priceRange: { maxCents: 3000 }, money: [cny(3000)] }],
  ['不超过200块', { priceRange: { maxCents: 20000 } }],
  ['100到200元的耳机', { priceRange: { minCents: 10000, maxCents: 20000 } }],
  ['两百块以内', { priceRange: { maxCents: 20000 } }],
  ['500元以上', { priceRange: { minCents: 50000 } }],
  ['1万元以下的沙发', { priceRange: { maxCents: 1000000 } }],
  // quantities
  ['add two to my cart', { quantities: [2] }],
  ['I want 3 of them', { quantities: [3] }],
  ['buy 2 red shirts', { quantities: [2], colors: ['red'] }],
  ['两个', { quantities: [2] }],
  ['来三件', { quantities: [3] }],
  ['I ordered 3 weeks ago', { quantities: [] }],
  // colors
  ['a black and white rug', { colors: ['black', 'white'] }],
  ['navy blue sofa', { colors: ['navy'] }],
  ['红色的连衣裙', { colors: ['red'] }],
  ['红烧肉怎么做', { colors: [] }],
  // sizes
  ['size 10 boots', { sizes: ['10'], quantities: [] }],
  ['do you have it in XL', { sizes: ['XL'] }],
  ['in a medium please', { sizes: ['M'] }],
  ['大号的', { sizes: ['L'] }],
  ['42码', { sizes: ['42'] }],
  // ratings
  ['4 stars and up', { minRating: 4, quantities: [] }],
  ['at least 4.5 stars', { minRating: 4.5 }],
  ['评分4分以上', { minRating: 4 }],
  ['四星以上', { minRating: 4 }],
  // ordinals
  ['the second one', { ordinal: 1, quantities: [] }],
  ['last one', { ordinal: -1 }],
  ['the 3rd option', { ordinal: 2 }],
  ['second to last', { ordinal: -2 }],
  ['第二个', { ordinal: 1, quantities: [] }],
  ['最后一个', { ordinal: -1 }],
  ['倒数第二个', { ordinal: -2 }],
  ['is there a discount on my first order', { ordinal: undefined }],
  // refinements
  ['cheaper', { refinements: ['cheaper'] }],
  ['something less expensive', { refinements: ['cheaper'] }],
  ['pricier ones', { refinements: ['pricier'] }],
  ['show more', { refinements: ['more'] }],
  ['better rated ones', { refinements: ['better_rated'], minRating: undefined }],
  ['更便宜的', { refinements: ['cheaper'] }],
  ['再来几个', { refinements: ['more'] }],
  // negation
  ['boots without buckles', { excludeTerms: ['buckles'] }],
  ['no leather please', { excludeTerms: ['leather'] }],
  ['weighted blanket without glass beads', { excludeTerms: ['glass beads'] }],
  ['faucet drain without overflow solid brass', { excludeTerms: ['overflow solid'] }],
  ['lights without wiring with switch', { excludeTerms: ['wiring'] }],
  ['paper bags without handles under $20', { excludeTerms: ['handles'], priceRange: { maxCents: 2000 } }],
  ['headphones, not wireless', { excludeTerms: ['wireless'] }],
  ['I do not want leather', { excludeTerms: ['leather'] }],
  ['no thanks', { excludeTerms: [] }],
  ['a sofa, not red', { excludeTerms: ['red'], colors: [] }],
  ['不要皮的', { excludeTerms: ['皮'] }],
  ['不要了', { excludeTerms: [] }],
];

describe('extractEntities', () => {
  it.each(CASES)('%s', (text, expected) => {
    const e = extractEntities(text, { lang: detectLang(text) });
    for (const [key, value] of Object.entries(expected)) expect(e[key as keyof Entities], key).toEqual(value);
  });

  it('always returns every list, empty when nothing is found', () => {
    expect(extractEntities('hello there')).toEqual({
      orderIds: [], emails: [], money: [], quantities: [], colors: [], sizes: [], refinements: [], excludeTerms: [],
    });
  });

  it('uses the default currency for bare amounts', () => {
    expect(extractEntities('under 30', { defaultCurrency: 'EUR' }).money).toEqual([{ cents: 3000, currency: 'EUR' }]);
    expect(extractEntities('300以内', { lang: 'zh' }).money).toEqual([cny(30000)]);
  });

  it('caps the text it reads', () => {
    expect(extractEntities('x'.repeat(5000) + ' #1042').orderIds).toEqual([]);
  });
});

describe('parseZhNumber', () => {
  it.each([['两百', 200], ['十五', 15], ['一百五', 150], ['三千二百', 3200], ['1万', 10000], ['1.5万', 15000], ['一万二千', 12000], ['42', 42], ['3.5', 3.5]] as const)('%s -> %s', (s, n) => {
    expect(parseZhNumber(s)).toBe(n);
  });
});
