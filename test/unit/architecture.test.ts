// ARCHITECTURE.md is a map: it is only worth reading while it is true. This holds it to the code:
// the route's files exist, are at most 12, and read top to bottom (no file imports one listed
// above it); every folder of src/ has a row in the tests table; every seam has its contract
// test; and every file or folder the page names exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve('.');
const page = readFileSync(resolve(root, 'ARCHITECTURE.md'), 'utf8');

/** The text of the `## title` section of the page. */
function section(title: string): string {
  const start = page.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`ARCHITECTURE.md has no "## ${title}" section`);
  const end = page.indexOf('\n## ', start + 1);
  return page.slice(start, end < 0 ? undefined : end);
}

/** The files a source file imports (type-only included), as paths from the checkout. */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(resolve(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  source.forEachChild((node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const specifier = (node.moduleSpecifier as ts.StringLiteral).text;
      if (specifier.startsWith('.')) {
        found.push(relative(root, resolve(root, dirname(file), specifier.replace(/\.js$/, '.ts'))));
      }
    }
  });
  return found;
}

const route = [...section('The route a token takes').matchAll(/^\d+\. `(src\/[^`]+)`/gm)].map((m) => m[1]!);

describe('ARCHITECTURE.md', () => {
  it('lists the route as at most 12 existing files that read top to bottom', () => {
    expect(route.length).toBeGreaterThan(5);
    expect(route.length).toBeLessThanOrEqual(12);
    for (const [index, file] of route.entries()) {
      expect(existsSync(resolve(root, file)), file).toBe(true);
      const backwards = importsOf(file).filter((target) => route.indexOf(target) >= 0 && route.indexOf(target) < index);
      expect(backwards, `${file} imports a file listed above it`).toEqual([]);
    }
  });

  it('has a row of tests for every folder of src/', () => {
    const table = section('Where are the tests of X');
    const folders = readdirSync(resolve(root, 'src'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    for (const folder of folders) expect(table, folder.name).toContain(`\`${folder.name}/\``);
  });

  it('names a contract test for every seam', () => {
    const seams = section('Seams');
    for (const file of readdirSync(resolve(root, 'src/seams'))) {
      const name = file.replace(/\.ts$/, '');
      expect(seams).toContain(`| \`src/seams/${name}.ts\``);
      expect(seams).toContain(`\`test/seams/${name}.test.ts\``);
    }
  });

  it('names only files and folders that exist', () => {
    const named = [...page.matchAll(/`((?:src|test|scripts)\/[^`*]+)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(40);
    for (const path of named) expect(existsSync(resolve(root, path)), path).toBe(true);
  });
});
