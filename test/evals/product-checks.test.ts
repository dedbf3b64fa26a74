import { describe, expect, it } from 'vitest';
import { checkCards, checkCart, fits, resolveRef, unsatisfiable, violations, type ListHistory, type ShownProduct } from '../../evals/metrics/product-checks.js';
import { checkStatedBrand, checkStatedPrice, checkStatedRating, detectLang, longestEcho, moneyAmounts, namingKeys, refersTo } from '../../evals/metrics/reply-checks.js';
import { checkProductTurn } from '../../evals/metrics/turn-checks.js';

const bose: ShownProduct = { id: 'b1', title: 'Bose QuietComfort Earbuds, Black', brand: 'Bose', color: 'Black', priceCents: 17_900, rating: 4.4, ratingCount: 900 };
const sony: ShownProduct = { id: 's1', title: 'Sony WH-1000XM4 Wireless Headphones', brand: 'Sony', color: 'Silver', priceCents: 24_800, rating: 4.7, ratingCount: 5000 };
const tozo: ShownProduct = { id: 't1', title: 'TOZO T6 True Wireless Earbuds', brand: 'TOZO', color: 'Red', priceCents: 2_999, rating: 4.4, ratingCount: 200 };
const case1: ShownProduct = { id: 'c1', title: 'AirPods Case Cover, Silicone', brand: 'GMYLE', color: 'Pink', priceCents: 799, rating: 4.1 };
const list = [bose, sony, tozo];
const history: ListHistory = { lists: [{ turn: 1, products: list }] };

describe('card checks', () => {
  it('fits a card by title pattern, colour, brand or judged id', () => {
    expect(fits(bose, { title: 'earbud|headphone' })).toBe(true);
    expect(fits(case1, { title: 'earbud|headphone' })).toBe(false);
    expect(fits(case1, { title: 'earbud', ids: ['c1'] })).toBe(true);
    expect(fits(bose, { ids: ['c1'] })).toBe(false);
    expect(fits(bose, { title: 'earbud', color: 'black' })).toBe(true);
    expect(fits(tozo, { title: 'earbud', color: 'black' })).toBe(false);
    expect(fits(sony, { brand: 'sony' })).toBe(true);
  });

  it('finds cards breaking a stated filter', () => {
    expect(violations(sony, { exclude: { brands: ['Sony'] } })).toEqual(['brand Sony']);
    expect(violations(tozo, { exclude: { colors: ['red'] } })).toEqual(['colour red']);
    // Words, not substrings: "Redmi" is not red, "Black/Red" is.
    expect(violations({ id: 'x', title: 'Redmi buds' }, { exclude: { colors: ['red'] } })).toEqual([]);
    expect(violations({ id: 'x', title: 'Buds', color: 'Black/Red' }, { exclude: { colors: ['red'] } })).toEqual(['colour red']);
    expect(violations(bose, { maxPriceCents: 5_000 })).toHaveLength(1);
    expect(violations(tozo, { minPriceCents: 5_000, maxPriceCents: 10_000 })).toHaveLength(1);
    expect(violations(tozo, { maxPriceCents: 3_000, exclude: { words: ['wired'] } })).toEqual([]);
  });

  it('needs k of the first n cards to fit, and no card to break a filter', () => {
    expect(checkCards({ title: 'earbud|headphone', top: 3, atLeast: 3 }, list)).toEqual([]);
    expect(checkCards({ title: 'earbud', top: 3, atLeast: 3 }, list)).toHaveLength(1);
    expect(checkCards({ title: 'earbud|headphone', exclude: { brands: ['sony'] } }, list)).toHaveLength(1);
    expect(checkCards({ min: 4 }, list)).toHaveLength(1);
    expect(checkCards({ max: 0 }, [])).toEqual([]);
    expect(checkCards({ max: 0 }, list)).toHaveLength(1);
    expect(checkCards({ title: 'earbud' }, [])).toHaveLength(1);
  });

  it('compares with the list before: cheaper, fresh', () => {
    expect(checkCards({ cheaper: true }, [tozo, case1], list)).toEqual([]);
    expect(checkCards({ cheaper: true }, [sony, case1], list)).toHaveLength(1);
    expect(checkCards({ cheaper: true }, [tozo])).toEqual(['cards: no earlier list to compare with']);
    expect(checkCards({ fresh: true }, [case1], list)).toEqual([]);
    expect(checkCards({ fresh: true }, [case1, bose], list)).toHaveLength(1);
  });

  it('says when the catalog cannot satisfy a check', () => {
    expect(unsatisfiable({ title: 'earbud', atLeast: 2 }, list)).toEqual([]);
    expect(unsatisfiable({ title: 'earbud', atLeast: 2, maxPriceCents: 5_000 }, list)).toHaveLength(1);
    expect(unsatisfiable({ max: 0 }, [])).toEqual([]);
  });
});

describe('refs to shown products', () => {
  it('resolves a card by position, by best value (ties kept), or by id', () => {
    expect(resolveRef({ card: 2 }, history)).toEqual([sony]);
    expect(resolveRef({ card: 4 }, history)).toMatch(/only 3 cards/);
    expect(resolveRef({ card: 1 }, { lists: [] })).toMatch(/no list/);
    expect(resolveRef({ best: 'cheapest' }, history)).toEqual([tozo]);
    expect(resolveRef({ best: 'rating' }, history)).toEqual([sony]);
    expect(resolveRef({ best: 'cheapest', among: [1, 2] }, history)).toEqual([bose]);
    expect(resolveRef({ best: 'rating', among: [1, 3] }, history)).toEqual([bose, tozo]);
    expect(resolveRef({ card: 1, turn: 1 }, history)).toEqual([bose]);
    expect(resolveRef({ card: 1, turn: 2 }, history)).toMatch(/turn 2/);
  });

  it('knows when a reply is about a product: alone on a card, named, or called by position', () => {
    expect(namingKeys(bose, list)).toEqual(['bose quietcomfort earbuds', 'bose']);
    expect(refersTo({ text: 'Sure.', cards: [sony] }, [sony], list)).toBe(true);
    expect(refersTo({ text: 'The Sony WH-1000XM4 Wireless is noise cancelling.', cards: [] }, [sony], list)).toBe(true);
    expect(refersTo({ text: 'The third one is TOZO, $29.99.', cards: [] }, [tozo], list)).toBe(true);
    expect(refersTo({ text: '第三个是防水的。', cards: [] }, [tozo], list)).toBe(true);
    expect(refersTo({ text: 'Bose QuietComfort Earbuds: "noise cancelling"', cards: [] }, [sony], list)).toBe(false);
  });

  it('reads stated prices, ratings and brands', () => {
    expect(moneyAmounts('It is $1,234.50, was US$12 or 20 dollars, 12.99 美元, 50块')).toEqual([123_450, 1_200, 2_000, 1_299, 5_000]);
    expect(checkStatedPrice('The Bose buds cost $179.00.', [bose])).toBeUndefined();
    expect(checkStatedPrice('The Bose buds cost $17.90.', [bose])).toMatch(/expected \$179.00/);
    expect(checkStatedPrice('no idea', [bose])).toMatch(/no price/);
    expect(checkStatedRating('Rated 4.7 out of 5 by 5,000 shoppers', [sony])).toBeUndefined();
    expect(checkStatedRating('评分 4.4 星', [tozo])).toBeUndefined();
    expect(checkStatedRating('It costs $4.40', [tozo])).toMatch(/expected 4.4/);
    expect(checkStatedBrand('That one is made by TOZO.', [tozo])).toBeUndefined();
    expect(checkStatedBrand('That one is great.', [tozo])).toMatch(/TOZO/);
    expect(checkStatedRating('It has no rating yet.', [{ id: 'u', title: 'Unrated' }])).toBeUndefined();
    expect(checkStatedRating('Five stars!', [{ id: 'u', title: 'Unrated' }])).toMatch(/no rating/);
    expect(checkStatedBrand('The brand is not listed.', [{ id: 'u', title: 'Unbranded' }])).toBeUndefined();
  });
});

describe('reply text checks', () => {
  it('detects the reply language without counting quoted catalog text', () => {
    expect(detectLang('Here is what I found for "耳机":')).toBe('en');
    expect(detectLang('为您找到以下商品：Bose QuietComfort Earbuds, Black', ['Bose QuietComfort Earbuds, Black'])).toBe('zh');
    expect(detectLang('About Bose QuietComfort Earbuds, Black: "noise cancelling"', ['Bose QuietComfort Earbuds, Black'])).toBe('en');
    expect(detectLang('Bose QuietComfort Earbuds, Black', ['Bose QuietComfort Earbuds, Black'])).toBe('none');
  });

  it('measures how much of a message the reply repeats', () => {
    const msg = 'Hi, my sister just moved and her flat is really hot, so I want a quiet ceiling fan with a light';
    expect(longestEcho(`I couldn't find anything for "${msg}"`, msg)).toBe(msg.length);
    expect(longestEcho('Here are quiet ceiling fans with lights:', msg)).toBeLessThan(20);
  });
});

describe('cart checks', () => {
  const lines = [{ productId: 's1', title: sony.title, quantity: 2 }];
  it('checks what the cart holds after a turn', () => {
    expect(checkCart({ has: [{ card: 2 }], items: 2, quantity: { of: { card: 2 }, is: 2 } }, lines, history)).toEqual([]);
    expect(checkCart({ has: [{ card: 1 }] }, lines, history)).toHaveLength(1);
    expect(checkCart({ lacks: [{ title: 'sony' }] }, lines, history)).toHaveLength(1);
    expect(checkCart({ empty: true }, lines, history)).toHaveLength(1);
    expect(checkCart({ empty: true }, [], history)).toEqual([]);
    expect(checkCart({ has: [{ id: 's1' }], lacks: [{ id: 'b1' }] }, lines, history)).toEqual([]);
    // Saying an out-of-stock product cannot be added is the right answer to "add the third one".
    const soldOut: ListHistory = { lists: [{ turn: 1, products: [bose, sony, { ...tozo, inStock: false }] }] };
    expect(checkCart({ has: [{ card: 3 }] }, [], soldOut, 'Sorry, that one is out of stock.')).toEqual([]);
    expect(checkCart({ has: [{ card: 3 }] }, [], soldOut, 'Added it.')).toHaveLength(1);
    expect(checkCart({ has: [{ card: 2 }] }, [], soldOut, 'Sorry, that one is out of stock.')).toHaveLength(1);
  });
});

describe('one turn', () => {
  const base = { text: '', userText: 'x', silent: false, cards: [], history, cart: [], quoted: [], orders: {}, placed: 0 };
  it('combines the checks and reports each failure', () => {
    expect(checkProductTurn({ price: { card: 3 }, about: { card: 3 }, lang: 'en' }, { ...base, text: 'The TOZO T6 True Wireless Earbuds are $29.99.' })).toEqual([]);
    expect(checkProductTurn({ price: { card: 3 }, lang: 'zh' }, { ...base, text: 'It is $30.' })).toHaveLength(2);
    expect(checkProductTurn({ orders: [{ id: 'SB-1', status: 'cancelled' }], placed: 1 }, { ...base, orders: { 'SB-1': 'processing' } })).toHaveLength(2);
    expect(checkProductTurn({ notMatches: 'e-?mail' }, { ...base, text: 'What e-mail address should I use?' })).toHaveLength(1);
    expect(checkProductTurn({ lang: 'zh' }, { ...base, silent: true })).toEqual([]);
  });
});
