// An option is declared once (src/option-declarations.ts: kind, unit, default, range); its doc is
// its JSDoc in SynergyFlowOptions, where editors show it; the README's table is what users read.
// These checks keep the three in step: same names, and the same default written the same way.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { synergyFlow } from 'passport-synergyflow';
import {
  OPTION_DECLARATIONS,
  OPTION_NAMES,
  defaultText,
  type OptionDeclaration,
} from '../../src/option-declarations.js';
import { backticked, section, tableRows } from '../helpers/readme.js';

const declarations = OPTION_DECLARATIONS as Record<string, OptionDeclaration>;

/** Each member of `SynergyFlowOptions` with the text of its `@default` tag (`undefined`: none). */
function interfaceDefaults(): Map<string, string | undefined> {
  const file = new URL('../../src/synergy-flow-options.ts', import.meta.url);
  const source = ts.createSourceFile('options.ts', readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found = new Map<string, string | undefined>();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'SynergyFlowOptions') return;
    for (const member of node.members) {
      if (!member.name || !ts.isIdentifier(member.name)) continue;
      const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'default');
      const comment = typeof tag?.comment === 'string' ? tag.comment : ts.getTextOfJSDocComment(tag?.comment);
      found.set(member.name.text, tag ? comment?.trim() : undefined);
    }
  });
  return found;
}

const readmeRows = tableRows(section('Options')).flatMap(([names = '', cell = '']) =>
  backticked(names).map((name) => ({ name, cell })),
);
const base = { clientID: 'id', clientSecret: 'secret', callbackURL: 'https://app.example/auth/callback' };

describe('options declared once', () => {
  const inInterface = interfaceDefaults();

  it('the interface, the declarations and the README name the same options', () => {
    expect([...inInterface.keys()].sort()).toEqual([...OPTION_NAMES].sort());
    expect(readmeRows.map((row) => row.name).sort()).toEqual([...OPTION_NAMES].sort());
  });

  for (const name of OPTION_NAMES) {
    const declaration = declarations[name]!;
    const text = defaultText(declaration);
    it(`${name}: the @default tag and the README state the declared default (${text})`, () => {
      expect(readmeRows.find((row) => row.name === name)?.cell).toBe(text);
      // A required option has no default to state.
      expect(inInterface.get(name)).toBe(text.startsWith('required') ? undefined : text);
    });
  }

  for (const [name, declaration] of Object.entries(declarations)) {
    if (declaration.kind !== 'number') continue;
    const resolvedName = declaration.unit === 'seconds' ? name.replace(/Seconds$/, 'Ms') : name;
    const scale = declaration.unit === 'seconds' ? 1000 : 1;
    it(`${name}: refused outside ${declaration.min}..${declaration.max}, resolved as ${resolvedName}`, () => {
      for (const bad of [declaration.min - 1, declaration.max + 1, Number.NaN, '5']) {
        expect(() => synergyFlow({ ...base, [name]: bad })).toThrow(
          `option "${name}" must be a number from ${declaration.min} to ${declaration.max}`,
        );
      }
      // The lock wait must also cover the provider call's deadline: give it the largest.
      const value = name === 'refreshLockWaitSeconds' ? declaration.max : declaration.min;
      const config = synergyFlow({ ...base, [name]: value }).config as unknown as Record<string, unknown>;
      expect(config[resolvedName]).toBe(value * scale);
    });
  }

  for (const [name, declaration] of Object.entries(declarations)) {
    if (declaration.kind !== 'flag' && declaration.kind !== 'function') continue;
    it(`${name}: refused when not a ${declaration.kind === 'flag' ? 'boolean' : 'function'}`, () => {
      const requirement = declaration.kind === 'flag' ? 'must be true or false' : 'must be a function';
      expect(() => synergyFlow({ ...base, [name]: 'yes' })).toThrow(`option "${name}" ${requirement}`);
    });
  }
});
