import { beforeAll, describe, expect, it } from 'vitest';
import { decide, newState, searchFilters, type Action, type ConversationState } from '../../src/dialogue/index.js';
import type { Understood } from '../../src/nlu/index.js';
import { demoUnderstanding } from '../nlu/demo-catalog.js';

let parse: (text: string) => Promise<Understood>;
beforeAll(async () => {
  ({ parse } = await demoUnderstanding());
}, 60_000);

const SHOWN = ['p1', 'p2', 'p3', 'p4', 'p5'].map((id, position) => ({ id, position, slateId: 's1' }));

/** Plays shopper messages through the policy on the demo catalog's vocabulary; a search "shows" five cards. */
async function play(messages: readonly string[], start: ConversationState = newState('c1', 'u1', 'web')): Promise<{ actions: Action[]; state: ConversationState }[]> {
  let state = start;
  const out: { actions: Action[]; state: ConversationState }[] = [];
  for (const text of messages) {
    const understood = await parse(text);
    const d = decide(state, { text, nlu: understood, clarifyBelow: 0.3, lastShownMinPriceCents: 1000, lastShownMaxPriceCents: 5000, lastShownMedianPriceCents: 3000 });
    state = d.actions.some((a) => a.type === 'search') ? { ...d.state, lastShown: SHOWN } : d.state;
    out.push({ actions: [...d.actions], state });
  }
  return out;
}

function searchOf(step: { actions: Action[] }) {
  const a = step.actions.find((x) => x.type === 'search');
  if (!a || a.type !== 'search') throw new Error(`no search in ${JSON.stringify(step.actions)}`);
  return a;
}

describe('naming a product is a search', () => {
  it('searches for bare names and needs in both languages, with the product words as the query', async () => {
    for (const [text, query] of [['standing desk', 'standing desk'], ['I want to buy a guitar for my son, he is just starting', 'guitar'], ['想买个床垫', '床垫'], ['拖鞋', '拖鞋'], ['有没有红酒杯', '红酒杯']] as const) {
      const [step] = await play([text]);
      expect(searchOf(step!).search.query, text).toBe(query);
    }
  });
});

describe('constraints and follow-ups keep the thread', () => {
  it('turns "nothing from Sony" into an exclusion that survives "cheaper"', async () => {
    const [first, cheaper] = await play(['headphones but nothing from Sony', 'cheaper']);
    expect(searchFilters(searchOf(first!).search)).toMatchObject({ excludeBrands: ['sony'] });
    expect(searchFilters(searchOf(first!).search).brands).toBeUndefined();
    const refined = searchOf(cheaper!);
    expect(refined.refined).toBe(true);
    expect(refined.search.query).toBe('headphones');
    expect(refined.search.priceMaxCents).toBe(2999);
    expect(searchFilters(refined.search)).toMatchObject({ excludeBrands: ['sony'], excludeTerms: ['sony'] });
  });
  it('keeps the product type for "in black", "with a lid", "便宜点", "换一批" and pages on', async () => {
    const steps = await play(['travel mug', 'with a lid', 'in black', 'show more']);
    expect(searchOf(steps[1]!).search.query).toBe('travel mug lid');
    expect(searchOf(steps[2]!).search).toMatchObject({ query: 'travel mug lid', colors: ['black'] });
    expect(searchOf(steps[3]!).search).toMatchObject({ query: 'travel mug lid', offset: 5 });
    const zh = await play(['卫衣，不要Champion的', '便宜点', '换一批']);
    expect(searchOf(zh[1]!).search).toMatchObject({ query: '卫衣', excludeBrands: ['champion'], priceMaxCents: 2999 });
    expect(searchOf(zh[2]!).search).toMatchObject({ query: '卫衣', offset: 5 });
  });
  it('starts over on a new product type: an old price cap does not follow', async () => {
    const [, desks] = await play(['wine glasses under $25', 'ok forget that, show me standing desks']);
    const s = searchOf(desks!);
    expect(s.refined).toBe(false);
    expect(s.search.priceMaxCents).toBeUndefined();
    expect(s.search.query).toBe('standing desks');
  });
});

describe('references to what was shown', () => {
  it('adds, shows and compares shown cards', async () => {
    const steps = await play(['alarm clocks', 'put the third one in my basket']);
    expect(steps[1]!.actions[0]).toMatchObject({ type: 'add_to_cart', productId: 'p3', quantity: 1 });
    const zh = await play(['太阳镜', '第二个来两件']);
    expect(zh[1]!.actions[0]).toMatchObject({ type: 'add_to_cart', productId: 'p2', quantity: 2 });
    const compare = await play(['wine glasses', 'which is cheaper, the first or the second?']);
    expect(compare[1]!.actions[0]).toMatchObject({ type: 'pick_shown', productIds: ['p1', 'p2'], by: 'cheapest' });
    const best = await play(['sunglasses', 'which one has the best reviews?']);
    expect(best[1]!.actions[0]).toMatchObject({ type: 'pick_shown', by: 'best_rated' });
    const more = await play(['backpacks', 'add the second one', 'and the first one too']);
    expect(more[2]!.actions[0]).toMatchObject({ type: 'add_to_cart', productId: 'p1' });
  });
  it('asks the product in focus a pronoun question', async () => {
    const steps = await play(['earbuds', 'tell me about the first one', 'how much is it?']);
    expect(steps[1]!.actions[0]).toMatchObject({ type: 'show_product', productId: 'p1' });
    expect(steps[2]!.actions[0]).toMatchObject({ type: 'show_product', productId: 'p1', question: 'how much is it?' });
  });
});

describe('cart and checkout', () => {
  it('removes, empties and sets quantities in words', async () => {
    expect((await play(['remove it']))[0]!.actions[0]).toEqual({ type: 'remove_from_cart' });
    expect((await play(['清空购物车']))[0]!.actions[0]).toEqual({ type: 'remove_from_cart', all: true });
    expect((await play(['can you change the quantity to 3']))[0]!.actions[0]).toEqual({ type: 'set_quantity', quantity: 3 });
  });
  it('reads the e-mail at the checkout prompt as the answer, and a large cart does not send checkout to a person', async () => {
    const [ask, mail] = await play(['checkout', 'jane.doe@gmail.com']);
    expect(ask!.actions[0]).toEqual({ type: 'ask_email_for_checkout' });
    expect(mail!.actions[0]).toEqual({ type: 'checkout', email: 'jane.doe@gmail.com' });
    const text = 'checkout';
    const d = decide(newState('c2', 'u1', 'web'), { text, nlu: await parse(text), clarifyBelow: 0.3, escalation: { reason: 'high_value_cart' } });
    expect(d.actions[0]).toEqual({ type: 'ask_email_for_checkout' });
  });
  it('a "yes" after the order is placed adds nothing', async () => {
    const steps = await play(['alarm clock', 'add the first one', 'checkout', 'alex99@example.com', 'yes']);
    expect(steps[3]!.actions[0]).toMatchObject({ type: 'checkout' });
    expect(steps[4]!.actions.some((a) => a.type === 'add_to_cart')).toBe(false);
  });
});

describe('service tasks read the parse', () => {
  it('takes an order number and an e-mail in one message', async () => {
    const [step] = await play(['where is SB-320002? my email is mia.r@example.com']);
    expect(step!.actions[0]).toMatchObject({ type: 'task', task: { kind: 'order_status', slots: { orderId: 'SB-320002', email: 'mia.r@example.com' } } });
  });
});

describe('complaints and store questions', () => {
  it('acknowledges a complaint before anything else, and does not search the product it is about', async () => {
    for (const text of ["the jacket I got is damaged and I'm really annoyed", '太差劲了，等了两个星期还没退款']) {
      const [step] = await play([text]);
      expect(step!.actions[0], text).toEqual({ type: 'acknowledge', kind: 'complaint' });
      expect(step!.actions.some((a) => a.type === 'search'), text).toBe(false);
    }
  });
  it('hands a billing problem to a person with an acknowledgement, not a payment-policy answer', async () => {
    for (const text of ['looks like I was billed twice for my last purchase', 'there are two identical charges on my statement from you', '同一个订单被扣了两次钱']) {
      const [step] = await play([text]);
      expect(step!.actions.map((a) => a.type), text).toEqual(['acknowledge', 'handoff']);
    }
    // A question about when a card is charged is still the payment policy's.
    const [question] = await play(['when do you charge my card?']);
    expect(question!.actions.some((a) => a.type === 'handoff' || a.type === 'acknowledge')).toBe(false);
  });
  it('says what it is when asked, in both languages, and goes on shopping after', async () => {
    for (const text of ['wait, am I talking to a bot?', 'are you human', '你是人工还是机器人？', '请问您是谁']) {
      const [step] = await play([text]);
      expect(step!.actions, text).toEqual([{ type: 'smalltalk', kind: 'assistant' }]);
    }
    const [, search] = await play(['是真人吗', '帮我看看保温杯']);
    expect(searchOf(search!).search.query).toMatch(/保温杯/);
    // With a need in the same message, both are answered.
    const [both] = await play(['are you a robot? I need a standing desk']);
    expect(both!.actions.map((a) => a.type)).toEqual(['smalltalk', 'search']);
  });
  it('reads a question about the rules as one, not as a product search', async () => {
    for (const text of ["what's your return window?", 'how long do refunds take?']) {
      const [step] = await play([text]);
      expect(step!.actions.some((a) => a.type === 'search'), text).toBe(false);
    }
  });
});

describe('follow-ups on the last answer', () => {
  const afterPolicy = (turn: number): ConversationState => ({ ...newState('c3', 'u1', 'web'), turn: 4, policy: { topic: 'returns', question: 'how long do I have to send something back?', turn } });
  const decideOn = async (state: ConversationState, text: string, extra: { escalation?: { reason: string } } = {}) => decide(state, { text, nlu: await parse(text), clarifyBelow: 0.3, ...extra });

  it('keeps the policy topic for a question that goes on from the answer just given', async () => {
    for (const text of ['and for opened items?', 'what about gift cards?', '打折商品呢？']) {
      const d = await decideOn(afterPolicy(4), text);
      expect(d.actions[0], text).toEqual({ type: 'policy_answer', topic: 'returns', question: text, context: 'how long do I have to send something back?' });
    }
    // Two turns on, the answer is no longer the one just given; a shopping request is a search.
    expect((await decideOn(afterPolicy(2), 'and for opened items?')).actions[0]).not.toMatchObject({ topic: 'returns' });
    expect((await decideOn(afterPolicy(4), 'and do you sell yoga mats?')).actions[0]).toMatchObject({ type: 'search' });
    expect((await decideOn(afterPolicy(4), 'and where is my order?')).actions[0]).not.toMatchObject({ type: 'policy_answer' });
  });

  it('reads a question about "it" right after a policy answer as a follow-up on that answer', async () => {
    for (const text of ['how much does it cost?', 'is it free?', '它要多少钱？']) {
      const d = await decideOn(afterPolicy(4), text);
      expect(d.actions[0], text).toEqual({ type: 'policy_answer', topic: 'returns', question: text, context: 'how long do I have to send something back?' });
    }
    // With a product in focus, "it" is that product; two turns on, the policy answer is no longer the last thing said.
    expect((await decideOn({ ...afterPolicy(4), focusProductId: 'p1' }, 'how much does it cost?')).actions[0]).not.toMatchObject({ context: expect.any(String) });
    expect((await decideOn(afterPolicy(2), 'how much does it cost?')).actions[0]).not.toMatchObject({ context: expect.any(String) });
  });

  it('asks about the order just shown for "when does it get here?", and forgets it on a new search', async () => {
    const shown: ConversationState = { ...newState('c4', 'u1', 'web'), focusOrderId: 'SB-123456' };
    for (const text of ['so when does it get here?', '什么时候能到？']) {
      expect((await decideOn(shown, text)).actions[0], text).toMatchObject({ type: 'task', task: { kind: 'order_status', slots: { orderId: 'SB-123456' } } });
    }
    const [search] = await play(['desk lamp'], shown);
    expect(search!.state.focusOrderId).toBeUndefined();
    expect((await decideOn(newState('c5', 'u1', 'web'), 'so when does it get here?')).actions[0]).not.toMatchObject({ task: { slots: { orderId: 'SB-123456' } } });
  });

  it('does not escalate a refinement on the intent alone; words asking for a person do', async () => {
    const [search] = await play(['desk lamp']);
    for (const text of ['in grey', 'less than $20']) {
      const d = await decideOn(search!.state, text, { escalation: { reason: 'requested' } });
      expect(d.actions[0], text).toMatchObject({ type: 'search', refined: true });
    }
    expect((await decideOn(search!.state, 'in grey, or get me a real person', { escalation: { reason: 'requested' } })).actions[0]).toEqual({ type: 'handoff', reason: 'requested' });
    expect((await decideOn(newState('c6', 'u1', 'web'), 'in grey', { escalation: { reason: 'requested' } })).actions[0]).toEqual({ type: 'handoff', reason: 'requested' });
  });

  it('takes units out of the cart for "delete one of those" and names none for "remove the second one"', async () => {
    expect((await play(['delete one of those']))[0]!.actions[0]).toEqual({ type: 'remove_from_cart', quantity: 1 });
    expect((await play(['delete two of them']))[0]!.actions[0]).toEqual({ type: 'remove_from_cart', quantity: 2 });
    expect((await play(['remove the second one']))[0]!.actions[0]).toEqual({ type: 'remove_from_cart' });
  });
});
