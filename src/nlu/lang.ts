/**
 * Language detection for the two shop languages: Chinese when Han characters dominate, else
 * English. A Han character carries about a word, a Latin letter a fraction of one, so one Han
 * character counts as three letters ("iPhone 15 有货吗" is Chinese; "the 红色 one please" is not).
 */
import type { Lang } from '../messages.js';

const HAN = /\p{Script=Han}/u;
const LATIN = /[A-Za-z]/;

export function detectLang(text: string): Lang {
  let han = 0;
  let latin = 0;
  for (const ch of text) {
    if (HAN.test(ch)) han++;
    else if (LATIN.test(ch)) latin++;
  }
  return han > 0 && han * 3 >= latin ? 'zh' : 'en';
}
