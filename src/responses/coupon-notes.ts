/**
 * The coupon sentences added to a reply: applied, refused (why, in the shopper's language) and
 * offered. They carry no amounts (the code and its terms travel in `coupon`), so they need no
 * grounding check.
 */
import type { Lang } from '../messages.js';
import { render, type Templates } from '../templates/index.js';
import type { ActionResult } from './compose.js';

export function couponNotes(templates: Templates, lang: Lang, results: readonly ActionResult[], offered: boolean): string[] {
  const notes = results.flatMap((r) => {
    if (r.type !== 'checkout_done') return [];
    if (r.couponCode) return [render(templates, lang, 'coupon_applied', { code: r.couponCode })];
    if (r.couponRefusal) return [render(templates, lang, 'coupon_refused', { reason: render(templates, lang, `coupon_refusal_${r.couponRefusal.toLowerCase()}`) })];
    return [];
  });
  if (offered) notes.push(render(templates, lang, 'coupon_offer'));
  return notes;
}
