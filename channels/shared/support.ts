/**
 * Support channel mode: escalations are posted into a Teams or Slack channel as a thread, agents
 * reply in that thread and the reply reaches the shopper; the shopper's further messages are
 * mirrored into the thread; a button hands the conversation back to the bot.
 *
 * The handoff stage (src/handoff) calls a SupportDesk; the desk calls SupportCallbacks back.
 */
import { isShopbotError } from '../../src/errors.js';
import { parseAgentCommand, type Escalation, type SupportCallbacks, type SupportDesk as HandoffDesk } from '../../src/handoff/index.js';

export type { Escalation, SupportCallbacks };

/**
 * Runs an agent's reply or hand-back from a support thread: true when done, false when the handoff
 * stage refused it (FORBIDDEN: the agent neither holds the conversation nor is an admin), so the
 * channel can say so in the thread instead of failing the whole request.
 */
export async function tryAgentAction(action: () => Promise<void>): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (err) {
    if (isShopbotError(err) && err.code === 'FORBIDDEN') return false;
    throw err;
  }
}

/** Said in the thread when tryAgentAction returns false; `who` is the channel's mention or name. */
export const refusedAgentAction = (who: string): string => `${who}: only the agent holding this conversation, or an admin, can reply to it, hand it back or use its tools.`;

/**
 * An agent's message in an escalation thread: a `!command` runs the desk's tool (src/handoff/commands.ts)
 * and never reaches the shopper; anything else is a reply. Returns what to say in the thread, if anything.
 */
export async function agentThreadMessage(support: SupportCallbacks, conversationId: string, agentId: string, text: string, thread: { who: string; escape(text: string): string }): Promise<string | undefined> {
  const command = parseAgentCommand(text);
  let answer: string | undefined;
  const allowed = await tryAgentAction(async () => {
    if (command) answer = await support.command(conversationId, agentId, command);
    else await support.agentReply(conversationId, agentId, text);
  });
  // The answer may quote what the agent typed (a team name, a tag), so it is escaped for the channel; `who` is the channel's own mention.
  return allowed ? (answer === undefined ? undefined : thread.escape(answer)) : refusedAgentAction(thread.who);
}

/** The handoff stage's desk (post, mirror, close a thread), plus closing the channel's own connections. */
export interface SupportDesk extends HandoffDesk {
  close(): Promise<void>;
}

/**
 * Which support thread belongs to which shopper conversation. Kept behind an interface so the
 * composition root can persist it; the in-memory directory loses open threads on restart.
 */
export interface ThreadDirectory {
  set(conversationId: string, threadRef: string): Promise<void>;
  byConversation(conversationId: string): Promise<string | undefined>;
  byThread(threadRef: string): Promise<string | undefined>;
  remove(conversationId: string): Promise<void>;
}

export class MemoryThreadDirectory implements ThreadDirectory {
  private readonly threads = new Map<string, string>();
  private readonly conversations = new Map<string, string>();
  constructor(private readonly maxEntries = 10_000) {}

  async set(conversationId: string, threadRef: string): Promise<void> {
    await this.remove(conversationId);
    this.threads.set(conversationId, threadRef);
    this.conversations.set(threadRef, conversationId);
    // Oldest first out: an escalation this old has long been handled or gone stale.
    while (this.threads.size > this.maxEntries) {
      const oldest = this.threads.keys().next().value as string;
      await this.remove(oldest);
    }
  }
  async byConversation(conversationId: string): Promise<string | undefined> {
    return this.threads.get(conversationId);
  }
  async byThread(threadRef: string): Promise<string | undefined> {
    return this.conversations.get(threadRef);
  }
  async remove(conversationId: string): Promise<void> {
    const ref = this.threads.get(conversationId);
    if (ref !== undefined) this.conversations.delete(ref);
    this.threads.delete(conversationId);
  }
}
