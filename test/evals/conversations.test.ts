import { describe, expect, it } from 'vitest';
import { binaryMetrics, checkTurn, conversationMetrics } from '../../evals/metrics/conversations.js';
import { loadConversationFile, runConversation } from '../../evals/conversations.js';

describe('conversation eval metrics', () => {
  it('checks a turn against its expectations', () => {
    const o = { intent: 'order_status', actions: ['order'], slots: { orderId: 'SB-1' }, task: 'cancel_order', text: 'Order SB-1 is delivered.', silent: false };
    expect(checkTurn({ intent: 'order_status', actions: ['order'], contains: ['delivered'], slots: { orderId: 'SB-1' } }, o)).toEqual([]);
    expect(checkTurn({ intent: 'greeting' }, o)).toHaveLength(1);
    expect(checkTurn({ actions: ['handoff'], not: ['delivered'], task: null }, o)).toHaveLength(3);
    expect(checkTurn({ matches: 'is (on its way|delivered)' }, o)).toEqual([]);
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
