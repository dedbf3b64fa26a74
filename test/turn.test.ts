import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelEvent } from '../src/funnel/events.js';
import type { InboundMessage, OutboundMessage } from '../src/messages.js';
import { openTestApp, restTurn, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
});
afterAll(async () => t?.close());

const say = (conversationId: string, text: string, extra: Partial<InboundMessage> = {}): Promise<OutboundMessage> => restTurn(t, conversationId, text, extra);

async function events(conversationId: string): Promise<FunnelEvent[]> {
  await t.app.funnel.flush();
  const out: FunnelEvent[] = [];
  for await (const e of t.app.funnel.query({ conversationId })) out.push(e);
  return out;
}

/** Every money amount in the reply text must be a price, cart total or order total from the data. */
function pricesIn(text: string): number[] {
  return [...text.matchAll(/\$([0-9,]+\.\d{2})/g)].map((m) => Math.round(Number(m[1]!.replace(/,/g, '')) * 100));
}

describe('a shopping conversation, turn by turn', () => {
  it('searches, refines, clicks, adds to cart, checks out, and logs every step', async () => {
    const c = 'conv-shop-1';
    const r1 = await say(c, 'band saw');
    expect(r1.intent).toBe('product_search');
    expect(r1.products.length).toBeGreaterThan(0);
    expect(r1.products.map((p) => p.title).join(' ')).toMatch(/Band Saw/i);
    const prices = r1.products.map((p) => p.priceCents!).filter(Boolean);
    expect(prices.length).toBe(r1.products.length);

    // "Cheaper" pages under the middle of what was shown: every card cheaper than half the page before.
    const r2 = await say(c, 'cheaper');
    const sorted = [...prices].sort((a, b) => a - b);
    const median = sorted.length % 2 ? sorted[sorted.length >> 1]! : Math.round((sorted[(sorted.length >> 1) - 1]! + sorted[sorted.length >> 1]!) / 2);
    for (const p of r2.products) expect(p.priceCents!).toBeLessThan(median);

    const first = r1.products.find((p) => p.inStock)!;
    const r3 = await say(c, '', { action: { type: 'click', productId: first.id, slateId: first.slateId, position: first.position } });
    expect(r3.products[0]!.id).toBe(first.id);
    const r4 = await say(c, '', { action: { type: 'add_to_cart', productId: first.id, quantity: 2, slateId: first.slateId, position: first.position } });
    expect(r4.cart?.totalCents).toBe(2 * first.priceCents!);
    for (const cents of pricesIn(r4.text)) expect([first.priceCents, r4.cart?.totalCents]).toContain(cents);

    const r5 = await say(c, '', { action: { type: 'checkout', email: 'ann@example.com' } });
    expect(r5.text).toMatch(/SB-\d{6}/);
    const orderId = /SB-\d{6}/.exec(r5.text)![0];

    const log = await events(c);
    const types = log.map((e) => e.type);
    for (const stage of ['impression', 'slate', 'click', 'add_to_cart', 'checkout_started', 'purchase', 'intent', 'message', 'search']) {
      expect(types).toContain(stage);
    }
    const purchase = log.find((e) => e.type === 'purchase');
    expect(purchase).toMatchObject({ orderId, revenueCents: 2 * first.priceCents!, channel: 'rest' });
    const impressions = log.filter((e) => e.type === 'impression');
    expect(impressions[0]).toMatchObject({ policyId: 'ev-esmm', position: 0, query: 'band saw' });
    const slate = log.find((e) => e.type === 'slate');
    expect(slate).toMatchObject({ policyId: 'ev-esmm', query: 'band saw' });
    for (const i of impressions) expect((i as { propensity: number }).propensity).toBeGreaterThan(0);

    const r6 = await say(c, 'where is my order?');
    expect(r6.text).toContain(orderId);
    expect(r6.intent).toBe('order_status');
  });

  it('shows a named brand first and lets other brands fill the page it cannot', async () => {
    const r = await say('conv-shop-brand', 'makita band saw');
    expect(r.products.length).toBeGreaterThan(1);
    expect(r.products[0]!.title).toMatch(/makita/i);
    expect(r.products.slice(1).some((p) => /band saw/i.test(p.title) && !/makita/i.test(p.title))).toBe(true);
  });

  it('refines by colour and keeps the query', async () => {
    const c = 'conv-shop-2';
    await say(c, 'ugg slippers');
    const r = await say(c, 'in black');
    expect(r.products.length).toBeGreaterThan(0);
    for (const p of r.products) expect(p.title).toMatch(/ugg/i);
  });

  it('never shows another shopper their order', async () => {
    const c = 'conv-shop-3';
    const r1 = await say(c, 'dewalt drill combo kit');
    const drill = r1.products.find((p) => p.priceCents !== undefined)!;
    await say(c, '', { action: { type: 'add_to_cart', productId: drill.id, quantity: 1 } });
    const done = await say(c, '', { action: { type: 'checkout' } });
    const orderId = /SB-\d{6}/.exec(done.text)![0];
    const other = await say('conv-other-1', `where is order ${orderId}`);
    expect(other.text).not.toMatch(/being prepared|on its way|delivered/);
    expect(other.text).toContain("can't find");
  });

  it('answers policy questions with a source, and says when it does not know', async () => {
    const r = await say('conv-policy-1', 'how long does shipping take?');
    expect(r.text).toMatch(/3 business days/);
    expect(r.text).toMatch(/\/policies\/en\/shipping\.md#/);
  });

  it('answers in Chinese when the shopper writes Chinese', async () => {
    const r = await say('conv-zh-1', '你好');
    expect(r.lang).toBe('zh');
    expect(r.text).toMatch(/\p{Script=Han}/u);
  });

  it('answers questions about the cards on screen from their data, whatever the classifier made of them', async () => {
    const c = 'conv-question-1';
    const shown = (await say(c, 'band saw')).products;
    expect(shown.length).toBeGreaterThan(1);
    const cheapest = shown.reduce((a, b) => (b.priceCents! < a.priceCents! ? b : a));
    const answer = await say(c, 'which one is the cheapest?');
    expect(answer.products.map((p) => p.id)).toEqual([cheapest.id]);
    expect(pricesIn(answer.text)).toEqual([cheapest.priceCents]);
    const brand = await say(c, '第二个是什么牌子的？');
    expect(brand.lang).toBe('zh');
    expect(brand.text).toContain(`第二个（“`);
    expect(brand.text).toContain(`品牌是 ${shown[1]!.brand}。`);
    // The cards on screen stay the search's: "the first one" still means the first card shown.
    const first = await say(c, 'how much is the first one?');
    expect(first.products[0]!.id).toBe(shown[0]!.id);
  });

  it('acknowledges and records a request for a human', async () => {
    const c = 'conv-human-1';
    const r = await say(c, 'I want to talk to a real person');
    // No agent works in this app: the reply gives the store's contact details instead of a queue.
    expect(r.handoff).toBeUndefined();
    expect(r.text).toContain(t.app.config.store.contact.email!);
    expect((await events(c)).some((e) => e.type === 'handoff')).toBe(true);
  });

  it('refuses empty, oversized and foreign messages with coded errors', async () => {
    await expect(say('conv-bad-1', '   ')).rejects.toMatchObject({ code: 'MESSAGE_EMPTY' });
    await expect(say('conv-bad-1', 'x'.repeat(t.app.config.server.maxMessageChars + 1))).rejects.toMatchObject({ code: 'MESSAGE_TOO_LONG' });
    await say('conv-bad-2', 'hello');
    await expect(t.app.handleTurn({ conversationId: 'conv-bad-2', userId: 'intruder', channel: 'rest', text: 'hi' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('keeps HTML in catalog text as text in the JSON reply (escaping is the renderer\'s job)', async () => {
    const r = await say('conv-html-1', 'kindle paperwhite');
    expect(r.products.length).toBeGreaterThan(0);
  });
});
