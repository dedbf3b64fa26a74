import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConversationFile, type LoadedConversation } from '../../evals/conversations.js';
import { lintConversation, loadDemoCatalog } from '../../evals/conversation-lint.js';
import { assignSplit } from '../../evals/conversation-split.js';
import { CATEGORIES } from '../../evals/conversation-schema.js';
import type { Product } from '../../src/catalog/index.js';

const load = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .flatMap((n) => loadConversationFile(path.join(dir, n)));

describe('shopper conversation files', () => {
  const dev = load('evals/conversations/dev');
  const report = load('evals/conversations/report');
  const all: LoadedConversation[] = [...dev, ...report];
  let catalog: Product[];
  beforeAll(async () => {
    catalog = await loadDemoCatalog();
  });

  it('are on the demo catalog, each with a unique id, a category and a language', () => {
    const ids = all.map((c) => c.id);
    expect(new Set(ids).size).toBe(all.length);
    for (const c of all) {
      expect(c.id, c.name).toBeDefined();
      expect(c.category, c.id).toBeDefined();
      expect(c.catalog, c.id).toBe('demo');
    }
    expect(all.length).toBeGreaterThanOrEqual(200);
    expect(all.filter((c) => c.lang === 'zh').length).toBeGreaterThanOrEqual(all.length / 3);
    expect(new Set(all.map((c) => c.category))).toEqual(new Set(CATEGORIES));
  });

  it('sit in the part the split rule gives them, so none moves between dev and report unnoticed', () => {
    const split = assignSplit(all);
    expect(dev.filter((c) => split.get(c.id!) !== 'dev').map((c) => c.id)).toEqual([]);
    expect(report.filter((c) => split.get(c.id!) !== 'report').map((c) => c.id)).toEqual([]);
    // Each file holds one category, named after it.
    for (const c of all) expect(path.basename(c.file, '.json')).toBe(c.category);
  });

  it('can be passed: every card check has enough catalog products, every ref and cart product exists', () => {
    const problems = all.flatMap((c) => lintConversation(c, catalog).map((p) => `${c.id}: ${p}`));
    expect(problems).toEqual([]);
  });
});

describe('the split rule', () => {
  it('puts 40% of each category and language in dev, by a hash of the id', () => {
    const cs = Array.from({ length: 10 }, (_, i) => ({ id: `c-${i}`, category: 'naming' as const, lang: i < 5 ? ('en' as const) : ('zh' as const) }));
    const split = assignSplit(cs);
    expect([...split.values()].filter((s) => s === 'dev')).toHaveLength(4);
    expect(cs.filter((c) => c.lang === 'en' && split.get(c.id) === 'dev')).toHaveLength(2);
    expect(assignSplit(cs)).toEqual(split);
  });
});
