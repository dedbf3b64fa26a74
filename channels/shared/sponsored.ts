/**
 * Why a product card is marked sponsored, for the chat channels' cards (Slack, Teams): the widget's
 * label and explanation (channels/web/public/widget.js, LABELS.sponsored / sponsoredWhy), shortened
 * to fit under a card. Shoppers in every channel are told the same thing: the seller pays, the slot
 * was won in an auction among matching products, and ads never replace the ranked results.
 */
import type { Lang } from '../../src/messages.js';

export const SPONSORED_LABEL: Readonly<Record<Lang, string>> = { en: 'Sponsored', zh: '广告' };

export const SPONSORED_WHY: Readonly<Record<Lang, string>> = {
  en: 'The seller pays the store when you open this card; it won this slot in an ad auction among products that match your search, and never replaces the results ranked for you.',
  zh: '您打开这张卡片时，卖家会向商店付费；它在与您的搜索相符的商品中通过广告竞价获得了这个位置，不会取代为您排序的结果。',
};

/** The label and reason in the message's language (English for any other). */
export function sponsoredNote(lang: string): { label: string; why: string } {
  const l: Lang = lang === 'zh' ? 'zh' : 'en';
  return { label: SPONSORED_LABEL[l], why: SPONSORED_WHY[l] };
}
