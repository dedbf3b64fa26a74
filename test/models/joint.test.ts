/** The joint engine's pure parts: word offsets, BIO decoding, the ensemble and the entity merge. */
import { describe, expect, it } from 'vitest';
import { decodeSpans, ensembleIntent, mergeSpans, wordsWithOffsets } from '../../src/models/index.js';
import { extractEntities, type Intent } from '../../src/nlu/index.js';

describe('wordsWithOffsets', () => {
  it('splits punctuation and each Chinese character, keeping offsets in the raw text', () => {
    const raw = 'Café, 红色的 e-mail!';
    const words = wordsWithOffsets(raw);
    expect(words.map((w) => w.word)).toEqual(['cafe', ',', '红', '色', '的', 'e', '-', 'mail', '!']);
    expect(words.map((w) => raw.slice(w.start, w.end))).toEqual(['Café', ',', '红', '色', '的', 'e', '-', 'mail', '!']);
  });
});

describe('decodeSpans', () => {
  const raw = 'red running shoes not Nike';
  const words = wordsWithOffsets(raw);
  it('joins adjacent tags of one label (B B as B I) and starts a span at a stray I', () => {
    const spans = decodeSpans(['B-COLOR', 'B-PRODUCT', 'B-PRODUCT', 'O', 'I-NEG'], words, raw);
    expect(spans).toEqual([
      { label: 'COLOR', start: 0, end: 3, text: 'red' },
      { label: 'PRODUCT', start: 4, end: 17, text: 'running shoes' },
      { label: 'NEG', start: 22, end: 26, text: 'Nike' },
    ]);
  });
});

describe('ensembleIntent', () => {
  const joint = { labels: ['add_to_cart', 'out_of_scope', 'product_search'], oosThreshold: 0.6 };
  const linear = { intents: ['product_search', 'add_to_cart', 'out_of_scope'] as Intent[], oosThreshold: 0.4, probs: [0.8, 0.1, 0.1] };
  it('averages by label, not by position, and mixes the thresholds with the same weight', () => {
    const { probs, threshold } = ensembleIntent(joint, [0.2, 0.2, 0.6], linear, 0.5);
    expect([...probs].map((p) => Number(p.toFixed(3)))).toEqual([0.15, 0.15, 0.7]);
    expect(threshold).toBeCloseTo(0.5);
  });
  it('is the transformer alone at weight 1', () => {
    const { probs, threshold } = ensembleIntent(joint, [0.2, 0.2, 0.6], linear, 1);
    expect([...probs].map((p) => Number(p.toFixed(3)))).toEqual([0.2, 0.2, 0.6]);
    expect(threshold).toBe(0.6);
  });
});

describe('mergeSpans', () => {
  it('adds what only the tagger found and keeps what the extractor found once', () => {
    const text = 'write to me at anna@example.com about order 123456, a jacket not red';
    const entities = extractEntities(text, { lang: 'en' });
    const at = (s: string) => ({ start: text.indexOf(s), end: text.indexOf(s) + s.length, text: s });
    const merged = mergeSpans(entities, [
      { label: 'EMAIL', ...at('anna@example.com') },
      { label: 'ORDER_ID', ...at('123456') },
      { label: 'NEG', ...at('red') },
      { label: 'COLOR', ...at('red') },
    ]);
    expect(merged.emails).toEqual(['anna@example.com']);
    expect(merged.orderIds).toEqual(['123456']);
    expect(merged.excludeTerms.filter((t) => t.toLowerCase() === 'red')).toHaveLength(1);
    expect(merged.colors).not.toContain('red');
  });
  it('leaves a tagged exclusion to the parse builder, which grounds it in the catalog', () => {
    const text = 'how many stars does it have';
    const merged = mergeSpans(extractEntities(text, { lang: 'en' }), [{ label: 'NEG', start: 4, end: 8, text: 'many' }]);
    expect(merged.excludeTerms).toEqual([]);
  });
});
