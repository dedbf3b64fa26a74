import { describe, expect, it } from 'vitest';
import { ProductSchema, type Product } from '../../src/catalog/index.js';
import { createCatalogVocabulary } from '../../src/retrieval/vocabulary.js';

function p(id: string, title: string, extra: Partial<Product> = {}): Product {
  return ProductSchema.parse({ id, title, source: 'csv', ...extra });
}

const catalog: Product[] = [
  p('1', 'UGG Dakota slipper', { brand: 'UGG', color: 'Chestnut', category: ['Clothing', 'Shoes', 'Slippers'] }),
  p('2', 'UGG Scuff slipper', { brand: 'UGG', color: 'Black', category: ['Clothing', 'Shoes', 'Slippers'] }),
  p('3', 'Trail running shoe', { brand: 'Nike', color: 'Red/Black', category: ['Clothing', 'Shoes', 'Running Shoes'] }),
  p('4', 'Running shorts', { brand: 'Nike', color: 'Red', category: ['Clothing', 'Shorts'] }),
  p('5', 'The Great Gatsby', { brand: 'The', color: 'Chestnut', category: ['Books'] }),
  p('6', 'Inkjet printer', { brand: 'HP', color: 'White', category: ['Office Products', 'Printers'] }),
  p('7', 'Simple ceramic mug', { brand: 'Simple', color: 'White', category: ['Home & Kitchen', 'Mugs'] }),
  p('8', 'Simple glass jar', { brand: 'Jarco', color: 'Clear', category: ['Home & Kitchen'] }),
  p('9', 'Simple steel bottle', { brand: 'Bottleco', color: 'Clear', category: ['Home & Kitchen'] }),
  p('10', 'Simple wooden spoon', { brand: 'Spoonco', category: ['Home & Kitchen'] }),
  p('11', 'Simple tea towel', { brand: 'Towelco', category: ['Home & Kitchen'] }),
  p('12', 'Crème hair mask', { brand: 'TRESemmé', category: ['Beauty & Personal Care', 'Hair Masks'] }),
  p('13', 'Generic phone stand', { brand: 'Generic', category: ['Cell Phones & Accessories'] }),
];

describe('catalog vocabulary', () => {
  const vocab = createCatalogVocabulary(catalog);

  it('finds brands and colors, case-insensitively, and leaves the rest as query text', () => {
    const e = vocab.extract('Do you have RED nike running shoes under $50?');
    expect(e.brands).toEqual(['nike']);
    expect(e.colors).toEqual(['red']);
    expect(e.categories).toEqual(['running shoes']);
    expect(e.residual).toBe('Do you have running shoes under $50?');
  });

  it('matches categories in singular or plural and across "&"/"and"', () => {
    expect(vocab.extract('a black slipper').categories).toEqual(['slippers']);
    expect(vocab.extract('something for home and kitchen').categories).toEqual(['home & kitchen']);
  });

  it('returns the catalog spelling of a brand written without accents', () => {
    expect(vocab.extract('tresemme hair mask').brands).toEqual(['tresemmé']);
  });

  it('skips stopword, placeholder and generic-word brands', () => {
    expect(vocab.extract('the best simple mug').brands).toEqual([]);
    expect(vocab.extract('a generic stand').brands).toEqual([]);
  });

  it('matches two-letter brands only when written in capitals, and whole words only', () => {
    expect(vocab.extract('an HP printer').brands).toEqual(['hp']);
    expect(vocab.extract('a 20 hp motor').brands).toEqual([]);
    expect(vocab.extract('uggly sweaters').brands).toEqual([]);
  });

  it('colors come from the catalog (split "Red/Black"), not from a fixed list', () => {
    expect(vocab.extract('chestnut boots').colors).toEqual(['chestnut']);
    expect(vocab.extract('purple boots').colors).toEqual([]);
    // "clear" is a catalog color value but too ambiguous a word to filter on.
    expect(vocab.extract('clear my cart').colors).toEqual([]);
  });

  it('reports match positions in the original message', () => {
    const text = 'ugg slippers in black';
    const e = vocab.extract(text);
    expect(e.matches.map((m) => [m.kind, text.slice(m.start, m.end)])).toEqual([
      ['brand', 'ugg'],
      ['category', 'slippers'],
      ['color', 'black'],
    ]);
    expect(e.residual).toBe('slippers in');
  });

  it('returns nothing for a message without catalog words', () => {
    expect(vocab.extract('where is my order?')).toMatchObject({ brands: [], colors: [], categories: [], residual: 'where is my order?' });
  });
});

describe('catalog vocabulary on chat words', () => {
  it('does not turn greetings or stopwords into filters', () => {
    const vocab = createCatalogVocabulary([
      p('1', 'Kids toothpaste', { brand: 'Hello', category: ['Health'] }),
      p('2', 'Mason jars', { brand: 'Ball', category: ['Home', 'Canning'] }),
    ]);
    expect(vocab.extract('hello there').brands).toEqual([]);
    expect(vocab.extract('can I get a refund').categories).toEqual([]);
    expect(vocab.extract('canning jars').categories).toEqual(['canning']);
  });
});
