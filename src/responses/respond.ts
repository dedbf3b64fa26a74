/**
 * The response stage: templates filled from the action results, an optional generator (LLM) that
 * rewrites the grounded draft, and the grounding checker over whatever is about to be sent. A
 * generated reply that fails the checker is dropped for the template; a template reply that fails
 * (a bug) is replaced by a safe fallback. Either way the failure is reported through `onEvent`.
 */
import type { StoreContact } from '../config.js';
import type { Lang, OutboundMessage } from '../messages.js';
import { composeReply, type ActionResult } from './compose.js';
import { checkGrounding, collectFacts, type Violation } from './grounding.js';
import { render, type Templates } from '../templates/index.js';
import type { VariantRanker } from './variants.js';

export type ComposedReply = Pick<OutboundMessage, 'text' | 'products' | 'quickReplies' | 'cart' | 'handoff'>;

export interface GenerateInput {
  readonly lang: Lang;
  /** The shopper's message: untrusted text, passed to the model as data only. */
  readonly userText: string;
  /** The action results of this turn: the only facts the model may use. */
  readonly facts: readonly ActionResult[];
  /** The grounded template reply, which the model may rephrase. */
  readonly draft: string;
  readonly signal?: AbortSignal;
}

/** Generates a reply text (an LLM behind langchain, see llm.ts). */
export interface ReplyGenerator {
  generate(input: GenerateInput): Promise<string>;
}

export interface ResponderEvent {
  readonly type: 'grounding_failed' | 'generation_rejected' | 'generation_failed';
  readonly source: 'template' | 'llm';
  readonly violations: readonly Violation[];
  readonly error?: string;
}

export interface Responded {
  readonly reply: ComposedReply;
  readonly source: 'template' | 'llm' | 'fallback';
  readonly violations: readonly Violation[];
}

/**
 * How a reply is worded (a reply experiment's variant): which template variant is used (the
 * response model's choice, the per-turn rotation, or always the first), and whether the LLM may
 * rewrite it. Unset fields keep the configured behaviour.
 */
export interface ReplyStyle {
  readonly chooser?: 'model' | 'rotation' | 'first';
  readonly generator?: boolean;
}

export interface Responder {
  respond(input: { lang: Lang; results: readonly ActionResult[]; seed: number; userText: string; signal?: AbortSignal; style?: ReplyStyle }): Promise<Responded>;
}

const FIRST_VARIANT = () => 0;

/** Results worth a generated sentence: not bare cards, not a handoff (whose wording is fixed). */
function generatable(results: readonly ActionResult[]): boolean {
  return results.length > 0 && results.every((r) => r.type !== 'handoff' && r.type !== 'task_confirm' && r.type !== 'checkout_done');
}

export function createResponder(deps: {
  templates: Templates;
  generator?: ReplyGenerator;
  ranker?: VariantRanker;
  /** The store's own host names: links there may appear in a reply (grounding.ts hostsOf). */
  ownHosts?: readonly string[];
  /** The store's contact details, quoted when no one is online in the chat (config `store.contact`). */
  contact?: StoreContact;
  onEvent?: (e: ResponderEvent) => void;
}): Responder {
  return {
    async respond({ lang, results, seed, userText, signal, style = {} }) {
      const used: string[] = [];
      const chooser = style.chooser ?? 'model';
      const choose = chooser === 'first' ? FIRST_VARIANT : chooser === 'model' && deps.ranker ? await deps.ranker.chooserFor(lang, userText) : undefined;
      const reply = composeReply(deps.templates, lang, results, seed, used, choose, deps.contact);
      const facts = collectFacts(results, used, deps.ownHosts);
      const checked = checkGrounding(reply.text, facts, { literals: used, lang });
      if (!checked.ok) {
        deps.onEvent?.({ type: 'grounding_failed', source: 'template', violations: checked.violations });
        return {
          reply: { ...reply, text: render(deps.templates, lang, 'grounding_fallback', {}, seed), quickReplies: [{ label: render(deps.templates, lang, 'qr_human'), text: render(deps.templates, lang, 'qr_human') }] },
          source: 'fallback',
          violations: checked.violations,
        };
      }
      if (!deps.generator || style.generator === false || !generatable(results)) return { reply, source: 'template', violations: [] };
      let text: string;
      try {
        text = (await deps.generator.generate({ lang, userText, facts: results, draft: reply.text, ...(signal ? { signal } : {}) })).trim();
      } catch (err) {
        signal?.throwIfAborted();
        deps.onEvent?.({ type: 'generation_failed', source: 'llm', violations: [], error: (err as Error).message });
        return { reply, source: 'template', violations: [] };
      }
      const generated = checkGrounding(text, facts, { literals: used, lang, isGenerated: true });
      if (!text || !generated.ok) {
        deps.onEvent?.({ type: 'generation_rejected', source: 'llm', violations: generated.violations });
        return { reply, source: 'template', violations: generated.violations };
      }
      return { reply: { ...reply, text }, source: 'llm', violations: [] };
    },
  };
}
