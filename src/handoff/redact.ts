/**
 * Payment card numbers never reach a transcript, a log or an agent: 13-19 digits (spaces or dashes
 * allowed) with a card issuer's prefix and length that pass the Luhn check are replaced. Detection is the same code, so the escalation
 * trigger and the redaction can never disagree.
 */
const CANDIDATE_RE = /(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])/g;
export const CARD_PLACEHOLDER = '[card number removed]';

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

export function findCardNumbers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(CANDIDATE_RE)) {
    const digits = m[0].replace(/\D/g, '');
    if (looksLikeCard(digits) && luhnValid(digits)) out.push(m[0]);
  }
  return out;
}

export function redactCardNumbers(text: string): string {
  return text.replace(CANDIDATE_RE, (m) => {
    const digits = m.replace(/\D/g, '');
    return looksLikeCard(digits) && luhnValid(digits) ? CARD_PLACEHOLDER : m;
  });
}
