/**
 * Payment card numbers, and the security codes and expiry dates typed next to them. A card is
 * 13-19 digits, in groups joined by any short run of separators (spaces, dots, slashes, dashes,
 * underscores, commas, middle dots, zero-width characters...), written in any Unicode digits, with
 * a card issuer's prefix and length, passing the Luhn check. Detection and redaction are the same
 * code, so the escalation trigger and the redaction can never disagree.
 */
import { detectionText, digitRuns, pickWindows, type DetectionText, type DigitGroup, type GroupWindow } from './normalise.js';

export const CARD_PLACEHOLDER = '[card number removed]';
export const SECURITY_CODE_PLACEHOLDER = '[security code removed]';
export const EXPIRY_PLACEHOLDER = '[expiry removed]';

/** Half-open span [start, end) of the detection text, with what replaces it. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

// Space separators (incl. no-break and ideographic), dashes, format characters (zero-width space,
// soft hyphen) and the punctuation people put between digit groups.
const CARD_SEPARATOR_RE = /^[\s\p{Zs}\p{Pd}\p{Cf}._/\\,'·・‧•∙⋅*|:+~]$/u;
/** "4111 - 1111" is three characters between groups; longer gaps separate different numbers. */
const MAX_CARD_SEPARATORS = 3;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes and lengths (Visa, Mastercard, Amex, Discover, JCB, UnionPay, Diners): long order numbers are not cards. */
export function looksLikeCard(digits: string): boolean {
  const n = digits.length;
  return (
    (/^4/.test(digits) && (n === 13 || n === 16 || n === 19)) ||
    (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits) && n === 16) ||
    (/^3[47]/.test(digits) && n === 15) ||
    (/^(6011|65|64[4-9])/.test(digits) && n >= 16 && n <= 19) ||
    (/^35(2[89]|[3-8]\d)/.test(digits) && n >= 16 && n <= 19) ||
    (/^62/.test(digits) && n >= 16 && n <= 19) ||
    (/^(30[0-5]|36|38)/.test(digits) && n >= 14 && n <= 19)
  );
}

/**
 * People type a card as one block, in groups of three or more (4-4-4-4, 4-6-5), or one digit at a
 * time, and with the same separator throughout. Lists of short numbers ("30, 02.11.2026, 11/02")
 * can pass a prefix and Luhn check by chance (one in ten); this keeps them from escalating as
 * payment-card messages.
 */
function plausibleGrouping(text: string, run: readonly DigitGroup[], w: GroupWindow): boolean {
  const groups = run.slice(w.from, w.to + 1);
  if (groups.length === 1) return true;
  const sizes = groups.map((g) => g.end - g.start);
  if (!sizes.every((n) => n === 1) && !sizes.slice(0, -1).every((n) => n >= 3)) return false;
  // "4111  1111 - 1111" counts as one separator style: whitespace and zero-width characters around a mark do not matter.
  const styles = new Set(groups.slice(1).map((g, i) => text.slice(groups[i]!.end, g.start).replace(/[\s\p{Cf}]/gu, '') || ' '));
  return styles.size === 1;
}

export function cardSpans(d: DetectionText): Span[] {
  const spans: Span[] = [];
  for (const run of digitRuns(d.text, (ch) => CARD_SEPARATOR_RE.test(ch), MAX_CARD_SEPARATORS)) {
    for (const w of pickWindows(d.text, run, 13, 19, (w) => looksLikeCard(w.digits) && luhnValid(w.digits) && plausibleGrouping(d.text, run, w))) {
      spans.push({ start: run[w.from]!.start, end: run[w.to]!.end, replacement: CARD_PLACEHOLDER });
    }
  }
  return spans;
}

// After a card: an expiry (MM/YY, MM-YYYY), a word, or a number; see securityCodeAfter.
const AFTER_CARD_TOKEN_RE = /(?<month>\d{1,2})[ \t]*[/\-.][ \t]*(?:\d{4}|\d{2})(?!\d)|\d+|[\p{L}\p{M}]+/gu;
/** How far after a card its security code and expiry are looked for: "exp 12/27 cvv 123" fits. */
const AFTER_CARD_CHARS = 40;
const AFTER_CARD_WORDS = 4;

/** The expiry and the 3-4 digit code that follow a card within a few words ("…1111 exp 12/27 cvv 123", "…1111 / 123"). */
function afterCardSpans(d: DetectionText, cardEnd: number): Span[] {
  const tail = d.text.slice(cardEnd, cardEnd + AFTER_CARD_CHARS).split('\n', 1)[0]!;
  const spans: Span[] = [];
  let words = 0;
  for (const m of tail.matchAll(AFTER_CARD_TOKEN_RE)) {
    const start = cardEnd + m.index;
    const end = start + m[0].length;
    const month = m.groups?.month;
    if (month !== undefined) {
      if (Number(month) >= 1 && Number(month) <= 12) spans.push({ start, end, replacement: EXPIRY_PLACEHOLDER });
      else break;
    } else if (/^\d/.test(m[0])) {
      if (m[0].length === 3 || m[0].length === 4) spans.push({ start, end, replacement: SECURITY_CODE_PLACEHOLDER });
      break;
    } else if (++words > AFTER_CARD_WORDS) break;
  }
  return spans;
}

// A code named as such, card or not ("my cvv is 123", "安全码 123"); 验证码 also covers SMS one-time codes.
const NAMED_CODE_RE = /(?:\b(?:cvv2?|cvc2?|cvn|cid|csc|card\s+code|security\s+code|verification\s+code)\b|安全码|安全碼|验证码|驗證碼|校验码)[^\d\n]{0,12}?(?<code>\d{3,4})(?!\d)/dgiu;

function namedCodeSpans(d: DetectionText): Span[] {
  return [...d.text.matchAll(NAMED_CODE_RE)].map((m) => {
    const [start, end] = m.indices!.groups!.code!;
    return { start, end, replacement: SECURITY_CODE_PLACEHOLDER };
  });
}

/** Cards, then what follows each card, then named codes anywhere; callers resolve overlaps. */
export function paymentSpans(d: DetectionText): Span[] {
  const cards = cardSpans(d);
  return [...cards, ...cards.flatMap((c) => afterCardSpans(d, c.end)), ...namedCodeSpans(d)];
}

/** The card numbers in the text, as the shopper typed them (the escalation trigger). */
export function findCardNumbers(text: string): string[] {
  const d = detectionText(text);
  return cardSpans(d).map((s) => text.slice(d.offsets[s.start], d.offsets[s.end]));
}

