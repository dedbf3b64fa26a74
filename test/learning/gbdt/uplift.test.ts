import { describe, expect, it } from 'vitest';
import { buildSchema, META_LEARNERS, toColumns, trainInWorker, trainUplift, UpliftModel, type UpliftSet, type UpliftTrainInput } from '../../../src/learning/gbdt/index.js';
import { createRng } from '../../../src/maths/index.js';

/** Offers work only for "new" shoppers (+30 points); 70% are offered, as a policy with unequal arms would. */
function experiment(n: number, seed: number, share = 0.7) {
  const rng = createRng(seed);
  const rows = Array.from({ length: n }, () => ({ segment: rng() < 0.5 ? 'new' : 'returning', basket: Math.round(rng() * 100) }));
  const specs = [{ name: 'segment', kind: 'categorical' as const }, { name: 'basket', kind: 'numeric' as const }];
  const schema = buildSchema(specs, rows);
  const treated = Uint8Array.from(rows, () => (rng() < share ? 1 : 0));
  const outcome = Float64Array.from(rows, (r, i) => (rng() < 0.2 + (r.basket > 50 ? 0.1 : 0) + (treated[i] && r.segment === 'new' ? 0.3 : 0) ? 1 : 0));
  const set: UpliftSet = { columns: toColumns(schema, rows), treated, outcome, propensity: new Float64Array(n).fill(share) };
  return { schema, set };
}

const params = { outcomeParams: { rounds: 300, learningRate: 0.05, numLeaves: 4, minDataInLeaf: 50 }, effectParams: { rounds: 300, learningRate: 0.05, numLeaves: 4, minDataInLeaf: 100 } };

describe('meta-learners over trees', () => {
  const { schema, set } = experiment(6000, 1);
  const valid = experiment(2000, 2).set;

  for (const kind of META_LEARNERS) {
    it(`${kind}-learner recovers who the offer works for, with unequal arms`, () => {
      const m = trainUplift({ kind, schema, train: set, valid, ...params, seed: 1 });
      const tNew = m.uplift({ segment: 'new', basket: 30 });
      const tOld = m.uplift({ segment: 'returning', basket: 30 });
      expect(tNew).toBeGreaterThan(0.18);
      expect(tNew).toBeLessThan(0.42);
      expect(Math.abs(tOld)).toBeLessThan(0.1);
      expect(m.response({ segment: 'new', basket: 80 }, true)).toBeGreaterThan(m.response({ segment: 'new', basket: 80 }, false));
      const back = UpliftModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
      expect(back.uplift({ segment: 'new', basket: 30 })).toBe(tNew);
    });
  }

  it('trains the same uplift model in a worker thread', async () => {
    const input: UpliftTrainInput = { kind: 'dr', schema, train: set, valid, ...params, seed: 2 };
    expect(JSON.stringify(await trainInWorker({ type: 'uplift', input }))).toBe(JSON.stringify(trainUplift(input).toJSON()));
  });

  it('refuses to learn an effect without a control arm', () => {
    const allTreated = { ...set, treated: new Uint8Array(set.treated.length).fill(1) };
    expect(() => trainUplift({ kind: 't', schema, train: allTreated, ...params, seed: 1 })).toThrow(/no control rows/);
  });
});
