import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/app.js';
import { chunkDocument, createPolicyIndex, loadPolicyChunks } from '../../src/policies/index.js';

describe('policy answers', () => {
  const index = createPolicyIndex(loadPolicyChunks(path.join(REPO_ROOT, 'evals/data/demo-store/policies')));

  it('quotes the section that answers, with its source', async () => {
    const a = await index.answer('how long do refunds take?', 'returns', 'en');
    expect(a?.passage).toMatch(/5 business days/);
    expect(a?.source).toBe('/policies/en/returns.md#refund-timing');
    const s = await index.answer('do you ship internationally', 'shipping', 'en');
    expect(s?.passage).toMatch(/do not ship internationally/);
  });

  it('answers in Chinese from the Chinese documents', async () => {
    const a = await index.answer('退货运费谁出', 'returns', 'zh');
    expect(a?.source).toMatch(/^\/policies\/zh\/returns\.md#/);
  });

  const heading = async (question: string, topic: string, lang: 'en' | 'zh', context?: string) => (await index.answer(question, topic, lang, context))?.source.replace(/^.*#/, '');

  it('answers what the question asks about its subject: how long, how much, where to', async () => {
    // Both sections name express shipping; the question's facet decides.
    expect(await heading('how quickly does express delivery arrive?', 'shipping', 'en')).toBe('delivery-times');
    expect(await heading('when would standard shipping get here?', 'general', 'en')).toBe('delivery-times');
    expect(await heading('what does express delivery cost?', 'shipping', 'en')).toBe('shipping-costs');
    expect(await heading('is standard shipping free?', 'general', 'en')).toBe('shipping-costs');
    expect(await heading('do you ship overseas?', 'general', 'en')).toBe('where-we-ship');
    expect(await heading('加急配送多快能到？', 'shipping', 'zh')).toBe('配送时间-配送需要多久');
    expect(await heading('加急配送要多少钱？', 'shipping', 'zh')).toBe('运费');
    expect(await heading('支持海外配送吗？', 'general', 'zh')).toBe('配送范围');
  });

  it('answers a question about one place or payment means from the section that lists them, named there or not', async () => {
    for (const q of ['can I get it delivered to Australia?', 'do you deliver to Puerto Rico?', 'do you ship to Alaska?']) expect(await heading(q, 'general', 'en'), q).toBe('where-we-ship');
    for (const q of ['你们发货到香港吗', '可以送到日本吗？']) expect(await heading(q, 'general', 'zh'), q).toBe('配送范围');
    expect(await heading('can I pay with bitcoin?', 'general', 'en')).toBe('accepted-payment-methods');
    expect(await heading('能用微信支付吗？', 'general', 'zh')).toBe('支持的付款方式');
    // The slot frees only the value: a question with nothing else the documents cover is still unknown.
    expect(await index.answer('can my cousin send a birthday card to Australia for me?', 'general', 'en')).toBeUndefined();
  });

  it('meets a rule that names the opposite of the word asked ("unused" for "used")', async () => {
    expect(await heading('are worn or used items returnable?', 'returns', 'en')).toBe('return-window');
  });

  it('answers a question naming only the subject with the document\'s opening section', async () => {
    expect(await heading('what are your refund rules?', 'general', 'en')).toBe('return-window');
    expect(await heading('退货政策是怎样的？', 'general', 'zh')).toBe('退货期限');
  });

  it('lets a follow-up\'s own words decide and the previous question keep the topic', async () => {
    // The topic is the document the previous answer came from, as the dialogue passes it.
    expect(await heading('what about the price?', 'shipping', 'en', 'how long does express shipping take?')).toBe('shipping-costs');
    expect(await heading('and how quickly?', 'shipping', 'en', 'what does standard shipping cost?')).toBe('delivery-times');
    expect(await heading('and how quickly?', 'general', 'en', 'what does standard shipping cost?')).toBe('delivery-times');
    expect(await heading('需要多久？', 'shipping', 'zh', '加急运费多少？')).toBe('配送时间-配送需要多久');
    expect(await heading('and do I pay for the return label?', 'returns', 'en', 'how long do refunds take?')).toBe('return-shipping');
    // Covered by its own words, whatever the previous question asked.
    expect(await heading('what about gift cards?', 'returns', 'en', 'how long do I have to send something back?')).toBe('items-that-cannot-be-returned');
  });

  it('says nothing when the documents do not cover the question', async () => {
    expect(await index.answer('can I bring my dog to the warehouse party', 'general', 'en')).toBeUndefined();
  });

  it('chunks HTML at headings and drops scripts', () => {
    const chunks = chunkDocument('<h1>FAQ</h1><script>alert(1)</script><h2>Gift wrap</h2><p>We wrap gifts for $3.</p>', 'faq.html', 'en');
    expect(chunks).toEqual([expect.objectContaining({ heading: 'Gift wrap', text: 'We wrap gifts for $3.', anchor: 'gift-wrap' })]);
  });
});
