import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { readImportGraph, stageOf, ROOT } from './architecture.js';

const graph = readImportGraph(ROOT, process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'channels']);
const isSurface = (f: string) => { const p = f.split('/'); return p.length === 2 || (p.length === 3 && p[2] === 'index.ts'); };
const byFile = new Map<string, { specifier: string; to: string }[]>();
for (const e of graph.edges) {
  if (stageOf(e.from) === stageOf(e.to) || isSurface(e.to)) continue;
  if (!byFile.has(e.from)) byFile.set(e.from, []);
  byFile.get(e.from)!.push({ specifier: e.specifier, to: e.to });
}
const need = new Map<string, Set<string>>();
for (const [file, deps] of byFile) {
  const full = path.join(ROOT, file);
  let text = readFileSync(full, 'utf8');
  const src = ts.createSourceFile(full, text, ts.ScriptTarget.Latest, true);
  const edits: { start: number; end: number; value: string }[] = [];
  const visit = (node: ts.Node) => {
    let spec: ts.StringLiteral | undefined;
    let names: string[] = [];
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      spec = node.moduleSpecifier;
      const c = node.importClause;
      if (c?.namedBindings && ts.isNamedImports(c.namedBindings)) names = c.namedBindings.elements.map((e) => (e.propertyName ?? e.name).text);
      if (c?.namedBindings && ts.isNamespaceImport(c.namedBindings)) names = ['*'];
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      spec = node.moduleSpecifier;
      if (node.exportClause && ts.isNamedExports(node.exportClause)) names = node.exportClause.elements.map((e) => (e.propertyName ?? e.name).text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      spec = node.arguments[0];
      names = ['(dynamic)'];
    }
    if (spec) {
      const dep = deps.find((d) => d.specifier === spec!.text);
      if (dep) {
        const stageIndex = path.join(ROOT, stageOf(dep.to), 'index.ts');
        let rel = path.relative(path.dirname(full), stageIndex).split(path.sep).join('/').replace(/\.ts$/, '.js');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        edits.push({ start: spec.getStart() + 1, end: spec.getEnd() - 1, value: rel });
        const key = `${stageOf(dep.to)}/index.ts <- ${dep.to}`;
        if (!need.has(key)) need.set(key, new Set());
        for (const n of names) need.get(key)!.add(n);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  for (const e of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.value + text.slice(e.end);
  writeFileSync(full, text);
}
for (const [k, names] of [...need].sort()) console.log(k, ':', [...names].sort().join(', '));
