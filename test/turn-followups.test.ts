/**
 * Whole turns that go on from the one before: taking units out of a cart and asking which line
 * when several could be meant, and "when will it arrive?" answered from the order just looked up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage, OutboundMessage, ProductCard } from '../src/messages.js';
import type { DemoStore } from '../src/store/demo.js';
import { openTestApp, restTurn, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
});
afterAll(async () => t?.close());

const say = (conversationId: string, text: string, extra: Partial<InboundMessage> = {}): Promise<OutboundMessage> => restTurn(t, conversationId, text, extra);

async function addByButton(c: string, card: ProductCard, quantity: number): Promise<OutboundMessage> {
  return say(c, '', { action: { type: 'add_to_cart', productId: card.id, quantity, slateId: card.slateId, position: card.position } });
}

describe('removing from a cart in words', () => {
  it('takes the units named out of the only line', async () => {
    const c = 'conv-remove-units';
    const cards = (await say(c, 'band saw')).products.filter((p) => p.inStock && p.priceCents);
    await addByButton(c, cards[0]!, 3);
    const r = await say(c, 'delete two of them');
    expect(r.cart?.lines).toEqual([expect.objectContaining({ productId: cards[0]!.id, quantity: 1 })]);
    expect((await t.app.store.cart(`user-${c}`)).lines[0]!.quantity).toBe(1);
  });

  it('asks which line when several could be meant, and removes nothing', async () => {
    const c = 'conv-remove-which';
    const cards = (await say(c, 'band saw')).products.filter((p) => p.inStock && p.priceCents);
    await addByButton(c, cards[0]!, 1);
    await addByButton(c, cards[1]!, 1);
    // An add puts its product in focus; a new search forgets the focus, so no line is meant.
    await say(c, 'drill');
    const r = await say(c, 'delete one of those');
    expect(r.text).toMatch(/which item should i remove/i);
    expect((await t.app.store.cart(`user-${c}`)).lines).toHaveLength(2);
  });
});

describe('a question about the order just looked up', () => {
  it('answers "when will it arrive?" from that order', async () => {
    const c = 'conv-order-arrival';
    (t.app.store as DemoStore).seedOrder({
      id: 'SB-777001', userId: `user-${c}`, email: 'sam@example.com',
      lines: [{ productId: 'p1', title: 'Trail running shoe', quantity: 1, unitPriceCents: 8900 }], createdAt: t.clock.now - 48 * 3_600_000,
    });
    const first = await say(c, 'where is my order SB-777001?');
    expect(first.text).toContain('SB-777001');
    const r = await say(c, 'ok. so when does it get here?');
    expect(r.text).toContain('SB-777001');
    expect(r.text).toMatch(/deliver|arriv/i);
  });
});

describe('a question about one shown card', () => {
  it('is answered about that card, not read as a refinement by its colour or feature words', async () => {
    const c = 'conv-question-ordinal';
    const cards = (await say(c, 'band saw')).products;
    expect(cards.length).toBeGreaterThan(2);
    for (const question of ['is the second one red?', 'is the second one water resistant?']) {
      const r = await say(c, question);
      expect(r.text, question).toContain(cards[1]!.title.slice(0, 20));
      expect(r.text, question).not.toMatch(/^updated|here are options/i);
    }
  });
});
