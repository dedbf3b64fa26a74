/**
 * Canned replies: per-language texts an agent sends with one click, their placeholders filled from
 * the ticket's brief (order, its status and delivery date, tracking, the product shown, the cart
 * total, the agent and team). A reply whose placeholder the brief cannot fill is refused, so a
 * shopper never reads "{order}".
 */
import { ShopbotError } from '../errors.js';
import type { CannedReply } from './config.js';
import type { ShopperBrief } from './summary.js';

const PLACEHOLDER = /\{([a-z_]+)\}/g;

/** `agent` is the agent's display name: without one, replies that need {agent} are not offered (an account id is not for shoppers). */
export function placeholderValues(brief: ShopperBrief, who: { agent: string | undefined; team: string }): Record<string, string | undefined> {
  const product = brief.shown[0];
  return {
    agent: who.agent,
    team: who.team,
    order: brief.order?.id,
    order_status: brief.order?.status.replace(/_/g, ' '),
    eta: brief.order?.estimatedDelivery,
    tracking: brief.order?.trackingNumber ? `${brief.order.carrier ? `${brief.order.carrier} ` : ''}${brief.order.trackingNumber}` : undefined,
    product: product?.title,
    cart_total: brief.cart ? `${(brief.cart.totalCents / 100).toFixed(2)} ${brief.cart.currency}` : undefined,
  };
}

/** The canned reply's text in the ticket's language (English when it has none), filled in. */
export function fillCanned(replies: readonly CannedReply[], id: string, lang: string, values: Record<string, string | undefined>): string {
  const reply = replies.find((r) => r.id === id && r.lang === lang) ?? replies.find((r) => r.id === id && r.lang === 'en');
  if (!reply) throw new ShopbotError('NOT_FOUND', `no canned reply ${id}`);
  const missing = [...reply.text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((k) => !values[k]);
  if (missing.length) throw new ShopbotError('BAD_REQUEST', `canned reply ${id} needs ${missing.map((m) => `{${m}}`).join(', ')}, which this conversation does not have`);
  return reply.text.replace(PLACEHOLDER, (_m, k: string) => values[k]!);
}

/** The replies an agent can pick for a ticket: those in its language, each with its filled text when it can be filled. */
export function cannedFor(replies: readonly CannedReply[], lang: string, values: Record<string, string | undefined>): { id: string; title: string; text?: string }[] {
  const ids = [...new Set(replies.map((r) => r.id))];
  return ids.map((id) => {
    const r = replies.find((x) => x.id === id && x.lang === lang) ?? replies.find((x) => x.id === id)!;
    let text: string | undefined;
    try {
      text = fillCanned(replies, id, lang, values);
    } catch {
      text = undefined;
    }
    return { id, title: r.title, ...(text ? { text } : {}) };
  });
}
