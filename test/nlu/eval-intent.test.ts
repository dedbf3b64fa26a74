import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/index.js';

const root = path.join(import.meta.dirname, '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'intent');

describe('shopbot eval intent', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('exits non-zero on a missing file', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['eval', 'intent', '--file', path.join(fixtures, 'no-such-file.csv'), '--format', 'bitext'])).toBe(1);
    expect(err.mock.calls.flat().join(' ')).toMatch(/INPUT_MISSING/);
  });

  it('exits non-zero on a missing model', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['eval', 'intent', '--file', path.join(fixtures, 'tiny-dev.jsonl'), '--model', path.join(fixtures, 'none')])).toBe(1);
  });

  it('scores a CLINC150-format file with mapped labels and writes JSON metrics', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const dir = mkdtempSync(path.join(tmpdir(), 'eval-intent-'));
    dirs.push(dir);
    const out = path.join(dir, 'm.json');
    const code = await main(['eval', 'intent', '--file', path.join(fixtures, 'clinc150-slice.json'), '--format', 'clinc150', '--json', out]);
    expect(code).toBe(0);
    const m = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number>;
    expect(m.n).toBe(9);
    expect(m.excluded).toBe(0);
    for (const k of ['accuracy', 'macro_f1', 'oos_recall', 'in_scope_accuracy', 'ece']) {
      expect(m[k]).toBeGreaterThanOrEqual(0);
      expect(m[k]).toBeLessThanOrEqual(1);
    }
  });

  it('counts excluded Bitext labels instead of scoring them', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const dir = mkdtempSync(path.join(tmpdir(), 'eval-intent-'));
    dirs.push(dir);
    const out = path.join(dir, 'm.json');
    expect(await main(['eval', 'intent', '--file', path.join(fixtures, 'bitext-slice.csv'), '--format', 'bitext', '--json', out])).toBe(0);
    const m = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number>;
    expect(m.n).toBe(8);
    expect(m.excluded).toBe(2);
  });
});
