import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openServiceApp, type ServiceApp } from '../dialogue/service-app.js';

describe('handoff through the turn', () => {
  let s: ServiceApp;
  beforeEach(async () => {
    s = await openServiceApp({ agents: { users: 'alice:secret-1' } });
  });
  afterEach(async () => {
    await s.close();
  });

  it('routes a return complaint to the returns team with the brief, and queues by priority', async () => {
    await s.say('I want to return my order', 'conv-q-1');
    const first = await s.say('this is ridiculous, the worst service ever', 'conv-q-1');
    expect(first.handoff).toMatchObject({ status: 'queued', team: 'Returns', queuePosition: 1 });
    s.clock.now += 1000;
    // The request for a person names no topic; the return under way does.
    await s.say('I want to return my order', 'conv-q-2', 'u-bob');
    const normal = await s.say('I want to talk to a human', 'conv-q-2', 'u-bob');
    expect(normal.handoff).toMatchObject({ team: 'Returns', queuePosition: 2 });
    s.clock.now += 1000;
    await s.say('I would like to return an item', 'conv-q-3', 'u-carol');
    const angry = await s.say('This is unacceptable!! I want to return this garbage', 'conv-q-3', 'u-carol');
    expect(angry.handoff).toMatchObject({ team: 'Returns', queuePosition: 2 });
    const legal = await s.say('I am going to sue you', 'conv-q-4', 'u-dave');
    expect(legal.handoff).toMatchObject({ team: 'Billing', queuePosition: 1 });
    const queue = await s.app.handoff.queueFor(['returns']);
    expect(queue.map((t) => [t.conversationId, t.priorityName, t.position])).toEqual([
      ['conv-q-1', 'high', 1],
      ['conv-q-3', 'high', 2],
      ['conv-q-2', 'normal', 3],
    ]);
    const q1 = queue[0]!;
    expect(q1.brief.task).toMatchObject({ kind: 'return_order' });
    expect(q1.brief.orders.map((o) => o.id)).toContain('SB-100003');
    expect(q1.brief.text).toContain('worst service');
    // While queued, the bot stays silent.
    expect((await s.say('hello?', 'conv-q-1')).silent).toBe(true);
  });

  it('sends card-number messages to billing as urgent and never stores the number', async () => {
    const r = await s.say('my card 5555 5555 5555 4444 was charged twice', 'conv-card-1');
    expect(r.handoff).toMatchObject({ team: 'Billing' });
    const [t] = await s.app.handoff.queueFor(['billing']);
    expect(t?.priorityName).toBe('urgent');
    expect(JSON.stringify(t)).not.toMatch(/5555 5555/);
    expect((await s.app.history('conv-card-1')).map((h) => h.text).join(' ')).not.toMatch(/5555/);
  });
});

describe('handoff without any agent', () => {
  it('says honestly that nobody can take the chat, and the bot keeps answering', async () => {
    const s = await openServiceApp();
    try {
      const r = await s.say('I want to talk to a human');
      expect(r.text).toMatch(/can't reach a person/);
      expect((await s.say('where is my order SB-100001')).text).toMatch(/SB-100001 is being prepared/);
    } finally {
      await s.close();
    }
  });

  it('links a policy answer to its source under the public URL', async () => {
    const s = await openServiceApp({ server: { publicUrl: 'https://help.acme.example/bot/' } });
    try {
      const r = await s.say('how long does shipping take');
      expect(r.text).toMatch(/Source: [^)]*https:\/\/help\.acme\.example\/bot\/policies\/[\w./-]+#[\w-]+\)/);
    } finally {
      await s.close();
    }
  });

  it("gives the store's contact details from the configuration, and no waiting state", async () => {
    const s = await openServiceApp({ store: { policiesDir: 'evals/data/demo-store/policies', contact: { email: 'help@acme.example', phone: '+44 20 7946 0000', hours: 'Mon–Sat 8:00–20:00', url: 'https://acme.example/contact' } } });
    try {
      const en = await s.say('I want to talk to a human');
      expect(en.text).toContain('e-mail help@acme.example, phone +44 20 7946 0000 (Mon–Sat 8:00–20:00) or https://acme.example/contact');
      expect(en.handoff).toBeUndefined();
      const zh = await s.say('我要人工客服', 'conv-test-zh');
      expect(zh.text).toContain('邮箱 help@acme.example，电话 +44 20 7946 0000（Mon–Sat 8:00–20:00），网页 https://acme.example/contact');
      expect(zh.handoff).toBeUndefined();
    } finally {
      await s.close();
    }
  });
});
