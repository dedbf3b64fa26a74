/**
 * FakeApp: the App methods the web gateway uses, for gateway unit tests and the widget's escaping
 * check. Conversations, tokens and limits are the real ones (sessions over an in-memory SQLite
 * state store, memory limits); turns are fake: every text is answered with a fixed catalog slice.
 * It is not a search engine and never stands in for the real app in end-to-end tests.
 */
import { loadConfig, type ConfigInput } from '../../../src/config.js';
import { SqliteStateStore } from '../../../src/dialogue/sqlite-state.js';
import { createConversationTokens, createSessions, type Sessions } from '../../../src/identity/index.js';
import { createLimits, type Limits } from '../../../src/limits/index.js';
import type { CartLine, InboundMessage, OutboundMessage, ProductCard } from '../../../src/messages.js';
import { openSqlite } from '../../../src/storage/sqlite.js';
import type { GatewayLog, WebGatewayDeps } from '../../../channels/web/gateway.js';
import type { TranscriptEntry } from '../../../channels/web/protocol.js';

export const FAKE_IDENTITY_SECRET = 'fake-app-identity-secret-0123456789abcdef';

export class FakeApp {
  readonly turns: InboundMessage[] = [];
  /** Turns whose signal fired before they finished. */
  readonly aborted: InboundMessage[] = [];
  readonly sessions: Sessions;
  readonly limits: Limits;
  private readonly transcripts = new Map<string, TranscriptEntry[]>();
  private gate: { released: Promise<void>; markStarted: () => void } | undefined;
  private slateCounter = 0;
  private readonly carts = new Map<string, CartLine[]>();

  constructor(
    private readonly products: readonly Omit<ProductCard, 'position' | 'slateId'>[] = [],
    limits: ConfigInput['limits'] = {},
  ) {
    const states = new SqliteStateStore(openSqlite(':memory:'));
    this.sessions = createSessions({ tokens: createConversationTokens({ key: Buffer.alloc(32, 7), ttlMs: 3_600_000, now: Date.now }), states, identitySecret: FAKE_IDENTITY_SECRET, now: Date.now });
    this.limits = createLimits(loadConfig({ env: {}, overrides: { limits } }));
  }

  /** The gateway's dependencies, wired to this app the way src/server/http.ts wires the real one. */
  gatewayDeps(log: GatewayLog, overrides: Partial<WebGatewayDeps> = {}): WebGatewayDeps {
    return {
      handleTurn: (m, o) => this.handleTurn(m, o),
      history: (id) => this.history(id),
      hello: ({ conversationId, token, locale, identity }) =>
        conversationId ? this.sessions.resume(conversationId, token, identity) : this.sessions.start({ channel: 'web', ...(locale ? { locale } : {}), ...(identity ? { identity } : {}) }),
      admitMessage: async ({ address, conversationId }) => {
        await this.limits.consume(this.limits.rules.socketMessagePerIp, address);
        await this.limits.consume(this.limits.rules.turnPerConversation, conversationId);
      },
      addressOf: (h) => h.address,
      maxMessageChars: 200,
      log,
      ...overrides,
    };
  }

  /** Turns wait until `release()` is called or their signal aborts; `started` resolves when one begins. */
  hold(): { started: Promise<void>; release: () => void } {
    let markStarted = (): void => {};
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    let release = (): void => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.gate = { released, markStarted };
    return {
      started,
      release: () => {
        this.gate = undefined;
        release();
      },
    };
  }

  async handleTurn(msg: InboundMessage, opts: { signal?: AbortSignal } = {}): Promise<OutboundMessage> {
    this.turns.push(msg);
    const gate = this.gate;
    if (gate) {
      gate.markStarted();
      const signal = opts.signal;
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          this.aborted.push(msg);
          reject(new Error('aborted'));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        void gate.released.then(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
    const slateId = `slate-${++this.slateCounter}`;
    const action = msg.action;
    const cart = this.carts.get(msg.conversationId) ?? [];
    if (action?.type === 'add_to_cart') {
      const product = this.products.find((p) => p.id === action.productId);
      if (product) cart.push({ productId: product.id, title: product.title, quantity: action.quantity, unitPriceCents: product.priceCents ?? 0, currency: product.currency });
    }
    if (action?.type === 'checkout') cart.length = 0;
    this.carts.set(msg.conversationId, cart);
    const reply: OutboundMessage = {
      conversationId: msg.conversationId,
      text: action ? `action ${action.type}` : `You said: ${msg.text}`,
      lang: /[\u4e00-\u9fff]/.test(msg.text) ? 'zh' : 'en',
      products: action ? [] : this.products.map((p, position) => ({ ...p, position, slateId })),
      quickReplies: action ? [] : [{ label: 'Cheaper', text: 'cheaper' }],
      ...(action?.type === 'add_to_cart' || action?.type === 'checkout'
        ? { cart: { lines: [...cart], totalCents: cart.reduce((s, l) => s + l.unitPriceCents * l.quantity, 0), currency: 'USD' } }
        : {}),
    };
    const transcript = this.transcripts.get(msg.conversationId) ?? [];
    transcript.push({ role: 'user', text: msg.text, ts: transcript.length });
    transcript.push({ role: 'bot', text: reply.text, ts: transcript.length, reply });
    this.transcripts.set(msg.conversationId, transcript);
    return reply;
  }

  async history(conversationId: string): Promise<TranscriptEntry[]> {
    return [...(this.transcripts.get(conversationId) ?? [])];
  }
}
