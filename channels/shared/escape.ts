/** Escaping of catalog and shopper text for each chat format, plus shared formatting. */

/** Slack mrkdwn: &, < and > are control characters (links, mentions like <!channel>). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Adaptive Card TextBlock markdown: backslash-escape the characters its markdown subset reacts
 * to, so a product called "*NEW* [link](x)" shows literally instead of as bold text and a link.
 */
export function escapeCardMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#|~>])/g, '\\$1');
}

/** Teams renders message `text` as limited HTML-ish markdown; entity-escape HTML too. */
export function escapeTeamsText(text: string): string {
  return escapeCardMarkdown(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

export function formatMoney(cents: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);
  } catch {
    // An unknown currency code from a feed still deserves a readable price.
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

export function formatPercent(fraction: number | null, digits = 1): string {
  return fraction === null ? 'n/a' : `${(fraction * 100).toFixed(digits)}%`;
}

export function couponValue(c: { percentOff?: number; amountOffCents?: number }, currency = 'USD'): string {
  if (c.percentOff !== undefined) return `${c.percentOff}% off`;
  if (c.amountOffCents !== undefined) return `${formatMoney(c.amountOffCents, currency)} off`;
  return 'discount';
}
