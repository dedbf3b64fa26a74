import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run as conversionEval } from '../../evals/conversion.js';
import { readCouponTable, readHillstromTable, readShopperTable } from '../../evals/tabular/datasets.js';
import { dataLines, manifest, manifestPath, SPLIT_DATASETS } from '../../evals/tabular/manifest.js';
import { roleOf, splitRows, writeSplitFiles } from '../../evals/tabular/protocol.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-protocol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readers = {
  shoppers: (f: string) => readShopperTable(f),
  coupon: (f: string) => readCouponTable(f),
  hillstrom: (f: string) => readHillstromTable(f, 'visit'),
};

function fileLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(1).filter((l) => l.length > 0);
}

describe('the frozen report splits of the tabular evals', () => {
  for (const ds of Object.keys(SPLIT_DATASETS) as (keyof typeof SPLIT_DATASETS)[]) {
    it(`${ds}: the rule still gives the report rows written down in report-split.json`, () => {
      expect(manifest(ds)).toEqual(JSON.parse(readFileSync(manifestPath(ds), 'utf8')));
    });

    it(`${ds}: no report row is in a training or tuning file, not even as a duplicate line`, () => {
      const table = readers[ds](SPLIT_DATASETS[ds]);
      const split = splitRows(ds, SPLIT_DATASETS[ds], table.rows);
      const files = writeSplitFiles(path.join(dir, ds), table.header, split);
      const report = new Set(fileLines(files.report));
      expect(report.size).toBeGreaterThan(0);
      for (const f of [files.train, files.valid]) for (const l of fileLines(f)) expect(report.has(l)).toBe(false);
      // Nothing is dropped or made up: the three files hold the source rows exactly.
      const all = [...fileLines(files.train), ...fileLines(files.valid), ...fileLines(files.report)].sort();
      expect(all).toEqual([...dataLines(SPLIT_DATASETS[ds])].sort());
      const share = split.report.length / table.rows.length;
      expect(share).toBeGreaterThan(0.28);
      expect(share).toBeLessThan(0.32);
    });
  }

  it('sends identical rows to the same split', () => {
    expect(roleOf('shoppers', 'a,b,c')).toBe(roleOf('shoppers', 'a,b,c'));
    const roles = new Set(Array.from({ length: 200 }, (_, i) => roleOf('shoppers', `row ${i}`)));
    expect(roles).toEqual(new Set(['train', 'valid', 'report']));
  });

  it('the conversion eval trains and tunes only on rows outside the report split', async () => {
    const splits = path.join(dir, 'conversion-run');
    const json = path.join(dir, 'conversion.json');
    expect(await conversionEval(['--train', SPLIT_DATASETS.shoppers, '--no-peers', '--splits-dir', splits, '--json', json])).toBe(0);
    const report = new Set(fileLines(path.join(splits, 'report.csv')));
    for (const f of ['train.csv', 'valid.csv']) for (const l of fileLines(path.join(splits, f))) expect(report.has(l)).toBe(false);
    const out = JSON.parse(readFileSync(json, 'utf8')) as Record<string, Record<string, number>>;
    expect(Object.keys(out).filter((k) => k.endsWith(' (shipped)'))).toEqual(['shopbot gbdt, refit on train + valid (shipped)']);
    expect(out['shopbot gbdt, refit on train + valid (shipped)']!.auc).toBeGreaterThan(0.9);
    // Trees on the whole shoppers file, twice (early-stopped, then refitted): slow on a shared box.
  }, 240_000);

  it('exits non-zero before training when the data file or the Python peers are missing', async () => {
    await expect(conversionEval(['--train', path.join(dir, 'nope.csv')])).rejects.toMatchObject({ code: 'INPUT_MISSING' });
    await expect(conversionEval(['--train', SPLIT_DATASETS.shoppers, '--python', path.join(dir, 'no-python')])).rejects.toThrow(/apt-get install -y python3-sklearn python3-xgboost/);
  });
});
