/** The agent's brief: what the shopper was shown with prices, the cart, the order in question, intent, sentiment and what the bot tried; masked. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp({ agents: { users: 'alice:secret-1' } });
});
afterAll(async () => {
  await t.close();
});

describe('the brief with a ticket', () => {
  it('carries the cards shown with prices, the cart lines, detected intent, sentiment and the bot turns, with personal data masked', async () => {
    const say = (text: string) => t.app.handleTurn({ conversationId: 'web-brief-1', userId: 'u-brief', channel: 'web', text });
    const found = await say('band saw');
    expect(found.products.length).toBeGreaterThan(0);
    const product = (await t.app.catalog.get(found.products[0]!.id))!;
    await t.app.store.addToCart('u-brief', product, 2);
    const r = await say('this is useless, I want a human now, mail me at ann@example.com');
    expect(r.handoff).toMatchObject({ status: 'queued' });
    const [ticket] = await t.app.handoff.queueFor(undefined);
    const brief = ticket!.brief;
    expect(brief.shown[0]).toMatchObject({ id: found.products[0]!.id, title: found.products[0]!.title, priceCents: found.products[0]!.priceCents });
    expect(brief.cartLines).toEqual([expect.objectContaining({ title: product.title, quantity: 2 })]);
    expect(brief.detected?.intent).toBe(r.intent);
    expect(brief.sentiment.label).toBe('angry');
    expect(brief.botTried.length).toBeGreaterThan(0);
    expect(brief.botTried[0]!.intent).toBe('product_search');
    expect(brief.text).toContain('Shown:');
    expect(brief.text).toContain('Cart: 2x');
    expect(JSON.stringify(brief)).not.toContain('ann@example.com');
    expect(ticket!.topic).toBeDefined();
  });
});
