import { describe, expect, it } from 'vitest';
import { SafeText, sanitizeText } from '../../src/privacy/index.js';

describe('sanitizeText', () => {
  it('strips C0 and C1 control characters but keeps newlines and tabs', () => {
    expect(sanitizeText('a\u0000b\u0007c\u001bd\u007fe\u0085f\u009fg')).toBe('abcdefg');
    expect(sanitizeText('line one\n\tline two')).toBe('line one\n\tline two');
    expect(sanitizeText('windows\r\nold mac\rend')).toBe('windows\nold mac\nend');
  });

  it('strips a forged log line', () => {
    expect(sanitizeText('hi\u001b[2K\u001b[1Gadmin logged in')).toBe('hi[2K[1Gadmin logged in');
  });

  it('strips lone surrogates and keeps paired ones', () => {
    expect(sanitizeText('a\uD800b')).toBe('ab');
    expect(sanitizeText('a\uDC00b')).toBe('ab');
    expect(sanitizeText('end\uD83D')).toBe('end');
    expect(sanitizeText('😀')).toBe('😀');
  });

  it('strips bidirectional overrides and isolates', () => {
    expect(sanitizeText('refund \u202Eevil\u202C ok \u2066x\u2069')).toBe('refund evil ok x');
    for (let c = 0x202a; c <= 0x202e; c++) expect(sanitizeText(`a${String.fromCharCode(c)}b`)).toBe('ab');
    for (let c = 0x2066; c <= 0x2069; c++) expect(sanitizeText(`a${String.fromCharCode(c)}b`)).toBe('ab');
  });

  it('keeps zero-width joiners, emoji sequences and every script', () => {
    const text = '👨‍👩‍👧 🏳️‍🌈 नमस्ते क्‍ष 我要买鞋 مرحبا';
    expect(sanitizeText(text)).toBe(text);
  });
});

describe('SafeText', () => {
  it('caps the length and sanitises at parse time', () => {
    expect(SafeText(10).parse('ok\u202E!')).toBe('ok!');
    expect(SafeText(3).safeParse('toolong').success).toBe(false);
  });
});
