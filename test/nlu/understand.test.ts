import { beforeAll, describe, expect, it } from 'vitest';
import { understand, type NluResult, type Understood } from '../../src/nlu/index.js';
import { createSpeller, editDistance } from '../../src/text/index.js';
import type { CatalogVocabulary } from '../../src/retrieval/index.js';
import { demoUnderstanding } from './demo-catalog.js';

let parse: (text: string) => Promise<Understood>;
let vocabulary: CatalogVocabulary;
beforeAll(async () => {
  ({ parse, vocabulary } = await demoUnderstanding());
}, 60_000);

/** A tagging engine's result for `text` with the given spans (label, words as typed), read over the demo catalog. */
function tagged(text: string, spans: readonly (readonly [string, string])[], intent: NluResult['intent'] = 'product_search', entities: Partial<NluResult['entities']> = {}): Understood {
  const base: NluResult = {
    lang: /\p{Script=Han}/u.test(text) ? 'zh' : 'en', intent, confidence: 0.9, ranking: [], engine: 'test',
    entities: { orderIds: [], emails: [], money: [], quantities: [], colors: [], sizes: [], refinements: [], excludeTerms: [], ...entities },
    spans: spans.map(([label, words]) => {
      const start = text.indexOf(words);
      if (start < 0) throw new Error(`${words} is not in ${text}`);
      return { label, start, end: start + words.length, text: words };
    }),
  };
  return understand(base, text, vocabulary);
}

describe('spelling against the catalog words', () => {
  it('corrects one edit, prefers the frequent word, and leaves known and short words alone', () => {
    const speller = createSpeller(new Map([['headphones', 40], ['mattress', 30], ['black', 50], ['block', 5], ['kid', 9]]));
    expect(speller.correct('headphnes')).toBe('headphones');
    expect(speller.correct('matress')).toBe('mattress');
    expect(speller.correct('blak')).toBe('black');
    expect(speller.correct('black')).toBeUndefined();
    expect(speller.correct('lid')).toBeUndefined();
    expect(speller.correct('hedphnes')).toBeUndefined();
    expect(editDistance('polarised', 'polarized')).toBe(1);
    expect(editDistance('teh', 'the')).toBe(1);
  });
  it('reads typed product words as the demo catalog spells them', async () => {
    expect((await parse('headphnes')).constraints.productTerms).toContain('headphones');
    expect((await parse('matress twin sz')).constraints.productTerms).toContain('mattress');
    expect((await parse('sunglases for teh beach')).constraints.product).toMatch(/^sunglasses\b/);
    expect((await parse('in blak')).constraints.colors).toEqual(['black']);
  });
});

describe('a message that names something the store sells', () => {
  it('names a product with or without "I want", in English and Chinese', async () => {
    for (const text of ['standing desk', 'yoga mat', 'I want to buy a guitar for my son, he is just starting', 'do you have picnic baskets?', '拖鞋', '想买个床垫', '有没有红酒杯', 'UGG的拖鞋']) {
      const u = await parse(text);
      expect(u.cues.namesProduct, text).toBe(true);
    }
    expect((await parse('有没有红酒杯')).constraints.excludeTerms).toEqual([]);
    expect((await parse('I want to buy a guitar for my son, he is just starting')).constraints.product).toBe('guitar');
  });
  it('does not call service talk, small talk or an e-mail a product', async () => {
    for (const text of ['where is my order?', 'thanks!', 'lol ok', 'jane.doe@gmail.com', 'my email is morgan.b@example.com', 'can I speak to a manager']) {
      expect((await parse(text)).cues.namesProduct, text).toBe(false);
    }
  });
});

describe('constraints with scope', () => {
  it('excludes brands and colours, never includes them', async () => {
    const sony = await parse('headphones but nothing from Sony');
    expect(sony.constraints.excludeBrands).toEqual(['sony']);
    expect(sony.constraints.brands).toEqual([]);
    expect(sony.constraints.product).toBe('headphones');
    const red = await parse('a jacket, not red');
    expect(red.constraints.excludeColors).toEqual(['red']);
    expect(red.constraints.colors).toEqual([]);
    expect(red.constraints.product).toBe('jacket');
    const zhRed = await parse('想买件外套，不要红色的');
    expect(zhRed.constraints.excludeColors).toEqual(['red']);
    expect(zhRed.constraints.colors).toEqual([]);
    const champion = await parse('卫衣，不要Champion的');
    expect(champion.constraints.excludeBrands).toEqual(['champion']);
    expect(champion.constraints.product).toBe('卫衣');
    expect((await parse('backpacks, no adidas')).constraints.excludeBrands).toEqual(['adidas']);
    expect((await parse('a bottle for the gym, no straw please')).constraints.excludeTerms).toEqual(['straw']);
  });
  it('reads budgets in words, ranges and Chinese', async () => {
    expect((await parse('dog toys under ten dollars')).constraints.priceRange).toEqual({ maxCents: 1000 });
    expect((await parse('something around twenty bucks')).constraints.priceRange).toEqual({ minCents: 1500, maxCents: 2500 });
    expect((await parse('lamps between 30 and 50')).constraints.priceRange).toEqual({ minCents: 3000, maxCents: 5000 });
    expect((await parse('ceiling fan, 100 max')).constraints.priceRange).toEqual({ maxCents: 10000 });
    expect((await parse('一百美元以内的床垫有吗')).constraints.priceRange).toEqual({ maxCents: 10000 });
    expect((await parse('50块以内的杯子')).constraints.priceRange).toEqual({ maxCents: 5000 });
    const budget = await parse("We're on a budget though, so nothing over 200 dollars please. What mattresses do you have?");
    expect(budget.constraints.priceRange).toEqual({ maxCents: 20000 });
    expect(budget.followUps).toEqual([]);
    expect(budget.constraints.excludeTerms).toEqual([]);
  });
  it('reads wanted features as refinements, not new products', async () => {
    expect((await parse('with a lid')).constraints).toMatchObject({ productTerms: [], features: ['lid'] });
    expect((await parse('带吸管的')).constraints).toMatchObject({ productTerms: [], features: ['吸管'] });
    expect((await parse('for men')).constraints.productTerms).toEqual([]);
  });
});

describe('follow-ups and references', () => {
  it('reads follow-ups in both languages', async () => {
    expect((await parse('smth cheaper pls')).followUps).toEqual(['cheaper']);
    expect((await parse('便宜点')).followUps).toEqual(['cheaper']);
    expect((await parse('换一批')).followUps).toEqual(['more']);
    expect((await parse('换个颜色看看')).followUps).toEqual(['other_color']);
    expect((await parse('bigger')).followUps).toContain('bigger');
  });
  it('resolves ordinals, pronouns and superlatives over shown cards', async () => {
    expect((await parse('put the third one in my basket')).references.ordinal).toBe(2);
    expect((await parse('第二个加入购物车')).references.ordinal).toBe(1);
    expect((await parse('which is cheaper, the first or the second?')).references).toMatchObject({ ordinals: [0, 1], superlative: 'cheapest' });
    expect((await parse('第一个和第二个哪个便宜？')).references).toMatchObject({ ordinals: [0, 1], superlative: 'cheapest' });
    expect((await parse('which one has the best reviews?')).references.superlative).toBe('best_rated');
    expect((await parse('哪个评价最好')).references.superlative).toBe('best_rated');
    expect((await parse("what's the most expensive one?")).references.superlative).toBe('priciest');
    expect((await parse('how much is it?')).references.pronoun).toBe(true);
    // "Cheaper" alone is a follow-up, not a question about the shown cards.
    expect((await parse('something cheaper')).references.superlative).toBeUndefined();
  });
});

describe('task and cart cues', () => {
  it('reads answers and cart operations', async () => {
    expect((await parse('remove it')).cues.cart).toBe('remove');
    expect((await parse('清空购物车')).cues.cart).toBe('clear');
    const qty = await parse('can you change the quantity to 3');
    expect(qty.cues.cart).toBe('set_quantity');
    expect(qty.constraints.quantity).toBe(3);
    expect((await parse('checkout')).cues.cart).toBe('checkout');
    expect((await parse('结账，邮箱 zhang.san@example.cn')).lang).toBe('zh');
    const both = await parse('where is SB-320002? my email is mia.r@example.com');
    expect(both.cues.orderIds).toEqual(['SB-320002']);
    expect(both.entities.emails).toEqual(['mia.r@example.com']);
    expect((await parse('yes please')).cues.yes).toBe(true);
    expect((await parse('是的')).cues.yes).toBe(true);
  });
  it('works without a catalog (no grounding) and with a tagging engine\'s spans', () => {
    const base: NluResult = {
      lang: 'en', intent: 'product_search', confidence: 0.9, ranking: [], engine: 'test',
      entities: { orderIds: [], emails: [], money: [], quantities: [], colors: [], sizes: [], refinements: [], excludeTerms: [] },
      spans: [{ label: 'PRODUCT', start: 0, end: 6, text: 'kettle' }],
    };
    const u = understand(base, 'kettle please');
    expect(u.constraints.productTerms).toEqual(['kettle']);
    expect(u.cues.namesProduct).toBe(true);
  });
});

describe('billing problems and questions about the assistant', () => {
  it('reads money taken wrongly as a billing problem and a complaint, in both languages', async () => {
    for (const text of ['I got billed two times for one purchase', 'there is a duplicate charge on my statement', 'you overcharged me for the lamp', 'I was charged even though I cancelled', 'still haven\'t received my refund', '你们重复扣款了', '我的卡被扣了三次', '收费金额有误', '退款还没到账']) {
      const u = await parse(text);
      expect(u.cues.billingProblem, text).toBe(true);
      expect(u.cues.complaint, text).toBe(true);
    }
  });
  it('does not read a question about charges as a problem', async () => {
    for (const text of ['when will my card be charged?', 'will I be charged twice if I split the order?', 'do you charge extra for gift wrap?', 'what happens if my payment fails', '什么时候扣款', '如果取消订单会不会扣钱']) {
      expect((await parse(text)).cues.billingProblem, text).toBe(false);
    }
  });
  it('reads questions about the assistant itself, which ask for no person', async () => {
    for (const text of ['r u a real human?', 'is this a chatbot?', 'am i chatting with a robot', 'are you an AI or a person', 'who am I talking to? who are you', '您是真人吗', '你是不是机器人', '这是自动回复吗', '你叫什么名字']) {
      const u = await parse(text);
      expect(u.cues.aboutAssistant, text).toBe(true);
      expect(u.cues.asksForPerson, text).toBe(false);
    }
    for (const text of ['are you open on sundays?', 'is this machine washable?', 'are you a real store?', 'what are you selling today', '我要真人客服']) {
      expect((await parse(text)).cues.aboutAssistant, text).toBe(false);
    }
    // Asked for in so many words, a person is still asked for.
    expect((await parse('are you a bot? let me talk to a real person')).cues.asksForPerson).toBe(true);
  });
});

describe('tagged spans are grounded in the catalog vocabulary', () => {
  it('drops PRODUCT tags on words the store does not sell, keeps those it does', () => {
    const stray = tagged('maybe something less pricey', [['PRODUCT', 'maybe something']], 'product_search', { refinements: ['cheaper'] });
    expect(stray.constraints.productTerms).toEqual([]);
    expect(stray.cues.namesProduct).toBe(false);
    const kept = tagged('a yoga mat for hot classes', [['PRODUCT', 'yoga mat']]);
    expect(kept.constraints.productTerms).toContain('mat');
    expect(kept.cues.namesProduct).toBe(true);
  });
  it('turns NEG tags into exclusions only for catalog words', () => {
    const stray = tagged('第二个多少钱呀', [['NEG', '多少']], 'product_question');
    expect(stray.constraints.excludeTerms).toEqual([]);
    expect(stray.constraints.product).toContain('多少');
    const brand = tagged('running shoes, anything but Nike', [['PRODUCT', 'running shoes'], ['NEG', 'Nike']]);
    expect(brand.constraints.excludeBrands).toEqual(['nike']);
    const colour = tagged('a rain jacket, not yellow', [['PRODUCT', 'rain jacket'], ['NEG', 'yellow']]);
    expect(colour.constraints.excludeColors).toEqual(['yellow']);
  });
  it('uses Chinese tagged product words only when the glossary turns them into a catalog query', () => {
    const searchable = tagged('来双拖鞋', [['PRODUCT', '拖鞋']]);
    expect(searchable.constraints.productTerms).toContain('slippers');
    expect(searchable.cues.namesProduct).toBe(true);
    const unknown = tagged('快点呢？', [['PRODUCT', '点呢？']], 'add_to_cart');
    expect(unknown.constraints.productTerms).toEqual([]);
    expect(unknown.cues.namesProduct).toBe(false);
  });
  it('counts a tagged thing the catalog lacks when the shopper plainly asks for it, so it is a new search', () => {
    const asked = tagged("I'm looking for a sousaphone", [['PRODUCT', 'sousaphone']]);
    expect(asked.constraints.productTerms).toEqual(['sousaphone']);
    expect(asked.cues.namesProduct).toBe(true);
    const askedZh = tagged('我想买个手风琴', [['PRODUCT', '手风琴']]);
    expect(askedZh.constraints.productTerms).toEqual(['手风琴']);
    // Without the asking words a stray tag stays stray, and filler is never a product.
    expect(tagged('sousaphone lol', [['PRODUCT', 'sousaphone']]).constraints.productTerms).toEqual([]);
    expect(tagged('looking for something less pricey', [['PRODUCT', 'something']], 'product_search', { refinements: ['cheaper'] }).constraints.productTerms).toEqual([]);
  });
  it('does not read the words of a cart operation as product words', async () => {
    for (const text of ['please add this to the basket for me', 'remove the last one', 'drop the second one']) {
      const u = await parse(text);
      expect(u.constraints.productTerms, text).toEqual([]);
      expect(u.constraints.product, text).toBe('');
    }
  });
});

describe('follow-up cues', () => {
  it('reads continuations, delivery questions and words asking for a person', async () => {
    for (const text of ['and for opened items?', 'what about Puerto Rico?', '退货呢？']) expect((await parse(text)).cues.continuation, text).toBe(true);
    for (const text of ['how long do refunds take?', 'blue ones', '那帮我找找背包']) expect((await parse(text)).cues.continuation, text).toBe(false);
    for (const text of ['so when does it get here?', 'any idea when it will be delivered', '什么时候能到']) expect((await parse(text)).cues.deliveryQuestion, text).toBe(true);
    expect((await parse('when do you open?')).cues.deliveryQuestion).toBe(false);
    expect((await parse('can I talk to a real person')).cues.asksForPerson).toBe(true);
    expect((await parse('cheaper please')).cues.asksForPerson).toBe(false);
  });
});
