/**
 * Attacks on other shoppers' orders, played through whole turns on the demo store (its seeded
 * orders SB-100101..103 belong to demo@example.com):
 * - the issue's attack: "checkout", someone else's e-mail at the e-mail prompt, "where is my order?",
 *   then changing and cancelling that person's order;
 * - guessing the e-mail of a known order number, and guessing the one-time code.
 * And what a rightful owner can still do: a guest with the order number and its e-mail sees the
 * status, and changes it with the code mailed to the order's address.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signIdentity } from '../../src/identity/index.js';
import type { OutboundMessage } from '../../src/messages.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await openTestApp({ limits: { orderChecksPerHourPerConversation: 5, orderChecksPerHourPerOrder: 8 } });
});
afterEach(async () => {
  await t.close();
});

async function guest(): Promise<(text: string) => Promise<OutboundMessage>> {
  const s = await t.app.sessions.start({ channel: 'web' });
  return (text) => t.app.handleTurn({ conversationId: s.conversationId, userId: s.userId, channel: 'web', text });
}

function outboxCodes(): string[] {
  const dir = path.join(t.dataDir, 'outbox');
  let files: string[] = [];
  try {
    files = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return files.map((f) => /is (\d{6})\./.exec(readFileSync(path.join(dir, f), 'utf8'))?.[1] ?? '');
}

async function statusOf(orderId: string): Promise<string | undefined> {
  const owner = { userId: 'demo-shopper' };
  return (await t.app.store.getOrder(orderId, owner))?.status;
}

describe('an e-mail typed in the chat proves nothing', () => {
  it('"checkout" + a victim\'s e-mail + "where is my order?" shows none of their orders, and cannot change them', async () => {
    const say = await guest();
    await say('checkout');
    await say('demo@example.com');
    const where = await say('where is my order?');
    expect(where.text).not.toMatch(/SB-10010[123]/);
    expect(JSON.stringify(where)).not.toMatch(/Trail running shoe|Merino|hiking jacket/);

    // Asking to change the address of the victim's order: the order number alone shows nothing...
    const change = await say('I want to change the shipping address of order SB-100101');
    expect(change.text).not.toMatch(/being prepared|on its way|Trail running/);
    // ...and with its e-mail the guest learns the status, but a change needs the code mailed to the victim.
    const withEmail = await say('demo@example.com');
    expect(withEmail.text).toMatch(/code/i);
    expect(withEmail.text).toMatch(/d\*\*\*@example\.com/);
    expect(withEmail.text).not.toMatch(/demo@example\.com/);
    expect(outboxCodes()).toHaveLength(1);
    const wrong = await say('000000');
    expect(wrong.text).toMatch(/doesn't match/);
    await say('123456 is the code');
    await say('999999');
    expect(await statusOf('SB-100101')).toBe('processing');
    const order = await t.app.store.getOrder('SB-100101', { userId: 'demo-shopper' });
    expect(order?.shippingAddress).toBeUndefined();

    // Cancelling goes the same way: no code, no change.
    const say2 = await guest();
    await say2('please cancel order SB-100101');
    await say2('demo@example.com');
    await say2('yes');
    expect(await statusOf('SB-100101')).toBe('processing');
  });

  it('throttles guesses of an order\'s e-mail, per conversation and per order', async () => {
    const say = await guest();
    let throttled: OutboundMessage | undefined;
    for (let i = 0; i < 8 && !throttled; i++) {
      const r = await say(`where is order SB-100102? my email is guess${i}@example.com`);
      if (/too many attempts/i.test(r.text)) throttled = r;
    }
    expect(throttled?.text).toMatch(/try again in \d+ minute/);
    // A fresh conversation does not reset the order's own budget for ever: it runs out too.
    let refusedElsewhere = false;
    for (let c = 0; c < 3 && !refusedElsewhere; c++) {
      const next = await guest();
      for (let i = 0; i < 5 && !refusedElsewhere; i++) {
        const r = await next(`where is order SB-100102? my email is other${c}-${i}@example.com`);
        if (/too many attempts/i.test(r.text)) refusedElsewhere = true;
      }
    }
    expect(refusedElsewhere).toBe(true);
    // Even the right e-mail is refused while the order's budget is spent: nothing leaks by timing the answers.
    const last = await guest();
    const r = await last('where is order SB-100102? my email is demo@example.com');
    expect(r.text).not.toMatch(/on its way|being prepared/);
  });
});

describe('what the rightful owner can do', () => {
  it('a guest with the order number and its e-mail sees the status, and changes it with the mailed code', async () => {
    const say = await guest();
    await say('where is my order SB-100103?');
    const status = await say('demo@example.com');
    expect(status.text).toMatch(/SB-100103/);
    expect(status.text).toMatch(/delivered/);

    await say('I want to cancel order SB-100101');
    const sent = await say('demo@example.com');
    expect(sent.text).toMatch(/6-digit code/);
    expect(sent.text).toMatch(/outbox/);
    const [code] = outboxCodes();
    expect(code).toMatch(/^\d{6}$/);
    const confirm = await say(`the code is ${code}`);
    expect(confirm.text).toMatch(/SB-100101/);
    expect(confirm.quickReplies.map((q) => q.text)).toEqual(expect.arrayContaining([expect.stringMatching(/yes/i)]));
    await say('yes');
    expect(await statusOf('SB-100101')).toBe('cancelled');
  });

  it('a store-signed customer sees and manages their own orders without codes', async () => {
    const secret = 'test-identity-secret-0123456789abcdef-xyz';
    await t.close();
    t = await openTestApp({ security: { identitySecret: secret } });
    const identity = signIdentity(secret, { id: 'demo-shopper', email: 'demo@example.com' }, Math.floor(t.clock.now / 1000) + 3600);
    const s = await t.app.sessions.start({ channel: 'web', identity });
    const say = (text: string) => t.app.handleTurn({ conversationId: s.conversationId, userId: s.userId, channel: 'web', text });
    const orders = await say('where is my order?');
    expect(orders.text).toMatch(/SB-10010[123]/);
    await say('cancel order SB-100101');
    await say('yes');
    expect(await statusOf('SB-100101')).toBe('cancelled');
    expect(outboxCodes()).toHaveLength(0);
  });

  it('refuses a forged or expired identity', async () => {
    const secret = 'test-identity-secret-0123456789abcdef-xyz';
    await t.close();
    t = await openTestApp({ security: { identitySecret: secret } });
    const exp = Math.floor(t.clock.now / 1000) + 3600;
    const forged = signIdentity('not-the-store-secret-0123456789abcdef', { id: 'demo-shopper', email: 'demo@example.com' }, exp);
    await expect(t.app.sessions.start({ channel: 'web', identity: forged })).rejects.toMatchObject({ code: 'IDENTITY_INVALID' });
    const tampered = { ...signIdentity(secret, { id: 'someone', email: 'someone@example.com' }, exp), email: 'demo@example.com' };
    await expect(t.app.sessions.start({ channel: 'web', identity: tampered })).rejects.toMatchObject({ code: 'IDENTITY_INVALID' });
    const expired = signIdentity(secret, { id: 'demo-shopper', email: 'demo@example.com' }, Math.floor(t.clock.now / 1000) - 1);
    await expect(t.app.sessions.start({ channel: 'web', identity: expired })).rejects.toMatchObject({ code: 'IDENTITY_INVALID' });
  });
});
