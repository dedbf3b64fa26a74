import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLabelMap, mapLabel, readBanking77Csv, readBitextCsv, readClincJson, readJsonl } from '../../src/nlu/datasets.js';
import { INTENTS } from '../../src/nlu/types.js';

const root = path.join(import.meta.dirname, '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'intent');
const map = loadLabelMap(path.join(root, 'evals', 'data', 'intent', 'label-map.json'));

describe('intent datasets', () => {
  it('maps dataset labels onto the store taxonomy, with exclusions and defaults', () => {
    expect(mapLabel(map, 'bitext', 'track_order')).toBe('order_status');
    expect(mapLabel(map, 'bitext', 'review')).toBeNull();
    expect(mapLabel(map, 'bitext', 'not_a_bitext_label')).toBeNull();
    expect(mapLabel(map, 'clinc150', 'thank_you')).toBe('thanks');
    expect(mapLabel(map, 'clinc150', 'oos')).toBe('out_of_scope');
    expect(mapLabel(map, 'clinc150', 'weather')).toBe('out_of_scope');
    expect(mapLabel(map, 'banking77', 'request_refund')).toBe('returns_refunds');
    expect(mapLabel(map, 'banking77', 'card_arrival')).toBe('out_of_scope');
  });

  it('reads the Bitext CSV format', () => {
    const rows = readBitextCsv(path.join(fixtures, 'bitext-slice.csv'));
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => r.label)).toContain('review');
    expect(rows[0]!.text.length).toBeGreaterThan(0);
  });

  it('reads CLINC150 splits by key and rejects an unknown key', () => {
    const file = path.join(fixtures, 'clinc150-slice.json');
    expect(readClincJson(file, ['val'])).toHaveLength(6);
    expect(readClincJson(file, ['val', 'oos_val']).filter((r) => r.label === 'oos')).toHaveLength(3);
    expect(() => readClincJson(file, ['test'])).toThrow(/no split "test"/);
  });

  it('reads the BANKING77 CSV format', () => {
    const rows = readBanking77Csv(path.join(fixtures, 'banking77-slice.csv'));
    expect(rows.map((r) => r.label)).toEqual(['request_refund', 'request_refund', 'card_arrival', 'card_arrival', 'declined_card_payment', 'declined_card_payment']);
  });

  it('rejects a CSV without the expected columns', () => {
    expect(() => readBitextCsv(path.join(fixtures, 'banking77-slice.csv'))).toThrow(/expected columns/);
  });

  it('the committed train and dev files are valid and cover every intent in both languages', () => {
    for (const name of ['train.jsonl', 'dev.jsonl']) {
      const rows = readJsonl(path.join(root, 'evals', 'data', 'intent', name));
      for (const intent of INTENTS) {
        for (const lang of ['en', 'zh'] as const) {
          expect(rows.some((r) => r.intent === intent && r.lang === lang), `${name} ${intent}/${lang}`).toBe(true);
        }
      }
    }
  });
});
