/**
 * Every command behaves like a tool: `--help` prints its usage and exits 0, an unknown flag or a
 * bad value prints one line naming it and then the usage and exits 2, never a stack trace.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BENCHES } from '../../cli/bench.js';
import { EVALS } from '../../cli/eval.js';
import { main } from '../../cli/index.js';
import { TRAINERS } from '../../cli/train.js';

function capture(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  return { out, err };
}

const COMMANDS = [
  ...['serve', 'chat', 'ingest', 'funnel', 'forget', 'agents', 'apikey'].map((c) => [c]),
  ...['eval', 'bench', 'train'].map((c) => [c]),
  ...Object.keys(EVALS).map((s) => ['eval', s]),
  ...Object.keys(BENCHES).map((s) => ['bench', s]),
  ...Object.keys(TRAINERS).map((s) => ['train', s]),
];

describe('shopbot <command> --help', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(COMMANDS.map((c) => [c.join(' '), c]))('%s --help prints its usage and exits 0', async (_name, command) => {
    const io = capture();
    expect(await main([...(command as string[]), '--help'])).toBe(0);
    expect(io.out.join('\n')).toMatch(/^usage: shopbot /);
    expect(io.err).toEqual([]);
  });
});

describe('shopbot <command> with a wrong flag', () => {
  afterEach(() => vi.restoreAllMocks());

  const leaves = COMMANDS.filter((c) => !['eval', 'bench', 'train'].includes(c.join(' ')) && !['agents', 'apikey', 'forget'].includes(c[0]!));
  it.each(leaves.map((c) => [c.join(' '), c]))('%s --no-such-flag names the flag in one line, prints the usage, exits 2', async (name, command) => {
    const io = capture();
    expect(await main([...(command as string[]), '--no-such-flag'])).toBe(2);
    const [first, ...rest] = io.err.join('\n').split('\n');
    expect(first).toBe(`shopbot ${name}: unknown option --no-such-flag`);
    expect(rest.join('\n')).toMatch(/usage: shopbot /);
    expect(io.err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('names a bad value and the flag it belongs to', async () => {
    const io = capture();
    expect(await main(['funnel', '--days', 'zero'])).toBe(2);
    expect(io.err[0]).toMatch(/^shopbot funnel: --days: bad value "zero"/);
    expect(await main(['bench', 'turn', '--turns'])).toBe(2);
    expect(io.err.at(-1)).toMatch(/^shopbot bench turn: --turns needs a value/);
    expect(await main(['eval', 'no-such-eval'])).toBe(2);
    expect(io.err.at(-1)).toMatch(/^shopbot eval: unknown eval "no-such-eval"/);
  });

  it('reports a missing prerequisite before any work, with how to install it', async () => {
    const io = capture();
    expect(await main(['eval', 'intent-benchmarks', '--fasttext', '/nonexistent/fasttext', '--clinc150', 'unused.json'])).toBe(1);
    expect(io.err.join('\n')).toMatch(/PREREQUISITE_MISSING[\s\S]*\/nonexistent\/fasttext: apt-get install -y fasttext/);
    expect(await main(['eval', 'conversion', '--train', 'package.json', '--python', '/nonexistent/python3'])).toBe(1);
    expect(io.err.join('\n')).toMatch(/python modules numpy, sklearn, xgboost for \/nonexistent\/python3: apt-get install -y python3-sklearn python3-xgboost/);
  });
});
