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

  it('says nothing when the documents do not cover the question', async () => {
    expect(await index.answer('can I bring my dog to the warehouse party', 'general', 'en')).toBeUndefined();
  });

  it('chunks HTML at headings and drops scripts', () => {
    const chunks = chunkDocument('<h1>FAQ</h1><script>alert(1)</script><h2>Gift wrap</h2><p>We wrap gifts for $3.</p>', 'faq.html', 'en');
    expect(chunks).toEqual([expect.objectContaining({ heading: 'Gift wrap', text: 'We wrap gifts for $3.', anchor: 'gift-wrap' })]);
  });
});
