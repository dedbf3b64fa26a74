/**
 * Masking for what is stored or logged. The live turn keeps the shopper's raw text (the NLU must
 * read the e-mail address a shopper types to look up an order); transcripts, funnel queries,
 * handoff briefs and support-desk threads get the masked text.
 */
import { cardSpans, paymentSpans, type Span } from './cards.js';
import { emailSpans, phoneSpans } from './contacts.js';
import { detectionText, type DetectionText } from './normalise.js';

/** Every detector needs a digit or an at sign; most messages have neither and skip the scan. */
const MAYBE_PERSONAL_RE = /[\p{N}@\uFF20\uFE6B]/u;

/** Replaces spans in the original text; a span overlapping one earlier in the list is dropped, so list order is priority. */
function apply(original: string, d: DetectionText, spans: readonly Span[]): string {
  const kept: Span[] = [];
  for (const s of spans) if (!kept.some((k) => s.start < k.end && k.start < s.end)) kept.push(s);
  kept.sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const s of kept) {
    out += original.slice(pos, d.offsets[s.start]) + s.replacement;
    pos = d.offsets[s.end]!;
  }
  return out + original.slice(pos);
}

function masked(text: string, detect: (d: DetectionText) => Span[]): string {
  if (!MAYBE_PERSONAL_RE.test(text)) return text;
  const d = detectionText(text);
  return apply(text, d, detect(d));
}

/** Card numbers only (the escalation trigger's counterpart). */
export function redactCardNumbers(text: string): string {
  return masked(text, cardSpans);
}

/** Card numbers, the security code and expiry next to them, and named security codes: for text that goes live to a person (an agent's reply to the shopper). */
export function redactPaymentData(text: string): string {
  return masked(text, paymentSpans);
}

/**
 * Payment data, e-mail addresses (kept as "j***@example.com") and phone numbers ("[phone number
 * removed]"): for every transcript row, funnel query, handoff brief and support-desk relay.
 * Cards win over phone numbers where both could match.
 */
export function maskPersonalData(text: string): string {
  return masked(text, (d) => [...paymentSpans(d), ...emailSpans(d), ...phoneSpans(d)]);
}

/** A bot reply as stored in a transcript: its text and quick replies can echo what the shopper typed. */
export function maskReply<T extends { readonly text: string; readonly quickReplies: readonly { readonly label: string; readonly text: string }[] }>(reply: T): T {
  return { ...reply, text: maskPersonalData(reply.text), quickReplies: reply.quickReplies.map((q) => ({ ...q, label: maskPersonalData(q.label), text: maskPersonalData(q.text) })) };
}
