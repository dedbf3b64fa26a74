import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTemplates } from '../../src/templates/index.js';

describe('prompts', () => {
  it('English and Chinese replies have the same keys, and Chinese needs no value English lacks', () => {
    const en = parseTemplates(readFileSync('prompts/en/replies.txt', 'utf8'));
    const zh = parseTemplates(readFileSync('prompts/zh/replies.txt', 'utf8'));
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
    const names = (variants: readonly string[]) => [...new Set(variants.flatMap((v) => [...v.matchAll(/\{([a-zA-Z0-9_]+)\??\}/g)].map((m) => m[1]!)))].sort();
    for (const [key, variants] of en) {
      const missing = names(zh.get(key)!).filter((n) => !names(variants).includes(n));
      expect(missing, key).toEqual([]);
    }
  });
  it('every section header is a valid key (a bad header would swallow the next section)', () => {
    for (const lang of ['en', 'zh']) {
      const bad = readFileSync(`prompts/${lang}/replies.txt`, 'utf8').split('\n').filter((l) => /^\[.*\]$/.test(l.trim()) && !/^\[[a-z0-9_]+\]$/.test(l.trim()));
      expect(bad).toEqual([]);
    }
  });
});
