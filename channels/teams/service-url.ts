/**
 * Where the Teams channel may send the bot's Bot Connector token. Every reply, and every later
 * proactive message from a stored conversation reference, is POSTed with that token to the
 * activity's `serviceUrl`, a value the request itself names. A correctly signed activity (or a
 * reference poisoned by one) must therefore not be able to point it at any other host.
 *
 * A serviceUrl passes when it is https, its host matches the allowlist (Microsoft's Bot Connector
 * hosts plus `teams.serviceUrlHosts`), and, when the caller's token carries a `serviceurl` claim,
 * it is that same URL. Plain http is accepted only for loopback hosts that the operator listed
 * (local fakes in tests).
 */
import { ShopbotError } from '../../src/errors.js';

/**
 * Bot Connector hosts for Teams and the other Bot Framework channels, per cloud (Microsoft's Teams
 * SDK lists the same Teams hosts for its service URL validation). Wildcards are used only for
 * domains that Microsoft alone can add names to: `*.trafficmanager.net` is not here, because
 * anyone with an Azure subscription can create `<name>.trafficmanager.net`.
 */
export const DEFAULT_SERVICE_URL_HOSTS: readonly string[] = [
  'smba.trafficmanager.net', // Teams, public cloud (amer/emea/apac/teams paths)
  'smba.onyx.prod.teams.trafficmanager.net', // Teams, public cloud
  'smba.infra.gcc.teams.microsoft.com', // Teams, GCC
  'smba.infra.gov.teams.microsoft.us', // Teams, GCC High
  'smba.infra.dod.teams.microsoft.us', // Teams, DoD
  'frontend.botapi.msg.infra.teams.microsoftonline.cn', // Teams, China (21Vianet)
  '*.botframework.com', // Web Chat, Direct Line and other Bot Framework channels
  '*.botframework.us', // the same in the US government cloud
  '*.botframework.azure.us',
];

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

export interface ServiceUrlPolicy {
  /** Throws SERVICE_URL_REFUSED unless the URL may receive the bot's token. */
  assertAllowed(serviceUrl: unknown): void;
  /** assertAllowed, plus: equal to the `serviceurl` claim of the token the request was signed with, when it has one. */
  assertInbound(serviceUrl: unknown, claims: Readonly<Record<string, unknown>> | undefined): void;
}

function matches(pattern: string, host: string): boolean {
  return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;
}

/** Scheme, host, port and path, without the trailing slash that the claim and the activity may differ by. */
function canonical(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`;
}

function refuse(message: string): never {
  throw new ShopbotError('SERVICE_URL_REFUSED', message);
}

export function createServiceUrlPolicy(configuredHosts: readonly string[]): ServiceUrlPolicy {
  const configured = configuredHosts.map((h) => h.toLowerCase());
  const all = [...DEFAULT_SERVICE_URL_HOSTS, ...configured];
  const parse = (serviceUrl: unknown): URL => {
    if (typeof serviceUrl !== 'string' || !URL.canParse(serviceUrl)) refuse('the activity has no valid serviceUrl');
    return new URL(serviceUrl);
  };
  const assertAllowed = (serviceUrl: unknown): URL => {
    const url = parse(serviceUrl);
    const host = url.hostname;
    if (!all.some((p) => matches(p, host))) refuse(`serviceUrl host ${host} is not a Bot Framework host (teams.serviceUrlHosts adds hosts)`);
    const isLocalFake = url.protocol === 'http:' && LOOPBACK.test(host) && configured.some((p) => matches(p, host));
    if (url.protocol !== 'https:' && !isLocalFake) refuse('serviceUrl must be https');
    return url;
  };
  return {
    assertAllowed,
    assertInbound(serviceUrl, claims) {
      const url = assertAllowed(serviceUrl);
      const claim = claims?.serviceurl;
      if (claim === undefined) return;
      if (typeof claim !== 'string' || !URL.canParse(claim) || canonical(new URL(claim)) !== canonical(url)) {
        refuse("serviceUrl differs from the token's serviceurl claim");
      }
    },
  };
}
