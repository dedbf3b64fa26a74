import type { ChannelPlugin } from '../../../src/channel.js';
import { isDemoStore } from '../../../src/config.js';
import { ShopbotError } from '../../../src/errors.js';
import type { HttpServer } from '../../../src/server/index.js';
import { createAgentAuth, parseAgentUsers } from '../console/index.js';
import { mountMerchantDashboard } from './routes.js';

export { mountMerchantDashboard, merchantOf, type MerchantDashboardDeps } from './routes.js';

/** Merchant sessions are signed under their own label: a console token does not open the dashboard. */
export const MERCHANT_SESSION_LABEL = 'merchant-session';

/** The names of `agents.merchants`, each of which must be an account in `agents.users`. */
export function merchantNames(users: string | undefined, merchants: string | undefined): string[] {
  const names = (merchants ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const accounts = new Set(parseAgentUsers(users).map((u) => u.name));
  const missing = names.filter((n) => !accounts.has(n));
  if (missing.length) throw new ShopbotError('CONFIG_INVALID', `agents.merchants (SHOPBOT_MERCHANTS): ${missing.join(', ')} not in agents.users`);
  return names;
}

/** The merchant dashboard at /admin, when `agents.merchants` names accounts of `agents.users`. */
export function merchantDashboardChannel(http: HttpServer): ChannelPlugin {
  return async (app) => {
    const { config } = app;
    const names = merchantNames(config.agents.users, config.agents.merchants);
    if (names.length === 0) return { close() {} };
    const auth = await createAgentAuth({
      users: config.agents.users,
      ...(config.security.sessionSecret ? { secret: config.security.sessionSecret } : {}),
      allowEphemeralKey: isDemoStore(config),
      now: Date.now,
      role: { names, sessionLabel: MERCHANT_SESSION_LABEL },
    });
    mountMerchantDashboard(http, { auth, limits: app.limits, funnel: app.funnel, history: (id) => app.history(id), now: Date.now, catalog: app.catalog, experiments: app.experiments, maxPerBrand: config.ranking.maxPerBrand, alerts: (text) => app.alertMerchant(text) });
    return { close() {} };
  };
}
