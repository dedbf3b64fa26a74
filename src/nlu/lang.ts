/**
 * Language detection for the two shop languages: Chinese when Han characters dominate, else
 * English. A Han character carries about a word, a Latin letter a fraction of one, so one Han
 * character counts as three letters ("iPhone 15 有货吗" is Chinese; "the 红色 one please" is not).
 */
import type { Lang } from '../messages.js';

const HAN = /\p{Script=Han}/u;

/** E-mail addresses, links and order numbers are in Latin letters whatever the shopper's language. */
const NOT_WORDS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|https?:\/\/\S+|\b[A-Za-z]{2}-?\d{4,15}\b/g;

export function detectLang(input: string): Lang {
  const text = /[@:]|\d/.test(input) ? input.replace(NOT_WORDS, ' ') : input;
  let han = 0;
  let latin = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (c >= 0x61 && c <= 0x7a) latin++;
    // Test only non-ASCII code units; surrogate pairs (rare Han extensions) are skipped.
    else if (text.charCodeAt(i) > 0x2e7f && HAN.test(text[i]!)) han++;
  }
  return han > 0 && han * 3 >= latin ? 'zh' : 'en';
}
