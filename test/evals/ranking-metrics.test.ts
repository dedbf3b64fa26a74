import { describe, expect, it } from 'vitest';
import { bootstrapMeanCi, dcg, mean, ndcgAtK, recallAtK, reciprocalRank, seededRng } from '../../evals/metrics/ranking.js';

describe('ranking metrics', () => {
  const gains = new Map([
    ['a', 100],
    ['b', 10],
    ['c', 1],
    ['d', 0],
  ]);

  it('dcg uses linear gains and a log2(rank + 1) discount', () => {
    expect(dcg([100, 10], 10)).toBeCloseTo(100 + 10 / Math.log2(3), 10);
    expect(dcg([100, 10, 1], 1)).toBe(100);
  });

  it('ndcg is 1 for the ideal order, lower otherwise, 0 with nothing relevant', () => {
    expect(ndcgAtK(gains, ['a', 'b', 'c', 'd'], 10)).toBeCloseTo(1, 12);
    const swapped = ndcgAtK(gains, ['b', 'a'], 10);
    const ideal = 100 + 10 / Math.log2(3) + 1 / 2;
    expect(swapped).toBeCloseTo((10 + 100 / Math.log2(3)) / ideal, 12);
    // Unjudged ids gain nothing; the ideal comes from the judged list.
    expect(ndcgAtK(gains, ['x', 'a'], 1)).toBe(0);
    expect(ndcgAtK(new Map([['d', 0]]), ['d'], 10)).toBe(0);
  });

  it('recall@k and reciprocal rank use the relevant set', () => {
    const relevant = new Set(['a', 'e']);
    expect(recallAtK(relevant, ['x', 'a', 'y'], 2)).toBe(0.5);
    expect(recallAtK(relevant, ['x', 'a', 'e'], 2)).toBe(0.5);
    expect(recallAtK(relevant, ['e', 'a'], 10)).toBe(1);
    expect(recallAtK(new Set(), ['a'], 10)).toBe(0);
    expect(reciprocalRank(relevant, ['x', 'y', 'e'])).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRank(relevant, ['x'])).toBe(0);
  });

  it('bootstrap CI is seeded, brackets the mean and collapses for constant values', () => {
    const values = [0.1, 0.5, 0.9, 0.4, 0.6, 0.2, 0.8];
    const a = bootstrapMeanCi(values, seededRng(7), { iterations: 500 });
    const b = bootstrapMeanCi(values, seededRng(7), { iterations: 500 });
    expect(a).toEqual(b);
    expect(a.low).toBeLessThan(mean(values));
    expect(a.high).toBeGreaterThan(mean(values));
    expect(bootstrapMeanCi([0.3, 0.3, 0.3], seededRng(1))).toEqual({ low: 0.3, high: 0.3 });
    expect(Number.isNaN(mean([]))).toBe(true);
  });

  it('seededRng is deterministic and in [0, 1)', () => {
    const r1 = seededRng(42);
    const r2 = seededRng(42);
    for (let i = 0; i < 100; i++) {
      const v = r1();
      expect(v).toBe(r2());
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});

describe('retrieval eval runner', () => {
  it('scores systems on ESCI-format files: a perfect system gets 1, a reversed one less', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { evaluateSystem, loadJudgedQueries } = await import('../../evals/retrieval.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-eval-'));
    try {
      const queries = path.join(dir, 'q.json');
      const judgments = path.join(dir, 'j.json');
      writeFileSync(queries, JSON.stringify({ name: 'q', querySetQueries: [{ queryText: 'mug' }, { queryText: 'unjudged' }] }));
      writeFileSync(
        judgments,
        JSON.stringify({
          judgmentRatings: [{ query: 'mug', ratings: [{ docId: 'a', rating: '100.000' }, { docId: 'b', rating: '10.000' }, { docId: 'c', rating: '0.000' }] }],
        }),
      );
      const { judged, unjudged } = loadJudgedQueries(queries, judgments);
      expect(unjudged).toEqual(['unjudged']);
      const perfect = await evaluateSystem(() => ['a', 'b', 'c'], judged);
      expect(perfect.metrics).toMatchObject({ 'ndcg@10': 1, 'recall@10': 1, mrr: 1, queries: 1 });
      const reversed = await evaluateSystem(() => ['c', 'b', 'a'], judged);
      expect(reversed.metrics['ndcg@10']).toBeLessThan(1);
      expect(reversed.metrics.mrr).toBeCloseTo(1 / 3, 12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to run without its input files', async () => {
    const { run } = await import('../../evals/retrieval.js');
    await expect(run(['--queries', '/nonexistent.json', '--judgments', '/nonexistent.json'])).rejects.toMatchObject({ code: 'INPUT_MISSING' });
  });
});
