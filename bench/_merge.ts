import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
for (const file of process.argv.slice(2)) {
  let text = readFileSync(file, 'utf8');
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const groups = new Map<string, ts.ImportDeclaration[]>();
  for (const st of src.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const c = st.importClause;
    if (!c || c.name || !c.namedBindings || !ts.isNamedImports(c.namedBindings)) continue;
    const k = st.moduleSpecifier.text;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(st);
  }
  const edits: { start: number; end: number; value: string }[] = [];
  for (const [spec, decls] of groups) {
    if (decls.length < 2) continue;
    const names: { name: string; type: boolean }[] = [];
    for (const d of decls) {
      const c = d.importClause!;
      for (const e of (c.namedBindings as ts.NamedImports).elements) {
        const n = e.getText().replace(/^type\s+/, '');
        const type = c.isTypeOnly || e.isTypeOnly;
        const seen = names.find((x) => x.name === n);
        if (seen) seen.type = seen.type && type; else names.push({ name: n, type });
      }
    }
    const allType = names.every((n) => n.type);
    names.sort((a, b) => (a.type === b.type ? 0 : a.type ? 1 : -1));
    const list = names.map((n) => (!allType && n.type ? `type ${n.name}` : n.name)).join(', ');
    const merged = `import ${allType ? 'type ' : ''}{ ${list} } from '${spec}';`;
    edits.push({ start: decls[0]!.getStart(), end: decls[0]!.getEnd(), value: merged });
    for (const d of decls.slice(1)) {
      let end = d.getEnd();
      if (text[end] === '\n') end++;
      edits.push({ start: d.getStart(), end, value: '' });
    }
  }
  for (const e of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.value + text.slice(e.end);
  if (edits.length) { writeFileSync(file, text); console.log('merged', file); }
}
