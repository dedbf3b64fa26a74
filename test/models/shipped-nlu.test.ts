/**
 * The shipped default NLU: the app opens the joint transformer (models/nlu, with the linear model
 * as ensemble partner), and the committed model tags spans in ordinary English and Chinese
 * shopper messages.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openNlu } from '../../src/models/index.js';
import type { Nlu } from '../../src/nlu/index.js';
import { openTestApp } from '../helpers/app.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe('shipped NLU engine', () => {
  it('the default app serves the transformer engine', async () => {
    const lines: { msg?: string; engine?: string }[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const t = await openTestApp({}, { log: pino({ level: 'info' }, sink) });
    try {
      expect(t.app.config.nlu.engine).toBe('transformer');
      expect(lines.find((l) => l.msg === 'NLU engine')?.engine).toBe('transformer+linear');
      expect(lines.some((l) => l.msg === 'transformer NLU unavailable; serving the linear model')).toBe(false);
    } finally {
      await t.close();
    }
  }, 60_000);

  describe('spans from the committed model', () => {
    let nlu: Nlu;
    beforeAll(async () => {
      const config = loadConfig({ overrides: { models: { threads: 1 } } });
      nlu = await openNlu({ models: config.models, nlu: config.nlu }, quiet);
    }, 60_000);
    afterAll(async () => nlu?.close());

    const labelled = async (text: string) => {
      const r = await nlu.parse(text);
      for (const s of r.spans ?? []) expect(text.slice(s.start, s.end)).toBe(s.text);
      return { r, by: (label: string) => (r.spans ?? []).filter((s) => s.label === label).map((s) => s.text) };
    };

    it('tags product, colour, budget and an excluded brand in English', async () => {
      expect((await labelled('headphones but nothing from Sony')).by('NEG')).toEqual(['Sony']);
      const { r, by } = await labelled('looking for black running shoes under $60, nothing from Nike');
      expect(r.engine).toBe('transformer+linear');
      expect(r.intent).toBe('product_search');
      expect(by('COLOR')).toEqual(['black']);
      expect(by('PRODUCT').join(' ')).toContain('shoes');
      expect(by('PRICE').join(' ')).toContain('60');
    });

    it('tags product, colour and budget in Chinese, and order ids and e-mails', async () => {
      const zh = await labelled('我想买黑色的耳机，200块以内');
      expect(zh.r.intent).toBe('product_search');
      expect(zh.by('PRODUCT')).toEqual(['耳机']);
      expect(zh.by('COLOR')).toEqual(['黑色']);
      expect(zh.by('PRICE').join('')).toContain('200');
      const order = await labelled('where is my order 58213304? my email is lily.chen@example.org');
      expect(order.r.intent).toBe('order_status');
      expect(order.by('ORDER_ID')).toEqual(['58213304']);
      // The e-mail comes from the extractor; the tagger splits this one at the dot (see models/nlu/README.md).
      expect(order.r.entities.emails).toContain('lily.chen@example.org');
    });
  });
});
