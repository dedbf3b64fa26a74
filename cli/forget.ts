/** `shopbot forget --user ID`: deletes one shopper's data (a right-to-erasure request) and says what went. */
import { openApp } from '../src/app.js';
import { UserIdSchema, type ForgetResult } from '../src/privacy/index.js';
import { configFromCli } from './common.js';
import { HelpRequested, parseFlags } from './args.js';

export const USAGE = 'usage: shopbot forget --user ID [--data-dir DIR] [--config FILE]';

export function describeForget(r: ForgetResult): string {
  return [
    `forgot user ${r.userId}:`,
    `  conversations deleted          ${r.conversations} (${r.messages} messages)`,
    `  cart items deleted             ${r.cartItems}`,
    `  orders anonymised              ${r.ordersAnonymised}`,
    `  funnel events deleted          ${r.funnelEvents}`,
    `  coupon codes deleted           ${r.couponCodesDeleted}`,
    `  coupon redemptions anonymised  ${r.couponRedemptionsAnonymised}`,
    `  handoff tickets deleted        ${r.tickets}`,
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let values: { user?: string | undefined; config?: string | undefined; 'data-dir'?: string | undefined };
  try {
    ({ values } = parseFlags(argv, {
    usage: USAGE,
    options: { user: { type: 'string' }, config: { type: 'string' }, 'data-dir': { type: 'string' } } }));
  } catch (err) {
    if (err instanceof HelpRequested) {
      console.log(USAGE);
      return 0;
    }
    console.error(`shopbot forget: ${(err as Error).message.split('\n')[0]} (${USAGE})`);
    return 2;
  }
  if (values.user === undefined) {
    console.error(`shopbot forget: --user is required (${USAGE})`);
    return 2;
  }
  const user = UserIdSchema.safeParse(values.user);
  if (!user.success) {
    console.error(`shopbot forget: bad --user: ${user.error.issues[0]?.message ?? 'invalid'} (${USAGE})`);
    return 2;
  }
  const app = await openApp(configFromCli(values, { logLevel: 'warn' }));
  try {
    console.log(describeForget(await app.privacy.forget(user.data)));
  } finally {
    await app.close();
  }
  return 0;
}
