import { describe, expect, it } from 'vitest';
import { composeReply } from '../../src/responses/compose.js';
import { parseTemplates, type Templates } from '../../src/templates/index.js';
import { openVariantRanker, type EmbeddingModel } from '../../src/responses/variants.js';

/** A bag-of-words encoder for tests: hashed word counts, L2-normalized (not the project's model). */
class FakeBagOfWordsEncoder implements EmbeddingModel {
  calls = 0;
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls++;
    return texts.map((t) => {
      const v = new Float32Array(64);
      for (const w of t.toLowerCase().match(/[a-z]+/g) ?? []) v[[...w].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 64, 7)]! += 1;
      const n = Math.hypot(...v) || 1;
      return v.map((x) => x / n);
    });
  }
}

const en = parseTemplates('[greeting]\nHello! Looking for shoes or a jacket today?\nHi! Want to check an order or start a return?\n[qr_search]\nFind a product\n[qr_track]\nTrack my order\n');
const templates: Templates = { en, zh: en };

describe('variant ranker (response model)', () => {
  it('picks the variant closest to the shopper message, and embeds variants once', async () => {
    const enc = new FakeBagOfWordsEncoder();
    const ranker = await openVariantRanker(enc, templates);
    const shoes = await ranker.chooserFor('en', 'hello, I am looking for shoes');
    const order = await ranker.chooserFor('en', 'hi, I want to check an order');
    expect(composeReply(templates, 'en', [{ type: 'smalltalk', kind: 'greeting' }], 1, undefined, shoes).text).toMatch(/shoes/);
    expect(composeReply(templates, 'en', [{ type: 'smalltalk', kind: 'greeting' }], 0, undefined, order).text).toMatch(/order/);
    expect(enc.calls).toBe(3);
  });
  it('falls back to the deterministic per-turn choice without a chooser', () => {
    expect(composeReply(templates, 'en', [{ type: 'smalltalk', kind: 'greeting' }], 0).text).toMatch(/shoes/);
    expect(composeReply(templates, 'en', [{ type: 'smalltalk', kind: 'greeting' }], 1).text).toMatch(/order/);
  });
});
