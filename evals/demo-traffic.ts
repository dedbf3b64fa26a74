/**
 * `shopbot eval demo-traffic [FILES...] --data-dir DIR [--shoppers N] [--days D] [--seed S] [--json OUT]`
 *
 * Demo data for the merchant dashboard: simulated shoppers play the shopper side of the
 * conversation eval files (their original format) against the real app on the demo store in DIR,
 * spread over the last D days. The app answers for real (search, slates, coupons, handoffs, the
 * demo store's checkout); only the shopper is simulated: they open cards with a probability that
 * falls with position, add to cart and check out, vote on some replies (down on a reply that found
 * nothing), rate some conversations, and ask for people the way the scripts do (a demo agent takes,
 * answers and resolves). As many shoppers again visit the store without the assistant; the store
 * reports their visits and purchases as its webhook would. Then `shopbot serve` on DIR shows it all
 * at /admin.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { flag, parseFlags } from '../cli/args.js';
import { openApp, resolveFromRoot, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { FunnelEventInput } from '../src/funnel/index.js';
import { feedbackEvent } from '../src/insights/index.js';
import { createRng, type Rng } from '../src/maths/index.js';
import type { OutboundMessage } from '../src/messages.js';
import { expandFiles, loadConversationFile, type EvalConversation } from './conversations.js';
import { printTable, writeJson } from './report.js';

export const USAGE = `usage: shopbot eval demo-traffic [FILES...] --data-dir DIR [--shoppers N] [--days D] [--seed S] [--json OUT]

Simulated shoppers play the shopper side of conversation eval files (default: the dev split)
against the real app on the demo store in DIR, spread over the last D days, and as many again
visit the store without the assistant. Afterwards \`SHOPBOT_DATA_DIR=DIR shopbot serve\` shows the
figures at /admin (log in with an account named in SHOPBOT_MERCHANTS).

options:
  --data-dir DIR   the data directory the server will use (required)
  --shoppers VALUE   (default 300)
  --days VALUE   (default 14)
  --seed VALUE   (default 11)
  --json OUT`;

const DAY_MS = 86_400_000;
/** Conversion of store visitors who never open the assistant (UCI online shoppers: about 0.155 overall). */
const UNASSISTED_CONVERSION = 0.12;

export interface Totals {
  conversations: number;
  turns: number;
  failedTurns: number;
  clicks: number;
  cartAdds: number;
  checkouts: number;
  votes: number;
  ratings: number;
  handoffsResolved: number;
  unassistedVisits: number;
  unassistedPurchases: number;
}

const pick = <T>(items: readonly T[], rng: Rng): T => items[Math.floor(rng() * items.length)]!;

/** A reply the shopper would call unhelpful: a product request answered without products, or an apology. */
function unhelpful(reply: OutboundMessage): boolean {
  return (reply.intent === 'product_search' && reply.products.length === 0) || /\b(sorry|don't know|couldn't find|no products)\b/i.test(reply.text);
}

export interface DemoTrafficOptions {
  readonly shoppers: number;
  readonly seed: number;
  /** The app's clock (its `now` reads it): moved forward through the conversations. */
  readonly clock: { now: number };
  /** How much time the shoppers are spread over. */
  readonly spanMs: number;
}

/** Plays the shoppers against an open app; the app must have an agent named `demo-agent` for handoffs. */
export async function playDemoTraffic(app: App, scripts: readonly EvalConversation[], options: DemoTrafficOptions): Promise<Totals> {
  const { shoppers, seed, clock } = options;
  const rng = createRng(seed);
  const totals: Totals = { conversations: 0, turns: 0, failedTurns: 0, clicks: 0, cartAdds: 0, checkouts: 0, votes: 0, ratings: 0, handoffsResolved: 0, unassistedVisits: 0, unassistedPurchases: 0 };
  const step = options.spanMs / (shoppers * 2);
  for (let i = 0; i < shoppers; i++) {
    const script = pick(scripts, rng);
    const channel = rng() < 0.75 ? 'web' : 'rest';
    const conversationId = `demo-${seed}-${i}`;
    const userId = `demo-shopper-${seed}-${i}`;
    const storeEvents: FunnelEventInput[] = [{ id: `visit:${userId}`, type: 'visit', ts: clock.now, channel: 'web', userId }];
    let ended = false;
    let unhelpfulReplies = 0;
    const say = async (text: string, action?: Parameters<typeof app.handleTurn>[0]['action']) => {
      clock.now += 20_000 + Math.floor(rng() * 40_000);
      totals.turns++;
      const reply = await app.handleTurn({ conversationId, userId, channel, text, ...(action ? { action } : {}) });
      if (reply.text && !reply.silent && rng() < 0.3) {
        const vote = unhelpful(reply) ? 'down' : rng() < 0.85 ? 'up' : 'down';
        storeEvents.push(feedbackEvent({ kind: 'reply', vote, reply: reply.text, ...(reply.intent ? { intent: reply.intent } : {}) }, { conversationId, userId, channel, ts: clock.now + 5000 }));
        totals.votes++;
      }
      if (unhelpful(reply)) unhelpfulReplies++;
      return reply;
    };
    try {
      for (const turn of script.turns) {
        const reply = await say(turn.user.replace('{code}', '000000').replace('{wrong_code}', '999999'));
        if (reply.handoff?.status === 'queued' || reply.handoff?.status === 'assigned') {
          // The demo agent takes the ticket after a few minutes, answers, and resolves it.
          const [ticket] = (await app.handoff.queueFor(undefined)).filter((t) => t.conversationId === conversationId);
          if (ticket) {
            clock.now += 60_000 + Math.floor(rng() * 8 * 60_000);
            await app.handoff.take(ticket.id, 'demo-agent');
            clock.now += 30_000 + Math.floor(rng() * 3 * 60_000);
            await app.handoff.reply(conversationId, 'demo-agent', 'Hi, I am looking into this for you now.');
            clock.now += 5 * 60_000 + Math.floor(rng() * 20 * 60_000);
            await app.handoff.resolve(conversationId, 'demo-agent');
            totals.handoffsResolved++;
            ended = true;
            break;
          }
        }
        // The simulated shopper scans the cards: each opened with a chance that falls with its position.
        const opened = reply.products.find((p, pos) => rng() < 0.35 / Math.pow(1 + pos, 0.7));
        if (opened) {
          totals.clicks++;
          await say('', { type: 'click', productId: opened.id, ...(opened.slateId ? { slateId: opened.slateId } : {}), ...(opened.position !== undefined ? { position: opened.position } : {}) });
          if (opened.inStock && rng() < 0.45) {
            totals.cartAdds++;
            await say('', { type: 'add_to_cart', productId: opened.id, quantity: 1, ...(opened.slateId ? { slateId: opened.slateId } : {}), ...(opened.position !== undefined ? { position: opened.position } : {}) });
            if (rng() < 0.55) {
              totals.checkouts++;
              await say('', { type: 'checkout', email: 'demo-shopper@example.com' });
              break;
            }
          }
        }
      }
    } catch (err) {
      totals.failedTurns++;
      if (totals.failedTurns <= 3) console.error(`demo-traffic: a turn of "${script.name}" failed: ${(err as Error).message}`);
    }
    if (ended || rng() < 0.25) {
      const rating = Math.max(1, Math.min(5, Math.round(4.6 - 1.2 * unhelpfulReplies + (rng() - 0.5) * 1.5)));
      storeEvents.push(feedbackEvent({ kind: 'conversation', rating, ...(rating <= 2 && rng() < 0.5 ? { comment: 'Could not find what I was looking for.' } : {}) }, { conversationId, userId, channel, ts: clock.now + 30_000 }));
      totals.ratings++;
    }
    totals.conversations++;
    // A store visitor who never opens the assistant: their visit, and sometimes a purchase, from the store's webhook.
    clock.now += step;
    const visitor = `demo-visitor-${seed}-${i}`;
    storeEvents.push({ id: `visit:${visitor}`, type: 'visit', ts: clock.now, channel: 'web', userId: visitor });
    totals.unassistedVisits++;
    if (rng() < UNASSISTED_CONVERSION) {
      const orderId = `store-${seed}-${i}`;
      storeEvents.push({ id: `purchase:${orderId}`, type: 'purchase', ts: clock.now + 600_000, channel: 'web', userId: visitor, orderId, revenueCents: 1500 + Math.floor(rng() * 9000), productIds: [] });
      totals.unassistedPurchases++;
    }
    await app.funnel.append(storeEvents);
    clock.now += step;
  }
  await app.funnel.flush();
  return totals;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    usage: USAGE,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      shoppers: { type: 'string', default: '300' },
      days: { type: 'string', default: '14' },
      seed: { type: 'string', default: '11' },
      json: { type: 'string' },
    },
  });
  const dataDir = flag('data-dir', z.string().min(1), values['data-dir']);
  const shoppers = flag('shoppers', z.coerce.number().int().min(1).max(100_000), values.shoppers);
  const days = flag('days', z.coerce.number().int().min(1).max(90), values.days);
  const seed = flag('seed', z.coerce.number().int(), values.seed);
  const files = expandFiles(positionals.length ? positionals : [resolveFromRoot('evals/conversations/dev')]);
  const scripts = files.flatMap(loadConversationFile).filter((c) => c.catalog === 'demo');
  if (scripts.length === 0) {
    console.error('demo-traffic: no demo-catalog conversations in the files given');
    return 1;
  }

  const end = Date.now();
  const clock = { now: end - days * DAY_MS };
  const config = loadConfig({ overrides: { dataDir: path.resolve(dataDir), logLevel: 'warn', catalog: { demo: true }, agents: { users: `demo-agent:${randomUUID()}` } } });
  const app = await openApp(config, { now: () => clock.now, rng: createRng(seed + 1) });
  let totals: Totals;
  try {
    totals = await playDemoTraffic(app, scripts, { shoppers, seed, clock, spanMs: days * DAY_MS });
  } finally {
    await app.close();
  }
  printTable(`demo traffic: ${shoppers} shoppers with the assistant over ${days} days in ${dataDir}`, { generated: { ...totals } });
  writeJson(values.json, { ...totals });
  return totals.failedTurns > totals.turns / 2 ? 1 : 0;
}
