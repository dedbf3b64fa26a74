import { describe, expect, it } from 'vitest';
import { ProductSchema, type Product } from '../../src/catalog/index.js';
import { hasFilters, matchesFilters } from '../../src/retrieval/filters.js';
import { toQdrantFilter } from '../../src/retrieval/qdrant.js';

const base: Product = ProductSchema.parse({
  id: 'p1',
  title: 'Leather Belt',
  description: 'Full grain leather, no buckle',
  bullets: ['Made in Italy'],
  brand: 'Beltco',
  color: 'Matte Black',
  category: ['Clothing', 'Accessories', 'Belts'],
  priceCents: 3000,
  salePriceCents: 2500,
  rating: 4.2,
  stock: 4,
  source: 'csv',
});

describe('matchesFilters', () => {
  it('passes with no filters', () => {
    expect(matchesFilters(base, undefined)).toBe(true);
    expect(matchesFilters(base, {})).toBe(true);
    expect(hasFilters({ brands: [] })).toBe(false);
  });

  it('uses the price the shopper pays, and drops unpriced products', () => {
    expect(matchesFilters(base, { priceMaxCents: 2500 })).toBe(true);
    expect(matchesFilters(base, { priceMaxCents: 2499 })).toBe(false);
    expect(matchesFilters(base, { priceMinCents: 2600 })).toBe(false);
    expect(matchesFilters({ ...base, priceCents: undefined, salePriceCents: undefined }, { priceMaxCents: 10_000 })).toBe(false);
  });

  it('matches brands exactly, colors by whole word, categories at any level', () => {
    expect(matchesFilters(base, { brands: ['beltco', 'other'] })).toBe(true);
    expect(matchesFilters(base, { brands: ['belt'] })).toBe(false);
    expect(matchesFilters(base, { colors: ['black'] })).toBe(true);
    expect(matchesFilters(base, { colors: ['blac'] })).toBe(false);
    expect(matchesFilters({ ...base, color: undefined }, { colors: ['black'] })).toBe(false);
    expect(matchesFilters(base, { categories: ['accessories'] })).toBe(true);
    expect(matchesFilters(base, { categories: ['shoes'] })).toBe(false);
  });

  it('checks rating, stock, excluded terms and ids', () => {
    expect(matchesFilters(base, { minRating: 4.2 })).toBe(true);
    expect(matchesFilters(base, { minRating: 4.3 })).toBe(false);
    expect(matchesFilters(base, { inStockOnly: true })).toBe(true);
    expect(matchesFilters({ ...base, stock: 0 }, { inStockOnly: true })).toBe(false);
    expect(matchesFilters({ ...base, availability: 'preorder' }, { inStockOnly: true })).toBe(false);
    // Negated terms are matched against the title's affirmed words (negation.ts), whole words only.
    expect(matchesFilters(base, { excludeTerms: ['belts'] })).toBe(false);
    expect(matchesFilters(base, { excludeTerms: ['buckle'] })).toBe(true);
    expect(matchesFilters({ ...base, title: 'Leather Belt with Buckle' }, { excludeTerms: ['buckles'] })).toBe(false);
    expect(matchesFilters({ ...base, title: 'Leather Belt, No Buckle' }, { excludeTerms: ['buckles'] })).toBe(true);
    expect(matchesFilters(base, { excludeTerms: ['italy'] })).toBe(true);
    expect(matchesFilters(base, { excludeTerms: ['belt'] })).toBe(false);
    expect(matchesFilters(base, { excludeTerms: ['bel'] })).toBe(true);
    expect(matchesFilters(base, { excludeIds: ['p1'] })).toBe(false);
  });

  it('requires every kind of filter (AND across kinds, OR within one)', () => {
    expect(matchesFilters(base, { brands: ['beltco'], colors: ['red', 'black'] })).toBe(true);
    expect(matchesFilters(base, { brands: ['beltco'], colors: ['red'] })).toBe(false);
  });

  it('matches a colour by a run of whole words, the same way for every engine', () => {
    const finish = { ...base, color: 'Matte Black Finish' };
    expect(matchesFilters(finish, { colors: ['matte black'] })).toBe(true);
    expect(matchesFilters(finish, { colors: ['Black Finish'] })).toBe(true);
    expect(matchesFilters(finish, { colors: ['matte finish'] })).toBe(false);
    expect(matchesFilters({ ...base, color: 'Matte-Black' }, { colors: ['matte black'] })).toBe(true);
    expect(matchesFilters({ ...base, color: 'Black Matte' }, { colors: ['matte black'] })).toBe(false);
    // Filter values are compared trimmed and lower-cased, whoever built them.
    expect(matchesFilters(base, { brands: [' BeltCo '], categories: [' BELTS'] })).toBe(true);
    // The Qdrant engine is sent the same normalised values.
    expect(toQdrantFilter({ colors: ['Matte  Black'], brands: [' BeltCo '] })).toEqual({ must: [{ key: 'brand', match: { any: ['beltco'] } }, { key: 'colors', match: { any: ['matte black'] } }] });
  });
});
