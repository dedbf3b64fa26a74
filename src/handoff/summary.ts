/**
 * The brief an agent gets with a ticket: why, how urgent, what the shopper was doing, the products
 * they were shown (with prices), their cart lines, the order in question with its status, recent
 * orders (only those the shopper could see themselves), the detected intent and sentiment, what the
 * bot already tried, and the last messages, with card numbers, e-mail addresses and phone numbers
 * masked (the brief is stored with the ticket and posted to Slack/Teams threads).
 */
import { requesterOf, type ConversationState, type StateStore } from '../dialogue/index.js';
import type { StoreConnector } from '../store/index.js';
import type { Priority } from './config.js';
import { maskPersonalData } from '../privacy/index.js';
import type { RoutingParse } from './routing.js';
import { frustrationScore } from './sentiment.js';

export interface ShopperBrief {
  readonly text: string;
  readonly reason: string;
  readonly priority: Priority;
  readonly topic: string;
  readonly lang: string;
  readonly shopper: { readonly userId: string; readonly channel: string; readonly email?: string };
  readonly task?: { readonly kind: string; readonly slots: Readonly<Record<string, string>> };
  readonly cart?: { readonly items: number; readonly totalCents: number; readonly currency: string };
  readonly orders: readonly { readonly id: string; readonly status: string; readonly totalCents: number; readonly currency: string; readonly createdAt: number }[];
  readonly lastMessages: readonly { readonly role: string; readonly text: string }[];
  /** What the NLU read in the message that escalated. */
  readonly detected?: { readonly intent: string; readonly confidence: number };
  /** calm (0), annoyed (1), angry (2+): the frustration score of the last message; streak: messages in a row. */
  readonly sentiment: { readonly label: 'calm' | 'annoyed' | 'angry'; readonly score: number; readonly streak: number };
  /** Product cards the shopper was shown, most recent first, with the price shown. */
  readonly shown: readonly { readonly id: string; readonly title: string; readonly priceCents?: number; readonly currency: string }[];
  readonly cartLines: readonly { readonly title: string; readonly quantity: number; readonly unitPriceCents: number; readonly currency: string }[];
  /** The order the conversation is about (the task's, a number in the message, else none). */
  readonly order?: { readonly id: string; readonly status: string; readonly totalCents: number; readonly currency: string; readonly carrier?: string; readonly trackingNumber?: string; readonly estimatedDelivery?: string; readonly deliveredOn?: string };
  /** The bot's last answers: what it understood and said. */
  readonly botTried: readonly { readonly intent?: string; readonly text: string }[];
}

interface StoredReply {
  readonly products?: readonly { id: string; title: string; priceCents?: number; currency: string }[];
  readonly intent?: string;
}

const sentimentLabel = (score: number): 'calm' | 'annoyed' | 'angry' => (score >= 2 ? 'angry' : score >= 1 ? 'annoyed' : 'calm');
const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

export async function buildBrief(input: {
  state: ConversationState;
  reason: string;
  priority: Priority;
  topic: string;
  team: string;
  states: StateStore;
  store: StoreConnector;
  /** The message that triggered the escalation (not in the transcript yet). */
  lastMessage?: string;
  parse?: RoutingParse;
}): Promise<ShopperBrief> {
  const { state } = input;
  const who = requesterOf(state);
  const [cart, orders, transcript] = await Promise.all([input.store.cart(state.userId), input.store.listOrders(who), input.states.transcript(state.conversationId, 40)]);
  const items = cart.lines.reduce((s, l) => s + l.quantity, 0);
  const rows = [...transcript, ...(input.lastMessage ? [{ role: 'user' as const, text: input.lastMessage, ts: 0 }] : [])];
  const lastMessages = rows.slice(-12).map((r) => ({ role: r.role, text: maskPersonalData(r.text).slice(0, 500) }));
  const lastUser = [...rows].reverse().find((r) => r.role === 'user');
  const score = lastUser ? frustrationScore(lastUser.text) : 0;
  const sentiment = { label: sentimentLabel(score), score, streak: state.negativeStreak };
  const botRows = transcript.filter((r) => r.role === 'bot');
  const seen = new Set<string>();
  // Newest reply first, each reply's cards in the order shown.
  const shown = [...botRows]
    .reverse()
    .flatMap((r) => [...((r.payload as StoredReply | undefined)?.products ?? [])])
    .filter((p) => !seen.has(p.id) && seen.add(p.id))
    .slice(0, 10)
    .map((p) => ({ id: p.id, title: p.title.slice(0, 200), currency: p.currency, ...(p.priceCents !== undefined ? { priceCents: p.priceCents } : {}) }));
  const botTried = botRows.slice(-5).map((r) => {
    const intent = (r.payload as StoredReply | undefined)?.intent;
    return { text: maskPersonalData(r.text).slice(0, 300), ...(intent ? { intent } : {}) };
  });
  const orderId = state.task?.slots.orderId ?? input.parse?.entities.orderIds[0];
  const o = orderId ? orders.find((x) => x.id.toLowerCase() === orderId.toLowerCase()) : undefined;
  const order = o
    ? {
        id: o.id,
        status: o.status,
        totalCents: o.totalCents,
        currency: o.currency,
        ...(o.carrier ? { carrier: o.carrier } : {}),
        ...(o.trackingNumber ? { trackingNumber: o.trackingNumber } : {}),
        ...(o.estimatedDelivery ? { estimatedDelivery: o.estimatedDelivery } : {}),
        ...(o.deliveredOn ? { deliveredOn: o.deliveredOn } : {}),
      }
    : undefined;
  const shownText = shown
    .slice(0, 3)
    .map((p) => p.title.slice(0, 60) + (p.priceCents !== undefined ? ` (${money(p.priceCents, p.currency)})` : ''))
    .join(', ');
  const parts = [
    `${input.priority.toUpperCase()} · ${input.reason} → ${input.team} (${input.topic}), language ${state.lang}.`,
    state.task ? `Was in the middle of: ${state.task.kind}${state.task.slots.orderId ? ` for ${state.task.slots.orderId}` : ''}.` : '',
    input.parse ? `Detected: ${input.parse.intent} (${Math.round(input.parse.confidence * 100)}%), shopper ${sentiment.label}.` : `Shopper ${sentiment.label}.`,
    order ? `Order in question: ${order.id}, ${order.status}${order.estimatedDelivery ? `, due ${order.estimatedDelivery}` : ''}.` : '',
    items ? `Cart: ${cart.lines.slice(0, 5).map((l) => `${l.quantity}x ${l.title.slice(0, 60)}`).join(', ')}; ${money(cart.totalCents, cart.currency)}.` : '',
    shown.length ? `Shown: ${shownText}.` : '',
    orders.length ? `Orders: ${orders.slice(0, 3).map((o) => `${o.id} (${o.status})`).join(', ')}.` : '',
    lastUser ? `Last message: "${maskPersonalData(lastUser.text).slice(0, 200)}"` : '',
  ];
  return {
    text: parts.filter(Boolean).join(' '),
    reason: input.reason,
    priority: input.priority,
    topic: input.topic,
    lang: state.lang,
    shopper: { userId: state.userId, channel: state.channel, ...(state.customer?.email ?? state.contactEmail ? { email: state.customer?.email ?? state.contactEmail } : {}) },
    ...(state.task ? { task: { kind: state.task.kind, slots: state.task.slots } } : {}),
    ...(items ? { cart: { items, totalCents: cart.totalCents, currency: cart.currency } } : {}),
    orders: orders.slice(0, 5).map((o) => ({ id: o.id, status: o.status, totalCents: o.totalCents, currency: o.currency, createdAt: o.createdAt })),
    lastMessages,
    ...(input.parse ? { detected: { intent: input.parse.intent, confidence: input.parse.confidence } } : {}),
    sentiment,
    shown,
    cartLines: cart.lines.slice(0, 20).map((l) => ({ title: l.title.slice(0, 200), quantity: l.quantity, unitPriceCents: l.unitPriceCents, currency: l.currency })),
    ...(order ? { order } : {}),
    botTried,
  };
}
