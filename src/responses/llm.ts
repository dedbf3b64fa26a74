/**
 * Optional LLM wording through langchain (`llm.provider`: openai-compatible or ollama; off by
 * default). The model gets the system prompt from prompts/<lang>/llm-system.txt, and one user
 * message holding only data: the turn's action results (FACTS), the grounded template reply
 * (DRAFT) and the shopper's message, each JSON-encoded inside its own block. Untrusted text can
 * therefore never become an instruction by position, cannot close its block, and whatever the
 * model answers still has to pass the grounding checker (respond.ts) or the template is sent.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatOllama } from '@langchain/ollama';
import { ChatOpenAI } from '@langchain/openai';
import type { Config } from '../config.js';
import { ShopbotError } from '../errors.js';
import type { Lang } from '../messages.js';
import type { GenerateInput, ReplyGenerator } from './respond.js';

const MAX_FACTS_CHARS = 8_000;
const MAX_SHOPPER_CHARS = 2_000;
const MAX_REPLY_CHARS = 1_200;

/** The one call shape used from a langchain chat model. */
export interface ChatModelLike {
  invoke(messages: BaseMessage[], options?: { signal?: AbortSignal }): Promise<{ content: unknown }>;
}

export function loadLlmPrompts(promptsDir: string): Record<Lang, string> {
  const load = (lang: Lang) => readFileSync(path.join(promptsDir, lang, 'llm-system.txt'), 'utf8').trim();
  return { en: load('en'), zh: load('zh') };
}

/** Block markers can't be forged: untrusted text is JSON-encoded, and marker words inside it are broken up. */
function quote(value: unknown, maxChars: number): string {
  const json = JSON.stringify(value) ?? 'null';
  return (json.length > maxChars ? JSON.stringify(json.slice(0, maxChars)) : json).replace(/(FACTS|DRAFT|SHOPPER_MESSAGE|END)_?(BLOCK)?/g, (m) => m.split('').join('\u200b'));
}

/** The user message: data only, in fixed blocks. Exported for tests. */
export function buildUserMessage(input: Pick<GenerateInput, 'facts' | 'draft' | 'userText'>): string {
  return [
    'FACTS_BLOCK',
    quote(input.facts, MAX_FACTS_CHARS),
    'END_BLOCK',
    'DRAFT_BLOCK',
    quote(input.draft, MAX_FACTS_CHARS),
    'END_BLOCK',
    'SHOPPER_MESSAGE_BLOCK',
    quote(input.userText.slice(0, MAX_SHOPPER_CHARS), MAX_SHOPPER_CHARS * 2),
    'END_BLOCK',
    'Rewrite the DRAFT for the shopper, following the system rules.',
  ].join('\n');
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  return '';
}

export function createLlmGenerator(deps: { model: ChatModelLike; prompts: Record<Lang, string>; timeoutMs: number }): ReplyGenerator {
  return {
    async generate(input) {
      const timeout = AbortSignal.timeout(deps.timeoutMs);
      const signal = input.signal ? AbortSignal.any([input.signal, timeout]) : timeout;
      const out = await deps.model.invoke([new SystemMessage(deps.prompts[input.lang]), new HumanMessage(buildUserMessage(input))], { signal });
      const text = textOf(out.content).trim();
      if (!text) throw new ShopbotError('INTERNAL', 'the model returned an empty reply');
      return text.slice(0, MAX_REPLY_CHARS);
    },
  };
}

/** The chat model named by `llm.*`, or undefined when generation is off. */
export function openChatModel(llm: Config['llm']): ChatModelLike | undefined {
  switch (llm.provider) {
    case 'none':
      return undefined;
    case 'openai':
      if (!llm.model) throw new ShopbotError('CONFIG_INVALID', 'llm.model (SHOPBOT_LLM_MODEL) is required for the openai provider');
      return new ChatOpenAI({
        model: llm.model,
        apiKey: llm.apiKey ?? 'not-needed',
        temperature: 0.2,
        maxRetries: 1,
        timeout: llm.timeoutMs,
        ...(llm.baseUrl ? { configuration: { baseURL: llm.baseUrl } } : {}),
      });
    case 'ollama':
      if (!llm.model) throw new ShopbotError('CONFIG_INVALID', 'llm.model (SHOPBOT_LLM_MODEL) is required for the ollama provider');
      return new ChatOllama({ model: llm.model, temperature: 0.2, ...(llm.baseUrl ? { baseUrl: llm.baseUrl } : {}) });
  }
}
