/**
 * A local Entra JWKS and Bot Connector API (one HTTP server, port 0). Tokens for incoming
 * activities are signed here with a key made in the test; outbound calls are recorded and
 * checked for the bearer token our fake token provider hands out.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { startJsonServer, type JsonReply, type JsonServer } from '../../helpers/json-server.js';
import type { AuthConfiguration, AuthProvider, Connections } from '@microsoft/agents-hosting';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export const OUTBOUND_TOKEN = 'test-outbound-token';
export const TENANT = '8f4b1c2d-1111-4a2b-9c3d-123456789abc';

export interface ConnectorCall {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  readonly body: Record<string, unknown>;
}

export class FakeBotConnector extends EventEmitter {
  readonly calls: ConnectorCall[] = [];
  failures: { status: number; retryAfterSec?: number }[] = [];
  url = '';
  private server?: JsonServer;
  private privateKey?: CryptoKey;
  private jwk?: JWK;
  private seq = 0;

  get authority(): string {
    return `${this.url}/${TENANT}`;
  }

  async start(): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    this.privateKey = privateKey;
    this.jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', use: 'sig', alg: 'RS256' };
    this.server = await startJsonServer((req) => this.handle(req));
    this.url = this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  /**
   * A token as Entra would issue it for the bot's app id; overrides make it wrong on purpose.
   * `serviceurl` replaces the claim (this connector's URL by default); null leaves it out.
   */
  async token(appId: string, o: { iss?: string; aud?: string; expSec?: number; key?: CryptoKey; kid?: string; serviceurl?: string | null } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const serviceurl = o.serviceurl === undefined ? this.url : o.serviceurl;
    return new SignJWT({ ...(serviceurl === null ? {} : { serviceurl }), tid: TENANT })
      .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'test-key-1' })
      .setIssuer(o.iss ?? `${this.authority}/v2.0`)
      .setAudience(o.aud ?? appId)
      .setIssuedAt(now - 10)
      .setNotBefore(now - 10)
      .setExpirationTime(o.expSec ?? now + 3600)
      .sign(o.key ?? this.privateKey!);
  }

  waitFor(predicate: (c: ConnectorCall) => boolean, nth = 1): Promise<ConnectorCall> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.calls.filter(predicate);
        if (found.length >= nth) {
          this.off('call', check);
          resolve(found[nth - 1]!);
        }
      };
      this.on('call', check);
      check();
    });
  }

  private async handle(req: IncomingMessage): Promise<JsonReply> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = decodeURIComponent((req.url ?? '').replace(/\?.*$/, ''));
    if (req.method === 'GET' && path === `/${TENANT}/discovery/v2.0/keys`) return { status: 200, body: { keys: [this.jwk] } };
    const call: ConnectorCall = { method: req.method ?? '', path, authorization: req.headers.authorization, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} };
    if (!path.startsWith('/v3/conversations/')) return { status: 404, body: { error: 'not found' } };
    if (this.failures.length) {
      const f = this.failures.shift()!;
      this.calls.push({ ...call, method: `${call.method}#${f.status}` });
      this.emit('call');
      return { status: f.status, headers: f.retryAfterSec !== undefined ? { 'retry-after': String(f.retryAfterSec) } : {}, body: { error: { code: 'Throttled' } } };
    }
    this.calls.push(call);
    this.emit('call');
    if (call.authorization !== `Bearer ${OUTBOUND_TOKEN}`) return { status: 401, body: { error: { code: 'Unauthorized' } } };
    return { status: 200, body: { id: `act-${++this.seq}` } };
  }
}

/** Outbound Bot Connector tokens without MSAL (which insists on an https authority). */
export class FakeAuthProvider implements AuthProvider {
  connectionSettings?: AuthConfiguration;
  constructor(settings: AuthConfiguration) {
    this.connectionSettings = settings;
  }
  async getAccessToken(): Promise<string> {
    return OUTBOUND_TOKEN;
  }
  getAgenticApplicationToken = async (): Promise<string> => OUTBOUND_TOKEN;
  getAgenticInstanceToken = async (): Promise<string> => OUTBOUND_TOKEN;
  getAgenticUserToken = async (): Promise<string> => OUTBOUND_TOKEN;
  async acquireTokenOnBehalfOf(): Promise<string> {
    return OUTBOUND_TOKEN;
  }
}

export class FakeConnections implements Connections {
  private readonly provider: FakeAuthProvider;
  constructor(private readonly settings: AuthConfiguration) {
    this.provider = new FakeAuthProvider(settings);
  }
  getConnection = (): AuthProvider => this.provider;
  getDefaultConnection = (): AuthProvider => this.provider;
  getTokenProvider = (): AuthProvider => this.provider;
  getTokenProviderFromActivity = (): AuthProvider => this.provider;
  getDefaultConnectionConfiguration = (): AuthConfiguration => this.settings;
}
