/**
 * E-mail addresses and phone numbers. Both are found on the detection text (full-width and other
 * Unicode digits folded), so "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ" and "١٣٨١٢٣٤٥٦٧٨" are found too.
 */
import { digitRuns, pickWindows, type DetectionText, type GroupWindow } from './normalise.js';
import type { Span } from './cards.js';

export const PHONE_PLACEHOLDER = '[phone number removed]';

// Letters of alphabetic scripts, digits and the usual local-part punctuation. CJK letters are left
// out on purpose: "邮箱是jane@example.com" has no space before the address.
const LOCAL = String.raw`[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}0-9._%+\-]`;
const LABEL = String.raw`[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}0-9](?:[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}0-9\-]{0,61}[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}0-9])?`;
const EMAIL_RE = new RegExp(String.raw`(?<!${LOCAL})(?<local>${LOCAL}{1,64})@(?<domain>(?:${LABEL}\.)+\p{Script=Latin}{2,24})(?![\p{Script=Latin}0-9\-])`, 'gu');

/**
 * "jane.doe@example.com" -> "j***@example.com": the mailbox is gone, the first letter and the
 * domain stay, so a reader of a transcript or a report can still tell that an address was given,
 * and which provider, without being able to write to it.
 */
export function maskEmail(local: string, domain: string): string {
  return `${local.slice(0, 1)}***@${domain}`;
}

export function emailSpans(d: DetectionText): Span[] {
  return [...d.text.matchAll(EMAIL_RE)].map((m) => ({ start: m.index, end: m.index + m[0].length, replacement: maskEmail(m.groups!.local!, m.groups!.domain!) }));
}

// What may stand between the digit groups of a phone number: spaces, dashes, dots, parentheses.
const PHONE_SEPARATOR_RE = /^[ \t\p{Pd}.()]$/u;
/** ") " or " (" between groups; three allows "- (". */
const MAX_PHONE_SEPARATORS = 3;
// A number glued to a Latin letter, a currency sign or an id punctuation is a code, a price or an
// id (SB-123456789, $1234567890, #1234567890), not a phone number. Han and other scripts are not
// listed: Chinese writes "手机13812345678" with no space.
const NOT_BEFORE_RE = /[\p{Script=Latin}0-9\p{Sc}_#@/\\&=%]/u;
const NOT_AFTER_RE = /[\p{Script=Latin}0-9\p{Sc}_@%/]/u;
// 2026-11-02, 02.11.2026, 11/02/2026 (a date and time, "2026-11-02 10:30", would otherwise read as ten digits).
const DATE_RE = /^(?:\d{4}([-./])\d{1,2}\1\d{1,2}|\d{1,2}([-./])\d{1,2}\2\d{4})(?!\d)/;
const ZIP4_RE = /^\d{5}-\d{4}$/;
const DECIMAL_RE = /^\d+[.,]\d{1,2}$/;

/**
 * National numbers without a "+" must look like one of the plans most shoppers use, so that plain
 * 9-11 digit numbers (quantities, long order numbers) are not taken for phones: North American
 * (NXX NXX XXXX, optionally with a leading 1), a Chinese mobile (1[3-9] + 9 digits), or a number
 * with a trunk prefix 0 (most of Europe, China's landlines, Japan, Australia).
 */
function nationalNumber(digits: string): boolean {
  return /^1?[2-9]\d{2}[2-9]\d{6}$/.test(digits) || /^1[3-9]\d{9}$/.test(digits) || /^0[1-9]\d{7,10}$/.test(digits);
}

/** Where a phone number starting at a digit group really starts: an opening parenthesis and a "+" (or "+ ") before it belong to it. */
function phoneStart(t: string, groupStart: number): { start: number; hasPlus: boolean } {
  let start = groupStart;
  if (t[start - 1] === '(') start--;
  const plus = t[start - 1] === '+' ? 1 : t[start - 1] === ' ' && t[start - 2] === '+' ? 2 : 0;
  return { start: start - plus, hasPlus: plus > 0 };
}

export function phoneSpans(d: DetectionText): Span[] {
  const t = d.text;
  const spans: Span[] = [];
  for (const run of digitRuns(t, (ch) => PHONE_SEPARATOR_RE.test(ch), MAX_PHONE_SEPARATORS)) {
    const accept = (w: GroupWindow): boolean => {
      const { start, hasPlus } = phoneStart(t, run[w.from]!.start);
      const end = run[w.to]!.end;
      if (w.from === 0) {
        const before = t[start - 1];
        // "SB-123456789": a separator glued to an id before it.
        const glued = before !== undefined && /[-.]/.test(before) && NOT_BEFORE_RE.test(t[start - 2] ?? '');
        if ((before !== undefined && NOT_BEFORE_RE.test(before)) || glued) return false;
      }
      if (w.to === run.length - 1 && t[end] !== undefined && NOT_AFTER_RE.test(t[end]!)) return false;
      const shown = t.slice(run[w.from]!.start, end);
      const international = hasPlus || w.digits.startsWith('00');
      if (!international && (DATE_RE.test(shown) || ZIP4_RE.test(shown) || DECIMAL_RE.test(shown))) return false;
      const digits = !hasPlus && international ? w.digits.slice(2) : w.digits;
      // E.164 allows at most 15 digits; fewer than 8 is a short code or an extension.
      return international ? digits.length >= 8 && digits.length <= 15 : nationalNumber(digits);
    };
    for (const w of pickWindows(t, run, 8, 17, accept)) {
      spans.push({ start: phoneStart(t, run[w.from]!.start).start, end: run[w.to]!.end, replacement: PHONE_PLACEHOLDER });
    }
  }
  return spans;
}
