/**
 * The joint transformer NLU (models/nlu, trained by models/recipes/shopbot_models/joint.py): one
 * ONNX pass gives the intent logits ([CLS] head) and BIO tag logits per token. Tags are read at the
 * first WordPiece of each pre-tokenized word, so words are split here exactly as BertNormalizer +
 * BertPreTokenizer split them (the recipe's `words_with_offsets`), keeping each word's character
 * offsets in the raw text; the ids are the same the tokenizer makes for the whole text.
 *
 * As an `Nlu`: the intent from the transformer, optionally averaged with the linear baseline's
 * probabilities (an ensemble partner); entities from the rule-based extractor, with the tagged
 * spans merged in where the extractor missed them; `spans` carries the tagged spans themselves.
 */
import { ShopbotError } from '../errors.js';
import type { Lang } from '../messages.js';
import {
  detectLang, EN_COLORS, extractEntities, IntentSchema, predictProba, type Entities, type Intent, type LinearModel, type Nlu, type NluResult, type NluSpan,
} from '../nlu/index.js';
import { MicroBatcher } from './batcher.js';
import { ModelCache } from './cache.js';
import { decideIntent } from './intent.js';
import { labelsInOrder, loadOnnxModel, type ModelLogger, type ModelsConfig } from './runtime.js';
import { padBatch, softmax } from './tensors.js';

export const TRANSFORMER_ENGINE = 'transformer';
const MAX_TEXT = 4000;
const CLS = 2;
const SEP = 3;

export interface Word {
  /** The normalized word the tokenizer sees (lower case, accents stripped). */
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

const isCjk = (cp: number) => (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff);
const isAsciiPunct = (cp: number) => (cp >= 0x21 && cp <= 0x2f) || (cp >= 0x3a && cp <= 0x40) || (cp >= 0x5b && cp <= 0x60) || (cp >= 0x7b && cp <= 0x7e);
const isPunct = (ch: string) => isAsciiPunct(ch.codePointAt(0)!) || /\p{P}/u.test(ch);
const isControl = (ch: string) => !'\t\n\r'.includes(ch) && /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u.test(ch);

/** One character as BertNormalizer leaves it: lower case, NFD without combining marks; '' when dropped. */
function normalizeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp === 0 || cp === 0xfffd || isControl(ch)) return '';
  return ch.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
}

/** Pre-tokenized words with their [start, end) offsets (UTF-16) in `raw`. */
export function wordsWithOffsets(raw: string): Word[] {
  const out: Word[] = [];
  let cur = '';
  let start = 0;
  const flush = (end: number) => {
    if (cur) out.push({ word: cur, start, end });
    cur = '';
  };
  let i = 0;
  for (const ch of raw) {
    const at = i;
    i += ch.length;
    const norm = normalizeChar(ch);
    if (/\s/u.test(ch)) flush(at);
    else if (ch.length === 1 && isCjk(ch.charCodeAt(0))) {
      flush(at);
      out.push({ word: ch, start: at, end: at + 1 });
    } else if (norm === '') continue;
    else if (norm.length === 1 && isPunct(norm)) {
      flush(at);
      out.push({ word: norm, start: at, end: at + ch.length });
    } else {
      if (!cur) start = at;
      cur += norm;
    }
  }
  flush(raw.length);
  return out;
}

/**
 * BIO tags per word -> spans. A tag continues the span of its label on the word before, B- or I-:
 * the training data never has two same-label spans side by side, so an adjacent B- is a boundary
 * error (the small model often tags "yoga mat" B B), not a second span. An I- after anything else
 * starts a span.
 */
export function decodeSpans(tags: readonly string[], words: readonly Word[], raw: string): NluSpan[] {
  const out: { label: string; start: number; end: number; last: number }[] = [];
  tags.forEach((tag, w) => {
    if (tag === 'O' || !tag.includes('-')) return;
    const label = tag.slice(2);
    const prev = out[out.length - 1];
    if (prev && prev.label === label && prev.last === w - 1) {
      prev.end = words[w]!.end;
      prev.last = w;
    } else out.push({ label, start: words[w]!.start, end: words[w]!.end, last: w });
  });
  return out.map(({ label, start, end }) => ({ label, start, end, text: raw.slice(start, end) }));
}

export interface JointParse {
  /** Intent probabilities over `labels`. */
  readonly probs: Float32Array;
  readonly spans: readonly NluSpan[];
}

/** Parses are cached and shared between turns: spans are frozen (`probs` is only ever read). */
function frozenParse(p: JointParse): JointParse {
  for (const s of p.spans) Object.freeze(s);
  return Object.freeze({ probs: p.probs, spans: Object.freeze(p.spans) as readonly NluSpan[] });
}

export interface JointModel {
  readonly labels: readonly string[];
  readonly oosLabel: string | undefined;
  readonly oosThreshold: number;
  readonly device: 'cpu' | 'cuda';
  parse(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<JointParse[]>;
  close(): Promise<void>;
}

interface Encoded {
  readonly ids: number[];
  /** Token position of each word's first piece (words cut by truncation are absent). */
  readonly firstPiece: number[];
  readonly words: Word[];
  readonly text: string;
}

/** Opens `models.nlu` (a joint model directory); MODEL_MISSING when absent or of another task. */
export async function openJointModel(cfg: ModelsConfig, log: ModelLogger): Promise<JointModel> {
  const model = await loadOnnxModel(cfg, cfg.nlu, log);
  const extra = model.config.shopbot;
  const id2label = model.config.id2label;
  const tagLabels = extra.tagLabels;
  if (extra.task !== 'joint' || !id2label || !tagLabels) {
    throw new ShopbotError('MODEL_MISSING', `${cfg.nlu} is not a joint intent + span model (config.json lacks id2label or tagLabels)`);
  }
  const labels = labelsInOrder(id2label);
  const maxLen = Math.min(extra.maxLength ?? 64, model.config.max_position_embeddings);
  const encode = (text: string): Encoded => {
    const words = wordsWithOffsets(text);
    const ids = [CLS];
    const firstPiece: number[] = [];
    for (const w of words) {
      const pieces = model.wordPieces(w.word).slice(0, maxLen - 1 - ids.length);
      if (pieces.length === 0) break;
      firstPiece.push(ids.length);
      ids.push(...pieces);
    }
    ids.push(SEP);
    return { ids, firstPiece, words, text };
  };
  const batcher = new MicroBatcher<Encoded, JointParse>(
    async (items) => {
      const batch = padBatch(items.map((i) => i.ids));
      const out = await model.run(batch);
      const logits = out.logits;
      const tagLogits = out.tag_logits;
      if (!logits || !tagLogits) throw new ShopbotError('INTERNAL', `${cfg.nlu}: logits and tag_logits outputs expected`);
      const k = labels.length;
      const nTags = tagLabels.length;
      return items.map((item, b) => {
        const tags = item.firstPiece.map((t) => {
          const base = (b * batch.seqLen + t) * nTags;
          let best = 0;
          for (let j = 1; j < nTags; j++) if (tagLogits.data[base + j]! > tagLogits.data[base + best]!) best = j;
          return tagLabels[best]!;
        });
        return { probs: softmax(logits.data.subarray(b * k, (b + 1) * k)), spans: decodeSpans(tags, item.words, item.text) };
      });
    },
    { maxBatchSize: cfg.maxBatchSize, maxWaitMs: cfg.maxBatchWaitMs },
  );
  // Shoppers repeat short messages ("cheaper", "show more", "thanks"); a parse is a pure function of the text.
  const cache = new ModelCache<JointParse>(cfg.cacheSize);
  const joint: JointModel = {
    labels,
    oosLabel: extra.oosLabel,
    oosThreshold: extra.oosThreshold ?? 0,
    device: model.device,
    async parse(texts, options) {
      options?.signal?.throwIfAborted();
      return cache.through(
        texts.map((t) => t.slice(0, MAX_TEXT)),
        async (missing) => (await batcher.submit(missing.map(encode), options?.signal)).map(frozenParse),
      );
    },
    async close() {
      await batcher.close();
      await model.close();
    },
  };
  await joint.parse(['warm up']);
  return joint;
}

export interface TransformerNluOptions {
  /** The linear baseline as an ensemble partner: its probabilities are averaged with the transformer's. */
  readonly linear?: LinearModel;
  /** Weight of the transformer in the average (1: transformer alone). */
  readonly transformerWeight?: number;
  readonly defaultCurrency?: string;
}

/** Intent probabilities of the ensemble over the transformer's labels, and the OOS threshold to apply. */
export function ensembleIntent(
  joint: Pick<JointModel, 'labels' | 'oosThreshold'>,
  probs: ArrayLike<number>,
  linear: { readonly intents: readonly Intent[]; readonly oosThreshold: number; readonly probs: ArrayLike<number> } | undefined,
  weight: number,
): { probs: Float64Array; threshold: number } {
  const out = new Float64Array(joint.labels.length);
  if (!linear || weight >= 1) {
    for (let i = 0; i < out.length; i++) out[i] = probs[i]!;
    return { probs: out, threshold: joint.oosThreshold };
  }
  const at = new Map(linear.intents.map((intent, i) => [intent as string, i]));
  joint.labels.forEach((label, i) => {
    const j = at.get(label);
    out[i] = weight * probs[i]! + (1 - weight) * (j === undefined ? 0 : linear.probs[j]!);
  });
  return { probs: out, threshold: weight * joint.oosThreshold + (1 - weight) * linear.oosThreshold };
}

/**
 * Entities from the extractor, with what only the tagger found added (e-mails, order ids, colours).
 * A bare number the tagger calls an order id is left to the parse's order-cue rule ("order 123456"):
 * alone it is as likely a phone number. A NEG span only keeps a colour out of the wanted colours
 * here: whether it is an exclusion is the parse builder's call (understand.ts), against the
 * catalog's vocabulary, because the tagger also puts NEG on words that are no product ("几颗星").
 */
export function mergeSpans(entities: Entities, spans: readonly NluSpan[]): Entities {
  const emails = new Set(entities.emails);
  const orderIds = new Set(entities.orderIds);
  const colors = new Set(entities.colors);
  // A colour tagged as excluded ("not red") is never added as wanted.
  const exclude = new Set([...entities.excludeTerms, ...spans.filter((s) => s.label === 'NEG').map((s) => s.text.trim())]);
  for (const s of spans) {
    const t = s.text.trim();
    if (s.label === 'EMAIL' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t)) emails.add(t.toLowerCase());
    else if (s.label === 'ORDER_ID' && /\d/.test(t) && /[A-Za-z#]/.test(t) && ![...orderIds].some((o) => t.toUpperCase().endsWith(o.replace(/^.*-/, '')))) orderIds.add(t.replace(/^#/, '').toUpperCase());
    else if (s.label === 'COLOR' && EN_COLORS[t.toLowerCase()] && ![...exclude].some((e) => e.toLowerCase() === t.toLowerCase())) colors.add(EN_COLORS[t.toLowerCase()]!);
  }
  return { ...entities, emails: [...emails], orderIds: [...orderIds], colors: [...colors] };
}

export function createTransformerNlu(joint: JointModel, options: TransformerNluOptions = {}): Nlu {
  let isClosed = false;
  const weight = options.transformerWeight ?? 1;
  return {
    async parse(text: string, opts?: { signal?: AbortSignal; langHint?: Lang }): Promise<NluResult> {
      if (isClosed) throw new ShopbotError('INTERNAL', 'transformer NLU used after close()');
      const input = text.slice(0, MAX_TEXT);
      const lang = /[\p{L}]/u.test(input) ? detectLang(input) : (opts?.langHint ?? detectLang(input));
      const [parsed] = await joint.parse([input], opts?.signal ? { signal: opts.signal } : undefined);
      const linear = options.linear ? { intents: options.linear.intents, oosThreshold: options.linear.oosThreshold, probs: predictProba(options.linear, input) } : undefined;
      const mixed = ensembleIntent(joint, parsed!.probs, linear, weight);
      const { intent, confidence, ranking } = decideIntent(joint.labels, mixed.probs, joint.oosLabel, mixed.threshold);
      const entities = extractEntities(input, { lang, ...(options.defaultCurrency ? { defaultCurrency: options.defaultCurrency } : {}) });
      return {
        lang,
        intent: IntentSchema.parse(intent),
        confidence,
        ranking,
        entities: mergeSpans(entities, parsed!.spans),
        spans: parsed!.spans,
        engine: options.linear && weight < 1 ? `${TRANSFORMER_ENGINE}+linear` : TRANSFORMER_ENGINE,
      };
    },
    async close(): Promise<void> {
      isClosed = true;
    },
  };
}
