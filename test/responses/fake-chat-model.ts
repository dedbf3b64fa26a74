/** A chat model (the whole ChatModelLike interface) that answers what the test scripts and records what it was sent. */
import type { BaseMessage } from '@langchain/core/messages';
import type { ChatModelLike } from '../../src/responses/llm.js';

export class FakeChatModel implements ChatModelLike {
  readonly calls: BaseMessage[][] = [];
  constructor(public answer: (messages: readonly BaseMessage[]) => string) {}
  async invoke(messages: BaseMessage[], options?: { signal?: AbortSignal }): Promise<{ content: unknown }> {
    options?.signal?.throwIfAborted();
    this.calls.push(messages);
    return { content: this.answer(messages) };
  }
}
