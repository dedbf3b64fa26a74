/**
 * Money in text, read one way: amounts written with optional thousands separators and up to two
 * decimals ("1,299.5"), in integer cents; currency symbols and words; and a feed's price field
 * ("12.99", "12.99 USD", "USD 12.99"). Shopper phrases around amounts ("under $50", "50元以下")
 * are the NLU's (src/nlu/entities.ts), built on these.
 */

/** An amount as shoppers and feeds write it: thousands separators, at most two decimals. */
export const MONEY_NUMBER = '\\d{1,3}(?:,\\d{3})+(?:\\.\\d{1,2})?|\\d+(?:\\.\\d{1,2})?';

/** Currency symbols and words (lower-case) and their ISO 4217 codes. */
export const CURRENCY_BY_WORD: Readonly<Record<string, string>> = {
  $: 'USD', dollar: 'USD', dollars: 'USD', bucks: 'USD', usd: 'USD', '€': 'EUR', euro: 'EUR', euros: 'EUR', eur: 'EUR',
  '£': 'GBP', pound: 'GBP', pounds: 'GBP', gbp: 'GBP', '¥': 'CNY', yuan: 'CNY', rmb: 'CNY', cny: 'CNY', 元: 'CNY', 美元: 'USD', 美金: 'USD', 刀: 'USD',
  块: 'CNY', 块钱: 'CNY', 人民币: 'CNY',
};

export function currencyOf(symbol: string | undefined, fallback: string): string {
  return (symbol && CURRENCY_BY_WORD[symbol.toLowerCase()]) ?? fallback;
}

/** "1,299.5" -> 129950 (rounded to the cent); undefined when it is not a plain amount. */
export function amountToCents(text: string): number | undefined {
  if (!/^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/.test(text)) return undefined;
  const cents = Math.round(Number(text.replace(/,/g, '')) * 100);
  return Number.isSafeInteger(cents) ? cents : undefined;
}

export interface Money {
  readonly cents: number;
  readonly currency?: string;
}

/** A feed's price field: "12.99", "$12.99", "12.99 USD", "USD 12.99"; throws on anything else. */
export function parseMoney(text: string | undefined): Money | undefined {
  const s = (text ?? '').trim();
  if (s === '') return undefined;
  const m = /^(?:([A-Za-z]{3})\s*)?[$€£¥]?\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?)\s*(?:([A-Za-z]{3}))?$/.exec(s);
  if (!m || (m[1] && m[3])) throw new Error(`not a price: "${s.slice(0, 40)}"`);
  const cents = amountToCents(m[2]!);
  if (cents === undefined) throw new Error(`price out of range: "${s.slice(0, 40)}"`);
  const currency = (m[1] ?? m[3])?.toUpperCase();
  return currency ? { cents, currency } : { cents };
}
