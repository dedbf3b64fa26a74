/**
 * The joint NLU report split is frozen: none of its texts is in any file a model trains on (the
 * joint train split, the store intent train split the linear baseline and the joint model read),
 * and the span annotations point at real text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Row {
  text: string;
  intent: string;
  lang: string;
  spans: { label: string; start: number; end: number }[] | null;
}

function rows(file: string): Row[] {
  return readFileSync(path.join(ROOT, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Row);
}
const key = (t: string) => t.trim().toLowerCase();

describe('evals/data/nlu', () => {
  const report = rows('evals/data/nlu/report.jsonl');
  const dev = rows('evals/data/nlu/dev.jsonl');
  const train = rows('evals/data/nlu/train.jsonl');

  it('no report row appears in a training or development file', () => {
    const seen = new Set([...train, ...dev, ...rows('evals/data/intent/train.jsonl')].map((r) => key(r.text)));
    const leaked = report.filter((r) => seen.has(key(r.text)));
    expect(leaked).toEqual([]);
    expect(report.length).toBeGreaterThan(1000);
  });

  it('has annotated spans in both languages in every split, inside the text', () => {
    for (const split of [report, dev, train]) {
      for (const lang of ['en', 'zh']) expect(split.some((r) => r.lang === lang && (r.spans?.length ?? 0) > 0)).toBe(true);
      for (const r of split) {
        for (const s of r.spans ?? []) {
          expect(s.start).toBeGreaterThanOrEqual(0);
          expect(s.end).toBeLessThanOrEqual(r.text.length);
          expect(r.text.slice(s.start, s.end).trim().length).toBeGreaterThan(0);
        }
      }
    }
  });
});
