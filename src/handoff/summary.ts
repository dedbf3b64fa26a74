/**
 * The brief an agent gets with a ticket: why, how urgent, what the shopper was doing, their cart and
 * recent orders (only those the shopper could see themselves), and the last messages, with card
 * numbers, e-mail addresses and phone numbers masked (the brief is stored with the ticket and
 * posted to Slack/Teams threads).
 */
import { requesterOf, type ConversationState, type StateStore } from '../dialogue/index.js';
import type { StoreConnector } from '../store/index.js';
import type { Priority } from './config.js';
import { maskPersonalData } from '../privacy/index.js';

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
}

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
}): Promise<ShopperBrief> {
  const { state } = input;
  const who = requesterOf(state);
  const [cart, orders, transcript] = await Promise.all([input.store.cart(state.userId), input.store.listOrders(who), input.states.transcript(state.conversationId, 20)]);
  const items = cart.lines.reduce((s, l) => s + l.quantity, 0);
  const rows = [...transcript, ...(input.lastMessage ? [{ role: 'user' as const, text: input.lastMessage, ts: 0 }] : [])];
  const lastMessages = rows.slice(-12).map((r) => ({ role: r.role, text: maskPersonalData(r.text).slice(0, 500) }));
  const lastUser = [...rows].reverse().find((r) => r.role === 'user');
  const parts = [
    `${input.priority.toUpperCase()} · ${input.reason} → ${input.team} (${input.topic}), language ${state.lang}.`,
    state.task ? `Was in the middle of: ${state.task.kind}${state.task.slots.orderId ? ` for ${state.task.slots.orderId}` : ''}.` : '',
    items ? `Cart: ${items} item(s), ${(cart.totalCents / 100).toFixed(2)} ${cart.currency}.` : '',
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
  };
}
