/**
 * Retention and erasure. A sweep deletes what is older than the retention period: idle
 * conversations with their transcripts, closed handoff tickets (their briefs quote the shopper) and
 * `slate` events (their payload holds the query and every candidate's features). A forget request
 * deletes one shopper's data everywhere we keep it and anonymises what the store must keep.
 */
import { z } from 'zod';
import { ShopbotError } from '../errors.js';
import { sanitizeText } from './sanitize.js';

const DAY_MS = 86_400_000;
/** Hourly: a conversation outlives the retention period by at most an hour. */
export const SWEEP_INTERVAL_MS = 3_600_000;
/** The user id anonymised rows carry after a forget request. */
export const FORGOTTEN_USER_ID = '[forgotten]';

export const UserIdSchema = z
  .string()
  .transform((s) => sanitizeText(s).trim())
  .pipe(z.string().min(1).max(200))
  .refine((s) => s !== FORGOTTEN_USER_ID, 'this id stands for users already forgotten');

export interface Deleted {
  readonly conversations: number;
  readonly messages: number;
}

/** What privacy needs from each store; app.ts passes the engines it opened. */
export interface PrivacyStores {
  readonly states: { deleteInactive(cutoffMs: number): Promise<Deleted>; deleteUser(userId: string): Promise<Deleted> };
  readonly funnel: { deleteBefore(cutoffMs: number, types: readonly 'slate'[]): Promise<number>; deleteUser(userId: string): Promise<number> };
  readonly tickets: { deleteClosedBefore(cutoffMs: number): Promise<number>; deleteUser(userId: string): Promise<number> };
  /** Carts and the demo store's orders. */
  readonly shop: { forgetUser(userId: string, replacementId: string): Promise<{ cartItems: number; orders: number }> };
  readonly coupons: { forgetUser(userId: string, replacementId: string): Promise<{ codesDeleted: number; redemptionsAnonymised: number }> };
  /** Writes queued funnel events, so none of a forgotten user's arrive after their deletion. */
  readonly flushFunnel: () => Promise<void>;
}

export interface SweepResult {
  /** Everything before this instant was in scope; undefined when retention is off (0 days). */
  readonly cutoffMs?: number;
  readonly conversations: number;
  readonly messages: number;
  readonly tickets: number;
  readonly slates: number;
}

export interface ForgetResult {
  readonly userId: string;
  readonly conversations: number;
  readonly messages: number;
  readonly cartItems: number;
  /** Orders kept as the store's records, with the user id, e-mail and address removed. */
  readonly ordersAnonymised: number;
  readonly funnelEvents: number;
  readonly couponCodesDeleted: number;
  /** Redemptions kept for budget accounting, with the user id replaced. */
  readonly couponRedemptionsAnonymised: number;
  readonly tickets: number;
}

export interface Privacy {
  sweep(): Promise<SweepResult>;
  forget(userId: string): Promise<ForgetResult>;
}

export function createPrivacy(deps: { stores: PrivacyStores; retentionDays: number; now: () => number }): Privacy {
  const { stores } = deps;
  return {
    async sweep() {
      if (deps.retentionDays === 0) return { conversations: 0, messages: 0, tickets: 0, slates: 0 };
      const cutoffMs = deps.now() - deps.retentionDays * DAY_MS;
      const states = await stores.states.deleteInactive(cutoffMs);
      const tickets = await stores.tickets.deleteClosedBefore(cutoffMs);
      const slates = await stores.funnel.deleteBefore(cutoffMs, ['slate']);
      return { cutoffMs, ...states, tickets, slates };
    },

    async forget(raw) {
      const parsed = UserIdSchema.safeParse(raw);
      if (!parsed.success) throw new ShopbotError('BAD_REQUEST', `invalid user id: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      const userId = parsed.data;
      await stores.flushFunnel();
      const states = await stores.states.deleteUser(userId);
      const tickets = await stores.tickets.deleteUser(userId);
      const shop = await stores.shop.forgetUser(userId, FORGOTTEN_USER_ID);
      const coupons = await stores.coupons.forgetUser(userId, FORGOTTEN_USER_ID);
      const funnelEvents = await stores.funnel.deleteUser(userId);
      return {
        userId,
        ...states,
        cartItems: shop.cartItems,
        ordersAnonymised: shop.orders,
        funnelEvents,
        couponCodesDeleted: coupons.codesDeleted,
        couponRedemptionsAnonymised: coupons.redemptionsAnonymised,
        tickets,
      };
    },
  };
}

/**
 * Runs the sweep every `intervalMs` on an unref'd timer (it never keeps the process alive).
 * A failed sweep is logged and counted, and the next tick tries again; `stop()` waits for a sweep
 * in flight, so the stores are not closed under it.
 */
export function scheduleSweeps(privacy: Privacy, options: { intervalMs: number; log: { error(obj: unknown, msg?: string): void } }): { readonly failedSweeps: number; stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let failedSweeps = 0;
  const timer = setInterval(() => {
    if (running) return;
    running = privacy
      .sweep()
      .then(() => undefined, (err: unknown) => {
        failedSweeps++;
        options.log.error({ err, failedSweeps }, 'retention sweep failed; will retry on the next tick');
      })
      .finally(() => {
        running = undefined;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    get failedSweeps() {
      return failedSweeps;
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
