/**
 * Order numbers in a message, read by one rule: two letters, an optional hyphen and 4 to 15
 * digits ("SB-100101", "sb100101"), or "#" and 3 to 15 digits ("#1001", a store's own
 * numbering). Prefixed ids come back upper-cased with the hyphen ("SB-100101"), hashed ones with
 * their "#". Phrases that name a bare number ("order 123456", "订单号 123456") are the NLU's.
 */

/** The prefixed form; global and case-insensitive, so callers can scan a message with it. */
export const PREFIXED_ORDER_ID = /\b([A-Za-z]{2})-?(\d{4,15})\b/g;
const HASH_ORDER_ID = /#\s?(\d{3,15})\b/g;

export function orderIdsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PREFIXED_ORDER_ID)) out.push(`${m[1]!.toUpperCase()}-${m[2]}`);
  for (const m of text.matchAll(HASH_ORDER_ID)) out.push(`#${m[1]}`);
  return [...new Set(out)];
}

/** The same order written two ways ("SB-100101" and "sb100101", "#1001" and "1001"). */
export function sameOrderId(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().toUpperCase().replace(/^#/, '');
  const digits = (s: string) => s.replace(/\D/g, '');
  return norm(a) === norm(b) || (digits(a).length >= 3 && digits(a) === digits(b) && /^[A-Z]{0,3}-?\d+$|^#?\d+$/.test(norm(a)) && /^[A-Z]{0,3}-?\d+$|^#?\d+$/.test(norm(b)));
}
