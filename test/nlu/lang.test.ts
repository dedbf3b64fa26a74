import { describe, expect, it } from 'vitest';
import { detectLang } from '../../src/nlu/lang.js';

describe('detectLang', () => {
  it.each([
    ['where is my order', 'en'],
    ['我的订单到哪了', 'zh'],
    ['iPhone 15 有货吗', 'zh'],
    ['有没有 Nike 的鞋', 'zh'],
    ['the 红色 one please', 'en'],
    ['12345', 'en'],
    ['', 'en'],
  ] as const)('%s -> %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang);
  });
});
