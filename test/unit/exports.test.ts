// The public surface is what the README documents ("What the package exports"): this builds the
// package as `npm pack` does (tsup, its own config, without the slow declaration step) and fails
// when a runtime export is added or dropped without the README saying so, in the ESM or the
// CommonJS build. Type exports are compared with the entry points' sources.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tsupConfig from '../../tsup.config.js';
import { synergyFlow } from '../../src/index.js';
import { section } from '../helpers/readme.js';

const ENTRIES = { 'passport-synergyflow': 'index', 'passport-synergyflow/testing': 'testing/index' } as const;
type Entry = keyof typeof ENTRIES;

/** The README's lists for an entry point: the first backticked name of each item, and the types. */
function documented(entry: Entry): { values: string[]; types: string[] } {
  const text = section('What the package exports');
  const start = text.indexOf(`\`${entry}\``);
  const next = Object.keys(ENTRIES).find((other) => other !== entry && text.indexOf(`\`${other}\``) > start);
  const part = text.slice(start, next ? text.indexOf(`\`${next}\``) : undefined);
  const names = (line: string): string[] => [...line.matchAll(/`([A-Za-z]\w*)(\([^`]*\))?`/g)].map((m) => m[1]!);
  const values = part
    .split('\n')
    .filter((line) => line.startsWith('- '))
    .flatMap((line) => names(line.slice(0, line.indexOf('`:') + 1 || undefined)));
  const typesAt = part.indexOf('\nTypes: ');
  const types = typesAt < 0 ? [] : names(part.slice(typesAt, part.indexOf('\n\n', typesAt + 1) >>> 0));
  return { values, types };
}

/** The type-only exports of an entry point's source. */
function typeExports(entry: Entry): string[] {
  const file = resolve('src', `${ENTRIES[entry]}.ts`);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  source.forEachChild((node) => {
    if (!ts.isExportDeclaration(node) || !node.exportClause || !ts.isNamedExports(node.exportClause)) return;
    for (const element of node.exportClause.elements) {
      if (node.isTypeOnly || element.isTypeOnly) found.push(element.name.text);
    }
  });
  return found;
}

let outDir: string;
beforeAll(async () => {
  // Inside the checkout, so that the build's imports of express, passport… resolve.
  mkdirSync('test-output', { recursive: true });
  outDir = mkdtempSync(join(resolve('test-output'), 'exports-'));
  await build({ ...(tsupConfig as Options), dts: false, clean: false, outDir, silent: true, config: false });
}, 60_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the public surface is the README', () => {
  for (const entry of Object.keys(ENTRIES) as Entry[]) {
    it(`${entry}: the built ESM and CommonJS runtime exports are the README's list`, async () => {
      const { values } = documented(entry);
      expect(values.length).toBeGreaterThan(5);
      expect(new Set(values).size).toBe(values.length);
      const esm = (await import(pathToFileURL(join(outDir, `${ENTRIES[entry]}.js`)).href)) as object;
      const cjs = createRequire(import.meta.url)(join(outDir, `${ENTRIES[entry]}.cjs`)) as object;
      expect(Object.keys(esm).sort()).toEqual([...values].sort());
      expect(Object.keys(cjs).sort()).toEqual([...values].sort());
    });

    it(`${entry}: the type exports are the README's list`, () => {
      const { types } = documented(entry);
      expect(new Set(types).size).toBe(types.length);
      expect([...types].sort()).toEqual(typeExports(entry).sort());
    });
  }

  it('hands out no client secret in auth.config', () => {
    const auth = synergyFlow({ clientID: 'id', clientSecret: 'the-secret', callbackURL: 'http://localhost/cb' });
    expect(JSON.stringify(auth.config)).not.toContain('the-secret');
  });
});
