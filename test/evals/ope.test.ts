import { describe, expect, it } from 'vitest';
import { bootstrapCi, dr, ips, mean, snips, type LoggedRow } from '../../evals/metrics/ope.js';
import { createRng } from '../../src/maths/index.js';

const rows: LoggedRow[] = [
  { reward: 1, propensity: 0.5, targetProb: 1, qLogged: 0.4, qTarget: 0.4 },
  { reward: 0, propensity: 0.25, targetProb: 0, qLogged: 0.2, qTarget: 0.6 },
  { reward: 1, propensity: 0.25, targetProb: 0.5, qLogged: 0.5, qTarget: 0.3 },
];

describe('off-policy estimators', () => {
  it('IPS is the mean of weighted rewards', () => {
    // weights 2, 0, 2 -> terms 2, 0, 2
    expect(ips(rows)).toBeCloseTo(4 / 3, 12);
  });
  it('SNIPS divides by the weight sum', () => {
    expect(snips(rows)).toBeCloseTo(4 / 4, 12);
  });
  it('DR adds the weighted model error to the model value', () => {
    // 0.4 + 2*(1-0.4)=1.6 ; 0.6 + 0 = 0.6 ; 0.3 + 2*(1-0.5) = 1.3
    expect(dr(rows)).toBeCloseTo((1.6 + 0.6 + 1.3) / 3, 12);
  });
  it('IPS equals the on-policy mean when target = logging policy', () => {
    const same = rows.map((r) => ({ ...r, targetProb: r.propensity }));
    expect(ips(same)).toBeCloseTo(mean(rows.map((r) => r.reward)), 12);
  });
  it('bootstrap interval brackets the estimate and repeats for a seed', () => {
    const xs = Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const a = bootstrapCi(xs, mean, createRng(1), { samples: 200 });
    const b = bootstrapCi(xs, mean, createRng(1), { samples: 200 });
    expect(a).toEqual(b);
    expect(a.low).toBeLessThan(0.1);
    expect(a.high).toBeGreaterThan(0.1);
  });
});
