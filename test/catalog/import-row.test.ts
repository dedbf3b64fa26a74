import { describe, expect, it } from 'vitest';
import { parseAvailability, parseMoney } from '../../src/catalog/index.js';

describe('parseMoney', () => {
  it.each([
    ['12.99', { cents: 1299 }],
    ['12.99 USD', { cents: 1299, currency: 'USD' }],
    ['USD 12.9', { cents: 1290, currency: 'USD' }],
    ['$5', { cents: 500 }],
    ['1,299.00 eur', { cents: 129900, currency: 'EUR' }],
    ['', undefined],
  ])('%s', (text, expected) => {
    expect(parseMoney(text)).toEqual(expected);
  });

  it.each(['twelve', '12.999', '-3.00', 'USD 1 EUR', '1,2'])('refuses %s', (text) => {
    expect(() => parseMoney(text)).toThrow(/not a price/);
  });
});

describe('parseAvailability', () => {
  it('accepts Merchant Center values and their spaced forms', () => {
    expect(parseAvailability('in stock')).toBe('in_stock');
    expect(parseAvailability('IN_STOCK')).toBe('in_stock');
    expect(parseAvailability('out of stock')).toBe('out_of_stock');
    expect(parseAvailability('preorder')).toBe('preorder');
    expect(parseAvailability('backorder')).toBe('backorder');
    expect(parseAvailability('')).toBeUndefined();
    expect(() => parseAvailability('maybe')).toThrow(/availability: unknown value/);
  });
});
