/** A terminal chat against the same pipeline as the widget (channel "cli"). */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { openApp } from '../src/app.js';
import type { OutboundMessage } from '../src/messages.js';
import { formatMoney } from '../src/templates/index.js';
import { configFromCli } from './common.js';
import { parseFlags } from './args.js';

export const USAGE = `usage: shopbot chat [--user ID] [--conversation ID] [--config FILE] [--data-dir DIR]

A terminal chat against the same pipeline as the widget; "/quit" leaves.

options:
  --user VALUE
  --conversation VALUE
  --config FILE
  --data-dir DIR`;

export function renderForTerminal(reply: OutboundMessage): string {
  const lines = [reply.text];
  for (const p of reply.products) {
    const price = p.priceCents !== undefined ? formatMoney(p.priceCents, p.currency, reply.lang) : '-';
    const rating = p.rating !== undefined ? ` ★${p.rating.toFixed(1)}` : '';
    lines.push(`  ${p.position + 1}. ${p.title.slice(0, 90)}${p.brand ? ` (${p.brand})` : ''}  ${price}${rating}${p.sponsored ? '  [sponsored]' : ''}`);
  }
  if (reply.cart?.lines.length) {
    lines.push(`  cart: ${reply.cart.lines.map((l) => `${l.quantity}× ${l.title.slice(0, 40)}`).join(', ')}`);
  }
  if (reply.coupon) lines.push(`  coupon: ${reply.coupon.code} — ${reply.coupon.description}`);
  if (reply.handoff) lines.push(`  handoff: ${reply.handoff.status}${reply.handoff.team ? ` to ${reply.handoff.team}` : ''}`);
  if (reply.quickReplies.length) lines.push(`  [${reply.quickReplies.map((q) => q.label).join('] [')}]`);
  if (reply.intent) lines.push(`  (intent ${reply.intent} ${(reply.confidence ?? 0).toFixed(2)})`);
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: { user: { type: 'string' }, conversation: { type: 'string' }, config: { type: 'string' }, 'data-dir': { type: 'string' } } });
  const config = configFromCli(values, { logLevel: 'warn' });
  const app = await openApp(config);
  const userId = values.user ?? `cli-${randomUUID().slice(0, 8)}`;
  const conversationId = values.conversation ?? `cli-${randomUUID().slice(0, 12)}`;
  const rl = createInterface({ input: process.stdin, terminal: false });
  const prompt = () => process.stdout.write('you> ');
  console.log('shopbot chat — type a message, "/quit" to leave.');
  prompt();
  try {
    // Iterating the interface (rather than rl.question) also works when stdin is a pipe.
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === '/quit' || line === '/exit') break;
      if (line) {
        if (!process.stdin.isTTY) console.log(line);
        try {
          const reply = await app.handleTurn({ conversationId, userId, channel: 'cli', text: line });
          console.log(`bot> ${renderForTerminal(reply)}`);
        } catch (err) {
          console.log(`bot> (error: ${(err as Error).message})`);
        }
      }
      prompt();
    }
  } finally {
    rl.close();
    await app.close();
  }
  return 0;
}
