/**
 * Personal data (security issue, part 7). Each attack is a whole turn through the real app: the
 * live turn must still understand the message, and nothing stored (transcript, funnel rows) or
 * logged may hold the card number, security code, e-mail address or phone number as typed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { FunnelEvent } from '../../src/funnel/events.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

const USER = 'user-pii-0001';

async function funnelRows(t: TestApp): Promise<FunnelEvent[]> {
  await t.app.funnel.flush();
  const out: FunnelEvent[] = [];
  for await (const e of t.app.funnel.query({})) out.push(e);
  return out;
}

describe('personal data in stored transcripts and funnel rows', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp();
  });
  afterEach(async () => {
    await t.close();
  });
  const say = (text: string, conversationId: string) => t.app.handleTurn({ conversationId, userId: USER, channel: 'web', text });

  it.each([
    ['dots', '4111.1111.1111.1111'],
    ['slashes', '4111/1111/1111/1111'],
    ['double spaces', '4111  1111  1111  1111'],
    ['full-width digits', '４１１１ １１１１ １１１１ １１１１'],
    ['Arabic-Indic digits', '٤١١١ ١١١١ ١١١١ ١١١١'],
    ['zero-width spaces', '4111\u200b1111\u200b1111\u200b1111'],
  ])('a card number written with %s, and its CVV, never reach the transcript', async (what, card) => {
    const conversationId = `conv-card-${what.replace(/\W+/g, '-')}`;
    const reply = await say(`my card ${card} cvv 737 was charged twice`, conversationId);
    // The live turn saw the card: it escalates as a payment-card message (with no desk online the
    // shopper gets the store's contact details, and the escalation is in the funnel).
    expect(reply.text).toMatch(/support@shop\.example\.com/);
    expect((await funnelRows(t)).some((e) => e.type === 'handoff' && e.conversationId === conversationId && e.reason === 'payment_card')).toBe(true);
    const history = await t.app.history(conversationId);
    expect(history[0]).toMatchObject({ role: 'user', text: 'my card [card number removed] cvv [security code removed] was charged twice' });
    const stored = JSON.stringify(history);
    expect(stored).not.toContain(card);
    expect(stored).not.toContain('737');
    expect(JSON.stringify(await funnelRows(t))).not.toContain(card);
  });

  it('an e-mail address is read by the live turn and kept masked in the transcript', async () => {
    // The demo order SB-100101 belongs to demo@example.com: the status answer shows the address was read.
    const reply = await say('where is my order SB-100101? my email is demo@example.com', 'conv-email-1');
    expect(reply.text).toMatch(/SB-100101 is being prepared/);
    const history = await t.app.history('conv-email-1');
    expect(history[0]?.text).toBe('where is my order SB-100101? my email is d***@example.com');
    expect(JSON.stringify(history)).not.toContain('demo@example.com');
  });

  it('e-mail addresses and phone numbers in a search stay out of the transcript and the funnel queries', async () => {
    const email = await say('red running shoes for jane.doe@example.com', 'conv-search-1');
    // The live turn reads the search around the address and finds products for it.
    expect(email.products.length).toBeGreaterThan(0);
    const phone = await say('跑步鞋 13812345678', 'conv-search-2');
    expect(phone.products.length).toBeGreaterThan(0);
    const intl = await say('running shoes call +1 (415) 555-1234', 'conv-search-3');
    expect(intl.products.length).toBeGreaterThan(0);

    const transcripts = JSON.stringify([...(await t.app.history('conv-search-1')), ...(await t.app.history('conv-search-2')), ...(await t.app.history('conv-search-3'))]);
    const rows = await funnelRows(t);
    for (const raw of ['jane.doe@example.com', '13812345678', '555-1234']) {
      expect(transcripts).not.toContain(raw);
      expect(JSON.stringify(rows)).not.toContain(raw);
    }
    const queries = rows.flatMap((e) => (e.type === 'search' || e.type === 'slate' || e.type === 'impression' ? [e.query] : []));
    // The logged query is what was searched for (the parsed product words), masked again on the way in.
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) expect(q).not.toMatch(/@|\d{3}/);
    expect(queries).toEqual(expect.arrayContaining(['red running shoes', '跑步鞋']));
    expect(rows.some((e) => e.type === 'slate')).toBe(true);
  });

  it('control characters, bidi overrides and lone surrogates are stripped at the edge', async () => {
    const reply = await say('running\u0000 shoes\u202E for\u001b[2K men\uD800', 'conv-ctl-1');
    expect(reply.products.length).toBeGreaterThan(0);
    const [user] = await t.app.history('conv-ctl-1');
    expect(user?.text).toBe('running shoes for[2K men');
  });
});

describe('personal data on the way to and from a human agent', () => {
  it('briefs, relays and stored agent replies are masked; the shopper still reads the agent as written', async () => {
    const pushed: string[] = [];
    // A channel that reaches every shopper, standing in for the widget: it keeps what the agent sent.
    const t = await openTestApp({ agents: { users: 'alice:secret-1' } }, { channels: [() => ({ handles: () => true, deliver: (_c, m) => void pushed.push(m.text), close() {} })] });
    try {
      const say = (text: string) => t.app.handleTurn({ conversationId: 'conv-agent-pii', userId: USER, channel: 'web', text });
      const relayed: string[] = [];
      t.app.handoff.subscribe((e) => void (e.type === 'shopper_message' && relayed.push(e.text)));

      expect((await say('I want to talk to a human, call me on 415-555-1234')).handoff?.status).toBe('queued');
      const [ticket] = await t.app.handoff.queueFor(undefined);
      expect(ticket!.brief.text).toContain('call me on [phone number removed]');
      const taken = await t.app.handoff.take(ticket!.id, 'alice');
      expect((await say('my email is jane.doe@example.com')).silent).toBe(true);
      expect(relayed).toEqual(['my email is j***@example.com']);
      await t.app.handoff.reply('conv-agent-pii', 'alice', 'Please write to returns@shop.example\u202E, card 4111 1111 1111 1111 noted');
      expect(pushed.at(-1)).toBe('Please write to returns@shop.example, card [card number removed] noted');

      const stored = JSON.stringify([ticket, taken, await t.app.history('conv-agent-pii')]);
      for (const raw of ['415-555-1234', 'jane.doe@example.com', 'returns@shop.example', '4111 1111']) expect(stored).not.toContain(raw);
      expect(stored).toContain('r***@shop.example');
    } finally {
      await t.close();
    }
  });
});

describe('personal data in logs', () => {
  it('redacts text, contact details and credentials in every log line', () => {
    const lines: string[] = [];
    const log = createLogger(loadConfig({ env: {}, overrides: { logLevel: 'trace' } }), { write: (line: string) => void lines.push(line) });
    log.info({ text: 'my email is jane@example.com', message: { text: 'call 415-555-1234' }, email: 'jane@example.com', req: { headers: { authorization: 'Bearer s3cret-token', cookie: 'sid=abc123' } } }, 'inbound');
    log.warn({ violations: [{ kind: 'policy_claim', text: 'write to jane@example.com' }], password: 'hunter2', token: 'tok-123' }, 'checked');
    const out = lines.join('');
    expect(lines).toHaveLength(2);
    expect(out).toContain('[Redacted]');
    for (const raw of ['jane@example.com', '415-555-1234', 's3cret-token', 'sid=abc123', 'hunter2', 'tok-123']) expect(out).not.toContain(raw);
  });

  it('no turn logs what the shopper typed, at any level', async () => {
    const lines: string[] = [];
    const config = loadConfig({ env: {}, overrides: { logLevel: 'trace' } });
    const t = await openTestApp({}, { log: createLogger(config, { write: (line: string) => void lines.push(line) }) });
    try {
      await t.app.handleTurn({ conversationId: 'conv-log-1', userId: USER, channel: 'web', text: 'red running shoes for jane.doe@example.com' });
      await t.app.handleTurn({ conversationId: 'conv-log-1', userId: USER, channel: 'web', text: 'my card 4111 1111 1111 1111 was charged twice, call 415-555-1234' });
    } finally {
      await t.close();
    }
    expect(lines.length).toBeGreaterThan(0);
    for (const raw of ['jane.doe', '4111 1111', '555-1234']) expect(lines.join('')).not.toContain(raw);
  });
});
