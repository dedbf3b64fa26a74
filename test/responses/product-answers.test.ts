/**
 * Questions about shown products, answered from the demo catalog's own rows (the bundled ESCI
 * sample with its demo prices and stock), in English and Chinese, through the real templates and
 * the grounding checker every reply passes.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { effectivePriceCents, importEsci, type Product } from '../../src/catalog/index.js';
import type { Lang } from '../../src/messages.js';
import { checkGrounding, collectFacts, composeReply, friendlyDate, readProductQuestion, type ActionResult } from '../../src/responses/index.js';
import { formatMoney, loadTemplates } from '../../src/templates/index.js';

const templates = loadTemplates(path.resolve('prompts'));
const WANTED = {
  belts: ['B00JHMG9OI', 'B014QROIGO', 'B07PQTVYG3'],
  clocks: ['B00ZQG30AK', 'B08HCJZRH2', 'B085TM82JV'],
  earbuds: ['B071HMM81V', 'B00JG2WRUO', 'B08KFPPJ3Y'],
  drains: ['B07RKT28ND', 'B07WDTYDSX', 'B08BCQXZY8', 'B00MGSYK6O'],
};
const byId = new Map<string, Product>();
const slate = (name: keyof typeof WANTED) => WANTED[name].map((id) => byId.get(id)!);

beforeAll(async () => {
  const ids = new Set(Object.values(WANTED).flat());
  for await (const row of importEsci(createReadStream(path.resolve('evals/data/esci/ubi_ecommerce_products.json.gz')).pipe(createGunzip()))) {
    if ('product' in row && ids.has(row.product.id)) byId.set(row.product.id, row.product);
  }
  expect(byId.size).toBe(ids.size);
});

/** The reply to `question` with `cards` on screen (and `focus` the product in focus), checked for grounding. */
function ask(question: string, lang: Lang, cards: readonly Product[], focus?: Product) {
  const results: ActionResult[] = [{ type: 'product_question', question, slate: cards, ...(focus ? { product: focus } : {}) }];
  const used: string[] = [];
  const reply = composeReply(templates, lang, results, 0, used);
  const grounded = checkGrounding(reply.text, collectFacts(results, used), { literals: used, lang });
  expect(grounded.violations).toEqual([]);
  return reply;
}
const price = (p: Product, lang: Lang) => formatMoney(effectivePriceCents(p)!, p.currency, lang);

describe('product questions in English', () => {
  it('states the price of the card named', () => {
    const [first] = slate('belts');
    const r = ask('how much is the first one?', 'en', slate('belts'));
    expect(r.text).toContain(price(first!, 'en'));
    expect(r.text).toMatch(/^The first one \(“Levi's/);
    expect(r.products.map((p) => p.id)).toEqual([first!.id]);
  });

  it('names the brand of the second card', () => {
    expect(ask('who makes the second one?', 'en', slate('belts')).text).toContain('made by F&L CLASSIC');
  });

  it('says a product is out of stock', () => {
    expect(ask('is the second one in stock?', 'en', slate('earbuds')).text).toMatch(/Sony.*out of stock/);
  });

  it('compares every card shown, or only the ones named', () => {
    const cards = slate('belts');
    const cheapest = [...cards].sort((a, b) => effectivePriceCents(a)! - effectivePriceCents(b)!)[0]!;
    const all = ask('which is the cheapest?', 'en', cards);
    expect(all.text).toContain(price(cheapest, 'en'));
    expect(all.products[0]!.id).toBe(cheapest.id);
    const [a, b] = cards;
    const cheaperOfTwo = effectivePriceCents(a!)! <= effectivePriceCents(b!)! ? a! : b!;
    const two = ask('which is cheaper, the first or the second?', 'en', cards);
    expect(two.text).toMatch(/^Of the first one and the second one, the cheapest is/);
    expect(two.products[0]!.id).toBe(cheaperOfTwo.id);
  });

  it('finds the best rated and the most reviewed card', () => {
    const cards = slate('earbuds');
    const best = [...cards].sort((a, b) => b.rating! - a.rating! || b.ratingCount! - a.ratingCount!)[0]!;
    const most = [...cards].sort((a, b) => b.ratingCount! - a.ratingCount!)[0]!;
    expect(ask('which one has the best reviews?', 'en', cards).products[0]!.id).toBe(best.id);
    const popular = ask('which one is the most popular?', 'en', cards);
    expect(popular.products[0]!.id).toBe(most.id);
    expect(popular.text).toContain(most.ratingCount!.toLocaleString('en-US'));
  });

  it('compares weights the listings give, quoting their words', () => {
    const r = ask('which one is lighter?', 'en', slate('drains'));
    // The listings give 378g, 330g, 816g and 0.69 lb (313g).
    expect(r.products[0]!.id).toBe('B00MGSYK6O');
    expect(r.text).toMatch(/the lightest is the fourth one .*“[^”]*Net Weight: 0\.69 lb/);
    expect(ask('which is the heaviest?', 'en', slate('drains')).text).toMatch(/the heaviest is the third one .*816g/);
  });

  it('answers yes, no or "does not say" to an attribute, with the listing as evidence', () => {
    const clocks = slate('clocks');
    const no = ask('does the first one have a snooze button?', 'en', clocks);
    expect(no.text).toMatch(/^No\. .*“[^”]*No snooze button/i);
    const yes = ask('does the second one have a snooze button?', 'en', clocks);
    expect(yes.text).toMatch(/^Yes\. .*“[^”]*Snooze/);
    expect(ask('does the third one have a snooze button?', 'en', clocks).text).toMatch(/doesn't say/);
    expect(ask('is the first one water resistant?', 'en', slate('earbuds')).text).toMatch(/^Yes\. .*IPX7 Water Resistant/);
  });

  it('answers about the product in focus when the question points at "it"', () => {
    const [, second] = slate('belts');
    expect(ask('how much is it?', 'en', slate('belts'), second).text).toContain(price(second!, 'en'));
  });

  it('asks which product when nothing is on screen or in focus', () => {
    expect(ask('how much is it?', 'en', []).text).toBe(composeReply(templates, 'en', [{ type: 'which_product' }], 0).text);
  });
});

describe('product questions in Chinese', () => {
  const han = (s: string) => (s.replace(/“[^”]*”/g, '').match(/\p{Script=Han}/gu) ?? []).length;
  const latinWords = (s: string) => (s.replace(/“[^”]*”/g, '').match(/[A-Za-z]{2,}/g) ?? []).length;

  it('states price, brand and rating in Chinese', () => {
    const belts = slate('belts');
    const p = ask('第一个多少钱？', 'zh', belts);
    expect(p.text).toContain(price(belts[0]!, 'zh'));
    expect(p.text).toMatch(/^第一个（“Levi's/);
    expect(ask('第三个是什么牌子的？', 'zh', belts).text).toContain('品牌是 Marino Avenue。');
    const stars = ask('第一个几颗星？', 'zh', slate('earbuds'));
    expect(stars.text).toContain(`${slate('earbuds')[0]!.rating}分`);
    for (const r of [p, stars]) expect(han(r.text)).toBeGreaterThan(latinWords(r.text));
  });

  it('compares the two cards named', () => {
    const [a, b] = slate('belts');
    const cheaper = effectivePriceCents(a!)! <= effectivePriceCents(b!)! ? a! : b!;
    const r = ask('第一个和第二个哪个便宜？', 'zh', slate('belts'));
    expect(r.text).toMatch(/^第一个和第二个中最便宜的是/);
    expect(r.products[0]!.id).toBe(cheaper.id);
  });

  it('quotes the English listing and marks its language', () => {
    const r = ask('第一个防水吗？', 'zh', slate('earbuds'));
    expect(r.text).toMatch(/^是的。.*“[^”]*Water Resistant[^”]*”（商品页英文原文）/);
    expect(ask('第一个有贪睡功能吗？', 'zh', slate('clocks')).text).toMatch(/^不是。.*No snooze button/i);
  });
});

describe('readProductQuestion', () => {
  it('reads the kind of question and the cards it names', () => {
    expect(readProductQuestion('which is cheaper, the first or the second?', 'en')).toEqual({ kind: 'compare', by: 'cheapest', among: [0, 1] });
    expect(readProductQuestion("what's the most expensive one?", 'en')).toMatchObject({ kind: 'compare', by: 'priciest' });
    expect(readProductQuestion('which one is the most popular?', 'en')).toMatchObject({ kind: 'compare', by: 'most_reviewed' });
    expect(readProductQuestion('哪个评分最高？', 'zh')).toMatchObject({ kind: 'compare', by: 'best_rated' });
    expect(readProductQuestion('who makes the second one?', 'en')).toEqual({ kind: 'fact', fact: 'brand', positions: [1] });
    expect(readProductQuestion('倒数第二个有货吗？', 'zh')).toEqual({ kind: 'fact', fact: 'stock', positions: [-2] });
    expect(readProductQuestion('is the third one water resistant?', 'en')).toMatchObject({ kind: 'attribute', positions: [2] });
  });

  it('leaves requests, refinements and new searches alone', () => {
    for (const text of ['cheaper', '便宜点', 'show me the cheapest headphones', 'add the second one to my cart', 'do you have running shoes?', '第二个加入购物车', 'can you show me more like this?']) {
      expect(readProductQuestion(text, /\p{Script=Han}/u.test(text) ? 'zh' : 'en'), text).toBeUndefined();
    }
  });
});

describe('friendlyDate', () => {
  it('writes a store date as a person would, in both languages', () => {
    expect(friendlyDate('2026-12-08', 'en')).toBe('Tuesday 8 December');
    expect(friendlyDate('2026-12-08', 'zh')).toBe('12月8日 周二');
    expect(friendlyDate('next week', 'en')).toBe('next week');
  });

  it('shows an order status with a friendly delivery date that passes the grounding check', () => {
    const order = { id: 'SB-100003', userId: 'u', status: 'shipped', lines: [], totalCents: 0, currency: 'USD', createdAt: 0, carrier: 'UPS', trackingNumber: '1ZB6EFFF90B44378', estimatedDelivery: '2026-12-08' };
    for (const [lang, want] of [['en', 'Estimated delivery: Tuesday 8 December.'], ['zh', '预计送达：12月8日 周二。']] as const) {
      const results = [{ type: 'order', order }] as unknown as ActionResult[];
      const used: string[] = [];
      const text = composeReply(templates, lang, results, 0, used).text;
      expect(text).toContain(want);
      expect(checkGrounding(text, collectFacts(results, used), { literals: used, lang }).violations).toEqual([]);
    }
  });
});

describe('attribute spellings', () => {
  it('looks for the attribute as a phrase: "sweat resistant" is not "water resistant"', () => {
    const q = readProductQuestion('第二个防水吗？', 'zh');
    expect(q).toMatchObject({ kind: 'attribute', positions: [1] });
    const concepts = q?.kind === 'attribute' ? q.concepts : [];
    expect(concepts[0]).toEqual(expect.arrayContaining(['waterproof', 'water resistant', 'ipx7']));
    expect(concepts.flat()).not.toContain('resistant');
  });
});

describe('a question the listing does not speak to', () => {
  it('gives the card’s essentials instead of an unrelated line', () => {
    const belts = slate('belts');
    const r = ask('the 2nd one looks nice, more info?', 'en', belts);
    expect(r.text).toContain(belts[1]!.title);
    expect(r.text).toContain(price(belts[1]!, 'en'));
    expect(r.products.map((p) => p.id)).toEqual([belts[1]!.id]);
  });
});
