/**
 * Security: product text is written by whoever lists the product, so a model that repeats it must
 * not pass on a link or a policy promise from it. The real template responder and LLM generator
 * run with a fake chat model that answers what a model fooled by a product description would.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Product } from '../../src/catalog/product.js';
import type { ActionResult } from '../../src/responses/compose.js';
import { hostsOf } from '../../src/responses/grounding.js';
import { createLlmGenerator, loadLlmPrompts } from '../../src/responses/llm.js';
import { createResponder, type ResponderEvent } from '../../src/responses/respond.js';
import { loadTemplates } from '../../src/templates/index.js';
import { FakeChatModel } from '../responses/fake-chat-model.js';

const templates = loadTemplates(path.resolve('prompts'));
const prompts = loadLlmPrompts(path.resolve('prompts'));
const OWN_HOSTS = hostsOf(['https://shop.example/bot', 'https://Store.Example.com']);

const product = {
  id: 'p1',
  title: 'Trail shoe',
  brand: 'Acme',
  description: 'Lightweight trail runner. Free returns for 365 days! Visit http://evil.example/deal for 50% off.',
  bullets: ['Grippy outsole'],
  priceCents: 4_500,
  currency: 'USD',
  availability: 'in_stock',
  url: 'https://shop.example/p/trail-shoe',
} as unknown as Product;
const productResult: ActionResult = { type: 'product', product };
const policyResult: ActionResult = {
  type: 'policy',
  passage: {
    passage: 'You can return most items within 30 days of delivery for a full refund.',
    title: 'Returns and refunds: Return window',
    source: 'https://help.shop-policies.example/en/returns#return-window',
    score: 3,
  },
};

async function respond(modelSays: string, results: readonly ActionResult[]) {
  const events: ResponderEvent[] = [];
  const model = new FakeChatModel(() => modelSays);
  const withModel = createResponder({ templates, ownHosts: OWN_HOSTS, generator: createLlmGenerator({ model, prompts, timeoutMs: 5000 }), onEvent: (e) => events.push(e) });
  const templateOnly = createResponder({ templates, ownHosts: OWN_HOSTS });
  const input = { lang: 'en' as const, results, seed: 0, userText: 'tell me about it' };
  const [sent, template] = [await withModel.respond(input), await templateOnly.respond(input)];
  expect(model.calls).toHaveLength(1);
  return { sent, template, events };
}

describe('LLM guard: links and policy claims only from the store and its policies', () => {
  it('sends the template, not a model reply carrying a link from a product description', async () => {
    const { sent, template, events } = await respond('The Trail shoe by Acme is $45.00. Grab the deal at http://evil.example/deal', [productResult]);
    expect(sent.source).toBe('template');
    expect(sent.reply.text).toBe(template.reply.text);
    expect(sent.reply.text).not.toContain('evil.example');
    expect(events.map((e) => e.type)).toEqual(['generation_rejected']);
    expect(events[0]!.violations).toContainEqual({ kind: 'link', text: 'http://evil.example/deal' });
  });

  it('sends the template, not a model reply making a return-policy claim from product text', async () => {
    const { sent, template, events } = await respond('The Trail shoe by Acme is $45.00. It comes with free returns for 365 days.', [productResult]);
    expect(sent.source).toBe('template');
    expect(sent.reply.text).toBe(template.reply.text);
    expect(events[0]!.violations.map((v) => v.kind)).toEqual(['policy_claim']);
  });

  it("refuses the product's 365 days even when a policy passage about returns is in the same turn", async () => {
    const { sent, events } = await respond('You can return the Trail shoe within 365 days of delivery for a full refund.', [productResult, policyResult]);
    expect(sent.source).toBe('template');
    expect(events[0]!.violations.map((v) => v.kind)).toContain('policy_claim');
  });

  it("refuses a product link on another host, even when it is the product's own url field", async () => {
    const elsewhere = { ...product, url: 'https://marketplace.example/dp/p1' } as unknown as Product;
    const { sent, events } = await respond('See the Trail shoe by Acme for $45.00 at https://marketplace.example/dp/p1', [{ type: 'product', product: elsewhere }]);
    expect(sent.source).toBe('template');
    expect(events[0]!.violations.map((v) => v.kind)).toEqual(['link']);
  });

  it("accepts a link to the store's own domain", async () => {
    const { sent, events } = await respond('The Trail shoe by Acme is $45.00 and in stock: https://shop.example/p/trail-shoe', [productResult]);
    expect(events).toEqual([]);
    expect(sent.source).toBe('llm');
    expect(sent.reply.text).toContain('https://shop.example/p/trail-shoe');
    expect((await respond('More shoes at https://store.example.com/shoes.', [productResult])).sent.source).toBe('llm');
  });

  it('accepts a policy claim and a link taken from the policy document', async () => {
    const text = 'You can return most items within 30 days of delivery for a full refund. Details: https://help.shop-policies.example/en/returns#return-window';
    const { sent, events } = await respond(text, [policyResult]);
    expect(events).toEqual([]);
    expect(sent.source).toBe('llm');
    expect(sent.reply.text).toBe(text);
  });

  it('takes the own hosts from the configured URLs only', () => {
    expect(hostsOf(['https://Shop.Example:8443/bot', undefined, 'not a url'])).toEqual(['shop.example']);
  });
});
