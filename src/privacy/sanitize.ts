/**
 * Text cleaning at the edge. Control characters can forge log lines and break renderers, lone
 * surrogates make JSON and databases reject or mangle a row, and bidirectional overrides let a
 * message display differently from what it says ("Trojan Source"), so all three go before any
 * stage sees the text. Zero-width joiners stay: emoji sequences and several scripts need them.
 */
import { z } from 'zod';

// C0 except \t (09) and \n (0A), DEL, C1; bidi embeddings/overrides (202A-202E) and isolates (2066-2069).
const UNSAFE_RE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function sanitizeText(text: string): string {
  // \r\n and lone \r become \n first, so Windows line ends survive as line breaks instead of vanishing.
  return text.replace(/\r\n?/g, '\n').replace(LONE_SURROGATE_RE, '').replace(UNSAFE_RE, '');
}

/** A string field for an edge schema: capped at `max` UTF-16 units, then sanitised. */
export function SafeText(max: number) {
  return z.string().max(max).transform(sanitizeText);
}
