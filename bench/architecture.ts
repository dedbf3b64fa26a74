/**
 * `shopbot bench architecture`: the shape of the import graph of src/, channels/ and cli/ (the
 * product, not its evals and benches), read with the TypeScript compiler's own import scanner so that
 * `import type`, `export ... from` and dynamic `import()` all count. test/architecture.test.ts
 * runs the same analysis and fails on what it finds; this command prints the figures.
 *
 * A "stage" is a folder directly under src/ or channels/ (src/retrieval, channels/slack); cli/ is one. A deep
 * cross-stage import is one from a file of stage A into a file of stage B other than B's index.ts;
 * files directly in src/ (turn.ts, app.ts, config.ts, errors.ts, messages.ts, cli.ts) count as the
 * importing side's own stage `src` and are reached without going through an index.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseFlags } from '../cli/args.js';

export const USAGE = `usage: shopbot bench architecture [--list] [--json OUT]

Import cycles, deep cross-stage imports and the largest files of src/, channels/ and cli/.

options:
  --json OUT
  --list`;

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The folders whose graph is checked: the product, its channels and its command line. */
export const CHECKED_ROOTS = ['src', 'channels', 'cli'] as const;
/** Folders src/ must never import: the channels plug into the product, the CLI drives it, evals and benches measure it. */
export const OUTER_ROOTS = ['channels', 'cli', 'evals', 'bench'] as const;

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly specifier: string;
  readonly typeOnly: boolean;
}

export interface ImportGraph {
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
}

function listTs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'node_modules' && name !== 'public') out.push(...listTs(full));
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** `./x.js` -> `x.ts` or `x/index.ts`, the way NodeNext resolution maps our sources. */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base.endsWith('.ts') ? base : `${base}.ts`, path.join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** Every import, re-export and dynamic import of one file, with whether it brings in types only. */
function importsOf(file: string): { specifier: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      out.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      out.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The graph of the given roots (paths relative to `root`, with `/`), edges to any file of the repo. */
export function readImportGraph(root = ROOT, roots: readonly string[] = CHECKED_ROOTS): ImportGraph {
  const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');
  const files = roots.flatMap((r) => listTs(path.join(root, r)));
  const edges: ImportEdge[] = [];
  for (const file of files) {
    for (const { specifier, typeOnly } of importsOf(file)) {
      const target = resolveSpecifier(file, specifier);
      if (target) edges.push({ from: rel(file), to: rel(target), specifier, typeOnly });
    }
  }
  return { files: files.map(rel), edges };
}

/** `src/retrieval/lexical.ts` -> `src/retrieval`; `src/turn.ts` -> `src`; `channels/web/console/x.ts` -> `channels/web`. */
export function stageOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** A stage's public surface: its index.ts (a nested folder's index.ts is still inside the stage). */
function isStageSurface(file: string): boolean {
  const parts = file.split('/');
  return parts.length === 2 || (parts.length === 3 && parts[2] === 'index.ts');
}

/** Imports between stages of the checked roots that bypass the target's index.ts (cli/ may reach evals/ and bench/ as it likes). */
export function deepImports(graph: ImportGraph, roots: readonly string[] = CHECKED_ROOTS): ImportEdge[] {
  return graph.edges.filter((e) => roots.some((r) => e.to.startsWith(`${r}/`)) && stageOf(e.from) !== stageOf(e.to) && !isStageSurface(e.to));
}

/** Imports from src/ into channels/, cli/, evals/ or bench/. */
export function outwardImports(graph: ImportGraph): ImportEdge[] {
  return graph.edges.filter((e) => e.from.startsWith('src/') && OUTER_ROOTS.some((r) => e.to.startsWith(`${r}/`)));
}

/** Strongly connected components with more than one file (or a file importing itself): the cycles. */
export function importCycles(graph: ImportGraph): string[][] {
  const nodes = [...new Set([...graph.files, ...graph.edges.map((e) => e.to)])];
  const next = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of graph.edges) next.get(e.from)!.push(e.to);
  // Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; i: number }[] = [{ node: start, i: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const succ = next.get(top.node)!;
      if (top.i < succ.length) {
        const w = succ[top.i++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== top.node);
        if (scc.length > 1 || succ.includes(top.node)) out.push(scc.sort());
      }
    }
  }
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

export function lineCount(file: string, root = ROOT): number {
  const text = readFileSync(path.join(root, file), 'utf8');
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

export interface ArchitectureFigures {
  readonly files: number;
  readonly imports: number;
  readonly cycles: string[][];
  readonly deepImports: ImportEdge[];
  readonly outwardImports: ImportEdge[];
  readonly stagesWithoutIndex: string[];
  readonly largestFiles: { file: string; lines: number }[];
  readonly turnLines: number;
}

export function architectureFigures(root = ROOT): ArchitectureFigures {
  const graph = readImportGraph(root);
  const stages = [...new Set(graph.files.map(stageOf))].filter((s) => s.includes('/'));
  const sizes = graph.files.map((file) => ({ file, lines: lineCount(file, root) })).sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file));
  return {
    files: graph.files.length,
    imports: graph.edges.length,
    cycles: importCycles(graph),
    deepImports: deepImports(graph),
    outwardImports: outwardImports(graph),
    stagesWithoutIndex: stages.filter((s) => !existsSync(path.join(root, s, 'index.ts'))),
    largestFiles: sizes.slice(0, 10),
    turnLines: existsSync(path.join(root, 'src/turn.ts')) ? lineCount('src/turn.ts', root) : 0,
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    usage: USAGE,
    options: { json: { type: 'string' }, list: { type: 'boolean', default: false } } });
  const f = architectureFigures();
  console.log(`files ${f.files}, imports ${f.imports}`);
  console.log(`import cycles: ${f.cycles.length}`);
  for (const c of f.cycles) console.log(`  ${c.join(' <-> ')}`);
  console.log(`deep cross-stage imports: ${f.deepImports.length}`);
  const byPair = new Map<string, number>();
  for (const e of f.deepImports) byPair.set(`${stageOf(e.from)} -> ${e.to}`, (byPair.get(`${stageOf(e.from)} -> ${e.to}`) ?? 0) + 1);
  if (values.list) for (const e of f.deepImports) console.log(`  ${e.from} -> ${e.to}`);
  else for (const [pair, n] of [...byPair].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${n}  ${pair}`);
  console.log(`imports from src/ into channels/, cli/, evals/, bench/: ${f.outwardImports.length}`);
  for (const e of f.outwardImports) console.log(`  ${e.from} -> ${e.to}`);
  console.log(`stages without index.ts: ${f.stagesWithoutIndex.join(', ') || 'none'}`);
  console.log('largest files (lines):');
  for (const s of f.largestFiles) console.log(`  ${String(s.lines).padStart(5)}  ${s.file}`);
  console.log(`src/turn.ts: ${f.turnLines} lines`);
  if (values.json) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      values.json,
      `${JSON.stringify({ cycles: f.cycles.length, deepImports: f.deepImports.length, outwardImports: f.outwardImports.length, stagesWithoutIndex: f.stagesWithoutIndex.length, largestFileLines: f.largestFiles[0]?.lines ?? 0, turnLines: f.turnLines }, null, 2)}\n`,
    );
  }
  return 0;
}
