import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCancel, isCorrection, isNo, isYes, orderIdsIn, returnReasonOf, serviceTaskOf } from '../../src/nlu/index.js';
import type { Entities } from '../../src/nlu/types.js';
import { openServiceApp, type ServiceApp } from './service-app.js';

const noEntities: Entities = { orderIds: [], emails: [], money: [], quantities: [], colors: [], sizes: [], refinements: [], excludeTerms: [] };

describe('task cues', () => {
  it('reads yes, no, cancel and corrections in both languages', () => {
    expect(isYes('yes please')).toBe(true);
    expect(isYes('是的')).toBe(true);
    expect(isYes('no')).toBe(false);
    expect(isNo('no, the other order')).toBe(true);
    expect(isCorrection('no, the other order')).toBe(true);
    expect(isCorrection('不是这个')).toBe(true);
    expect(isCancel('never mind')).toBe(true);
    expect(isCancel('算了')).toBe(true);
    expect(isCancel('yes')).toBe(false);
  });
  it('finds order ids and return reasons', () => {
    expect(orderIdsIn('where is sb-123456?', noEntities)).toEqual(['SB-123456']);
    expect(orderIdsIn('order #1001 please', noEntities)).toEqual(['#1001']);
    expect(orderIdsIn('it is 123456', noEntities)).toEqual([]);
    expect(orderIdsIn('it is 123456', noEntities, { bareNumbers: true })).toEqual(['123456']);
    expect(returnReasonOf('the box arrived damaged')).toBe('damaged');
    expect(returnReasonOf('太小了')).toBe('size_fit');
    expect(returnReasonOf('hello')).toBeUndefined();
  });
  it('tells a return request from a return-policy question', () => {
    expect(serviceTaskOf('I want to return my order', 'order_status', false)).toBe('return_order');
    expect(serviceTaskOf('what is your return policy', 'returns_refunds', false)).toBe('policy');
    expect(serviceTaskOf('where is my refund', 'returns_refunds', false)).toBe('refund_status');
    expect(serviceTaskOf('please cancel my order', 'cancel_order', false)).toBe('cancel_order');
    expect(serviceTaskOf('I need to change the shipping address', 'shipping_delivery', false)).toBe('change_address');
  });
});

describe('service dialogues through the real turn', () => {
  let s: ServiceApp;
  beforeEach(async () => {
    s = await openServiceApp();
  });
  afterEach(async () => {
    await s.close();
  });

  it('cancels only after confirmation, and a correction switches to the other order', async () => {
    (s.app.store as unknown as { seedOrder: (o: object) => void }).seedOrder({ id: 'SB-100002', userId: 'u-alice', email: 'alice@example.com', lines: [{ productId: 'p2', title: 'Sock', quantity: 1, unitPriceCents: 900 }], createdAt: s.clock.now - 5 * 60_000 });
    const ask = await s.say('I want to cancel my order SB-100001');
    expect(ask.text).toContain('Cancel order SB-100001');
    expect((await s.app.store.getOrder('SB-100001', { userId: 'u-alice' }))?.status).toBe('processing');
    const other = await s.say('no, the other order');
    expect(other.text).toContain('Cancel order SB-100002');
    const done = await s.say('yes');
    expect(done.text).toContain('SB-100002 is cancelled');
    expect((await s.app.store.getOrder('SB-100002', { userId: 'u-alice' }))?.status).toBe('cancelled');
    expect((await s.app.store.getOrder('SB-100001', { userId: 'u-alice' }))?.status).toBe('processing');
  });

  it('"never mind" at the confirmation changes nothing', async () => {
    await s.say('cancel order SB-100001');
    expect((await s.say('never mind')).text).toMatch(/Nothing was changed/);
    expect((await s.app.store.getOrder('SB-100001', { userId: 'u-alice' }))?.status).toBe('processing');
  });

  it('asks for the return reason, survives a restart mid-task, answers a digression and comes back', async () => {
    const first = await s.say('I want to return my order');
    expect(first.text).toMatch(/Why are you returning order SB-100003/);
    await s.reopen();
    const digression = await s.say('how long does shipping take');
    expect(digression.text).toMatch(/Source: .*shipping/);
    expect(digression.text).toMatch(/Back to your request: .*SB-100003/);
    const confirm = await s.say('it arrived damaged');
    expect(confirm.text).toMatch(/reason: arrived damaged/);
    const done = await s.say('yes');
    expect(done.text).toMatch(/Return R-100003 is open for order SB-100003/);
    expect(done.text).toContain('$90.00');
    expect((await s.say('where is my refund')).text).toMatch(/waiting for your return of order SB-100003/);
  });

  it('re-asks a missing order id and gives up after repeated non-answers', async () => {
    const s2 = 'conv-reask-1';
    expect((await s.say('where is my order', s2, 'u-new-shopper')).text).toMatch(/order number/);
    expect((await s.say('hmm', s2, 'u-new-shopper')).text).toMatch(/still need the order number/);
    expect((await s.say('SB-100003', s2, 'u-new-shopper')).text).toMatch(/can't find order SB-100003/);
  });

  it('refuses another shopper\'s order until the (order id, e-mail) pair verifies', async () => {
    const conv = 'conv-verify-1';
    const refused = await s.say('track order SB-200001', conv);
    expect(refused.text).toMatch(/can't find order SB-200001/);
    expect(refused.text).not.toMatch(/delivered|UPS/);
    const wrong = await s.say('alice@example.com', conv);
    expect(wrong.text).toMatch(/doesn't match order SB-200001/);
    const ok = await s.say('bob@example.com', conv);
    expect(ok.text).toMatch(/Order SB-200001 is delivered/);
  });

  it('runs a return in Chinese', async () => {
    const conv = 'conv-zh-1';
    expect((await s.say('我要退货', conv)).text).toMatch(/SB-100003 为什么要退货/);
    expect((await s.say('太小了', conv)).text).toMatch(/尺码不合适/);
    expect((await s.say('是的', conv)).text).toMatch(/退货单 R-100003 已创建/);
  });
});
