import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLinearNlu, type Intent, type Nlu } from '../../src/nlu/index.js';

const root = path.join(import.meta.dirname, '..', '..');
const trainTexts = new Set(
  readFileSync(path.join(root, 'evals', 'data', 'intent', 'train.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text.toLowerCase()),
);

// Phrasings that are not training rows (checked below), so a pass is generalization, not lookup.
const OBVIOUS: readonly [string, Intent, 'en' | 'zh'][] = [
  ['where is my order #1042?', 'order_status', 'en'],
  ['show me red running shoes under $50', 'product_search', 'en'],
  ['is this jacket waterproof?', 'product_question', 'en'],
  ['add two of them to my cart', 'add_to_cart', 'en'],
  ['what is in my cart', 'view_cart', 'en'],
  ['do you have any discount codes', 'coupon_question', 'en'],
  ['how long does shipping take', 'shipping_delivery', 'en'],
  ['my payment was declined', 'payment_problem', 'en'],
  ['I forgot my password', 'account', 'en'],
  ['let me talk to a human', 'human_agent', 'en'],
  ['hello', 'greeting', 'en'],
  ['thank you so much for your help', 'thanks', 'en'],
  ['bye', 'goodbye', 'en'],
  ['有没有红色的连衣裙', 'product_search', 'zh'],
  ['我的购物车里有哪些东西', 'view_cart', 'zh'],
  ['有折扣券可以用吗', 'coupon_question', 'zh'],
  ['请转接人工', 'human_agent', 'zh'],
  ['谢谢', 'thanks', 'zh'],
  ['怎么结账', 'checkout_help', 'zh'],
];

const OUT_OF_SCOPE: readonly string[] = ['what is the weather in paris tomorrow', 'tell me a joke', '帮我订一张去上海的机票'];

describe('shipped linear NLU (models/intent-linear)', () => {
  let nlu: Nlu;
  beforeAll(async () => {
    nlu = await openLinearNlu(path.join(root, 'models', 'intent-linear'));
  });
  afterAll(async () => {
    await nlu.close();
  });

  it.each(OBVIOUS)('%s -> %s (%s)', async (text, intent, lang) => {
    expect(trainTexts.has(text.toLowerCase())).toBe(false);
    const r = await nlu.parse(text);
    expect(r.intent).toBe(intent);
    expect(r.lang).toBe(lang);
    expect(r.engine).toBe('linear');
    expect(r.ranking[0]!.intent).toBe(intent);
    expect(r.confidence).toBe(r.ranking[0]!.confidence);
  });

  it.each(OUT_OF_SCOPE)('%s -> out_of_scope', async (text) => {
    expect(trainTexts.has(text.toLowerCase())).toBe(false);
    expect((await nlu.parse(text)).intent).toBe('out_of_scope');
  });

  it('returns a full calibrated ranking and entities', async () => {
    const r = await nlu.parse('where is order BB-10420? my email is ann@example.com');
    expect(r.ranking).toHaveLength(18);
    const total = r.ranking.reduce((s, x) => s + x.confidence, 0);
    expect(total).toBeCloseTo(1, 5);
    for (let i = 1; i < r.ranking.length; i++) expect(r.ranking[i - 1]!.confidence).toBeGreaterThanOrEqual(r.ranking[i]!.confidence);
    expect(r.entities.orderIds).toEqual(['BB-10420']);
    expect(r.entities.emails).toEqual(['ann@example.com']);
  });

  it('uses the language hint only when the text has no letters', async () => {
    expect((await nlu.parse('123', { langHint: 'zh' })).lang).toBe('zh');
    expect((await nlu.parse('hello', { langHint: 'zh' })).lang).toBe('en');
  });

  it('honours an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(nlu.parse('hello', { signal: ac.signal })).rejects.toThrow();
  });

  it('fails with MODEL_MISSING for a missing model directory', async () => {
    await expect(openLinearNlu(path.join(root, 'models', 'no-such-model'))).rejects.toMatchObject({ code: 'MODEL_MISSING' });
  });
});
