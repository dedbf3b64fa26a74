/**
 * Who may see or change an order, decided once for every store connector (Shopify's order status
 * page and Zendesk's guest lookups work the same way):
 * - the shopper whose server-minted user id placed it (this conversation's checkout) may manage it;
 * - a store customer, named by a store-signed identity, may manage their own orders (by customer id,
 *   or by the e-mail the store vouched for);
 * - a guest who gave the order number with the e-mail on that order may see its status, and after a
 *   one-time code sent to that e-mail, manage it (grants in the conversation state, with an expiry).
 * An e-mail address a shopper types proves nothing by itself.
 */
import { sameOrderId } from '../text/index.js';
import { ShopbotError } from '../errors.js';

export type AccessLevel = 'none' | 'status' | 'manage';

export interface OrderGrant {
  readonly orderId: string;
  readonly level: Exclude<AccessLevel, 'none'>;
  /** Epoch ms. */
  readonly until: number;
}

/** Who is asking: the conversation's user, the verified store customer if any, and their grants. */
export interface Requester {
  readonly userId: string;
  readonly customer?: { readonly id: string; readonly email: string };
  readonly grants?: readonly OrderGrant[];
}

/** How long a proof lasts: seeing a status for a day, changing an order for half an hour. */
export const GRANT_TTL_MS: Readonly<Record<OrderGrant['level'], number>> = { status: 24 * 3_600_000, manage: 30 * 60_000 };

/** "SB-123456", "sb123456", "#1001" and "1001" name the same order. */
export { sameOrderId };

export function accessTo(order: { readonly id: string; readonly userId: string; readonly email?: string; readonly customerId?: string }, who: Requester, nowMs: number): AccessLevel {
  if (order.userId === who.userId) return 'manage';
  const c = who.customer;
  if (c && ((order.customerId !== undefined && order.customerId === c.id) || (!!order.email && order.email.toLowerCase() === c.email.toLowerCase()))) return 'manage';
  let level: AccessLevel = 'none';
  for (const g of who.grants ?? []) {
    if (g.until <= nowMs || !sameOrderId(g.orderId, order.id)) continue;
    if (g.level === 'manage') return 'manage';
    level = 'status';
  }
  return level;
}

/** Adds (or upgrades) a grant, dropping expired ones and keeping the newest few. */
export function withGrant(grants: readonly OrderGrant[], orderId: string, level: OrderGrant['level'], nowMs: number): OrderGrant[] {
  const kept = grants.filter((g) => g.until > nowMs && !(sameOrderId(g.orderId, orderId) && (g.level === level || level === 'manage')));
  return [...kept, { orderId, level, until: nowMs + GRANT_TTL_MS[level] }].slice(-10);
}

/** The shopper may see the order but must prove it is theirs (a one-time code) before changing it. */
export class VerificationRequiredError extends ShopbotError {
  constructor(readonly orderId: string) {
    super('FORBIDDEN', `changing order ${orderId} needs a verified identity or a one-time code`);
    this.name = 'VerificationRequiredError';
  }
}
