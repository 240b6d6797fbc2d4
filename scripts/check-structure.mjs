#!/usr/bin/env node
// Part of `npm run lint`: keeps `src/` a house the next engineer can change. Fails when a file
// under src/ is longer than MAX_LINES (one idea per file), or when files import each other in a
// cycle, type-only imports included (a cycle means two files are one idea, or a type sits in the
// wrong file; either way a reader cannot read them top to bottom). It reads the import graph with
// the TypeScript parser already installed for the build, so it needs nothing else.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const MAX_LINES = 300;
const root = resolve(import.meta.dirname, '..', 'src');

/** Every .ts file under `dir`, as absolute paths. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative module specifiers of `file`: imports, re-exports, `import('…')` types and calls. */
function specifiers(file, text) {
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      found.push(node.argument.literal.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true));
  return found.filter((specifier) => specifier.startsWith('.'));
}

const files = sources(root);
const problems = [];
const graph = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_LINES)
    problems.push(`${relative(root, file)}: ${lines} lines (at most ${MAX_LINES}; split it by idea)`);
  const targets = specifiers(file, text).map((specifier) =>
    resolve(dirname(file), specifier.replace(/\.js$/, '.ts').replace(/\/$/, '/index.ts')),
  );
  graph.set(
    file,
    targets.filter((target) => graph.has(target) || files.includes(target)),
  );
}

// Tarjan's strongly connected components: every component of more than one file is a cycle.
let index = 0;
const indices = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function connect(file) {
  indices.set(file, index);
  low.set(file, index);
  index += 1;
  stack.push(file);
  onStack.add(file);
  for (const next of graph.get(file) ?? []) {
    if (!indices.has(next)) {
      connect(next);
      low.set(file, Math.min(low.get(file), low.get(next)));
    } else if (onStack.has(next)) {
      low.set(file, Math.min(low.get(file), indices.get(next)));
    }
  }
  if (low.get(file) !== indices.get(file)) return;
  const component = [];
  let member;
  do {
    member = stack.pop();
    onStack.delete(member);
    component.push(member);
  } while (member !== file);
  const selfImport = (graph.get(file) ?? []).includes(file);
  if (component.length > 1 || selfImport) {
    problems.push(
      `import cycle: ${component
        .map((f) => relative(root, f))
        .sort()
        .join(' <-> ')}`,
    );
  }
}
for (const file of files) if (!indices.has(file)) connect(file);

if (problems.length > 0) {
  console.error(`scripts/check-structure.mjs: src/ has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `scripts/check-structure.mjs: ${files.length} files in src/, none over ${MAX_LINES} lines, no import cycle.`,
);
