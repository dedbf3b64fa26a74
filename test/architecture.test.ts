/**
 * The shape STYLE.md asks for, checked on the real import graph of src/, channels/ and cli/ (read
 * with the TypeScript scanner, so type-only imports, re-exports and dynamic imports count):
 * no import cycles, stages reach each other only through index.ts, and src/ never imports the
 * channels, CLI, evals or benches built on it. `shopbot bench architecture` prints the same figures.
 */
import { describe, expect, it } from 'vitest';
import { deepImports, importCycles, outwardImports, readImportGraph, stageOf, type ImportGraph } from '../bench/architecture.js';

const graph = readImportGraph();
const show = (edges: readonly { from: string; to: string }[]) => edges.map((e) => `${e.from} -> ${e.to}`);

describe('architecture', () => {
  it('reads a real graph', () => {
    expect(graph.files).toContain('src/turn.ts');
    expect(graph.edges.some((e) => e.from === 'src/turn.ts' && e.to === 'src/actions/index.ts')).toBe(true);
  });

  it('has no import cycles', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('imports another stage only through its index.ts', () => {
    expect(show(deepImports(graph))).toEqual([]);
  });

  it('never imports channels/, cli/, evals/ or bench/ from src/', () => {
    expect(show(outwardImports(graph))).toEqual([]);
  });

  it('gives every stage folder an index.ts', () => {
    const stages = [...new Set(graph.files.map(stageOf))].filter((s) => s.includes('/'));
    expect(stages.filter((s) => !graph.files.includes(`${s}/index.ts`))).toEqual([]);
  });

  it('finds what it guards against (a cycle, a deep import, an outward import)', () => {
    const planted: ImportGraph = {
      files: ['src/a/index.ts', 'src/a/x.ts', 'src/b/index.ts', 'src/b/y.ts'],
      edges: [
        { from: 'src/a/x.ts', to: 'src/b/y.ts', specifier: '../b/y.js', typeOnly: false },
        { from: 'src/b/y.ts', to: 'src/a/x.ts', specifier: '../a/x.js', typeOnly: true },
        { from: 'src/a/x.ts', to: 'evals/report.ts', specifier: '../../evals/report.js', typeOnly: false },
      ],
    };
    expect(importCycles(planted)).toEqual([['src/a/x.ts', 'src/b/y.ts']]);
    expect(show(deepImports(planted))).toEqual(['src/a/x.ts -> src/b/y.ts', 'src/b/y.ts -> src/a/x.ts']);
    expect(show(outwardImports(planted))).toEqual(['src/a/x.ts -> evals/report.ts']);
  });
});
