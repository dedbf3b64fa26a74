/** Fakes shared by the Teams and Slack channel tests: each implements its whole interface. */
import type { InboundMessage, OutboundMessage } from '../../../src/messages.js';
import type { OutboundClock } from '../../../channels/shared/rate-limit.js';
import type { SupportCallbacks } from '../../../channels/shared/support.js';
import type { AgentCommand } from '../../../src/handoff/index.js';
import type { ChannelLogger } from '../../../channels/shared/types.js';
import { createRng } from '../../../src/maths/index.js';

/** A clock whose sleep advances time at once and records how long it was asked to wait. */
export class FakeClock implements OutboundClock {
  readonly sleeps: number[] = [];
  constructor(public ms: number) {}
  now(): number {
    return this.ms;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.ms += ms;
  }
}

/** Seeded uniform RNG (mulberry32). */
export const seededRandom = createRng;

export class FakeLogger implements ChannelLogger {
  readonly lines: { level: string; obj: unknown; msg?: string }[] = [];
  info(obj: unknown, msg?: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: unknown, msg?: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: unknown, msg?: string): void {
    this.lines.push({ level: 'error', obj, msg });
  }
}

/**
 * Stands in for the assistant's handleTurn: records every InboundMessage and answers with a
 * product slate whose catalog text needs escaping, a coupon and a quick reply.
 */
export class FakeAssistant {
  readonly turns: InboundMessage[] = [];
  silent = false;
  handleTurn = async (msg: InboundMessage): Promise<OutboundMessage> => {
    this.turns.push(msg);
    return {
      conversationId: msg.conversationId,
      lang: 'en',
      text: msg.action ? `ok: ${msg.action.type}` : `You said: ${msg.text}`,
      silent: this.silent,
      products: [
        { id: 'B001', title: 'Boots <b>&</b> *bold* [x](http://evil)', brand: 'Acme', priceCents: 4999, currency: 'USD', rating: 4.5, ratingCount: 12, imageUrl: 'https://img.example/b.jpg', url: 'https://shop.example/b?x=1|2', inStock: true, position: 0, sponsored: true, slateId: 'slate-1' },
        { id: 'B002', title: 'Plain boots', currency: 'USD', inStock: false, position: 1, sponsored: false, slateId: 'slate-1' },
      ],
      coupon: { code: 'SAVE10-ABC', description: 'Ten percent off boots', percentOff: 10, expiresAt: '2026-12-31T00:00:00.000Z' },
      quickReplies: [{ label: 'Cheaper ones', text: 'show me cheaper boots' }],
    };
  };
}

export class FakeSupportCallbacks implements SupportCallbacks {
  readonly replies: { conversationId: string; agentId: string; text: string }[] = [];
  readonly handBacks: { conversationId: string; agentId: string }[] = [];
  async agentReply(conversationId: string, agentId: string, text: string): Promise<void> {
    this.replies.push({ conversationId, agentId, text });
  }
  async handBack(conversationId: string, agentId: string): Promise<void> {
    this.handBacks.push({ conversationId, agentId });
  }
  readonly commands: { conversationId: string; agentId: string; command: AgentCommand }[] = [];
  async command(conversationId: string, agentId: string, command: AgentCommand): Promise<string | undefined> {
    this.commands.push({ conversationId, agentId, command });
    return undefined;
  }
}
