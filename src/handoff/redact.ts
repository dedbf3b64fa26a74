/**
 * Payment card numbers never reach a transcript, a log or an agent: 13-19 digits (spaces or dashes
 * allowed) that pass the Luhn check are replaced. Detection is the same code, so the escalation
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

export function findCardNumbers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(CANDIDATE_RE)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) out.push(m[0]);
  }
  return out;
}

export function redactCardNumbers(text: string): string {
  return text.replace(CANDIDATE_RE, (m) => {
    const digits = m.replace(/\D/g, '');
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? CARD_PLACEHOLDER : m;
  });
}
