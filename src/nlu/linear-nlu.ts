/**
 * The linear baseline as an `Nlu`: language detection, the linear intent model and rule-based
 * entities. Pure computation once the model is loaded.
 */
import { ShopbotError } from '../errors.js';
import type { Lang } from '../messages.js';
import { extractEntities } from './entities.js';
import { detectLang } from './lang.js';
import { classify, loadLinearModel, type LinearModel } from './linear.js';
import type { Nlu, NluResult } from './types.js';

/** Longer messages are rejected upstream (MESSAGE_TOO_LONG); the cap here keeps parse bounded anyway. */
const MAX_TEXT = 4000;

export const LINEAR_ENGINE = 'linear';

export interface LinearNluOptions {
  /** Currency for amounts without a symbol; defaults to USD for English and CNY for Chinese. */
  readonly defaultCurrency?: string;
}

export function createLinearNlu(model: LinearModel, options: LinearNluOptions = {}): Nlu {
  let isClosed = false;
  return {
    async parse(text: string, opts?: { signal?: AbortSignal; langHint?: Lang }): Promise<NluResult> {
      if (isClosed) throw new ShopbotError('INTERNAL', 'linear NLU used after close()');
      opts?.signal?.throwIfAborted();
      const input = text.slice(0, MAX_TEXT);
      // A hint only decides when the text itself has no letters to go on ("123", emoji).
      const lang = /[\p{L}]/u.test(input) ? detectLang(input) : (opts?.langHint ?? detectLang(input));
      const { intent, confidence, ranking } = classify(model, input);
      const entities = extractEntities(input, { lang, ...(options.defaultCurrency ? { defaultCurrency: options.defaultCurrency } : {}) });
      return { lang, intent, confidence, ranking, entities, engine: LINEAR_ENGINE };
    },
    async close(): Promise<void> {
      isClosed = true;
    },
  };
}

/** Loads the weights from `dir` (e.g. models/intent-linear); MODEL_MISSING when absent. */
export async function openLinearNlu(dir: string, options: LinearNluOptions = {}): Promise<Nlu> {
  return createLinearNlu(await loadLinearModel(dir), options);
}
