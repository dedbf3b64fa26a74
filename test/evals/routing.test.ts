import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/index.js';
import { BASELINE, routeUtterance, SHIPPED } from '../../evals/routing.js';
import { abcdOpening, loadRoutingLabelMap, readAbcdRouting, readBitextRouting, withoutSeen } from '../../evals/routing-data.js';
import { openLinearNlu, readJsonl, type Nlu } from '../../src/nlu/index.js';

const root = path.join(import.meta.dirname, '..', '..');
const data = (...p: string[]) => path.join(root, 'evals', 'data', ...p);
const map = loadRoutingLabelMap(data('routing', 'label-map.json'));
const bitext = readBitextRouting(data('bitext', 'Bitext_Sample_Customer_Service_Validation_Dataset.csv'), map.bitext);
const abcd = readAbcdRouting(data('abcd', 'abcd_sample.json'), map.abcd);
const nluTraining = readJsonl(data('intent', 'train.jsonl')).map((e) => e.text);
const { rows, seenInTraining } = withoutSeen([...bitext.rows, ...abcd.rows], nluTraining);

describe('the routing eval data and its frozen report split', () => {
  it('the split rule still gives the report rows written down in report-split.json', () => {
    const frozen = JSON.parse(readFileSync(data('routing', 'report-split.json'), 'utf8'));
    const report = rows.filter((r) => r.split === 'report');
    expect(bitext.rows.length).toBe(frozen.bitextScoredRows);
    expect(bitext.excluded).toBe(frozen.bitextExcluded);
    expect(seenInTraining).toBe(frozen.reportRowsSeenInNluTraining);
    expect(report.filter((r) => r.source === 'bitext').length).toBe(frozen.bitextReportRows);
    expect(report.filter((r) => r.source === 'abcd').length).toBe(frozen.abcdReportRows);
    expect(createHash('sha256').update(report.map((r) => r.text).sort().join('\n')).digest('hex')).toBe(frozen.reportTextsSha256);
  });

  it('no report row is in a file anything was trained or tuned on: the routing dev split, the NLU training file', () => {
    const report = new Set(rows.filter((r) => r.split === 'report').map((r) => r.text.toLowerCase()));
    expect(report.size).toBeGreaterThan(300);
    const tuning = [...rows.filter((r) => r.split === 'dev').map((r) => r.text), ...nluTraining];
    expect(tuning.length).toBeGreaterThan(1000);
    for (const t of tuning) expect(report.has(t.toLowerCase())).toBe(false);
  });

  it('maps every label through the mapping file, intent overrides before categories, null labels counted as excluded', () => {
    expect(bitext.rows.find((r) => r.label === 'place_order')?.team).toBe('sales');
    expect(bitext.rows.find((r) => r.label === 'track_order')?.team).toBe('shipping');
    expect(bitext.rows.some((r) => r.label === 'review' || r.label.startsWith('contact_'))).toBe(false);
    expect(bitext.excluded).toBeGreaterThan(0);
    expect(abcd.rows.map((r) => r.label)).toContain('storewide_query/timing');
  });

  it("routes an ABCD conversation on the customer's opening, before the agent's first action", () => {
    expect(abcdOpening([['agent', 'How can I help?'], ['customer', 'My refund never came.'], ['customer', 'Order 12'], ['action', 'Account pulled up'], ['customer', 'Thanks']])).toBe('My refund never came. Order 12');
  });
});

describe('shopbot eval routing', () => {
  let nlu: Nlu;
  const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-routing-'));
  beforeAll(async () => {
    nlu = await openLinearNlu(path.join(root, 'models', 'intent-linear'));
  });
  afterAll(async () => {
    await nlu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends late and lost orders to shipping, complaints about them too, refunds to returns', async () => {
    expect((await routeUtterance(nlu, 'my last order never arrived')).team).toBe('shipping');
    expect((await routeUtterance(nlu, 'I want a refund for my order')).team).toBe('returns');
    expect((await routeUtterance(nlu, 'my card was charged twice')).team).toBe('billing');
  });

  it('writes one object per system, the shipped one marked, and exits 0 above floor and baseline', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const out = path.join(dir, 'routing.json');
    try {
      expect(await main(['eval', 'routing', '--json', out])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const json = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Record<string, number>>;
    expect(SHIPPED.endsWith('(shipped)')).toBe(true);
    expect(json[SHIPPED]!.accuracy).toBeGreaterThan(json[BASELINE]!.accuracy!);
    expect(json[SHIPPED]!.n).toBe(351);
  });

  it('exits non-zero under its floor, and when the model or the data is missing', async () => {
    const quiet = [vi.spyOn(console, 'log').mockImplementation(() => {}), vi.spyOn(console, 'error').mockImplementation(() => {})];
    try {
      expect(await main(['eval', 'routing', '--floor', '0.999'])).toBe(1);
      expect(await main(['eval', 'routing', '--models', path.join(dir, 'no-model')])).toBe(1);
      expect(await main(['eval', 'routing', '--bitext', path.join(dir, 'none.csv')])).toBe(1);
    } finally {
      for (const q of quiet) q.mockRestore();
    }
  });
});
