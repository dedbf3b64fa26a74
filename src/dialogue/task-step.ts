/**
 * Runs one step of a service task against the store connector: resolves which order is meant,
 * verifies an e-mail with an (order id, e-mail) pair, checks what the order allows, asks for the
 * next missing slot or for confirmation, and performs the change only once confirmed.
 * The result is data for the response templates; nothing here writes text.
 */
import { ShopbotError } from '../errors.js';
import type { ActionResult, OrderSummary } from '../responses/compose.js';
import { OrderNotAllowedError, type Order, type Requester, type StoreConnector } from '../store/types.js';
import type { Task } from './state.js';
import { isReturnReason } from './tasks.js';

export interface TaskStepOutcome {
  /** The task after this step; undefined when it finished or was abandoned. */
  readonly task: Task | undefined;
  readonly result: ActionResult;
  /** Set when this step verified the shopper's e-mail address. */
  readonly verifiedEmail?: string;
}

const MAX_EMAIL_TRIES = 2;

function eligible(kind: Task['kind'], o: Order): boolean {
  switch (kind) {
    case 'cancel_order':
    case 'change_address':
      return o.status === 'processing';
    case 'return_order':
      return o.status === 'delivered';
    case 'refund_status':
      return o.status === 'cancelled' || o.status === 'return_requested' || o.status === 'refunded';
    default:
      return true;
  }
}

export function summarize(o: Order): OrderSummary {
  return {
    id: o.id,
    status: o.status,
    createdOn: new Date(o.createdAt).toISOString().slice(0, 10),
    totalCents: o.totalCents,
    currency: o.currency,
    items: o.lines.reduce((s, l) => s + l.quantity, 0),
    firstTitle: o.lines[0]?.title ?? '',
  };
}

export async function runTaskStep(task: Task, store: StoreConnector, who0: Requester, resume = false): Promise<TaskStepOutcome> {
  let who = who0;
  let t: Task = task;
  let verifiedEmail: string | undefined;
  const ask = (slot: string, next: Task = t): TaskStepOutcome => ({
    task: { ...next, awaiting: slot },
    result: { type: 'task_ask', kind: t.kind, slot, reask: next.retries > 0 && next.awaiting === slot, resume, ...(t.slots.orderId ? { orderId: t.slots.orderId } : {}) },
    ...(verifiedEmail ? { verifiedEmail } : {}),
  });
  const done = (result: ActionResult): TaskStepOutcome => ({ task: undefined, result, ...(verifiedEmail ? { verifiedEmail } : {}) });

  // E-mail verification: the (order id, e-mail) pair must match one order.
  const email = t.slots.email;
  if (email && t.slots.orderId && who.verifiedEmail !== email) {
    if (await store.verifyEmail(t.slots.orderId, email)) {
      verifiedEmail = email;
      who = { ...who, verifiedEmail: email };
    } else {
      const tries = t.retries + 1;
      const { email: _bad, ...slots } = t.slots;
      if (tries >= MAX_EMAIL_TRIES) return done({ type: 'order_not_found', orderId: t.slots.orderId });
      return { task: { ...t, slots, retries: tries, awaiting: 'email' }, result: { type: 'verify_failed', orderId: t.slots.orderId } };
    }
  }

  if (!t.slots.orderId) {
    const orders = (await store.listOrders(who)).filter((o) => !t.excluded.includes(o.id));
    const fitting = orders.filter((o) => eligible(t.kind, o));
    const candidates = fitting.length ? fitting : orders;
    if (candidates.length === 1) t = { ...t, slots: { ...t.slots, orderId: candidates[0]!.id } };
    else if (candidates.length > 1) {
      const shown = candidates.slice(0, 5);
      return { task: { ...t, awaiting: 'choice', options: shown.map((o) => o.id) }, result: { type: 'task_choose', kind: t.kind, orders: shown.map(summarize), resume } };
    } else if (t.excluded.length) {
      return done({ type: 'task_no_orders', kind: t.kind });
    } else return ask('orderId');
  }

  const orderId = t.slots.orderId!;
  const order = await store.getOrder(orderId, who);
  if (!order) {
    // Not this shopper's order (or no such order): the same answer either way, then ask for the
    // e-mail it was placed with, which verifies the pair on the next step.
    const { orderId: _gone, ...rest } = t.slots;
    if (!who.verifiedEmail && !t.slots.email) {
      return { task: { ...t, awaiting: 'email', retries: t.awaiting === 'email' ? t.retries : 0 }, result: { type: 'order_not_found', orderId } };
    }
    const tries = t.retries + 1;
    if (tries >= MAX_EMAIL_TRIES) return done({ type: 'order_not_found', orderId });
    return { task: { ...t, slots: rest, awaiting: 'orderId', retries: tries }, result: { type: 'order_not_found', orderId } };
  }
  t = { ...t, slots: { ...t.slots, orderId: order.id } };

  try {
    switch (t.kind) {
      case 'order_status':
      case 'checkout':
        return done({ type: 'order', order });
      case 'refund_status': {
        const refund = await store.refundStatus(order.id, who);
        if (!refund) throw new ShopbotError('NOT_FOUND', `no order ${order.id}`);
        return done({ type: 'refund', order: summarize(order), refund });
      }
      case 'cancel_order':
        if (order.status !== 'processing') {
          return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: order.status === 'cancelled' ? 'already_cancelled' : 'already_shipped' });
        }
        if (!t.confirm) return { task: { ...t, awaiting: 'confirm', retries: 0 }, result: { type: 'task_confirm', kind: t.kind, order: summarize(order) }, ...(verifiedEmail ? { verifiedEmail } : {}) };
        {
          const cancelled = await store.cancelOrder(order.id, who);
          const refund = await store.refundStatus(order.id, who);
          return done({ type: 'task_done', kind: t.kind, order: summarize(cancelled), ...(refund ? { refund } : {}) });
        }
      case 'change_address':
        if (order.status !== 'processing') {
          return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: order.status === 'cancelled' ? 'already_cancelled' : 'already_shipped' });
        }
        if (!t.slots.address) return ask('address');
        if (!t.confirm) return { task: { ...t, awaiting: 'confirm', retries: 0 }, result: { type: 'task_confirm', kind: t.kind, order: summarize(order), address: t.slots.address }, ...(verifiedEmail ? { verifiedEmail } : {}) };
        {
          const changed = await store.changeOrder(order.id, who, { type: 'shipping_address', address: t.slots.address });
          return done({ type: 'task_done', kind: t.kind, order: summarize(changed), ...(changed.shippingAddress ? { address: changed.shippingAddress } : {}) });
        }
      case 'return_order': {
        if (order.status === 'return_requested' || order.status === 'refunded') return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: 'already_returned' });
        if (order.status === 'cancelled') return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: 'already_cancelled' });
        if (order.status !== 'delivered') return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: 'not_delivered' });
        const reason = t.slots.reason;
        if (!isReturnReason(reason)) return ask('reason');
        if (!t.confirm) return { task: { ...t, awaiting: 'confirm', retries: 0 }, result: { type: 'task_confirm', kind: t.kind, order: summarize(order), reason }, ...(verifiedEmail ? { verifiedEmail } : {}) };
        const ret = await store.startReturn(order.id, who, reason, t.slots.note);
        return done({ type: 'return_started', order: summarize(order), ret });
      }
    }
  } catch (err) {
    if (err instanceof OrderNotAllowedError) return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: err.reason });
    throw err;
  }
}
