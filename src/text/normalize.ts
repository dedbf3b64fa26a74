/** How text is compared: folded case and accents, and the script tests the tokenizers share. */

const NON_ASCII = /[^\x00-\x7f]/;
export const HAN = /\p{Script=Han}/u;

/** Lower-cased, accents dropped (NFKD then marks removed); ASCII text takes the fast path. */
export function foldCase(text: string): string {
  return NON_ASCII.test(text) ? text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase() : text.toLowerCase();
}

export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}
