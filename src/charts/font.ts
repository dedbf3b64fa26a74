/**
 * A 3x5 pixel font (upper-case letters, digits and a little punctuation), enough for chart
 * labels without shipping a font file. Unknown characters draw as '?'.
 */
import type { Raster, Rgb } from './png.js';

const GLYPHS: Readonly<Record<string, string>> = {
  A: '010101111101101', B: '110101110101110', C: '011100100100011', D: '110101101101110',
  E: '111100110100111', F: '111100110100100', G: '011100101101011', H: '101101111101101',
  I: '111010010010111', J: '001001001101010', K: '101101110101101', L: '100100100100111',
  M: '101111111101101', N: '110101101101101', O: '010101101101010', P: '110101110100100',
  Q: '010101101110011', R: '110101110101101', S: '011100010001110', T: '111010010010010',
  U: '101101101101111', V: '101101101101010', W: '101101111111101', X: '101101010101101',
  Y: '101101010010010', Z: '111001010100111',
  '0': '111101101101111', '1': '010110010010111', '2': '110001010100111', '3': '110001010001110',
  '4': '101101111001001', '5': '111100110001110', '6': '011100111101111', '7': '111001010010010',
  '8': '111101111101111', '9': '111101111001110',
  '.': '000000000000010', ',': '000000000010100', '%': '101001010100101', '-': '000000111000000',
  ':': '000010000010000', '/': '001001010100100', '$': '011110010011110', '(': '010100100100010',
  ')': '010001001001010', '_': '000000000000111', '+': '000010111010000', '?': '110001010000010',
  ' ': '000000000000000',
};

export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;

/** Width in pixels of `text` drawn at `scale` (one blank column between glyphs). */
export function textWidth(text: string, scale: number): number {
  return text.length === 0 ? 0 : (text.length * (GLYPH_WIDTH + 1) - 1) * scale;
}

export function drawText(raster: Raster, text: string, x: number, y: number, scale: number, colour: Rgb): void {
  let cx = x;
  for (const ch of text.toUpperCase()) {
    const glyph = GLYPHS[ch] ?? GLYPHS['?']!;
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      for (let col = 0; col < GLYPH_WIDTH; col++) {
        if (glyph[row * GLYPH_WIDTH + col] === '1') raster.fillRect(cx + col * scale, y + row * scale, scale, scale, colour);
      }
    }
    cx += (GLYPH_WIDTH + 1) * scale;
  }
}
