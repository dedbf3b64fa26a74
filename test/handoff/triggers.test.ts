import { describe, expect, it } from 'vitest';
import { DEFAULT_HANDOFF, HandoffFileSchema } from '../../src/handoff/config.js';
import { findCardNumbers, redactCardNumbers } from '../../src/privacy/index.js';
import { isOpen, route, topicOf } from '../../src/handoff/routing.js';
import { detectTrigger, type TriggerOptions } from '../../src/handoff/triggers.js';
import type { Intent, NluResult } from '../../src/nlu/types.js';

const nlu = (intent: Intent, confidence = 0.9): NluResult => ({
  lang: 'en', intent, confidence, ranking: [], engine: 'test',
  entities: { orderIds: [], emails: [], money: [], quantities: [], colors: [], sizes: [], refinements: [], excludeTerms: [] },
});
const opts: TriggerOptions = { rules: [], disabled: [], highValueCartCents: 50_000 };
const kind = (text: string, intent: Intent = 'out_of_scope', o: Partial<TriggerOptions> = {}, extra: { cartValueCents?: number; negativeStreak?: number } = {}) =>
  detectTrigger({ text, nlu: nlu(intent), negativeStreak: extra.negativeStreak ?? 0, ...(extra.cartValueCents !== undefined ? { cartValueCents: extra.cartValueCents } : {}) }, { ...opts, ...o })?.kind;

describe('escalation triggers', () => {
  it('fires on requests, complaints, frustration, legal threats and card numbers', () => {
    expect(kind('can I talk to a real person', 'product_search')).toBe('requested');
    expect(kind('转人工')).toBe('requested');
    expect(kind('anything', 'human_agent')).toBe('requested');
    expect(kind('I want to file a complaint')).toBe('complaint');
    expect(kind('this is ridiculous, worst shop ever')).toBe('frustration');
    expect(kind('I am annoyed', 'out_of_scope', {}, { negativeStreak: 1 })).toBe('frustration');
    expect(kind('I am annoyed')).toBeUndefined();
    expect(kind('I will contact my lawyer about this')).toBe('legal_threat');
    expect(kind('my card is 4111-1111-1111-1111')).toBe('payment_card');
    expect(kind('where is my order', 'order_status')).toBeUndefined();
  });
  it('does not escalate a question about what the assistant is, whatever the intent model made of it', () => {
    for (const text of ['are you a real person?', 'am I chatting with a human or a bot', '你是真人吗', '你是人工客服吗？']) expect(kind(text, 'human_agent'), text).toBeUndefined();
    expect(kind('are you a bot? I want to talk to a real person', 'human_agent')).toBe('requested');
  });
  it('escalates a high-value cart that needs help, not a browsing shopper', () => {
    expect(kind('my payment keeps failing', 'payment_problem', {}, { cartValueCents: 80_000 })).toBe('high_value_cart');
    expect(kind('my payment keeps failing', 'payment_problem', {}, { cartValueCents: 8_000 })).toBeUndefined();
    expect(kind('show me boots', 'product_search', {}, { cartValueCents: 80_000 })).toBeUndefined();
  });
  it('applies merchant rules, and some triggers cannot be turned off', () => {
    const rules = HandoffFileSchema.parse({ teams: DEFAULT_HANDOFF.teams, rules: [{ id: 'wholesale', pattern: '\\b(wholesale|bulk order)\\b', team: 'sales', priority: 'high' }] }).rules;
    const t = detectTrigger({ text: 'do you do wholesale?', nlu: nlu('product_search'), negativeStreak: 0 }, { ...opts, rules });
    expect(t).toMatchObject({ kind: 'merchant_rule', ruleId: 'wholesale', team: 'sales', priority: 'high' });
    const all = ['requested', 'complaint', 'frustration', 'legal_threat', 'payment_card', 'high_value_cart', 'merchant_rule'] as const;
    expect(kind('I want to file a complaint', 'out_of_scope', { disabled: [...all] })).toBeUndefined();
    expect(kind('I will sue you', 'out_of_scope', { disabled: [...all] })).toBe('legal_threat');
    expect(kind('card 4111 1111 1111 1111', 'out_of_scope', { disabled: [...all] })).toBe('payment_card');
    expect(kind('let me talk to a human', 'out_of_scope', { disabled: [...all] })).toBe('requested');
  });
});

describe('card redaction', () => {
  it('removes Luhn-valid card numbers only', () => {
    expect(redactCardNumbers('card 4111 1111 1111 1111 exp 12/29')).toBe('card [card number removed] exp 12/29');
    expect(findCardNumbers('order SB-123456, phone 555 123 4567 8901 2')).toEqual([]);
    expect(redactCardNumbers('tracking 1234567812345678')).toBe('tracking 1234567812345678');
  });
});

describe('routing', () => {
  const teams = HandoffFileSchema.parse({
    teams: [
      { id: 'billing', name: 'Billing', skills: ['billing'], languages: ['en'], capacity: 1 },
      { id: 'billing-zh', name: '账务', skills: ['billing'], languages: ['zh'], capacity: 5 },
      { id: 'returns', name: 'Returns', skills: ['returns', 'complaints'], hours: { timezone: 'UTC', days: [1, 2, 3, 4, 5], open: '09:00', close: '17:00' } },
      { id: 'returns-247', name: 'Returns (night)', skills: ['returns'], capacity: 2 },
      { id: 'general', name: 'General', skills: ['general'] },
    ],
  }).teams;
  const monday10 = Date.UTC(2026, 0, 12, 10);
  const sunday = Date.UTC(2026, 0, 11, 10);
  it('picks by skill and language, open hours and capacity', () => {
    expect(route({ topic: 'billing', lang: 'zh', nowMs: monday10, teams, load: new Map() }).team.id).toBe('billing-zh');
    expect(route({ topic: 'returns', lang: 'en', nowMs: monday10, teams, load: new Map() }).team.id).toBe('returns');
    expect(route({ topic: 'returns', lang: 'en', nowMs: sunday, teams, load: new Map() }).team.id).toBe('returns-247');
    expect(route({ topic: 'returns', lang: 'en', nowMs: monday10, teams, load: new Map([['returns', 10]]) }).team.id).toBe('returns-247');
    expect(route({ topic: 'unknown', lang: 'en', nowMs: monday10, teams, load: new Map() }).team.id).toBe('general');
    const closed = route({ topic: 'complaints', lang: 'en', nowMs: sunday, teams, load: new Map() });
    expect(closed).toMatchObject({ afterHours: true });
    expect(isOpen(teams[2]!, Date.UTC(2026, 0, 12, 17))).toBe(false);
  });
  it('derives the topic from the trigger and the conversation', () => {
    expect(topicOf('payment_card', {})).toBe('billing');
    expect(topicOf('requested', { taskKind: 'return_order' })).toBe('returns');
    expect(topicOf('complaint', { lastIntent: 'order_status' })).toBe('shipping');
    expect(topicOf('high_value_cart', { lastIntent: 'order_status' })).toBe('sales');
  });
});
