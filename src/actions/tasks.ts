/**
 * Runs one step of a service task against the store connector: resolves which order is meant,
 * checks a guest's (order number, e-mail) pair, checks what the order allows, asks for the next
 * missing slot, a one-time code before a guest changes an order, or a confirmation, and performs
 * the change only once confirmed. The result is data for the response templates; no text here.
 */
import { RateLimitedError, ShopbotError } from '../errors.js';
import type { OrderChecks } from '../identity/index.js';
import type { Lang } from '../messages.js';
import type { ActionResult, OrderSummary } from '../responses/index.js';
import { accessTo, withGrant, OrderNotAllowedError, type OrderGrant, type Requester, type Order, type StoreConnector } from '../store/index.js';
import { isReturnReason, type Task } from '../dialogue/index.js';

export interface TaskStepOutcome {
  /** The task after this step; undefined when it finished or was abandoned. */
  readonly task: Task | undefined;
  readonly result: ActionResult;
  /** The conversation's order grants when this step added one (a checked pair or code). */
  readonly grants?: readonly OrderGrant[];
}

export interface TaskStepDeps {
  readonly store: StoreConnector;
  /** Guest proofs (pair, one-time code); without it a guest can only act on their own orders. */
  readonly checks?: OrderChecks;
  readonly now: () => number;
}

export interface TaskStepContext {
  readonly who: Requester;
  readonly conversationId: string;
  readonly lang: Lang;
}

const MAX_EMAIL_TRIES = 2;
const MAX_CODE_TRIES = 3;

function withoutSlots(slots: Readonly<Record<string, string>>, ...names: string[]): Record<string, string> {
  const out = { ...slots };
  for (const n of names) delete out[n];
  return out;
}

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

export async function runTaskStep(task: Task, deps: TaskStepDeps, ctx: TaskStepContext, resume = false): Promise<TaskStepOutcome> {
  const { store } = deps;
  let who = ctx.who;
  let t: Task = task;
  let grants: readonly OrderGrant[] | undefined;
  const grant = (orderId: string, level: OrderGrant['level']) => {
    grants = withGrant(who.grants ?? [], orderId, level, deps.now());
    who = { ...who, grants };
  };
  const out = (o: Omit<TaskStepOutcome, 'grants'>): TaskStepOutcome => ({ ...o, ...(grants ? { grants } : {}) });
  const ask = (slot: string, next: Task = t): TaskStepOutcome =>
    out({
      task: { ...next, awaiting: slot },
      result: { type: 'task_ask', kind: t.kind, slot, reask: next.retries > 0 && next.awaiting === slot, resume, ...(t.slots.orderId ? { orderId: t.slots.orderId } : {}) },
    });
  const done = (result: ActionResult): TaskStepOutcome => out({ task: undefined, result });
  const throttled = (err: unknown): TaskStepOutcome => {
    if (!(err instanceof RateLimitedError)) throw err;
    return done({ type: 'verify_throttled', minutes: Math.max(1, Math.ceil(err.retryAfterMs / 60_000)) });
  };

  // A guest's pair: order number and the e-mail it was placed with, checked together and throttled.
  const email = t.slots.email;
  if (email && t.slots.orderId && !(await store.getOrder(t.slots.orderId, who))) {
    let matches = false;
    try {
      matches = deps.checks ? await deps.checks.checkPair({ conversationId: ctx.conversationId, orderId: t.slots.orderId, email }) : false;
    } catch (err) {
      return throttled(err);
    }
    if (matches) grant(t.slots.orderId, 'status');
    else {
      const tries = t.retries + 1;
      if (tries >= MAX_EMAIL_TRIES) return done({ type: 'order_not_found', orderId: t.slots.orderId });
      return out({ task: { ...t, slots: withoutSlots(t.slots, 'email'), retries: tries, awaiting: 'email' }, result: { type: 'verify_failed', orderId: t.slots.orderId } });
    }
  }

  if (!t.slots.orderId) {
    const orders = (await store.listOrders(who)).filter((o) => !t.excluded.includes(o.id));
    const fitting = orders.filter((o) => eligible(t.kind, o));
    const candidates = fitting.length ? fitting : orders;
    if (candidates.length === 1) t = { ...t, slots: { ...t.slots, orderId: candidates[0]!.id } };
    else if (candidates.length > 1) {
      const shown = candidates.slice(0, 5);
      return out({ task: { ...t, awaiting: 'choice', options: shown.map((o) => o.id) }, result: { type: 'task_choose', kind: t.kind, orders: shown.map(summarize), resume } });
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
    if (!t.slots.email) {
      return out({ task: { ...t, awaiting: 'email', retries: t.awaiting === 'email' ? t.retries : 0 }, result: { type: 'order_not_found', orderId } });
    }
    const tries = t.retries + 1;
    if (tries >= MAX_EMAIL_TRIES) return done({ type: 'order_not_found', orderId });
    return out({ task: { ...t, slots: rest, awaiting: 'orderId', retries: tries }, result: { type: 'order_not_found', orderId } });
  }
  t = { ...t, slots: withoutSlots({ ...t.slots, orderId: order.id }, 'email') };

  /**
   * Before a change, a shopper who may only see the order proves it is theirs with a code sent to
   * the order's e-mail. Returns the step to answer with, or undefined once they may manage it.
   */
  const proveOwnership = async (): Promise<TaskStepOutcome | undefined> => {
    if (accessTo(order, who, deps.now()) === 'manage') return undefined;
    const checks = deps.checks;
    if (!checks) return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: 'verification_required' });
    try {
      const { code, codeHash, codeExpires } = t.slots;
      if (code && codeHash && codeExpires) {
        const verdict = await checks.checkCode({ conversationId: ctx.conversationId, orderId: order.id, code, hash: codeHash, expiresAt: Number(codeExpires) });
        if (verdict === 'ok') {
          grant(order.id, 'manage');
          t = { ...t, slots: withoutSlots(t.slots, 'code', 'codeHash', 'codeExpires'), retries: 0 };
          return undefined;
        }
        if (verdict === 'wrong') {
          const tries = t.retries + 1;
          if (tries >= MAX_CODE_TRIES) return done({ type: 'code_failed', orderId: order.id });
          return out({ task: { ...t, slots: withoutSlots(t.slots, 'code'), awaiting: 'code', retries: tries }, result: { type: 'code_invalid', orderId: order.id } });
        }
      }
      const sent = await checks.sendCode({ conversationId: ctx.conversationId, orderId: order.id, lang: ctx.lang });
      if (!sent) return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: 'verification_required' });
      const slots = { ...withoutSlots(t.slots, 'code'), codeHash: sent.hash, codeExpires: String(sent.expiresAt) };
      return out({ task: { ...t, slots, awaiting: 'code', retries: 0 }, result: { type: 'code_sent', kind: t.kind, orderId: order.id, sentTo: sent.sentTo, outbox: sent.outbox } });
    } catch (err) {
      return throttled(err);
    }
  };

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
        {
          const proof = await proveOwnership();
          if (proof) return proof;
        }
        if (!t.confirm) return out({ task: { ...t, awaiting: 'confirm', retries: 0 }, result: { type: 'task_confirm', kind: t.kind, order: summarize(order) } });
        {
          const cancelled = await store.cancelOrder(order.id, who);
          const refund = await store.refundStatus(order.id, who);
          return done({ type: 'task_done', kind: t.kind, order: summarize(cancelled), ...(refund ? { refund } : {}) });
        }
      case 'change_address':
        if (order.status !== 'processing') {
          return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: order.status === 'cancelled' ? 'already_cancelled' : 'already_shipped' });
        }
        {
          const proof = await proveOwnership();
          if (proof) return proof;
        }
        if (!t.slots.address) return ask('address');
        if (!t.confirm) return out({ task: { ...t, awaiting: 'confirm', retries: 0 }, result: { type: 'task_confirm', kind: t.kind, order: summarize(order), address: t.slots.address } });
        {
          const changed = await store.changeOrder(order.id, who, { type: 'shipping_address', address: t.slots.address });
          return done({ type: 'task_done', kind: t.kind, order: summarize(changed), ...(changed.shippingAddress ? { address: changed.shippingAddress } : {}) });
        }
      case 'return_order': {
        if (order.status === 'return_requested' || order.status === 'refunded') return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: 'already_returned' });
        if (order.status === 'cancelled') return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: 'already_cancelled' });
        if (order.status !== 'delivered') return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: 'not_delivered' });
        {
          const proof = await proveOwnership();
          if (proof) return proof;
        }
        const reason = t.slots.reason;
        if (!isReturnReason(reason)) return ask('reason');
        if (!t.confirm) return out({ task: { ...t, awaiting: 'confirm', retries: 0 }, result: { type: 'task_confirm', kind: t.kind, order: summarize(order), reason } });
        const ret = await store.startReturn(order.id, who, reason, t.slots.note);
        return done({ type: 'return_started', order: summarize(order), ret });
      }
    }
  } catch (err) {
    if (err instanceof OrderNotAllowedError) return done({ type: 'task_not_allowed', kind: t.kind, order: summarize(order), reason: err.reason });
    throw err;
  }
}
