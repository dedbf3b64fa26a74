import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeReply, type ActionResult } from '../../src/responses/compose.js';
import { checkGrounding, collectFacts } from '../../src/responses/grounding.js';
import { createResponder } from '../../src/responses/respond.js';
import { loadTemplates } from '../../src/templates/index.js';
import type { Order } from '../../src/store/types.js';

const templates = loadTemplates(path.resolve('prompts'));
const order: Order = {
  id: 'SB-100003', userId: 'u', status: 'shipped', totalCents: 9_000, currency: 'USD', createdAt: Date.UTC(2026, 0, 7),
  lines: [{ productId: 'p1', title: 'Trail shoe', quantity: 2, unitPriceCents: 4_500 }],
  carrier: 'UPS', trackingNumber: '1ZB6EFFF90B44378', estimatedDelivery: '2026-01-10',
};
const orderResult: ActionResult[] = [{ type: 'order', order }];
const policyResult: ActionResult[] = [{
  type: 'policy',
  passage: { passage: 'You can return most items within 30 days of delivery for a full refund. Items must be unused and in their original packaging.', title: 'Returns and refunds: Return window', source: '/policies/en/returns.md#return-window', score: 3 },
}];

function check(text: string, results: readonly ActionResult[]) {
  return checkGrounding(text, collectFacts(results));
}

describe('grounding checker', () => {
  it('passes every template reply built from the results', () => {
    for (const [results, lang] of [[orderResult, 'en'], [orderResult, 'zh'], [policyResult, 'en']] as const) {
      const used: string[] = [];
      const reply = composeReply(templates, lang, results, 0, used);
      expect(checkGrounding(reply.text, collectFacts(results, used)).violations).toEqual([]);
    }
  });

  it('accepts a faithful paraphrase', () => {
    expect(check('Your order SB-100003 ($90.00, 2 items) shipped with UPS, tracking 1ZB6EFFF90B44378, arriving 2026-01-10.', orderResult).ok).toBe(true);
  });

  it.each([
    ['a price', 'Your order SB-100003 cost $79.99.', 'money'],
    ['a date', 'Order SB-100003 will arrive on 2026-01-15.', 'date'],
    ['a month-name date', 'Order SB-100003 will arrive on January 15.', 'date'],
    ['an order id', 'Order SB-100004 is on its way.', 'identifier'],
    ['a tracking number', 'Order SB-100003 has tracking number 1Z999AA10123456784.', 'identifier'],
    ['a quantity', 'Order SB-100003 has 3 items.', 'number'],
  ])('catches a fabricated %s', (_what, text, kind) => {
    const r = check(text, orderResult);
    expect(r.ok).toBe(false);
    expect(r.violations.map((v) => v.kind)).toContain(kind);
  });

  it('catches policy claims the passage does not make', () => {
    expect(check('You can return most items within 90 days of delivery for a full refund.', policyResult).violations.map((v) => v.kind)).toContain('number');
    expect(check('We also give a lifetime warranty and free express shipping on every return.', policyResult).violations.map((v) => v.kind)).toContain('policy_claim');
    expect(check('You can return most items within 30 days of delivery for a full refund.', policyResult).ok).toBe(true);
  });

  it('takes no price from a product description (untrusted text), only from structured fields', () => {
    const product = [{ type: 'product', product: { id: 'p', title: 'Shoe', description: 'Now only $1.00!', bullets: [], priceCents: 4_500, currency: 'USD' } }] as unknown as ActionResult[];
    expect(check('The shoe costs $1.00.', product).violations.map((v) => v.kind)).toContain('money');
    expect(check('The shoe costs $45.00.', product).ok).toBe(true);
  });

  it("accepts links only on the store's own hosts or quoted from a policy document, not from product text", () => {
    const product = [{ type: 'product', product: { id: 'p', title: 'Shoe', description: 'See www.evil.example/deal', bullets: [], url: 'https://shop.example/p', currency: 'USD' } }] as unknown as ActionResult[];
    const facts = collectFacts(product, [], ['shop.example']);
    expect(checkGrounding('Shoe: "See www.evil.example/deal"', facts).violations.map((v) => v.kind)).toEqual(['link']);
    expect(checkGrounding('Shoe: https://shop.example/p', facts).ok).toBe(true);
    expect(checkGrounding('Shoe: https://shop.example/p', collectFacts(product)).ok).toBe(false);
    const policy = [{ type: 'policy', passage: { passage: 'Returns: see https://help.example/returns.', title: 'Returns', source: 'https://help.example/returns#window', score: 1 } }] as unknown as ActionResult[];
    expect(checkGrounding('See https://help.example/returns#window', collectFacts(policy)).ok).toBe(true);
  });

  it('accepts the filter bounds as the search reply shows them, and nothing further off', () => {
    const search = [{ type: 'search', query: 'shoes', refined: false, more: false, products: [], filters: { priceMaxCents: 5000, priceMinCents: 2000 } }] as unknown as ActionResult[];
    expect(check('Shoes (up to $50.00, from $20.00):', search).ok).toBe(true);
    expect(check('Shoes (under $50.01, over $19.99):', search).ok).toBe(false);
    expect(check('Shoes under $55.00:', search).ok).toBe(false);
  });

  it('catches amounts in Chinese replies', () => {
    expect(check('订单 SB-100003 金额 US$95.00。', orderResult).violations.map((v) => v.kind)).toContain('money');
    expect(check('订单 SB-100003 金额 US$90.00。', orderResult).ok).toBe(true);
  });
});

describe('responder', () => {
  it('sends a generated reply only when it passes the checker, else the template', async () => {
    const events: string[] = [];
    const make = (text: string) => createResponder({ templates, generator: { generate: async () => text }, onEvent: (e) => events.push(e.type) });
    const good = await make('Good news: order SB-100003 is on its way with UPS (tracking 1ZB6EFFF90B44378).').respond({ lang: 'en', results: orderResult, seed: 0, userText: 'where is it' });
    expect(good.source).toBe('llm');
    const bad = await make('Order SB-100003 arrives tomorrow and we refunded you $20.00.').respond({ lang: 'en', results: orderResult, seed: 0, userText: 'where is it' });
    expect(bad.source).toBe('template');
    expect(bad.reply.text).toContain('Order SB-100003 is on its way');
    expect(events).toEqual(['generation_rejected']);
  });
});
