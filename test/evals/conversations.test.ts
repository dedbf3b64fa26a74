import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryMetrics, categoryTable, checkTurn, conversationMetrics, failureCounts } from '../../evals/metrics/conversations.js';
import { loadConversationFile, runConversation } from '../../evals/conversations.js';
import { latestOutboxCode, prepareDemoTemplate } from '../../evals/conversation-env.js';
import type { EvalConversation } from '../../evals/conversation-schema.js';

describe('conversation eval metrics', () => {
  it('checks a turn against its expectations', () => {
    const o = { intent: 'order_status', actions: ['order'], slots: { orderId: 'SB-1' }, task: 'cancel_order', text: 'Order SB-1 is delivered.', silent: false };
    expect(checkTurn({ intent: 'order_status', actions: ['order'], contains: ['delivered'], slots: { orderId: 'SB-1' } }, o)).toEqual([]);
    expect(checkTurn({ intent: 'greeting' }, o)).toHaveLength(1);
    expect(checkTurn({ actions: ['handoff'], not: ['delivered'], task: null }, o)).toHaveLength(3);
    expect(checkTurn({ matches: 'is (on its way|delivered)' }, o)).toEqual([]);
    expect(checkTurn({ handoff: 'none' }, o)).toEqual([]);
    expect(checkTurn({ handoff: 'none' }, { ...o, handoff: 'queued' })).toHaveLength(1);
  });
  it('reports pass rates per category and language, and failure counts', () => {
    const outcomes = [
      { name: 'a', lang: 'en', category: 'naming', turns: [[]], intentHits: [] },
      { name: 'b', lang: 'zh', category: 'naming', turns: [['cards: 0 of 3 fit']], intentHits: [] },
      { name: 'c', lang: 'zh', category: 'cart', turns: [[], []], intentHits: [] },
    ];
    const m = conversationMetrics(outcomes);
    expect(m).toMatchObject({ pass_rate_naming: 0.5, pass_rate_naming_en: 1, pass_rate_naming_zh: 0, pass_rate_cart: 1, pass_rate_cart_zh: 1 });
    expect(m.pass_rate_cart_en).toBeUndefined();
    expect(m.intent_accuracy).toBeUndefined();
    expect(categoryTable(outcomes).naming).toMatchObject({ n: 2, passed: 1, n_en: 1, n_zh: 1 });
    expect(failureCounts(outcomes)).toEqual({ 'naming/zh': 1 });
  });
  it('computes pass rates and intent accuracy', () => {
    const m = conversationMetrics([
      { name: 'a', lang: 'en', turns: [[], []], intentHits: [true] },
      { name: 'b', lang: 'zh', turns: [['intent: x'], []], intentHits: [false, true] },
    ]);
    expect(m).toMatchObject({ conversations: 2, passed: 1, pass_rate: 0.5, turns: 4, turn_pass_rate: 0.75, pass_rate_en: 1, pass_rate_zh: 0 });
    expect(m.intent_accuracy).toBeCloseTo(2 / 3);
  });
  it('computes precision and recall', () => {
    expect(binaryMetrics([true, true, false, false], [true, false, true, false])).toMatchObject({ precision: 0.5, recall: 0.5, tp: 1, fp: 1, fn: 1 });
    expect(binaryMetrics([false], [false])).toMatchObject({ precision: 0, recall: 0 });
  });
});

describe('conversation runner', () => {
  it('runs a scripted conversation through the real app and reports failed assertions', async () => {
    const [cancel] = loadConversationFile('evals/conversations/orders-en.json').filter((c) => c.name === 'cancel with confirmation');
    const ok = await runConversation(cancel!);
    expect(ok.turns.flat()).toEqual([]);
    const wrong = await runConversation({ ...cancel!, turns: [{ ...cancel!.turns[0]!, contains: ['SB-999999'], actions: ['handoff'] }] });
    expect(wrong.turns[0]).toHaveLength(2);
  });
});

describe('demo-catalog conversations', () => {
  let root: string;
  let template: string;
  // A tiny catalog in the demo catalog's format keeps this test quick; the eval itself uses the 6,764-product one.
  const rows = [
    { asin: 'E1', title: 'TOZO T6 True Wireless Earbuds', brand: 'TOZO', color: 'Black', price: 29.99, rating: 4.4, rating_count: 200, category: ['Electronics'] },
    { asin: 'E2', title: 'Panasonic ErgoFit Earbud Headphones', brand: 'Panasonic', color: 'Pink', price: 9.99, rating: 4.3, rating_count: 100, category: ['Electronics'] },
    { asin: 'B1', title: 'Insulated Stainless Steel Water Bottle 32 oz', brand: 'Hydro', color: 'Blue', price: 19.99, rating: 4.6, rating_count: 50, category: ['Sports'] },
  ];
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'shopbot-conv-'));
    const file = path.join(root, 'catalog.json.gz');
    writeFileSync(file, gzipSync(rows.map((r) => JSON.stringify(r)).join('\n')));
    template = await prepareDemoTemplate(root, { catalogFile: file });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const base: EvalConversation & { catalog: 'demo' } = { name: 'seeded state', lang: 'en', category: 'cart', catalog: 'demo', agents: true, turns: [{ user: 'hello' }] };

  it('seeds the cart and orders, and checks them after each turn', async () => {
    const c = { ...base, cart: [{ id: 'E1', quantity: 2 }], orders: [{ id: 'SB-300001', ageHours: 0.2, owner: 'other' as const, email: 'g@example.com', items: [{ title: 'Socks', quantity: 1, priceCents: 999 }] }] };
    const ok = await runConversation({ ...c, turns: [{ user: 'hello', cart: { has: [{ id: 'E1' }], items: 2 }, orders: [{ id: 'SB-300001', status: 'processing' }], placed: 0 }] }, { demoTemplate: template });
    expect(ok.turns).toEqual([[]]);
    const wrong = await runConversation({ ...c, turns: [{ user: 'hello', cart: { empty: true }, orders: [{ id: 'SB-300001', status: 'cancelled' }], lang: 'zh' }] }, { demoTemplate: template });
    const failed = wrong.turns[0]!.join('\n');
    expect(failed).toMatch(/cart: expected empty, got 2 × "TOZO/);
    expect(failed).toMatch(/order SB-300001: expected cancelled, got processing/);
    expect(failed).toMatch(/lang: expected a reply in zh, got en/);
  });

  it('says when a turn needs a one-time code and none was sent', async () => {
    const o = await runConversation({ ...base, turns: [{ user: 'my code is {code}' }] }, { demoTemplate: template });
    expect(o.turns[0]).toContain('no one-time code was sent to the outbox before this turn');
  });

  it('refuses a demo conversation without a prepared data directory', async () => {
    await expect(runConversation(base)).rejects.toThrow(/prepared demo data directory/);
  });
});

describe('outbox codes', () => {
  it('reads the newest six-digit code, not the order number', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-outbox-'));
    try {
      expect(latestOutboxCode(dir)).toBeUndefined();
      mkdirSync(path.join(dir, 'outbox'));
      const eml = (code: string) => `To: g@example.com\r\nSubject: Your code for order SB-300001\r\n\r\nYour code to manage order SB-300001 is ${code}.\r\n`;
      writeFileSync(path.join(dir, 'outbox', '2026-01-14T15-00-00-000Z-1-9.eml'), eml('111111'));
      writeFileSync(path.join(dir, 'outbox', '2026-01-14T15-00-00-000Z-1-10.eml'), eml('222222'));
      expect(latestOutboxCode(dir)).toBe('222222');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
